/**
 * What a read does to a merged partition: cut a clustering slice, count the tombstones it passed
 * over (guardrails), and reduce it to live data at a given time.
 */
import type { ClusteringComparator, ClusteringSlice, Partition, Row } from './model.js';
import { isLiveCell, isLiveMarker } from './model.js';
import { afterStart, beforeEnd } from './reconcile.js';

/** The rows of `p` inside `slice` (reversed if asked), with the range tombstones that touch it. */
export function slicePartition(
  p: Partition,
  slice: ClusteringSlice,
  compare: ClusteringComparator,
): Partition {
  const { start, end } = slice;
  // A read without bounds in natural order (every key lookup of a whole partition) keeps `p`.
  if (!start && !end && !slice.reversed) return p;
  let rows: readonly Row[] = p.rows;
  if (start || end) {
    rows = p.rows.filter(
      (row) =>
        (!start || afterStart(row.clustering, start, compare)) &&
        (!end || beforeEnd(row.clustering, end, compare)),
    );
  }
  if (slice.reversed) rows = rows.slice().reverse();
  return {
    key: p.key,
    deletion: p.deletion,
    staticRow: p.staticRow,
    rangeTombstones: p.rangeTombstones,
    rows,
  };
}

/**
 * Tombstones a read of `p` scans: partition and range deletions, row deletions, cell tombstones
 * and expired cells (Cassandra counts the same things toward tombstone_*_threshold).
 */
export function countTombstones(p: Partition, nowSeconds: number): number {
  let n = (p.deletion ? 1 : 0) + p.rangeTombstones.length;
  if (p.staticRow) n += rowTombstones(p.staticRow, nowSeconds);
  for (const row of p.rows) n += rowTombstones(row, nowSeconds);
  return n;
}

function rowTombstones(row: Row, nowSeconds: number): number {
  let n = (row.deletion ? 1 : 0) + row.columnDeletions.length;
  for (const cell of row.cells) if (!isLiveCell(cell, nowSeconds)) n++;
  return n;
}

/** A row with its dead parts removed, or null when nothing of it is live. */
export function liveRow(row: Row, nowSeconds: number): Row | null {
  const liveness = row.liveness && isLiveMarker(row.liveness, nowSeconds) ? row.liveness : null;
  let allLive = true;
  for (const cell of row.cells) {
    if (!isLiveCell(cell, nowSeconds)) {
      allLive = false;
      break;
    }
  }
  const cells = allLive ? row.cells : row.cells.filter((cell) => isLiveCell(cell, nowSeconds));
  if (liveness === null && cells.length === 0) return null;
  if (allLive && liveness === row.liveness && row.deletion === null && row.columnDeletions.length === 0)
    return row;
  return { clustering: row.clustering, liveness, deletion: null, columnDeletions: [], cells };
}

/**
 * The live content of a merged (shadowed data already removed) partition at `nowSeconds`:
 * no tombstones, no expired cells, no rows without anything live. Null when nothing is live.
 * A partition that is all live already is returned as is (reads of live data copy nothing).
 */
export function livePartition(p: Partition, nowSeconds: number): Partition | null {
  const staticRow = p.staticRow ? liveRow(p.staticRow, nowSeconds) : null;
  // `rows` stays null while every row is kept unchanged; the first change copies the prefix.
  let rows: Row[] | null = null;
  for (let i = 0; i < p.rows.length; i++) {
    const row = p.rows[i]!;
    const live = liveRow(row, nowSeconds);
    if (rows === null && live !== row) rows = p.rows.slice(0, i);
    if (rows !== null && live !== null) rows.push(live);
  }
  const liveRows = rows ?? p.rows;
  if (staticRow === null && liveRows.length === 0) return null;
  if (rows === null && staticRow === p.staticRow && p.deletion === null && p.rangeTombstones.length === 0)
    return p;
  return { key: p.key, deletion: null, staticRow, rangeTombstones: [], rows: liveRows };
}
