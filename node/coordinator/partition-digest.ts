/**
 * The digest a replica answers READ_DIGEST_REQ with: MD5 (as Cassandra's digests) of the partition
 * codec's encoding of the read result in a canonical form, so equal data gives equal digests on every
 * replica whatever the history of its memtables and SSTables: range tombstones sorted and without
 * duplicates (merging SSTables concatenates them), collection deletions sorted by column, and a
 * partition with nothing in it read as no partition.
 */
import { createHash } from 'node:crypto';
import type { ClusteringBound, DeletionTime, Partition, RangeTombstone, Row } from '../../storage/model.js';
import { encodePartitionView } from '../../storage/partition-codec.js';

/** The digest of a read result (null: the replica has nothing for the key). */
export function partitionDigest(partition: Partition | null): Buffer {
  const hash = createHash('md5');
  const canonical = partition === null ? null : canonicalPartition(partition);
  if (canonical !== null) hash.update(encodePartitionView(canonical));
  return hash.digest();
}

/** Null for a partition without deletion, static row, range tombstone or row. */
export function canonicalPartition(partition: Partition): Partition | null {
  const { deletion, staticRow, rangeTombstones, rows } = partition;
  if (deletion === null && staticRow === null && rangeTombstones.length === 0 && rows.length === 0)
    return null;
  return {
    key: partition.key,
    deletion,
    staticRow: staticRow === null ? null : canonicalRow(staticRow),
    rangeTombstones: canonicalTombstones(rangeTombstones),
    rows: rows.some((row) => row.columnDeletions.length > 1) ? rows.map(canonicalRow) : rows,
  };
}

function canonicalRow(row: Row): Row {
  if (row.columnDeletions.length < 2) return row;
  const columnDeletions = [...row.columnDeletions].sort((a, b) =>
    a.column < b.column ? -1 : a.column > b.column ? 1 : 0,
  );
  return { ...row, columnDeletions };
}

function canonicalTombstones(tombstones: readonly RangeTombstone[]): readonly RangeTombstone[] {
  if (tombstones.length < 2) return tombstones;
  const sorted = [...tombstones].sort(compareTombstones);
  return sorted.filter((rt, index) => index === 0 || compareTombstones(sorted[index - 1]!, rt) !== 0);
}

/** A total order on range tombstones by their bytes (any fixed order makes the digest canonical). */
export function compareTombstones(a: RangeTombstone, b: RangeTombstone): number {
  return (
    compareBounds(a.start, b.start) || compareBounds(a.end, b.end) || compareDeletions(a.deletion, b.deletion)
  );
}

function compareBounds(a: ClusteringBound, b: ClusteringBound): number {
  const n = Math.min(a.prefix.length, b.prefix.length);
  for (let i = 0; i < n; i++) {
    const c = Buffer.compare(a.prefix[i]!, b.prefix[i]!);
    if (c !== 0) return c;
  }
  return a.prefix.length - b.prefix.length || Number(a.inclusive) - Number(b.inclusive);
}

function compareDeletions(a: DeletionTime, b: DeletionTime): number {
  return a.markedForDeleteAt - b.markedForDeleteAt || a.localDeletionTime - b.localDeletionTime;
}

export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
