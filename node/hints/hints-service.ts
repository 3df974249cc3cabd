/**
 * Hinted handoff (Cassandra's HintsService): keeps the mutations replicas missed in the hints store
 * (storage/hints/) and replays them when the replica is back. The coordinator hands hints over
 * through `HintSink.store`; the node tells the service when a replica comes up (`onEndpointUp`), and
 * the service also looks every `hintsDispatchIntervalMs` for live replicas with hints.
 *
 * Replay of one replica reads its complete files oldest first, hint by hint in file order: each is
 * dropped if older than its table's gc_grace_seconds, otherwise delivered (throttled to
 * hinted_handoff_throttle divided by the other nodes, a bounded number awaiting answers). A fully
 * replayed file is deleted; a failed delivery stops the replay, which resumes later at the first
 * unacknowledged hint. Time, liveness and delivery are injected (STYLE.md §3); the decisions are
 * pure (hint-policy.ts, rate-limiter.ts).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CorruptionError, SibylError } from '../../common/errors.js';
import type { HintsOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import { logger } from '../../common/logger.js';
import type { HostId } from '../../ring/endpoint.js';
import type { HintsReadOutcome } from '../../storage/hints/hints-reader.js';
import type { HintsFileInfo, HintsStore, PendingHintsInfo } from '../../storage/hints/hints-store.js';
import type { Mutation } from '../../storage/model.js';
import { decodePartition, encodePartitionView } from '../../storage/partition-codec.js';
import type { HintSink } from '../coordinator/hint-sink.js';
import type { PeerAddress } from '../messaging/index.js';
import type { Scheduler, TimerHandle } from '../sim/scheduler.js';
import { DeliveryWindow } from './delivery-window.js';
import type { HintDropReason } from './hint-policy.js';
import { HINT_DROP_REASONS, replayBytesPerSecond, replayDecision, withinHintWindow } from './hint-policy.js';
import { RateLimiter } from './rate-limiter.js';

/** What the service knows of the cluster, from gossip and the ring (injected). */
export interface HintsLiveness {
  /** Is the replica up (the failure detector's view)? Replay stops when it goes down. */
  isAlive(hostId: HostId): boolean;
  /** When the replica was marked down (ms); undefined while it is up or unknown. */
  downSinceMs(hostId: HostId): number | undefined;
  /** Nodes in the ring, this one included (the throttle is divided among the others). */
  endpointCount(): number;
}

/** A stored hint's own facts, passed along with its mutation. */
export interface HintFacts {
  readonly creationMs: number;
  /** The mutation's partition as stored (the partition encoding): sent on as it is, not re-encoded. */
  readonly partitionBytes: Uint8Array;
}

/** Sends one hint to its replica; resolves once the replica has it (the node: HINT_REQ). */
/**
 * Delivers one hint for `target`; `via`, when given, is the node to hand it to instead (a hint
 * transfer: that node keeps it as a hint for `target`).
 */
export type HintDelivery = (
  target: HostId,
  mutation: Mutation,
  hint: HintFacts,
  via?: PeerAddress,
) => Promise<void>;

export interface HintsServiceDeps {
  readonly store: HintsStore;
  readonly options: HintsOptions;
  /** Clock and timers (the dispatch period, throttle waits). */
  readonly scheduler: Scheduler;
  readonly liveness: HintsLiveness;
  readonly deliver: HintDelivery;
  /** The table's gc_grace_seconds; undefined when the table does not exist. */
  readonly gcGraceSeconds: (tableId: string) => number | undefined;
  readonly log?: Logger;
}

export interface HintsMetrics {
  hintsCreated: number;
  hintsReplayed: number;
  hintsDropped: number;
  droppedByReason: Record<HintDropReason, number>;
  /** Deliveries that failed (each stopped a replay, resumed later). */
  deliveryFailures: number;
  /** Files found corrupt and set aside. */
  corruptFiles: number;
  /** Files whose torn tail (a crash) was dropped. */
  tornTails: number;
}

/** One line of `nodetool listpendinghints`: the store's, with the host id as the ring names it. */
export interface PendingHints extends Omit<PendingHintsInfo, 'hostId'> {
  readonly hostId: HostId;
}

interface DispatchTask {
  aborted: boolean;
  done: Promise<void>;
}

type FileResult = 'done' | 'stopped';

/** Hints replayed between two yields to the event loop (bounded slices, DESIGN.md "One event loop"). */
const RECORDS_PER_SLICE = 128;

export class HintsService implements HintSink {
  readonly metrics: HintsMetrics = newHintsMetrics();
  private readonly log: Logger;
  private readonly tasks = new Map<HostId, DispatchTask>();
  private readonly waitingForSlot: Array<() => void> = [];
  private readonly sleeps = new Set<{ handle: TimerHandle; wake: () => void }>();
  private runningTasks = 0;
  private handoffEnabled: boolean;
  private paused = false;
  private truncating = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private lastOverloadWarningMs = Number.NEGATIVE_INFINITY;
  /** Set while `transferTo` runs: every hint goes to this node. */
  private transferPeer: PeerAddress | undefined;

  constructor(private readonly deps: HintsServiceDeps) {
    this.log = deps.log ?? logger('hints');
    this.handoffEnabled = deps.options.hintedHandoffEnabled;
    this.armTimer();
  }

  // ---- storing ----

  /** HintSink: keeps `mutation` for `target` unless handoff is off or the target is down too long. */
  store(target: HostId, mutation: Mutation): void {
    const nowMs = this.deps.scheduler.nowMs();
    if (!this.closed && this.handoffEnabled) {
      const downSince = this.deps.liveness.downSinceMs(target);
      if (!withinHintWindow(downSince, nowMs, this.deps.options.maxHintWindowMs)) {
        this.drop('window-expired');
        return;
      }
    }
    this.storeHint(target, mutation, nowMs);
  }

  /**
   * Keeps a hint with a given creation time (a hint passed on by another node keeps its own);
   * returns whether it was stored. No hint window check: the caller decided.
   */
  storeHint(target: HostId, mutation: Mutation, creationMs: number): boolean {
    if (this.closed) return this.drop('closed');
    if (!this.handoffEnabled) return this.drop('disabled');
    // The shared encode buffer is copied by append before anything else encodes.
    const encoded = encodePartitionView(mutation.partition);
    const result = this.deps.store.append(target, mutation.tableId, creationMs, encoded);
    if (result !== 'appended') {
      if (result === 'overloaded') this.warnOverloaded();
      return this.drop(result);
    }
    this.metrics.hintsCreated++;
    return true;
  }

  // ---- replay ----

  /** The node saw `hostId` come up: replay its hints now (after it is marked alive). */
  onEndpointUp(hostId: HostId): void {
    void this.dispatch(hostId);
  }

  /**
   * Replays `hostId`'s hints unless paused, closed or nothing is stored; joins a replay already
   * running. Resolves when that replay ends (all delivered, or stopped).
   */
  dispatch(hostId: HostId): Promise<void> {
    const running = this.tasks.get(hostId);
    if (running !== undefined) return running.done;
    if (this.paused || this.closed || this.truncating > 0 || !this.deps.store.hasHints(hostId)) {
      return Promise.resolve();
    }
    const task: DispatchTask = { aborted: false, done: Promise.resolve() };
    task.done = this.runTask(hostId, task).finally(() => this.tasks.delete(hostId));
    this.tasks.set(hostId, task);
    return task.done;
  }

  /** nodetool pausehandoff: running replays stop after the hints on their way; none starts. */
  pauseHandoff(): void {
    this.paused = true;
    this.wakeSleepers();
  }

  /** nodetool resumehandoff: replays start again for every live replica with hints. */
  resumeHandoff(): void {
    this.paused = false;
    this.dispatchLiveEndpoints();
  }

  get isHandoffPaused(): boolean {
    return this.paused;
  }

  /** nodetool enablehandoff / disablehandoff: whether new hints are stored. */
  setHintedHandoffEnabled(enabled: boolean): void {
    this.handoffEnabled = enabled;
  }

  get isHintedHandoffEnabled(): boolean {
    return this.handoffEnabled;
  }

  // ---- tools ----

  /** nodetool listpendinghints: per replica with hint files. */
  listPendingHints(): PendingHints[] {
    return this.deps.store.pendingHints().map((info) => ({ ...info, hostId: info.hostId as HostId }));
  }

  /**
   * nodetool truncatehints: deletes every hint of `hostId`, or of every replica (replays of them are
   * stopped first). Hints stored meanwhile are kept.
   */
  async truncateHints(hostId?: HostId): Promise<void> {
    this.truncating++;
    try {
      const tasks = [...this.tasks].filter(([id]) => hostId === undefined || id === hostId);
      for (const [, task] of tasks) task.aborted = true;
      this.wakeSleepers();
      await Promise.all(tasks.map(([, task]) => task.done));
      await this.deps.store.truncate(hostId);
      this.log.info({ hostId: hostId ?? 'all' }, 'hints truncated');
    } finally {
      this.truncating--;
    }
  }

  /** Stops replays, then writes and fsyncs every hint (the store is closed). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.deps.scheduler.clearTimeout(this.timer);
    this.wakeSleepers();
    for (const resolve of this.waitingForSlot.splice(0)) resolve();
    await Promise.all([...this.tasks.values()].map((task) => task.done));
    await this.deps.store.close();
  }

  // ---- internals ----

  private drop(reason: HintDropReason): false {
    this.metrics.hintsDropped++;
    this.metrics.droppedByReason[reason]++;
    return false;
  }

  private warnOverloaded(): void {
    const nowMs = this.deps.scheduler.nowMs();
    if (nowMs - this.lastOverloadWarningMs < 10_000) return;
    this.lastOverloadWarningMs = nowMs;
    this.log.warn(
      { bufferedBytes: this.deps.store.bufferedHintBytes },
      'hints are written more slowly than they arrive; dropping hints (overloaded)',
    );
  }

  /** Cassandra's dispatch trigger: every period, replay to each live replica that has hints. */
  private armTimer(): void {
    if (this.closed) return;
    this.timer = this.unrefTimer(
      this.deps.scheduler.setTimeout(() => {
        this.dispatchLiveEndpoints();
        this.armTimer();
      }, this.deps.options.hintsDispatchIntervalMs),
    );
  }

  private dispatchLiveEndpoints(): void {
    if (this.paused || this.closed) return;
    for (const hostId of this.deps.store.hostsWithHints() as HostId[]) {
      if (this.deps.liveness.isAlive(hostId)) void this.dispatch(hostId);
    }
  }

  private shouldStop(hostId: HostId, task: DispatchTask): boolean {
    if (task.aborted || this.paused || this.closed) return true;
    // A transfer hands hints to another node whether their target is up or not.
    return this.transferPeer === undefined && !this.deps.liveness.isAlive(hostId);
  }

  /**
   * Hands every stored hint to `peer`, which keeps each as a hint for its target (Cassandra's
   * HintsService.transferHints, run by a decommissioning node so that its hints outlive it).
   * Resolves when every target's files were replayed (or a delivery failed; what is left stays).
   */
  async transferTo(peer: PeerAddress): Promise<void> {
    // Replays running towards live targets finish first; then every target goes to `peer`.
    await Promise.all([...this.tasks.values()].map((task) => task.done));
    this.transferPeer = peer;
    try {
      for (const hostId of this.deps.store.hostsWithHints() as HostId[]) await this.dispatch(hostId);
    } finally {
      this.transferPeer = undefined;
    }
  }

  private async runTask(hostId: HostId, task: DispatchTask): Promise<void> {
    await this.acquireSlot();
    try {
      if (this.shouldStop(hostId, task)) return;
      // Hints stored from now on go to a new file; the ones so far become replayable.
      await this.deps.store.closeWriter(hostId);
      const limiter = new RateLimiter(this.replayRate());
      for (;;) {
        if (this.shouldStop(hostId, task)) return;
        const file = this.deps.store.completeFiles(hostId)[0];
        if (file === undefined) return;
        limiter.setRate(this.replayRate());
        if ((await this.dispatchFile(hostId, file, limiter, task)) === 'stopped') return;
      }
    } catch (error) {
      this.log.error({ err: error, hostId }, 'hints replay failed');
    } finally {
      this.releaseSlot();
    }
  }

  private replayRate(): number {
    return replayBytesPerSecond(
      this.deps.options.hintedHandoffThrottleBytesPerSecond,
      this.deps.liveness.endpointCount(),
    );
  }

  /** Replays one file from where its replay stopped last; deletes it (or sets it aside) when done. */
  private async dispatchFile(
    hostId: HostId,
    file: HintsFileInfo,
    limiter: RateLimiter,
    task: DispatchTask,
  ): Promise<FileResult> {
    const store = this.deps.store;
    const window = new DeliveryWindow(this.deps.options.maxHintsInFlightPerDelivery, (offset) =>
      store.markDispatched(file, offset),
    );
    const reader = await store.openReader(file);
    let undecodable: SibylError | null = null;
    let sinceYield = 0;
    try {
      for (;;) {
        if (window.failure !== null || this.shouldStop(hostId, task)) break;
        // Records of a buffered chunk (and fast answers) resolve in microtasks: let timers and IO in.
        if (++sinceYield >= RECORDS_PER_SLICE) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
        const record = await reader.next();
        if (record === null) break;
        const nowMs = this.deps.scheduler.nowMs();
        const decision = replayDecision(record.creationMs, this.deps.gcGraceSeconds(record.tableId), nowMs);
        if (decision !== 'deliver') {
          this.drop(decision);
          window.skip(record.endOffset);
          continue;
        }
        let mutation: Mutation;
        try {
          const payloadOffset = record.endOffset - record.payload.length;
          const partition = decodePartition(record.payload, file.path, payloadOffset);
          mutation = { tableId: record.tableId, partition };
        } catch (error) {
          undecodable = error instanceof SibylError ? error : new SibylError('CORRUPTION', String(error));
          break;
        }
        await this.throttle(limiter, record.endOffset - record.offset);
        await window.room();
        if (window.failure !== null || this.shouldStop(hostId, task)) break;
        const facts: HintFacts = { creationMs: record.creationMs, partitionBytes: record.payload };
        const delivery = this.deliverOne(hostId, mutation, facts);
        window.start(
          record.endOffset,
          delivery.then(() => void this.metrics.hintsReplayed++),
        );
      }
      await window.drain();
    } finally {
      await reader.close();
    }
    return this.finishFile(hostId, file, reader.outcome, window.failure, undecodable);
  }

  /** After a file's replay: deleted when all was read, set aside when corrupt, kept when stopped. */
  private async finishFile(
    hostId: HostId,
    file: HintsFileInfo,
    outcome: HintsReadOutcome | null,
    failure: unknown,
    undecodable: SibylError | null,
  ): Promise<FileResult> {
    const store = this.deps.store;
    if (failure !== null) {
      this.metrics.deliveryFailures++;
      this.log.info(
        { file: file.path, hostId, resumeAt: file.dispatchOffset, err: failure },
        'finished hinted handoff of file partially; the rest will be replayed later',
      );
      return 'stopped';
    }
    if (undecodable !== null || outcome?.kind === 'corrupt') {
      const error = outcome?.kind === 'corrupt' ? outcome.error : undecodable;
      this.metrics.corruptFiles++;
      this.log.error(
        {
          err: error,
          file: file.path,
          offset: error instanceof CorruptionError ? error.offset : undefined,
          hostId,
        },
        'hints file is corrupt: the hints after the damage are skipped and the file is set aside',
      );
      await store.markCorrupt(file);
      return 'done';
    }
    if (outcome === null) return 'stopped';
    if (outcome.kind === 'torn') {
      this.metrics.tornTails++;
      this.log.warn(
        { file: file.path, offset: outcome.offset, reason: outcome.reason },
        'dropping torn tail of hints file',
      );
    }
    await store.deleteFile(file);
    this.log.info({ file: file.path, hostId }, 'finished hinted handoff of file');
    return 'done';
  }

  private deliverOne(hostId: HostId, mutation: Mutation, facts: HintFacts): Promise<void> {
    try {
      return this.deps.deliver(hostId, mutation, facts, this.transferPeer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async throttle(limiter: RateLimiter, bytes: number): Promise<void> {
    const waitMs = limiter.reserve(bytes, this.deps.scheduler.nowMs());
    if (waitMs <= 0) return;
    await new Promise<void>((resolve) => {
      const sleep = {
        wake: () => {
          this.deps.scheduler.clearTimeout(sleep.handle);
          this.sleeps.delete(sleep);
          resolve();
        },
        handle: undefined as unknown as TimerHandle,
      };
      sleep.handle = this.unrefTimer(this.deps.scheduler.setTimeout(() => sleep.wake(), waitMs));
      this.sleeps.add(sleep);
    });
  }

  private wakeSleepers(): void {
    for (const sleep of [...this.sleeps]) sleep.wake();
  }

  /** max_hints_delivery_threads: replays of different replicas running at once. */
  private async acquireSlot(): Promise<void> {
    while (this.runningTasks >= this.deps.options.maxHintsDeliveryThreads && !this.closed) {
      await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    }
    this.runningTasks++;
  }

  private releaseSlot(): void {
    this.runningTasks--;
    this.waitingForSlot.shift()?.();
  }

  /** A timer must not keep a finished process alive (the OS scheduler's handles are Node timers). */
  private unrefTimer(handle: TimerHandle): TimerHandle {
    (handle as unknown as { unref?: () => void }).unref?.();
    return handle;
  }
}

function newHintsMetrics(): HintsMetrics {
  const droppedByReason = Object.fromEntries(HINT_DROP_REASONS.map((reason) => [reason, 0]));
  return {
    hintsCreated: 0,
    hintsReplayed: 0,
    hintsDropped: 0,
    droppedByReason: droppedByReason as Record<HintDropReason, number>,
    deliveryFailures: 0,
    corruptFiles: 0,
    tornTails: 0,
  };
}
