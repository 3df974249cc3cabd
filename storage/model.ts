/**
 * The storage data model (DESIGN.md "Data model"). Storage sees keys, clustering values and cell
 * values as bytes; the order of clustering values comes from the caller's comparator, so storage
 * does not depend on cql/.
 *
 * Times: write timestamps are microseconds since the epoch (a safe integer: |ts| < 2^53);
 * local deletion / expiration times are seconds since the epoch, as Cassandra's.
 */

/** Sentinel for "not deleted / not expiring" (Cassandra's Cell.NO_DELETION_TIME). */
export const NO_DELETION_TIME = 0x7fffffff;
/** Sentinel for "no timestamp" (Cassandra's LivenessInfo.NO_TIMESTAMP is Long.MIN_VALUE). */
export const NO_TIMESTAMP = Number.MIN_SAFE_INTEGER;

/** A partition key with its token (computed by the caller's partitioner). */
export interface DecoratedKey {
  readonly token: bigint;
  readonly key: Uint8Array;
}

/** A deletion: everything written at or before `markedForDeleteAt` is shadowed. */
export interface DeletionTime {
  readonly markedForDeleteAt: number;
  /** Seconds since the epoch when the deletion happened (drives gc_grace purging). */
  readonly localDeletionTime: number;
}

/**
 * What a counter cell's value holds (storage/counters.ts, docs/formats/partition.md):
 * - `delta`: an increment (8-byte signed), as a counter update carries it to its leader replica;
 *   never stored — the leader turns it into its own shard;
 * - `shards`: a counter context, one (counter id, clock, count) shard per replica that counted.
 */
export type CounterCellKind = 'delta' | 'shards';

/**
 * A cell. `value === null` marks a cell tombstone. `ttl > 0` marks an expiring cell whose
 * `localDeletionTime` is its expiry time (seconds); it reads as absent once that time has passed.
 * `counter` is set on counter cells only (absent on every ordinary cell, so ordinary cells keep one
 * object shape); a counter cell is live, without TTL or path.
 */
export interface Cell {
  readonly column: string;
  /** The element key of a non-frozen collection cell (map key, set element, list timeuuid). */
  readonly path: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly ttl: number;
  readonly localDeletionTime: number;
  readonly counter?: CounterCellKind;
}

/** The row marker written by INSERT (Cassandra's primary key liveness info). */
export interface LivenessInfo {
  readonly timestamp: number;
  readonly ttl: number;
  /** Expiry time in seconds for a TTL'd marker, NO_DELETION_TIME otherwise. */
  readonly localExpirationTime: number;
}

/** A clustering: one byte string per clustering column; empty for tables without clustering. */
export type Clustering = readonly Uint8Array[];

/** Compares two clusterings (or prefixes of equal length) in the table's order (ASC/DESC per column). */
export type ClusteringComparator = (a: Clustering, b: Clustering) => number;

/** A column deletion of a non-frozen collection (Cassandra's complex deletion). */
export interface ColumnDeletion {
  readonly column: string;
  readonly deletion: DeletionTime;
}

export interface Row {
  readonly clustering: Clustering;
  readonly liveness: LivenessInfo | null;
  readonly deletion: DeletionTime | null;
  /** Collection-wide deletions (a collection overwritten or deleted as a whole). */
  readonly columnDeletions: readonly ColumnDeletion[];
  /** Sorted by (column, path). */
  readonly cells: readonly Cell[];
}

/** One side of a clustering range: a prefix; an empty prefix is -inf (start) or +inf (end). */
export interface ClusteringBound {
  readonly prefix: Clustering;
  readonly inclusive: boolean;
}

export interface RangeTombstone {
  readonly start: ClusteringBound;
  readonly end: ClusteringBound;
  readonly deletion: DeletionTime;
}

/**
 * One partition of one table: what a mutation carries and what a read returns (before filtering
 * to live data). Rows are sorted by clustering; the static row is kept apart.
 */
export interface Partition {
  readonly key: DecoratedKey;
  readonly deletion: DeletionTime | null;
  readonly staticRow: Row | null;
  readonly rangeTombstones: readonly RangeTombstone[];
  readonly rows: readonly Row[];
}

/** The unit of write: one partition of one table. */
export interface Mutation {
  readonly tableId: string;
  readonly partition: Partition;
}

/** A clustering slice of a partition read. Bounds are inclusive unless said otherwise. */
export interface ClusteringSlice {
  readonly start?: ClusteringBound;
  readonly end?: ClusteringBound;
  readonly reversed?: boolean;
}

/**
 * What `INSERT INTO t (k, c..., col...) VALUES (...)` writes: one row with a row marker and a cell
 * per column, all at `timestamp`. For tools, tests and benchmarks.
 */
export function insertPartition(
  key: DecoratedKey,
  clustering: Clustering,
  columns: Readonly<Record<string, Uint8Array>>,
  timestamp: number,
): Partition {
  const cells: Cell[] = Object.keys(columns)
    .sort()
    .map((column) => ({
      column,
      path: null,
      value: columns[column]!,
      timestamp,
      ttl: 0,
      localDeletionTime: NO_DELETION_TIME,
    }));
  return {
    key,
    deletion: null,
    staticRow: null,
    rangeTombstones: [],
    rows: [
      {
        clustering,
        liveness: { timestamp, ttl: 0, localExpirationTime: NO_DELETION_TIME },
        deletion: null,
        columnDeletions: [],
        cells,
      },
    ],
  };
}

export function emptyRow(clustering: Clustering): Row {
  return { clustering, liveness: null, deletion: null, columnDeletions: [], cells: [] };
}

export function liveCell(
  column: string,
  value: Uint8Array,
  timestamp: number,
  ttl = 0,
  nowSeconds = 0,
  path: Uint8Array | null = null,
): Cell {
  return {
    column,
    path,
    value,
    timestamp,
    ttl,
    localDeletionTime: ttl > 0 ? nowSeconds + ttl : NO_DELETION_TIME,
  };
}

export function tombstoneCell(
  column: string,
  timestamp: number,
  nowSeconds: number,
  path: Uint8Array | null = null,
): Cell {
  return { column, path, value: null, timestamp, ttl: 0, localDeletionTime: nowSeconds };
}

/** A cell is live at `nowSeconds` when it is not a tombstone and has not expired. */
export function isLiveCell(cell: Cell, nowSeconds: number): boolean {
  return cell.value !== null && (cell.ttl === 0 || nowSeconds < cell.localDeletionTime);
}

export function isLiveMarker(info: LivenessInfo, nowSeconds: number): boolean {
  return info.ttl === 0 || nowSeconds < info.localExpirationTime;
}

/** Does `deletion` shadow data written at `timestamp`? (Cassandra: timestamp <= markedForDeleteAt). */
export function deletes(deletion: DeletionTime | null, timestamp: number): boolean {
  return deletion !== null && timestamp <= deletion.markedForDeleteAt;
}

/** The later of two deletions (greater markedForDeleteAt, then greater localDeletionTime). */
export function laterDeletion(a: DeletionTime | null, b: DeletionTime | null): DeletionTime | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.markedForDeleteAt !== b.markedForDeleteAt) return a.markedForDeleteAt > b.markedForDeleteAt ? a : b;
  return a.localDeletionTime >= b.localDeletionTime ? a : b;
}

/** Unsigned lexicographic byte order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Partition order: token, then key bytes (DESIGN.md). */
export function compareKeys(a: DecoratedKey, b: DecoratedKey): number {
  if (a.token !== b.token) return a.token < b.token ? -1 : 1;
  return Buffer.compare(a.key, b.key);
}

/** A clustering comparator that orders every column ASC by unsigned bytes (for tests and system tables). */
export const bytesClusteringComparator: ClusteringComparator = (a, b) => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = Buffer.compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
};

/** The factory a worker thread calls to rebuild `bytesClusteringComparator` (see ComparatorSpec). */
export function bytesClusteringComparatorFactory(): ClusteringComparator {
  return bytesClusteringComparator;
}

/** A serializable description of `bytesClusteringComparator`, for tables that use it. */
export const bytesClusteringComparatorSpec = {
  module: import.meta.url,
  exportName: 'bytesClusteringComparatorFactory',
} as const;
