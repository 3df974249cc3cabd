/**
 * Single-partition reads, as Cassandra's AbstractReadExecutor: one data request to the best replica
 * and digest requests to enough others for the level. Matching digests answer with the data; on a
 * mismatch the contacted replicas are asked for their data, the answers reconciled, and (read_repair
 * BLOCKING) each stale replica sent what it misses before the client is answered. A replica slower
 * than the table's speculative_retry threshold gets company: the same request to one more replica.
 */

import { ReadFailureError, ReadTimeoutError } from '../../cql/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import type { ClusteringSlice, DecoratedKey, Partition } from '../../storage/model.js';
import { mergePartitions } from '../../storage/reconcile.js';
import { RemoteFailureError } from '../messaging/index.js';
import type { ConsistencyLevel, ResponseCounter } from './consistency.js';
import { responseCounter, validateForRead } from './consistency.js';
import type { CoordinatorContext } from './context.js';
import { speculationDelayMs } from './latency.js';
import { partitionDigest, sameDigest } from './partition-digest.js';
import { planRead, type ReadPlan } from './read-plan.js';
import { repairReplicas } from './repair-sender.js';
import type { ReadCommand } from './replica-messages.js';
import type { TableContext } from './table-catalog.js';

export class ReadPath {
  constructor(private readonly ctx: CoordinatorContext) {}

  async read(
    context: TableContext,
    key: DecoratedKey,
    slice: ClusteringSlice,
    level: ConsistencyLevel,
  ): Promise<Partition | null> {
    validateForRead(level, 'partition');
    // speculative_retry ALWAYS: one replica more than the level needs, from the start.
    const extra = context.speculativeRetry.kind === 'always' && level !== 'EACH_QUORUM' ? 1 : 0;
    const plan = planRead(this.ctx, context, key.token, level, extra);
    const { planner, engine } = this.ctx;
    if (plan.contacts.length === 1 && plan.contacts[0] === planner.localHostId && plan.blockFor <= 1) {
      return engine.read(context.table.id, key, slice); // one replica, this node: nothing to compare
    }
    this.ctx.metrics.reads++;
    // Replicas are asked in clustering order; a reversed read is reversed once reconciled.
    const command: ReadCommand = {
      tableId: context.table.id,
      key,
      slice: { ...(slice.start ? { start: slice.start } : {}), ...(slice.end ? { end: slice.end } : {}) },
    };
    const digests = await new DigestRound(this.ctx, context, plan, command).run();
    let result: Partition | null;
    if (digests.matched) {
      result = digests.data;
    } else {
      this.ctx.metrics.digestMismatches++;
      result = await this.resolveMismatch(context, plan, command, digests);
    }
    return result !== null && slice.reversed ? { ...result, rows: [...result.rows].reverse() } : result;
  }

  /** Digests disagreed: full data from the replicas contacted, reconciled, stale ones repaired. */
  private async resolveMismatch(
    context: TableContext,
    plan: ReadPlan,
    command: ReadCommand,
    digests: DigestOutcome,
  ): Promise<Partition | null> {
    const versions = await new DataRound(this.ctx, plan, command, digests).run();
    const present = [...versions.values()].filter((version): version is Partition => version !== null);
    const merged = present.length === 0 ? null : mergePartitions(present, context.comparator);
    if (merged !== null && context.readRepair === 'BLOCKING') {
      await repairReplicas(this.ctx, context, plan.level, plan.blockFor, [{ merged, versions }]);
    }
    return merged;
  }
}

interface DigestOutcome {
  readonly matched: boolean;
  readonly data: Partition | null;
  /** Every replica asked (speculation included) and the data answers already in hand. */
  readonly contacted: readonly HostId[];
  readonly dataAnswers: ReadonlyMap<HostId, Partition | null>;
}

/**
 * Phase one: data from the first contact, digests from the others, until the level's answers with
 * the data arrived (ReadTimeout otherwise), with one speculative request if a replica is slow.
 */
class DigestRound {
  private readonly counter: ResponseCounter;
  private readonly digests = new Map<HostId, Uint8Array>();
  private readonly dataAnswers = new Map<HostId, Partition | null>();
  private readonly contacted: HostId[] = [];
  /** Replicas asked for data whose answer has not come (nor failed). */
  private readonly dataOutstanding = new Set<HostId>();
  private failures = 0;
  private data: Partition | null = null;
  private dataPresent = false;
  private done = false;
  private resolve!: (outcome: DigestOutcome) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly ctx: CoordinatorContext,
    private readonly context: TableContext,
    private readonly plan: ReadPlan,
    private readonly command: ReadCommand,
  ) {
    this.counter = responseCounter(plan.level, plan.factors, ctx.planner.localDataCenter, plan.blockFor);
  }

  run(): Promise<DigestOutcome> {
    const result = new Promise<DigestOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const { scheduler, options } = this.ctx;
    const [first, ...rest] = this.plan.contacts;
    this.ask(first!, 'data');
    for (const replica of rest) this.ask(replica, 'digest');
    const timeout = scheduler.setTimeout(() => this.expire(), options.readRequestTimeoutMs);
    const delay =
      this.plan.level === 'EACH_QUORUM'
        ? undefined
        : speculationDelayMs(
            this.context.speculativeRetry,
            this.context.latencies,
            options.minLatencySamples,
            options.readRequestTimeoutMs,
          );
    const speculation = delay === undefined ? undefined : scheduler.setTimeout(() => this.speculate(), delay);
    return result.finally(() => {
      scheduler.clearTimeout(timeout);
      if (speculation) scheduler.clearTimeout(speculation);
    });
  }

  private ask(replica: HostId, kind: 'data' | 'digest'): void {
    this.contacted.push(replica);
    const { client, options, scheduler } = this.ctx;
    const started = scheduler.nowMs();
    const answered = () => this.context.latencies.record(scheduler.nowMs() - started);
    if (kind === 'data') {
      this.dataOutstanding.add(replica);
      client.readData(replica, this.command, options.readRequestTimeoutMs).then(
        (partition) => {
          answered();
          this.onData(replica, partition);
        },
        (error: unknown) => this.onFailure(replica, error),
      );
    } else {
      client.readDigest(replica, this.command, options.readRequestTimeoutMs).then(
        (digest) => {
          answered();
          this.onDigest(replica, digest);
        },
        (error: unknown) => this.onFailure(replica, error),
      );
    }
  }

  private onData(replica: HostId, partition: Partition | null): void {
    this.dataOutstanding.delete(replica);
    if (this.done) return;
    this.dataAnswers.set(replica, partition);
    if (!this.dataPresent) {
      this.dataPresent = true;
      this.data = partition;
    }
    this.onDigest(replica, partitionDigest(partition));
  }

  private onDigest(replica: HostId, digest: Uint8Array): void {
    if (this.done || this.digests.has(replica)) return;
    this.digests.set(replica, digest);
    this.counter.record(this.plan.dataCenters.get(replica)!);
    if (!this.counter.satisfied || !this.dataPresent) return;
    const [reference, ...others] = [...this.digests.values()];
    const matched = others.every((digest) => sameDigest(digest, reference!));
    this.finish({ matched, data: this.data, contacted: this.contacted, dataAnswers: this.dataAnswers });
  }

  /** A replica answered with a failure (a timeout is left to the read timeout). */
  private onFailure(replica: HostId, error: unknown): void {
    if (this.done || !(error instanceof RemoteFailureError || replica === this.ctx.planner.localHostId))
      return;
    this.failures++;
    this.dataOutstanding.delete(replica);
    this.ctx.log.debug({ err: error, replica }, 'replica failed a read');
    const dataLost = !this.dataPresent && this.dataOutstanding.size === 0;
    if (!dataLost && this.plan.blockFor + this.failures <= this.contacted.length) return;
    // Too few replicas left to answer (or none left to send the data): one more, else a ReadFailure.
    if (this.askAnother(this.dataPresent ? 'digest' : 'data')) return;
    this.ctx.metrics.readFailures++;
    const { level, blockFor } = this.plan;
    this.fail(new ReadFailureError(level, this.counter.received, blockFor, this.failures, this.dataPresent));
  }

  /** Speculative retry: the level is not met yet, so the same request goes to one more replica. */
  private speculate(): void {
    if (this.done) return;
    if (this.askAnother(this.dataPresent ? 'digest' : 'data')) this.ctx.metrics.speculativeRetries++;
  }

  private askAnother(kind: 'data' | 'digest'): boolean {
    const extra = this.plan.live.find((replica) => !this.contacted.includes(replica));
    if (extra === undefined) return false;
    this.ask(extra, kind);
    return true;
  }

  private expire(): void {
    if (this.done) return;
    this.ctx.metrics.readTimeouts++;
    const { level, blockFor } = this.plan;
    this.fail(new ReadTimeoutError(level, this.counter.received, blockFor, this.dataPresent));
  }

  private finish(outcome: DigestOutcome): void {
    this.done = true;
    this.resolve(outcome);
  }

  private fail(error: Error): void {
    this.done = true;
    this.reject(error);
  }
}

/** Phase two: every contacted replica's data (those already in hand are reused), until the level's answers. */
class DataRound {
  private readonly counter: ResponseCounter;
  private readonly versions = new Map<HostId, Partition | null>();
  private failures = 0;
  private done = false;
  private resolve!: (versions: Map<HostId, Partition | null>) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly ctx: CoordinatorContext,
    private readonly plan: ReadPlan,
    private readonly command: ReadCommand,
    private readonly digests: DigestOutcome,
  ) {
    this.counter = responseCounter(plan.level, plan.factors, ctx.planner.localDataCenter, plan.blockFor);
  }

  run(): Promise<Map<HostId, Partition | null>> {
    const result = new Promise<Map<HostId, Partition | null>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const { scheduler, options, client } = this.ctx;
    const timeout = scheduler.setTimeout(() => this.expire(), options.readRequestTimeoutMs);
    for (const [replica, partition] of this.digests.dataAnswers) this.onData(replica, partition);
    for (const replica of this.digests.contacted) {
      if (this.digests.dataAnswers.has(replica)) continue;
      client.readData(replica, this.command, options.readRequestTimeoutMs).then(
        (partition) => this.onData(replica, partition),
        (error: unknown) => this.onFailure(replica, error),
      );
    }
    return result.finally(() => scheduler.clearTimeout(timeout));
  }

  private onData(replica: HostId, partition: Partition | null): void {
    if (this.done || this.versions.has(replica)) return;
    this.versions.set(replica, partition);
    this.counter.record(this.plan.dataCenters.get(replica)!);
    if (!this.counter.satisfied) return;
    this.done = true;
    this.resolve(this.versions);
  }

  private onFailure(replica: HostId, error: unknown): void {
    if (this.done || !(error instanceof RemoteFailureError || replica === this.ctx.planner.localHostId))
      return;
    this.failures++;
    if (this.plan.blockFor + this.failures <= this.digests.contacted.length) return;
    this.done = true;
    this.ctx.metrics.readFailures++;
    const { level, blockFor } = this.plan;
    this.reject(new ReadFailureError(level, this.counter.received, blockFor, this.failures, true));
  }

  private expire(): void {
    if (this.done) return;
    this.done = true;
    this.ctx.metrics.readTimeouts++;
    const { level, blockFor } = this.plan;
    this.reject(new ReadTimeoutError(level, this.counter.received, blockFor, this.counter.received > 0));
  }
}
