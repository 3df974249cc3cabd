/**
 * Read repair's decision, pure (STYLE.md §2): given the reconciled result of a read and what one
 * replica answered, the partition update that replica misses — the deletions, rows, markers and
 * cells of the reconciled result it does not hold as they are. Applying it makes the replica's
 * answer reconcile to the same result (last-write-wins is idempotent), and it carries no more than
 * the difference, as Cassandra's RowIteratorMergeListener builds its repair mutations.
 */
import type {
  Cell,
  ClusteringComparator,
  ColumnDeletion,
  DeletionTime,
  LivenessInfo,
  Partition,
  Row,
} from '../../storage/model.js';
import { compareCellPosition } from '../../storage/reconcile.js';
import { compareTombstones } from './partition-digest.js';

/** What `version` (null: the replica had nothing) misses of `merged`; null when it misses nothing. */
export function partitionDiff(
  merged: Partition,
  version: Partition | null,
  compare: ClusteringComparator,
): Partition | null {
  const deletion =
    merged.deletion !== null && !sameDeletion(merged.deletion, version?.deletion ?? null)
      ? merged.deletion
      : null;
  const staticRow = merged.staticRow === null ? null : rowDiff(merged.staticRow, version?.staticRow ?? null);
  const theirs = version?.rangeTombstones ?? [];
  const rangeTombstones = merged.rangeTombstones.filter(
    (rt) => !theirs.some((other) => compareTombstones(rt, other) === 0),
  );
  const rows = rowsDiff(merged.rows, version?.rows ?? [], compare);
  if (deletion === null && staticRow === null && rangeTombstones.length === 0 && rows.length === 0)
    return null;
  return { key: merged.key, deletion, staticRow, rangeTombstones, rows };
}

/** Rows of `merged` (sorted) the replica's rows (sorted) lack, each cut to what is missing. */
function rowsDiff(merged: readonly Row[], theirs: readonly Row[], compare: ClusteringComparator): Row[] {
  const out: Row[] = [];
  let j = 0;
  for (const row of merged) {
    while (j < theirs.length && compare(theirs[j]!.clustering, row.clustering) < 0) j++;
    const other =
      j < theirs.length && compare(theirs[j]!.clustering, row.clustering) === 0 ? theirs[j]! : null;
    const missing = rowDiff(row, other);
    if (missing) out.push(missing);
  }
  return out;
}

export function rowDiff(row: Row, other: Row | null): Row | null {
  if (other === null) return row;
  const liveness = row.liveness !== null && !sameLiveness(row.liveness, other.liveness) ? row.liveness : null;
  const deletion = row.deletion !== null && !sameDeletion(row.deletion, other.deletion) ? row.deletion : null;
  const columnDeletions = row.columnDeletions.filter(
    (cd) => !other.columnDeletions.some((o) => sameColumnDeletion(cd, o)),
  );
  const cells = cellsDiff(row.cells, other.cells);
  if (liveness === null && deletion === null && columnDeletions.length === 0 && cells.length === 0)
    return null;
  return { clustering: row.clustering, liveness, deletion, columnDeletions, cells };
}

function cellsDiff(cells: readonly Cell[], theirs: readonly Cell[]): Cell[] {
  const out: Cell[] = [];
  let j = 0;
  for (const cell of cells) {
    while (j < theirs.length && compareCellPosition(theirs[j]!, cell) < 0) j++;
    const other = j < theirs.length && compareCellPosition(theirs[j]!, cell) === 0 ? theirs[j]! : null;
    if (other === null || !sameCell(cell, other)) out.push(cell);
  }
  return out;
}

function sameDeletion(a: DeletionTime | null, b: DeletionTime | null): boolean {
  if (a === null || b === null) return a === b;
  return a.markedForDeleteAt === b.markedForDeleteAt && a.localDeletionTime === b.localDeletionTime;
}

function sameLiveness(a: LivenessInfo, b: LivenessInfo | null): boolean {
  return (
    b !== null &&
    a.timestamp === b.timestamp &&
    a.ttl === b.ttl &&
    a.localExpirationTime === b.localExpirationTime
  );
}

function sameColumnDeletion(a: ColumnDeletion, b: ColumnDeletion): boolean {
  return a.column === b.column && sameDeletion(a.deletion, b.deletion);
}

function sameCell(a: Cell, b: Cell): boolean {
  return (
    a.timestamp === b.timestamp &&
    a.ttl === b.ttl &&
    a.localDeletionTime === b.localDeletionTime &&
    sameBytes(a.value, b.value) &&
    sameBytes(a.path, b.path)
  );
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.compare(a, b) === 0;
}
