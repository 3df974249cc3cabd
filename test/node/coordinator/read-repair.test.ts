/**
 * Read repair's pure half: the digest replicas answer with (equal data, equal digest, whatever the
 * data's history) and the repair a stale replica receives (exactly what it misses; applying it makes
 * its answer reconcile to the merged result).
 */
import { describe, expect, it } from 'vitest';
import { partitionDigest } from '../../../node/coordinator/partition-digest.js';
import { partitionDiff } from '../../../node/coordinator/read-repair.js';
import type { Partition, RangeTombstone } from '../../../storage/model.js';
import { bytesClusteringComparator as compare } from '../../../storage/model.js';
import { mergePartitions } from '../../../storage/reconcile.js';
import { cell, ck, key, partition, row } from '../../storage/helpers.js';

const k = key(1);
const deletion = (at: number) => ({ markedForDeleteAt: at, localDeletionTime: 1_700_000_000 });
const tombstone = (from: number, to: number, at: number): RangeTombstone => ({
  start: { prefix: ck(from), inclusive: true },
  end: { prefix: ck(to), inclusive: false },
  deletion: deletion(at),
});

/** The replica's answer once the repair is applied, reconciled as the coordinator would. */
function repaired(version: Partition | null, missing: Partition | null): Partition | null {
  const parts = [version, missing].filter((p): p is Partition => p !== null);
  return parts.length === 0 ? null : mergePartitions(parts, compare);
}

describe('partitionDiff', () => {
  const merged = partition(k, [
    row(ck(1), [cell('a', 'new', 20), cell('b', 'same', 10)]),
    row(ck(2), [cell('a', 'x', 10)]),
  ]);

  it('is null for a replica that already holds the result', () => {
    expect(partitionDiff(merged, merged, compare)).toBeNull();
  });

  it('is the whole result for a replica that has nothing', () => {
    expect(partitionDiff(merged, null, compare)).toEqual(merged);
  });

  it('carries only the cells and rows the replica misses', () => {
    const stale = partition(k, [row(ck(1), [cell('a', 'old', 10), cell('b', 'same', 10)])]);
    const missing = partitionDiff(merged, stale, compare)!;
    expect(missing.rows.map((r) => r.cells.map((c) => [c.column, Buffer.from(c.value!).toString()]))).toEqual(
      [[['a', 'new']], [['a', 'x']]],
    );
    expect(partitionDigest(repaired(stale, missing))).toEqual(partitionDigest(merged));
  });

  it('carries deletions the replica misses: partition deletion and range tombstones', () => {
    const withDeletions = partition(k, [row(ck(5), [cell('a', 'kept', 30)])], {
      deletion: deletion(15),
      rangeTombstones: [tombstone(2, 4, 25)],
    });
    const stale = partition(k, [row(ck(5), [cell('a', 'kept', 30)]), row(ck(3), [cell('a', 'gone', 12)])]);
    const missing = partitionDiff(withDeletions, stale, compare)!;
    expect(missing.deletion).toEqual(deletion(15));
    expect(missing.rangeTombstones).toEqual([tombstone(2, 4, 25)]);
    expect(missing.rows).toEqual([]);
    expect(partitionDigest(repaired(stale, missing))).toEqual(partitionDigest(withDeletions));
  });
});

describe('partitionDigest', () => {
  it('is equal for equal data whatever order tombstones were merged in', () => {
    const a = partition(k, [], { rangeTombstones: [tombstone(1, 2, 5), tombstone(3, 4, 6)] });
    const b = partition(k, [], {
      rangeTombstones: [tombstone(3, 4, 6), tombstone(1, 2, 5), tombstone(3, 4, 6)],
    });
    expect(partitionDigest(a)).toEqual(partitionDigest(b));
  });

  it('reads a partition with nothing in it as no partition', () => {
    expect(partitionDigest(partition(k, []))).toEqual(partitionDigest(null));
  });

  it('differs when a value or a timestamp differs', () => {
    const base = partitionDigest(partition(k, [row(ck(1), [cell('a', 'x', 1)])]));
    expect(partitionDigest(partition(k, [row(ck(1), [cell('a', 'y', 1)])]))).not.toEqual(base);
    expect(partitionDigest(partition(k, [row(ck(1), [cell('a', 'x', 2)])]))).not.toEqual(base);
    expect(partitionDigest(partition(k, [row(ck(1), [cell('a', 'x', 1)])]))).toEqual(base);
    expect(base).toHaveLength(16);
  });
});
