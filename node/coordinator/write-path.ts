/**
 * Writes, as Cassandra's StorageProxy.mutate: every mutation goes to all its natural and pending
 * replicas (the local one applied directly, the others through MUTATION_REQ); the client is answered
 * once the level's acknowledgements arrived. Replicas known down get a hint at once; the write keeps
 * collecting acknowledgements after the answer, and when the write timeout fires every replica still
 * silent gets a hint too. Availability of every mutation is checked before any replica is touched.
 */

import { assert } from '../../common/errors.js';
import type { WriteType } from '../../cql/errors.js';
import { UnavailableError, WriteFailureError, WriteTimeoutError } from '../../cql/errors.js';
import type { WriteOptions } from '../../cql/executor/data-store.js';
import type { HostId } from '../../ring/endpoint.js';
import type { CounterId } from '../../storage/counter-context.js';
import { counterIdFromHostId } from '../../storage/counter-context.js';
import type { Mutation } from '../../storage/model.js';
import { encodePartition } from '../../storage/partition-codec.js';
import { RemoteFailureError } from '../messaging/index.js';
import type { TimerHandle } from '../sim/scheduler.js';
import type { ConsistencyLevel, ResponseCounter } from './consistency.js';
import {
  assureSufficientLive,
  blockFor as blockForLevel,
  blockForWrite,
  isDataCenterLocal,
  responseCounter,
  validateForWrite,
} from './consistency.js';
import type { CoordinatorContext } from './context.js';
import { EncodedMutation } from './replica-client.js';

/** One mutation's replicas, decided before anything is sent. */
interface WritePlan {
  readonly mutation: Mutation;
  readonly level: ConsistencyLevel;
  readonly natural: readonly HostId[];
  /** Natural then pending replicas that are alive (the local node always is). */
  readonly live: readonly HostId[];
  readonly down: readonly HostId[];
  readonly dataCenters: ReadonlyMap<HostId, string>;
  readonly counter: ResponseCounter;
  readonly blockFor: number;
}

/** The write type a WriteTimeout reports (the protocol's names). */
export function writeTypeOf(options: WriteOptions, isCounterTable: boolean): WriteType {
  switch (options.batchType) {
    case 'logged':
      return 'BATCH';
    case 'unlogged':
      return 'UNLOGGED_BATCH';
    case 'counter':
      return 'COUNTER';
    default:
      return isCounterTable ? 'COUNTER' : 'SIMPLE';
  }
}

export class WritePath {
  private counterId: { readonly hostId: string; readonly id: CounterId } | undefined;

  constructor(private readonly ctx: CoordinatorContext) {}

  /** This node's counter id (its host id's bytes): the shard it writes as a counter leader. */
  private get localCounterId(): CounterId {
    const hostId = this.ctx.planner.localHostId;
    if (this.counterId?.hostId !== hostId) this.counterId = { hostId, id: counterIdFromHostId(hostId) };
    return this.counterId.id;
  }

  apply(mutations: readonly Mutation[], options: WriteOptions): Promise<void> {
    if (options.counter) return this.applyCounters(mutations, options);
    const counterTable = mutations.some((m) => this.ctx.catalog.get(m.tableId)?.table.isCounter ?? false);
    return this.writeEach(
      mutations,
      options.consistency,
      options.durable,
      writeTypeOf(options, counterTable),
    );
  }

  /** Throws Unavailable when some mutation has too few live replicas for `level` (nothing is sent). */
  checkAvailable(mutations: readonly Mutation[], level: ConsistencyLevel): void {
    validateForWrite(level);
    for (const mutation of mutations) this.plan(mutation, level);
  }

  /** Writes every mutation to its replicas at `level`; a timeout reports `writeType`. */
  async writeEach(
    mutations: readonly Mutation[],
    level: ConsistencyLevel,
    durable: boolean,
    writeType: WriteType,
  ): Promise<void> {
    validateForWrite(level);
    // Plans first: an Unavailable must come before any replica has been written to.
    const plans = mutations.map((mutation) => this.plan(mutation, level));
    const writes = plans.map((plan, index) => {
      if (plan === 'local') return this.ctx.engine.apply(mutations[index]!, durable);
      return this.write(plan, durable, writeType);
    });
    if (writes.length === 1) return writes[0];
    await Promise.all(writes);
  }

  /**
   * Counter updates (Cassandra's CounterMutation): each goes to one leader replica — this node when
   * it is one, else the nearest live one — which applies it to its own shard and replicates the shard
   * mutation it wrote to the other replicas at the client's level.
   */
  private async applyCounters(mutations: readonly Mutation[], options: WriteOptions): Promise<void> {
    const level = options.consistency;
    validateForWrite(level);
    const plans = mutations.map((mutation) => this.plan(mutation, level));
    await Promise.all(
      plans.map((plan, index) => {
        const mutation = mutations[index]!;
        if (plan === 'local')
          return this.ctx.engine.applyCounterUpdate(mutation, this.localCounterId, options.durable);
        const leader = this.counterLeader(plan);
        if (leader === this.ctx.planner.localHostId) return this.leaderWrite(plan, mutation, options.durable);
        return this.forwardCounter(leader, plan, options.durable);
      }),
    );
  }

  /** The replication step of a counter leader (this node): see `Coordinator.replicateCounterShard`. */
  async replicateCounterShard(shard: Mutation, level: ConsistencyLevel, durable: boolean): Promise<void> {
    validateForWrite(level);
    const plan = this.plan(shard, level);
    if (plan === 'local') return; // the leader's own write was the one needed
    await this.replicateShard(plan, shard, durable);
  }

  /** This node when it is a live replica, else the nearest live one (local data center first). */
  private counterLeader(plan: WritePlan): HostId {
    const { planner } = this.ctx;
    if (plan.live.includes(planner.localHostId)) return planner.localHostId;
    const ring = this.ctx.cluster().ring;
    const [nearest] = planner.sortForRead(
      ring,
      plan.natural.filter((replica) => plan.live.includes(replica)),
    );
    assert(nearest !== undefined, 'a counter write with live replicas has a leader');
    return nearest;
  }

  /** Applies the update here as leader, then writes the resulting shard mutation to the other replicas. */
  private async leaderWrite(plan: WritePlan, update: Mutation, durable: boolean): Promise<void> {
    const shard = await this.ctx.engine.applyCounterUpdate(update, this.localCounterId, durable);
    await this.replicateShard(plan, shard, durable);
  }

  /** The shard mutation to every replica but this node, whose own write counts as acknowledged. */
  private async replicateShard(plan: WritePlan, shard: Mutation, durable: boolean): Promise<void> {
    const { ctx } = this;
    const local = ctx.planner.localHostId;
    ctx.metrics.writes++;
    const handler = new WriteResponseHandler(ctx, { ...plan, mutation: shard }, 'COUNTER');
    if (plan.live.includes(local)) handler.ack(local);
    for (const target of plan.down) handler.hint(target);
    const encoded = new EncodedMutation(shard, (m) => encodePartition(m.partition));
    for (const target of plan.live) {
      if (target === local) continue;
      ctx.client.apply(target, encoded, durable, ctx.options.writeRequestTimeoutMs).then(
        () => handler.ack(target),
        (error: unknown) => handler.failure(target, error),
      );
    }
    handler.finishIfAllAnswered();
    await handler.promise;
  }

  /** Sends the update to a remote leader (COUNTER_MUTATION_REQ) and waits for its answer. */
  private async forwardCounter(leader: HostId, plan: WritePlan, durable: boolean): Promise<void> {
    const { ctx } = this;
    const { level, blockFor, mutation } = plan;
    const timeoutMs = ctx.options.counterWriteRequestTimeoutMs;
    try {
      await ctx.client.counterMutation(leader, mutation, durable, level, timeoutMs);
    } catch (error) {
      const reason = error instanceof RemoteFailureError ? error.reason : (error as { code?: string }).code;
      if (reason === 'MESSAGE_TIMEOUT' || reason === 'WRITE_TIMEOUT') {
        ctx.metrics.writeTimeouts++;
        throw new WriteTimeoutError(level, 0, blockFor, 'COUNTER');
      }
      if (reason === 'UNAVAILABLE') {
        ctx.metrics.unavailables++;
        throw new UnavailableError(level, blockFor, 0);
      }
      ctx.metrics.writeFailures++;
      throw new WriteFailureError(level, 0, blockFor, 1, 'COUNTER', `${reason ?? 'UNKNOWN'} from ${leader}`);
    }
  }

  /** 'local' for keyspaces the local engine alone serves (and the one-replica-that-is-us case). */
  private plan(mutation: Mutation, level: ConsistencyLevel): WritePlan | 'local' {
    const { catalog, planner } = this.ctx;
    const context = catalog.get(mutation.tableId);
    if (context === undefined) return 'local'; // unknown table: the engine's UNKNOWN_TABLE error
    const replication = planner.replication(context.keyspace);
    if (replication.local) return 'local';
    const cluster = this.ctx.cluster();
    const ring = cluster.ring;
    const token = mutation.partition.key.token;
    const natural = planner.natural(replication, ring, token);
    const pending = planner.pending(context.keyspace, ring, token, natural);
    const dataCenters = new Map<HostId, string>();
    const live: HostId[] = [];
    const down: HostId[] = [];
    for (const target of [...natural, ...pending]) {
      dataCenters.set(target, planner.dataCenterOf(ring, target));
      (planner.isAlive(cluster, target) ? live : down).push(target);
    }
    const localDc = planner.localDataCenter;
    // Not even a hint can be kept for a partition no endpoint replicates (an empty ring, factors of 0).
    if (natural.length + pending.length === 0) {
      this.ctx.metrics.unavailables++;
      throw new UnavailableError(level, Math.max(1, blockForLevel(level, replication.factors, localDc)), 0);
    }
    const pendingDcs = pending.map((target) => dataCenters.get(target)!);
    const blockFor = blockForWrite(level, replication.factors, localDc, pendingDcs);
    try {
      const liveDcs = live.map((target) => dataCenters.get(target)!);
      assureSufficientLive(level, replication.factors, localDc, liveDcs, blockFor);
    } catch (error) {
      if (error instanceof UnavailableError) this.ctx.metrics.unavailables++;
      throw error;
    }
    // The common single-node case: nothing to count, time or hint.
    if (live.length === 1 && down.length === 0 && live[0] === planner.localHostId && blockFor <= 1)
      return 'local';
    const counter = responseCounter(level, replication.factors, localDc, blockFor, pendingDcs);
    return { mutation, level, natural, live, down, dataCenters, counter, blockFor };
  }

  private write(plan: WritePlan, durable: boolean, writeType: WriteType): Promise<void> {
    const { ctx } = this;
    ctx.metrics.writes++;
    const handler = new WriteResponseHandler(ctx, plan, writeType);
    for (const target of plan.down) handler.hint(target);
    const update = new EncodedMutation(plan.mutation, (m) => encodePartition(m.partition));
    const timeoutMs = ctx.options.writeRequestTimeoutMs;
    for (const target of plan.live) {
      ctx.client.apply(target, update, durable, timeoutMs).then(
        () => handler.ack(target),
        (error: unknown) => handler.failure(target, error),
      );
    }
    handler.finishIfAllAnswered(); // nobody alive to wait for (ANY with every replica down)
    return handler.promise;
  }
}

/**
 * Counts one mutation's acknowledgements (Cassandra's AbstractWriteResponseHandler): resolves when the
 * level is met, rejects with WriteFailure when failures make that impossible or WriteTimeout when the
 * timeout fires first. It lives on until every replica answered or the timeout, hinting the silent.
 */
class WriteResponseHandler {
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  private readonly answered = new Set<HostId>();
  private readonly failures = new Map<HostId, string>();
  private readonly timer: TimerHandle;
  private settled = false;
  private finished = false;

  constructor(
    private readonly ctx: CoordinatorContext,
    private readonly plan: WritePlan,
    private readonly writeType: WriteType,
  ) {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = ctx.scheduler.setTimeout(() => this.expire(), ctx.options.writeRequestTimeoutMs);
    this.settleIfSatisfied(); // ANY with every replica down, once hinted
  }

  ack(target: HostId): void {
    if (this.finished || this.answered.has(target)) return;
    this.answered.add(target);
    this.plan.counter.record(this.plan.dataCenters.get(target)!);
    this.settleIfSatisfied();
    this.finishIfAllAnswered();
  }

  failure(target: HostId, error: unknown): void {
    if (this.finished || this.answered.has(target)) return;
    const local = target === this.ctx.planner.localHostId;
    // A peer that answered with a failure refused the write; a local engine failure is ours to report.
    // Anything else (a timeout, a full queue) is silence: the timeout hints it.
    if (local && !this.settled) {
      this.settle(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!(error instanceof RemoteFailureError) && !local) return;
    this.answered.add(target);
    this.failures.set(
      target,
      `${error instanceof RemoteFailureError ? error.reason : 'LOCAL'} from ${target}`,
    );
    this.ctx.log.debug({ err: error, target }, 'replica failed a write');
    if (!this.settled && this.impossible()) {
      this.ctx.metrics.writeFailures++;
      const { level, blockFor, counter } = this.plan;
      const detail = [...this.failures.values()].join(', ');
      this.settle(
        new WriteFailureError(level, counter.received, blockFor, this.failures.size, this.writeType, detail),
      );
    }
    this.finishIfAllAnswered();
  }

  /**
   * A hint for `target`. One stored for a replica down at the start counts toward ANY; one stored at
   * the timeout for a silent replica comes after the client was answered (or timed out).
   */
  hint(target: HostId, counts = true): void {
    this.ctx.hints.store(target, this.plan.mutation);
    this.ctx.metrics.hintsStored++;
    if (!counts) return;
    this.plan.counter.recordHint();
    this.settleIfSatisfied();
  }

  /** True when the replicas still out, all acknowledging, could not meet the level. */
  private impossible(): boolean {
    const { level, live, dataCenters, counter, blockFor } = this.plan;
    const localDc = this.ctx.planner.localDataCenter;
    const counts = (target: HostId) => !isDataCenterLocal(level) || dataCenters.get(target) === localDc;
    let failed = 0;
    let candidates = 0;
    for (const target of live) {
      if (!counts(target)) continue;
      candidates++;
      if (this.failures.has(target)) failed++;
    }
    if (level === 'EACH_QUORUM') return !counter.satisfied && blockFor + failed > live.length;
    return blockFor + failed > candidates;
  }

  private settleIfSatisfied(): void {
    if (!this.settled && this.plan.counter.satisfied) this.settle(undefined);
  }

  private settle(error: Error | undefined): void {
    assert(!this.settled, 'a write response handler settles once');
    this.settled = true;
    if (error) this.reject(error);
    else this.resolve();
  }

  finishIfAllAnswered(): void {
    if (this.answered.size < this.plan.live.length) return;
    this.finished = true;
    this.ctx.scheduler.clearTimeout(this.timer);
    // Every replica answered and some refused: the level was not met (a local failure already settled).
    if (!this.settled) {
      const { level, blockFor, counter } = this.plan;
      this.ctx.metrics.writeFailures++;
      this.settle(
        new WriteFailureError(level, counter.received, blockFor, this.failures.size, this.writeType),
      );
    }
  }

  private expire(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.settled) {
      this.ctx.metrics.writeTimeouts++;
      const { level, blockFor, counter } = this.plan;
      this.settle(new WriteTimeoutError(level, counter.received, blockFor, this.writeType));
    }
    for (const target of this.plan.live) {
      if (!this.answered.has(target)) this.hint(target, false);
    }
  }
}
