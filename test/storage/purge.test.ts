import { describe, expect, it } from 'vitest';
import { purgePartition } from '../../storage/compaction/purge.js';
import { cell, ck, key, partition, row } from './helpers.js';

const now = 2_000_000;
const ctx = (gcBefore: number, maxPurgeableTimestamp = Number.MAX_SAFE_INTEGER) => ({
  nowSeconds: now,
  gcBefore,
  maxPurgeableTimestamp,
});

describe('tombstone purging', () => {
  it('keeps tombstones younger than gc_grace', () => {
    const p = partition(key(1), [row(ck(1), [cell('a', null, 5, { localDeletionTime: now - 10 })])]);
    expect(purgePartition(p, ctx(now - 100))).not.toBeNull();
  });
  it('drops tombstones older than gc_grace', () => {
    const p = partition(key(1), [row(ck(1), [cell('a', null, 5, { localDeletionTime: now - 1000 })])], {
      deletion: { markedForDeleteAt: 3, localDeletionTime: now - 1000 },
    });
    expect(purgePartition(p, ctx(now - 100))).toBeNull();
  });
  it('keeps an old tombstone that may shadow data outside the compaction', () => {
    const p = partition(key(1), [], { deletion: { markedForDeleteAt: 30, localDeletionTime: now - 1000 } });
    expect(purgePartition(p, ctx(now - 100, 20))?.deletion?.markedForDeleteAt).toBe(30);
    expect(purgePartition(p, ctx(now - 100, 31))).toBeNull();
  });
  it('turns expired TTL cells into tombstones dated at their write, then purges them after gc_grace', () => {
    const expiring = cell('a', 'v', 5, { ttl: 100, localDeletionTime: now - 50 });
    const kept = purgePartition(partition(key(1), [row(ck(1), [expiring])]), ctx(now - 1000))!;
    expect(kept.rows[0]!.cells[0]).toMatchObject({ value: null, localDeletionTime: now - 150 });
    expect(purgePartition(partition(key(1), [row(ck(1), [expiring])]), ctx(now))).toBeNull();
  });
});
