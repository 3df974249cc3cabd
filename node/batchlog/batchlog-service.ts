/**
 * `BatchlogService`: one node's part in atomic LOGGED batches (Cassandra's BatchlogManager plus the
 * batchlog half of StorageProxy.mutateAtomically).
 *
 * - As a coordinator: `newBatchId`, `planWrite` (which nodes keep the batchlog), `store` (the batch is
 *   on every chosen node before any of its mutations is written; WriteTimeout BATCH_LOG otherwise)
 *   and `remove` (fire and forget, once the mutations are acknowledged). `writeLoggedBatch`
 *   (logged-batch.ts) puts them in Cassandra's order.
 * - As a batchlog holder: the BATCH_STORE_REQ / BATCH_REMOVE_REQ handlers, and a replay loop that
 *   every `batchlogReplayIntervalMs` replays the batches whose coordinator never removed them
 *   (batchlog-replay.ts), through the injected write path.
 *
 * The write path used for replays, the table lookup, the ring size, time and randomness are
 * injected, so this folder does not depend on the coordinator and tests drive the clock.
 */
import { assert } from '../../common/errors.js';
import type { BatchlogOptions } from '../../common/limits.js';
import { batchlogOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import { logger } from '../../common/logger.js';
import type { ConsistencyName } from '../../cql/errors.js';
import { InvalidRequestError, WriteTimeoutError } from '../../cql/errors.js';
import { timeuuidFromMs } from '../../cql/types/index.js';
import type { Mutation } from '../../storage/model.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import type { PeerAddress } from '../messaging/transport.js';
import { Verb } from '../messaging/verbs.js';
import type { RandomSource } from '../sim/random.js';
import { systemRandom } from '../sim/random.js';
import type { Scheduler, TimerHandle } from '../sim/scheduler.js';
import { systemScheduler } from '../sim/scheduler.js';
import type { BatchlogTopology, BatchlogWritePlan } from './batchlog-endpoints.js';
import { planBatchlogWrite } from './batchlog-endpoints.js';
import { encodeBatchMutation, isBatchId } from './batchlog-format.js';
import type { BatchlogMetrics } from './batchlog-metrics.js';
import { newBatchlogMetrics } from './batchlog-metrics.js';
import type { ReplayRoundResult, ReplayTableInfo } from './batchlog-replay.js';
import { replayRound } from './batchlog-replay.js';
import { BatchlogTable } from './batchlog-table.js';
import { registerBatchlogHandlers, unregisterBatchlogHandlers } from './batchlog-verbs.js';
import { ReplayThrottle } from './replay-throttle.js';

/** The consistency a batchlog write of n endpoints reports (all must answer): ONE or TWO in practice. */
const BATCHLOG_CONSISTENCY: readonly ConsistencyName[] = ['ONE', 'TWO', 'THREE'];

export interface BatchlogServiceDependencies {
  readonly messaging: MessagingService;
  /** Holds this node's system.batches (added with the system tables). */
  readonly engine: StorageEngine;
  /**
   * Writes the mutations of a batch being replayed: the coordinator's write path at ONE, with hints
   * for replicas that are down or do not answer. Resolves once they are safe (acknowledged or
   * hinted durably); a rejection keeps the batch for the next round.
   */
  readonly replay: (mutations: Mutation[]) => Promise<void>;
  /** The table a batched mutation writes to; undefined once it is dropped. */
  readonly tableInfo: (tableId: string) => ReplayTableInfo | undefined;
  /** Endpoints in the ring, ourselves included: the throttle is shared among them (default 1). */
  readonly endpointCount?: () => number;
  /** This node's address as peers and the ring name it (default: the messaging listen address). */
  readonly localAddress?: string;
  readonly scheduler?: Scheduler;
  readonly random?: RandomSource;
  readonly options?: Partial<BatchlogOptions>;
  readonly log?: Logger;
}

export class BatchlogService {
  readonly metrics: BatchlogMetrics = newBatchlogMetrics();
  readonly table: BatchlogTable;
  readonly options: BatchlogOptions;
  /** Batches older than this are replayed (2 × write_request_timeout unless configured). */
  readonly batchlogTimeoutMs: number;
  readonly localAddress: string;
  private readonly writeTimeoutMs: number;
  private readonly maxBatchBytes: number;
  private readonly scheduler: Scheduler;
  private readonly random: RandomSource;
  private readonly log: Logger;
  private readonly throttle = new ReplayThrottle();
  private readonly idNode: Uint8Array;
  private lastIdMs = 0;
  private lastIdTicks = 0;
  private timer: TimerHandle | undefined;
  private round: Promise<ReplayRoundResult> | undefined;
  private readonly sleepers = new Set<() => void>();
  private started = false;
  private closed = false;

  constructor(private readonly deps: BatchlogServiceDependencies) {
    this.options = batchlogOptions(deps.options);
    this.scheduler = deps.scheduler ?? systemScheduler;
    this.random = deps.random ?? systemRandom;
    this.log = deps.log ?? logger('batchlog');
    this.table = new BatchlogTable(deps.engine, this.scheduler);
    this.localAddress = deps.localAddress ?? deps.messaging.address;
    this.writeTimeoutMs = deps.messaging.options.writeRequestTimeoutMs;
    this.batchlogTimeoutMs = this.options.batchlogReplayTimeoutMs ?? 2 * this.writeTimeoutMs;
    // The batch travels in one frame and is stored as one mutation: both bound it.
    this.maxBatchBytes = Math.min(
      deps.engine.options.maxMutationSizeBytes,
      deps.messaging.options.maxFrameBytes - 1024,
    );
    this.idNode = this.random.bytes(8);
  }

  /** Installs the verb handlers and schedules the replay loop (first round after the initial delay). */
  start(): void {
    assert(!this.started && !this.closed, 'a batchlog service starts once');
    assert(this.table.available, 'system.batches is in the storage engine before the batchlog starts');
    this.started = true;
    registerBatchlogHandlers(this.deps.messaging, this.table, this.metrics);
    this.schedule(this.options.batchlogReplayInitialDelayMs);
  }

  /** Stops the loop (a round in progress ends after its current batch) and removes the handlers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) this.scheduler.clearTimeout(this.timer);
    for (const wake of this.sleepers) wake();
    if (this.started) unregisterBatchlogHandlers(this.deps.messaging);
    await this.round?.catch(() => {});
  }

  /** A new batch id: a timeuuid of now, strictly increasing on this node. */
  newBatchId(): string {
    const nowMs = this.scheduler.nowMs();
    if (nowMs > this.lastIdMs) {
      this.lastIdMs = nowMs;
      this.lastIdTicks = 0;
    } else if (this.lastIdTicks < 9_999) {
      this.lastIdTicks++;
    } else {
      this.lastIdMs++;
      this.lastIdTicks = 0;
    }
    return timeuuidFromMs(this.lastIdMs, this.idNode, this.lastIdTicks);
  }

  /**
   * Which nodes keep the batchlog of a batch at `batchConsistency` (batchlog-endpoints.ts); throws
   * UnavailableError when no node can.
   */
  planWrite(topology: BatchlogTopology, batchConsistency: ConsistencyName): BatchlogWritePlan {
    return planBatchlogWrite(topology, this.random, batchConsistency);
  }

  /**
   * Writes the batch into the batchlog of every endpoint (this node's own table when it is one of
   * them). Resolves once all have it durably; rejects with WriteTimeoutError (writeType BATCH_LOG,
   * consistency ONE or TWO) when one fails or write_request_timeout passes first, and with
   * InvalidRequestError when the batch is too large to be stored as one mutation.
   */
  store(batchId: string, mutations: readonly Mutation[], endpoints: readonly string[]): Promise<void> {
    assert(isBatchId(batchId), 'a batch id is a timeuuid');
    assert(mutations.length > 0 && endpoints.length > 0, 'a batch with mutations goes to some endpoint');
    const blobs = mutations.map(encodeBatchMutation);
    const size = blobs.reduce((sum, blob) => sum + blob.length, 0);
    if (size > this.maxBatchBytes) {
      return Promise.reject(
        new InvalidRequestError(
          `Rejected an oversized mutation (${size}/${this.maxBatchBytes}) for keyspace: system. Top keys are: system.batches`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const blockFor = endpoints.length;
      const consistency = BATCHLOG_CONSISTENCY[blockFor - 1] ?? 'ALL';
      let received = 0;
      let settled = false;
      const fail = (cause?: unknown) => {
        if (settled) return;
        settled = true;
        this.scheduler.clearTimeout(timer);
        this.metrics.batchlogWriteTimeouts++;
        this.log.debug({ batch: batchId, endpoints, received, err: cause }, 'batchlog write failed');
        reject(new WriteTimeoutError(consistency, received, blockFor, 'BATCH_LOG'));
      };
      const timer = this.scheduler.setTimeout(() => fail(), this.writeTimeoutMs);
      for (const endpoint of endpoints) {
        this.storeOn(endpoint, batchId, blobs).then(() => {
          received++;
          if (received < blockFor || settled) return;
          settled = true;
          this.scheduler.clearTimeout(timer);
          resolve();
        }, fail);
      }
    });
  }

  /**
   * Deletes the batch from the batchlog of every endpoint, without waiting: its mutations are
   * acknowledged. A removal that is lost only costs a harmless replay later.
   */
  remove(batchId: string, endpoints: readonly string[]): void {
    assert(isBatchId(batchId), 'a batch id is a timeuuid');
    for (const endpoint of endpoints) {
      if (endpoint === this.localAddress) {
        this.table.delete(batchId).then(
          () => {
            this.metrics.batchesRemoved++;
          },
          (error: unknown) => this.log.warn({ batch: batchId, err: error }, 'could not remove a local batch'),
        );
        continue;
      }
      try {
        this.deps.messaging.send(endpoint as PeerAddress, Verb.BATCH_REMOVE_REQ, { id: batchId });
      } catch (error) {
        this.log.debug(
          { batch: batchId, endpoint, err: error },
          'BATCH_REMOVE not sent; the batch will be replayed',
        );
      }
    }
  }

  /**
   * Runs a replay round now (Cassandra's forceBatchlogReplay); one that is already running is
   * awaited first, so rounds never overlap.
   */
  replayFailedBatches(): Promise<ReplayRoundResult> {
    const previous = this.round?.catch(() => undefined) ?? Promise.resolve(undefined);
    const round = previous.then(() => this.runRound());
    this.round = round;
    return round;
  }

  private storeOn(endpoint: string, batchId: string, blobs: Uint8Array[]): Promise<void> {
    if (endpoint === this.localAddress) {
      return this.table.write(batchId, blobs).then(() => {
        this.metrics.batchesStored++;
      });
    }
    return this.deps.messaging
      .request(endpoint as PeerAddress, Verb.BATCH_STORE_REQ, { id: batchId, mutations: blobs })
      .then(() => undefined);
  }

  private async runRound(): Promise<ReplayRoundResult> {
    const result = await replayRound({
      table: this.table,
      nowMs: () => this.scheduler.nowMs(),
      sleep: (ms) => this.sleep(ms),
      replay: this.deps.replay,
      tableInfo: this.deps.tableInfo,
      endpointCount: this.deps.endpointCount ?? (() => 1),
      timeoutMs: this.batchlogTimeoutMs,
      throttleBytesPerSecond: this.options.batchlogReplayThrottleBytesPerSecond,
      pageSize: this.options.batchlogReplayPageSize,
      pageBytes: this.options.batchlogReplayPageBytes,
      throttle: this.throttle,
      metrics: this.metrics,
      log: this.log,
      stopped: () => this.closed,
    });
    this.metrics.replayRounds++;
    if (result.replayed + result.failed + result.skipped + result.expired > 0)
      this.log.info(result, 'batchlog replay round');
    return result;
  }

  /** Fixed delay between rounds, as Cassandra's scheduleWithFixedDelay. */
  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.replayFailedBatches()
        .catch((error: unknown) => this.log.error({ err: error }, 'batchlog replay round failed'))
        .finally(() => this.schedule(this.options.batchlogReplayIntervalMs));
    }, delayMs);
    // The loop alone must not keep a process alive (Node's timers; simulated ones have no unref).
    (this.timer as unknown as { unref?: () => void }).unref?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.sleepers.delete(wake);
        this.scheduler.clearTimeout(handle);
        resolve();
      };
      const handle = this.scheduler.setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
