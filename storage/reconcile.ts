/**
 * Last-write-wins reconciliation with Cassandra's tie-breaks, merging of partition versions, and
 * the removal of data shadowed by deletions. Counter cells reconcile by merging their shards
 * (storage/counters.ts). Pure functions: no IO, no clock (time is passed in).
 */

import { reconcileCounterCells } from './counters.js';
import type {
  Cell,
  Clustering,
  ClusteringBound,
  ClusteringComparator,
  ColumnDeletion,
  DeletionTime,
  LivenessInfo,
  Partition,
  RangeTombstone,
  Row,
} from './model.js';
import { compareBytes, deletes, laterDeletion, NO_DELETION_TIME } from './model.js';

/**
 * Picks the winner of two versions of one cell (Cassandra's Cells.reconcile): the greater
 * timestamp; on a tie a tombstone or expiring cell beats a live one, a tombstone beats an expiring
 * cell, then the later local deletion time, then the greater value. Counter cells merge instead
 * (`reconcileCounterCells`).
 */
export function reconcileCells(a: Cell, b: Cell): Cell {
  if (a.counter !== undefined || b.counter !== undefined) return reconcileCounterCells(a, b);
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp ? a : b;
  const aDeletes = a.localDeletionTime !== NO_DELETION_TIME;
  const bDeletes = b.localDeletionTime !== NO_DELETION_TIME;
  if (aDeletes || bDeletes) {
    if (aDeletes !== bDeletes) return aDeletes ? a : b;
    const aTombstone = a.value === null;
    const bTombstone = b.value === null;
    if (aTombstone !== bTombstone) return aTombstone ? a : b;
    if (a.localDeletionTime !== b.localDeletionTime) return a.localDeletionTime > b.localDeletionTime ? a : b;
  }
  if (a.value === null || b.value === null) return a;
  return compareBytes(a.value, b.value) >= 0 ? a : b;
}

/** Row marker precedence, as Cassandra's LivenessInfo.supersedes. */
export function reconcileLiveness(a: LivenessInfo | null, b: LivenessInfo | null): LivenessInfo | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp ? a : b;
  const aExpiring = a.ttl > 0;
  const bExpiring = b.ttl > 0;
  if (aExpiring !== bExpiring) return aExpiring ? a : b;
  return a.localExpirationTime >= b.localExpirationTime ? a : b;
}

/** Cells are ordered by column name, then path bytes (a null path sorts first). */
export function compareCellPosition(a: Cell, b: Cell): number {
  if (a.column !== b.column) return a.column < b.column ? -1 : 1;
  if (a.path === b.path) return 0;
  if (a.path === null) return -1;
  if (b.path === null) return 1;
  return compareBytes(a.path, b.path);
}

/**
 * What shadows a row from above while its versions merge: the partition deletion and the range
 * tombstones of every version. Only counter cells need it (see `reconcileInRow`).
 */
export interface RowShadow {
  readonly partitionDeletion: DeletionTime | null;
  /** Empty for the static row, which range tombstones never cover. */
  readonly rangeTombstones: readonly RangeTombstone[];
  readonly compare: ClusteringComparator;
}

/**
 * Reconciles two versions of one cell of a row. Ordinary cells: last write wins, and removing
 * shadowed data before or after gives the same result. Counter cells merge their shards and keep
 * the greater timestamp, so a shard a deletion shadows must be dropped *before* the merge, or it
 * would lend its (older, higher-clocked) count to a newer shard and escape the deletion.
 */
function reconcileInRow(
  x: Cell,
  y: Cell,
  row: Row,
  rowDeletion: DeletionTime | null,
  shadow: RowShadow | null,
): Cell {
  if (x.counter === undefined && y.counter === undefined) return reconcileCells(x, y);
  let deletion = rowDeletion;
  if (shadow !== null) {
    deletion = laterDeletion(deletion, shadow.partitionDeletion);
    for (const rt of shadow.rangeTombstones) {
      if (inRange(row.clustering, rt, shadow.compare)) deletion = laterDeletion(deletion, rt.deletion);
    }
  }
  if (x.value !== null && deletes(deletion, x.timestamp)) return y;
  if (y.value !== null && deletes(deletion, y.timestamp)) return x;
  return reconcileCounterCells(x, y);
}

function mergeCells(a: Row, b: Row, rowDeletion: DeletionTime | null, shadow: RowShadow | null): Cell[] {
  const out: Cell[] = [];
  const x = a.cells;
  const y = b.cells;
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const c = compareCellPosition(x[i]!, y[j]!);
    if (c < 0) out.push(x[i++]!);
    else if (c > 0) out.push(y[j++]!);
    else out.push(reconcileInRow(x[i++]!, y[j++]!, a, rowDeletion, shadow));
  }
  while (i < x.length) out.push(x[i++]!);
  while (j < y.length) out.push(y[j++]!);
  return out;
}

function mergeColumnDeletions(a: readonly ColumnDeletion[], b: readonly ColumnDeletion[]): ColumnDeletion[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  const byColumn = new Map<string, DeletionTime>();
  for (const cd of [...a, ...b]) {
    byColumn.set(cd.column, laterDeletion(byColumn.get(cd.column) ?? null, cd.deletion)!);
  }
  return [...byColumn]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([column, deletion]) => ({ column, deletion }));
}

/**
 * Merges two versions of the same row (same clustering). `shadow` is what deletes from above the
 * row (needed when the row may hold counter cells; null: only the rows' own deletions).
 */
export function mergeRows(a: Row, b: Row, shadow: RowShadow | null = null): Row {
  const deletion = laterDeletion(a.deletion, b.deletion);
  return {
    clustering: a.clustering,
    liveness: reconcileLiveness(a.liveness, b.liveness),
    deletion,
    columnDeletions: mergeColumnDeletions(a.columnDeletions, b.columnDeletions),
    cells: mergeCells(a, b, deletion, shadow),
  };
}

export function mergeRowLists(
  a: readonly Row[],
  b: readonly Row[],
  compare: ClusteringComparator,
  shadow: RowShadow | null = null,
): Row[] {
  const out: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compare(a[i]!.clustering, b[j]!.clustering);
    if (c < 0) out.push(a[i++]!);
    else if (c > 0) out.push(b[j++]!);
    else out.push(mergeRows(a[i++]!, b[j++]!, shadow));
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * Merges versions of one partition (same key) into one, then removes what the merged deletions
 * shadow. The result still holds tombstones: read repair and compaction need them.
 */
export function mergePartitions(versions: readonly Partition[], compare: ClusteringComparator): Partition {
  const first = versions[0];
  if (first === undefined) throw new Error('mergePartitions needs at least one version');
  if (versions.length === 1) return removeShadowed(first, compare);
  let deletion: DeletionTime | null = null;
  let staticRow: Row | null = null;
  const rangeTombstones: RangeTombstone[] = [];
  let rows: Row[] = [];
  // Every version's deletions first: counter cells merge only after what they shadow is known.
  for (const v of versions) {
    deletion = laterDeletion(deletion, v.deletion);
    if (v.rangeTombstones.length > 0) rangeTombstones.push(...v.rangeTombstones);
  }
  const shadowed = deletion !== null || rangeTombstones.length > 0;
  const rowShadow: RowShadow | null = shadowed
    ? { partitionDeletion: deletion, rangeTombstones, compare }
    : null;
  const staticShadow: RowShadow | null =
    deletion !== null ? { partitionDeletion: deletion, rangeTombstones: [], compare } : null;
  for (const v of versions) {
    if (v.staticRow) staticRow = staticRow ? mergeRows(staticRow, v.staticRow, staticShadow) : v.staticRow;
    rows = rows.length === 0 ? v.rows.slice() : mergeRowLists(rows, v.rows, compare, rowShadow);
  }
  return removeShadowed({ key: first.key, deletion, staticRow, rangeTombstones, rows }, compare);
}

/** Is clustering `c` at or after `bound` when `bound` is a start bound? */
export function afterStart(c: Clustering, bound: ClusteringBound, compare: ClusteringComparator): boolean {
  if (bound.prefix.length === 0) return true;
  const cmp = compare(c.length > bound.prefix.length ? c.slice(0, bound.prefix.length) : c, bound.prefix);
  return bound.inclusive ? cmp >= 0 : cmp > 0;
}

/** Is clustering `c` at or before `bound` when `bound` is an end bound? */
export function beforeEnd(c: Clustering, bound: ClusteringBound, compare: ClusteringComparator): boolean {
  if (bound.prefix.length === 0) return true;
  const cmp = compare(c.length > bound.prefix.length ? c.slice(0, bound.prefix.length) : c, bound.prefix);
  return bound.inclusive ? cmp <= 0 : cmp < 0;
}

export function inRange(
  c: Clustering,
  rt: { start: ClusteringBound; end: ClusteringBound },
  compare: ClusteringComparator,
): boolean {
  return afterStart(c, rt.start, compare) && beforeEnd(c, rt.end, compare);
}

/** The strongest deletion covering a row: partition deletion, covering range tombstones, its own. */
function rowShadow(
  row: Row,
  partitionDeletion: DeletionTime | null,
  rts: readonly RangeTombstone[],
  compare: ClusteringComparator,
): DeletionTime | null {
  let shadow = partitionDeletion;
  for (const rt of rts) {
    if (inRange(row.clustering, rt, compare)) shadow = laterDeletion(shadow, rt.deletion);
  }
  return shadow;
}

/** Drops cells, markers and deletions that a deletion at a higher level shadows. Null if nothing remains. */
export function purgeRow(row: Row, shadow: DeletionTime | null): Row | null {
  let deletion = row.deletion;
  if (deletion && shadow && deletion.markedForDeleteAt <= shadow.markedForDeleteAt) deletion = null;
  const effective = laterDeletion(shadow, deletion);
  const liveness = row.liveness && !deletes(effective, row.liveness.timestamp) ? row.liveness : null;
  const columnDeletions = row.columnDeletions.filter(
    (cd) => !deletes(effective, cd.deletion.markedForDeleteAt),
  );
  let cells = row.cells;
  if (effective !== null || columnDeletions.length > 0) {
    cells = row.cells.filter((cell) => {
      if (deletes(effective, cell.timestamp)) return false;
      if (cell.path === null) return true;
      const cd = columnDeletions.find((d) => d.column === cell.column);
      return cd === undefined || !deletes(cd.deletion, cell.timestamp);
    });
  }
  if (liveness === null && deletion === null && columnDeletions.length === 0 && cells.length === 0)
    return null;
  if (
    liveness === row.liveness &&
    deletion === row.deletion &&
    cells === row.cells &&
    columnDeletions.length === row.columnDeletions.length
  ) {
    return row;
  }
  return { clustering: row.clustering, liveness, deletion, columnDeletions, cells };
}

/** Removes data shadowed by the partition deletion, range tombstones and row deletions. */
export function removeShadowed(p: Partition, compare: ClusteringComparator): Partition {
  const rts = p.rangeTombstones.filter((rt) => !deletes(p.deletion, rt.deletion.markedForDeleteAt));
  const staticRow = p.staticRow ? purgeRow(p.staticRow, p.deletion) : null;
  const rows: Row[] = [];
  for (const row of p.rows) {
    const kept = purgeRow(row, rts.length === 0 ? p.deletion : rowShadow(row, p.deletion, rts, compare));
    if (kept) rows.push(kept);
  }
  return { key: p.key, deletion: p.deletion, staticRow, rangeTombstones: rts, rows };
}
