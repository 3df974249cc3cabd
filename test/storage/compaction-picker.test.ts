import { describe, expect, it } from 'vitest';
import { pickSizeTiered, sizeTieredBuckets } from '../../storage/compaction/compaction-picker.js';

const MiB = 1024 * 1024;
const options = {
  minThreshold: 4,
  maxThreshold: 32,
  bucketLow: 0.5,
  bucketHigh: 1.5,
  minSSTableSizeBytes: 50 * MiB,
};
const sstables = (...sizes: number[]) => sizes.map((sizeBytes, i) => ({ generation: i + 1, sizeBytes }));

describe('size-tiered compaction picking', () => {
  it('does nothing below min_threshold', () => {
    expect(pickSizeTiered(sstables(1, 2, 3), options)).toBeNull();
  });
  it('puts all small SSTables in one bucket and compacts it at four', () => {
    expect(
      pickSizeTiered(sstables(1 * MiB, 10 * MiB, 2 * MiB, 40 * MiB), options)?.map((s) => s.generation),
    ).toEqual([1, 3, 2, 4]);
  });
  it('buckets large SSTables by similar size', () => {
    const buckets = sizeTieredBuckets(
      sstables(100 * MiB, 110 * MiB, 400 * MiB, 90 * MiB, 420 * MiB),
      options,
    );
    expect(buckets.map((b) => b.map((s) => s.generation))).toEqual([
      [4, 1, 2],
      [3, 5],
    ]);
  });
  it('takes at most max_threshold SSTables, smallest first', () => {
    const many = sstables(...Array.from({ length: 40 }, (_, i) => MiB + i));
    const picked = pickSizeTiered(many, options)!;
    expect(picked.length).toBe(32);
    expect(picked[0]!.sizeBytes).toBe(MiB);
  });
  it('prefers the bucket with more SSTables', () => {
    const picked = pickSizeTiered(
      sstables(100 * MiB, 100 * MiB, 100 * MiB, 100 * MiB, 1, 2, 3, 4, 5),
      options,
    )!;
    expect(picked.length).toBe(5);
  });
});
