/**
 * Tombstone purging at compaction. A tombstone (or expired TTL data, which becomes one) may be
 * dropped only when both hold:
 *  - it is older than gc_grace_seconds (localDeletionTime < gcBefore), so every replica has had
 *    time to receive it through repair; and
 *  - it is older than any data it might shadow that is not part of this compaction
 *    (markedForDeleteAt < maxPurgeableTimestamp, the smallest timestamp of the memtables and of the
 *    SSTables outside the compaction that may hold the partition); otherwise dropping it would
 *    resurrect that data.
 * Pure: the caller passes the times in.
 */
import type { Cell, DeletionTime, Partition, Row } from '../model.js';
import { NO_DELETION_TIME } from '../model.js';

export interface PurgeContext {
  readonly nowSeconds: number;
  readonly gcBefore: number;
  readonly maxPurgeableTimestamp: number;
}

function purgeable(deletion: DeletionTime, ctx: PurgeContext): boolean {
  return deletion.localDeletionTime < ctx.gcBefore && deletion.markedForDeleteAt < ctx.maxPurgeableTimestamp;
}

/** An expired TTL cell turns into a tombstone dated when it was written (Cassandra's rule). */
function expiredToTombstone(cell: Cell, nowSeconds: number): Cell {
  if (cell.ttl === 0 || cell.value === null || nowSeconds < cell.localDeletionTime) return cell;
  return {
    column: cell.column,
    path: cell.path,
    value: null,
    timestamp: cell.timestamp,
    ttl: 0,
    localDeletionTime: cell.localDeletionTime - cell.ttl,
  };
}

function purgeRow(row: Row, ctx: PurgeContext): Row | null {
  const deletion = row.deletion && purgeable(row.deletion, ctx) ? null : row.deletion;
  let liveness = row.liveness;
  if (liveness && liveness.ttl > 0 && ctx.nowSeconds >= liveness.localExpirationTime) {
    const expiredAt: DeletionTime = {
      markedForDeleteAt: liveness.timestamp,
      localDeletionTime: liveness.localExpirationTime - liveness.ttl,
    };
    if (purgeable(expiredAt, ctx)) liveness = null;
  }
  const columnDeletions = row.columnDeletions.filter((cd) => !purgeable(cd.deletion, ctx));
  const cells: Cell[] = [];
  for (const original of row.cells) {
    const cell = expiredToTombstone(original, ctx.nowSeconds);
    if (cell.value === null && cell.localDeletionTime !== NO_DELETION_TIME) {
      if (purgeable({ markedForDeleteAt: cell.timestamp, localDeletionTime: cell.localDeletionTime }, ctx))
        continue;
    }
    cells.push(cell);
  }
  if (!liveness && !deletion && columnDeletions.length === 0 && cells.length === 0) return null;
  return { clustering: row.clustering, liveness, deletion, columnDeletions, cells };
}

/** The partition with purgeable tombstones removed; null when nothing is left. */
export function purgePartition(p: Partition, ctx: PurgeContext): Partition | null {
  const deletion = p.deletion && purgeable(p.deletion, ctx) ? null : p.deletion;
  const rangeTombstones = p.rangeTombstones.filter((rt) => !purgeable(rt.deletion, ctx));
  const staticRow = p.staticRow ? purgeRow(p.staticRow, ctx) : null;
  const rows: Row[] = [];
  for (const row of p.rows) {
    const kept = purgeRow(row, ctx);
    if (kept) rows.push(kept);
  }
  if (!deletion && rangeTombstones.length === 0 && !staticRow && rows.length === 0) return null;
  return { key: p.key, deletion, staticRow, rangeTombstones, rows };
}
