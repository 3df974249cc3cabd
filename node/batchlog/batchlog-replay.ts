/**
 * One round of batchlog replay (Cassandra's BatchlogManager.replayFailedBatches): every batch in
 * this node's `system.batches` older than the batchlog timeout was left behind by a coordinator that
 * did not finish (it died, or its writes timed out), so its mutations are written again through the
 * injected write path, throttled, and the batch is deleted once they are acknowledged. A replay
 * that fails leaves the batch for the next round.
 *
 * `decideReplay` is the pure part: what to do with one stored batch.
 */
import type { Logger } from '../../common/logger.js';
import type { SchemaView } from '../../cql/schema/metadata.js';
import type { Mutation } from '../../storage/model.js';
import type { StoredBatch } from './batchlog-format.js';
import { BATCHLOG_FORMAT_VERSION, decodeBatchMutation } from './batchlog-format.js';
import type { BatchlogMetrics } from './batchlog-metrics.js';
import type { BatchlogTable } from './batchlog-table.js';
import { type ReplayThrottle, replayRateBytesPerSecond } from './replay-throttle.js';

/** What replay needs to know of a table a batch writes to; undefined for a table that does not exist. */
export interface ReplayTableInfo {
  readonly gcGraceSeconds: number;
  /** When the table was last truncated (ms), if ever: older batched writes to it are not replayed. */
  readonly truncatedAtMs?: number;
}

/** `tableInfo` from the schema: a table's gc_grace_seconds while it exists. */
export function tableInfoFromSchema(
  view: () => SchemaView,
): (tableId: string) => ReplayTableInfo | undefined {
  return (tableId) => {
    for (const keyspace of view().keyspaces()) {
      for (const table of keyspace.tables.values())
        if (table.id === tableId) return { gcGraceSeconds: table.params.gcGraceSeconds };
    }
    return undefined;
  };
}

export type ReplayDecision =
  /** Younger than the batchlog timeout: its coordinator may still be writing it. */
  | { readonly kind: 'wait' }
  /** Cannot be replayed (undecodable, unknown version, a table that no longer exists): deleted. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Nothing to replay (past gc_grace_seconds, or every table truncated since): deleted. */
  | { readonly kind: 'expire' }
  | { readonly kind: 'replay'; readonly mutations: readonly Mutation[] };

/**
 * What to do with `batch` at `nowMs`. As Cassandra: a table dropped since makes the whole batch
 * unreplayable (its mutations no longer deserialize); a table truncated since the batch was written
 * loses only its own mutations; a batch past the smallest gc_grace_seconds of its tables is not
 * replayed, since tombstones it might resurrect data against may be gone.
 */
export function decideReplay(
  batch: StoredBatch,
  nowMs: number,
  timeoutMs: number,
  tableInfo: (tableId: string) => ReplayTableInfo | undefined,
): ReplayDecision {
  if (nowMs - batch.writtenAtMs < timeoutMs) return { kind: 'wait' };
  if (batch.version !== BATCHLOG_FORMAT_VERSION)
    return { kind: 'skip', reason: `unknown batchlog format version ${batch.version}` };
  const mutations: Mutation[] = [];
  let gcGraceSeconds = Number.POSITIVE_INFINITY;
  for (const blob of batch.mutations) {
    let mutation: Mutation;
    try {
      mutation = decodeBatchMutation(blob, `batch ${batch.id}`);
    } catch (error) {
      return { kind: 'skip', reason: (error as Error).message };
    }
    const info = tableInfo(mutation.tableId);
    if (info === undefined) return { kind: 'skip', reason: `Unknown table id ${mutation.tableId}` };
    if (info.truncatedAtMs !== undefined && batch.writtenAtMs <= info.truncatedAtMs) continue;
    gcGraceSeconds = Math.min(gcGraceSeconds, info.gcGraceSeconds);
    mutations.push(mutation);
  }
  if (mutations.length === 0) return { kind: 'expire' };
  if (Math.floor(batch.writtenAtMs / 1000) + gcGraceSeconds <= Math.floor(nowMs / 1000))
    return { kind: 'expire' };
  return { kind: 'replay', mutations };
}

export interface ReplayRoundDependencies {
  readonly table: BatchlogTable;
  readonly nowMs: () => number;
  /** Waits `ms` (the throttle); resolves early when the service closes. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly replay: (mutations: Mutation[]) => Promise<void>;
  readonly tableInfo: (tableId: string) => ReplayTableInfo | undefined;
  readonly endpointCount: () => number;
  readonly timeoutMs: number;
  readonly throttleBytesPerSecond: number;
  readonly pageSize: number;
  readonly pageBytes: number;
  readonly throttle: ReplayThrottle;
  readonly metrics: BatchlogMetrics;
  readonly log: Logger;
  /** True once the service is closing: the round stops between batches. */
  readonly stopped: () => boolean;
}

export interface ReplayRoundResult {
  /** False when the ring had no endpoints (nothing is replayed then, as Cassandra). */
  readonly ran: boolean;
  readonly replayed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly expired: number;
  /** Batches left because they are younger than the batchlog timeout. */
  readonly waiting: number;
}

interface InFlight {
  readonly id: string;
  readonly done: Promise<boolean>;
}

type Counts = { -readonly [K in keyof ReplayRoundResult]: ReplayRoundResult[K] };

/** Replays every batch due; see the file comment. */
export async function replayRound(deps: ReplayRoundDependencies): Promise<ReplayRoundResult> {
  const counts: Counts = { ran: false, replayed: 0, failed: 0, skipped: 0, expired: 0, waiting: 0 };
  const endpoints = deps.endpointCount();
  if (endpoints <= 0) {
    deps.log.debug('batchlog replay cancelled: no endpoints in the ring');
    return counts;
  }
  counts.ran = true;
  deps.throttle.setRate(replayRateBytesPerSecond(deps.throttleBytesPerSecond, endpoints));
  let page: InFlight[] = [];
  let pageBytes = 0;
  for await (const batch of deps.table.batches()) {
    if (deps.stopped()) break;
    const decision = decideReplay(batch, deps.nowMs(), deps.timeoutMs, deps.tableInfo);
    if (decision.kind === 'wait') {
      counts.waiting++;
      continue;
    }
    if (decision.kind !== 'replay') {
      await dropBatch(deps, batch, decision, counts);
      continue;
    }
    // Each batch waits until the bytes sent before it are paid for at the throttle's rate.
    const waitMs = deps.throttle.acquire(batch.sizeBytes, deps.nowMs());
    if (waitMs > 0) await deps.sleep(waitMs);
    if (deps.stopped()) break;
    page.push({ id: batch.id, done: startReplay(deps, batch.id, [...decision.mutations]) });
    pageBytes += batch.sizeBytes;
    if (page.length >= deps.pageSize || pageBytes >= deps.pageBytes) {
      await finishPage(deps, page, counts);
      page = [];
      pageBytes = 0;
    }
  }
  await finishPage(deps, page, counts);
  return counts;
}

function startReplay(deps: ReplayRoundDependencies, id: string, mutations: Mutation[]): Promise<boolean> {
  deps.log.trace({ batch: id, mutations: mutations.length }, 'replaying batch');
  return deps.replay(mutations).then(
    () => true,
    (error: unknown) => {
      deps.log.warn({ batch: id, err: error }, `Failed to replay batch ${id}; it will be retried`);
      return false;
    },
  );
}

async function dropBatch(
  deps: ReplayRoundDependencies,
  batch: StoredBatch,
  decision: Exclude<ReplayDecision, { kind: 'wait' | 'replay' }>,
  counts: Counts,
): Promise<void> {
  if (decision.kind === 'skip') {
    deps.log.warn({ batch: batch.id }, `Skipped batch replay of ${batch.id} due to ${decision.reason}`);
    counts.skipped++;
    deps.metrics.batchesSkipped++;
  } else {
    deps.log.debug({ batch: batch.id }, 'batch expired or truncated: deleted without replay');
    counts.expired++;
    deps.metrics.batchesExpired++;
  }
  await deps.table.delete(batch.id);
}

/** Waits for a page's replays; deletes the batches whose replay succeeded. */
async function finishPage(
  deps: ReplayRoundDependencies,
  page: readonly InFlight[],
  counts: Counts,
): Promise<void> {
  for (const entry of page) {
    if (await entry.done) {
      await deps.table.delete(entry.id);
      counts.replayed++;
      deps.metrics.batchesReplayed++;
    } else {
      counts.failed++;
      deps.metrics.replayFailures++;
    }
  }
}
