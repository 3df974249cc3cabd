/**
 * Range reads (SELECT without a full partition key, token() ranges, paging), as Cassandra's
 * RangeCommands: the key range is cut along the ring, the pieces walked in token order (consecutive
 * pieces served by the same replicas merged into one), and each asked of the replicas the level needs
 * with RANGE_REQ, a bounded number of partitions per round. Answers are reconciled per key — stale
 * replicas repaired when read_repair is BLOCKING — and yielded lazily: the executor stops pulling
 * when its page is full, so a round is only asked for when the previous one has been consumed.
 */

import { ReadFailureError, ReadTimeoutError } from '../../cql/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import type { DecoratedKey, Partition } from '../../storage/model.js';
import { compareKeys } from '../../storage/model.js';
import { mergePartitions } from '../../storage/reconcile.js';
import type { KeyBound, ScanRange } from '../../storage/table-store.js';
import { RemoteFailureError } from '../messaging/index.js';
import type { ConsistencyLevel } from './consistency.js';
import { responseCounter, validateForRead } from './consistency.js';
import type { CoordinatorContext } from './context.js';
import { partitionDigest, sameDigest } from './partition-digest.js';
import type { RangePiece } from './range-split.js';
import { splitByRing } from './range-split.js';
import { planRead, type ReadPlan } from './read-plan.js';
import type { RepairItem } from './repair-sender.js';
import { repairReplicas } from './repair-sender.js';
import type { RangeAnswer } from './replica-client.js';
import type { TableContext } from './table-catalog.js';

export class RangeReadPath {
  constructor(private readonly ctx: CoordinatorContext) {}

  async *scan(context: TableContext, range: ScanRange, level: ConsistencyLevel): AsyncGenerator<Partition> {
    validateForRead(level, 'range');
    this.ctx.metrics.rangeReads++;
    const pieces = splitByRing(this.ctx.cluster().ring.sortedTokens, range);
    let index = 0;
    while (index < pieces.length) {
      const plan = planRead(this.ctx, context, pieces[index]!.replicaToken, level);
      // Consecutive pieces the same replicas serve are read as one (Cassandra's range merging).
      let last = index;
      while (last + 1 < pieces.length && sameContacts(this.tryPlan(context, pieces[last + 1]!, level), plan))
        last++;
      const { to: _firstEnd, ...start } = pieces[index]!.range;
      const merged: ScanRange = { ...start, ...toOf(pieces[last]!.range) };
      yield* this.readPiece(context, merged, plan);
      index = last + 1;
    }
  }

  /** A later piece's plan for merging; one that would be Unavailable is not merged (it throws when reached). */
  private tryPlan(context: TableContext, piece: RangePiece, level: ConsistencyLevel): ReadPlan | undefined {
    try {
      return planRead(this.ctx, context, piece.replicaToken, level);
    } catch {
      this.ctx.metrics.unavailables--; // counted when (if) the piece is reached
      return undefined;
    }
  }

  /** One piece, round after round, from its start to its end. */
  private async *readPiece(
    context: TableContext,
    range: ScanRange,
    plan: ReadPlan,
  ): AsyncGenerator<Partition> {
    const limit = this.ctx.options.rangeRequestPartitions;
    let cursor = range;
    for (;;) {
      const answers = await this.round(plan, { tableId: context.table.id, range: cursor, limit });
      const frontier = frontierOf(answers);
      const items = reconcile(answers, frontier, context);
      const stale = items.filter((item) => item.stale);
      if (stale.length > 0) this.ctx.metrics.digestMismatches += stale.length;
      if (stale.length > 0 && context.readRepair === 'BLOCKING') {
        await repairReplicas(this.ctx, context, plan.level, plan.blockFor, stale);
      }
      for (const item of items) yield item.merged;
      if (frontier === undefined) return;
      cursor = { from: { key: frontier, inclusive: false }, ...toOf(range) };
    }
  }

  /** One RANGE_REQ to each contact; the answers once the level is met. */
  private round(plan: ReadPlan, command: { tableId: string; range: ScanRange; limit: number }) {
    const { ctx } = this;
    const counter = responseCounter(plan.level, plan.factors, ctx.planner.localDataCenter, plan.blockFor);
    const answers = new Map<HostId, RangeAnswer>();
    const timeoutMs = ctx.options.rangeRequestTimeoutMs;
    return new Promise<Map<HostId, RangeAnswer>>((resolve, reject) => {
      let done = false;
      let failures = 0;
      const timer = ctx.scheduler.setTimeout(() => {
        if (done) return;
        done = true;
        ctx.metrics.readTimeouts++;
        reject(new ReadTimeoutError(plan.level, counter.received, plan.blockFor, counter.received > 0));
      }, timeoutMs);
      const finish = () => {
        done = true;
        ctx.scheduler.clearTimeout(timer);
      };
      for (const replica of plan.contacts) {
        ctx.client.range(replica, command, timeoutMs).then(
          (answer) => {
            if (done) return;
            answers.set(replica, answer);
            counter.record(plan.dataCenters.get(replica)!);
            if (!counter.satisfied) return;
            finish();
            resolve(answers);
          },
          (error: unknown) => {
            if (done || !(error instanceof RemoteFailureError || replica === ctx.planner.localHostId)) return;
            failures++;
            if (plan.blockFor + failures <= plan.contacts.length) return;
            finish();
            ctx.metrics.readFailures++;
            reject(
              new ReadFailureError(plan.level, counter.received, plan.blockFor, failures, answers.size > 0),
            );
          },
        );
      }
    });
  }
}

function toOf(range: ScanRange): { to?: KeyBound } {
  return range.to ? { to: range.to } : {};
}

function sameContacts(a: ReadPlan | undefined, b: ReadPlan): boolean {
  if (a === undefined || a.contacts.length !== b.contacts.length || a.blockFor !== b.blockFor) return false;
  return a.contacts.every((replica) => b.contacts.includes(replica));
}

/**
 * How far this round's answers are complete: the smallest last key among replicas that stopped at
 * their limit (a replica that did not may hold more keys past it). Undefined: every replica reached
 * the end of the range.
 */
function frontierOf(answers: ReadonlyMap<HostId, RangeAnswer>): DecoratedKey | undefined {
  let frontier: DecoratedKey | undefined;
  for (const answer of answers.values()) {
    if (!answer.more) continue;
    const last = answer.partitions[answer.partitions.length - 1]!.key;
    if (frontier === undefined || compareKeys(last, frontier) < 0) frontier = last;
  }
  return frontier;
}

interface ReconciledPartition extends RepairItem {
  /** Some replica's answer differs from the reconciled one. */
  readonly stale: boolean;
}

/** Per key up to the frontier, in order: every replica's version (null: it has none) and their merge. */
function reconcile(
  answers: ReadonlyMap<HostId, RangeAnswer>,
  frontier: DecoratedKey | undefined,
  context: TableContext,
): ReconciledPartition[] {
  const byKey = new Map<string, { key: DecoratedKey; versions: Map<HostId, Partition | null> }>();
  for (const [replica, answer] of answers) {
    for (const partition of answer.partitions) {
      if (frontier !== undefined && compareKeys(partition.key, frontier) > 0) break;
      const id = `${partition.key.token}:${Buffer.from(partition.key.key).toString('hex')}`;
      let entry = byKey.get(id);
      if (entry === undefined) {
        entry = { key: partition.key, versions: new Map() };
        byKey.set(id, entry);
      }
      entry.versions.set(replica, partition);
    }
  }
  const entries = [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key));
  return entries.map(({ versions }) => {
    for (const replica of answers.keys()) if (!versions.has(replica)) versions.set(replica, null);
    const present = [...versions.values()].filter((version): version is Partition => version !== null);
    const merged = mergePartitions(present, context.comparator);
    const stale = answers.size > 1 && present.length < versions.size;
    return { merged, versions, stale: stale || differs(present, merged) };
  });
}

/** Whether some replica's version is not the merged partition (compared by canonical digest). */
function differs(present: readonly Partition[], merged: Partition): boolean {
  if (present.length < 2) return false;
  const reference = partitionDigest(merged);
  return present.some((version) => !sameDigest(partitionDigest(version), reference));
}
