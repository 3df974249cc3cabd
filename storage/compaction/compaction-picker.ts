/**
 * Size-tiered compaction picking (Cassandra's SizeTieredCompactionStrategy): SSTables of similar
 * size share a bucket; a bucket with at least min_threshold SSTables is compacted, at most
 * max_threshold of them at once. Pure: takes sizes, returns the choice.
 */
export interface SizedSSTable {
  readonly generation: number;
  readonly sizeBytes: number;
}

export interface SizeTieredOptions {
  readonly minThreshold: number;
  readonly maxThreshold: number;
  readonly bucketLow: number;
  readonly bucketHigh: number;
  readonly minSSTableSizeBytes: number;
}

/** Groups SSTables into buckets of similar size (each bucket sorted by size, smallest first). */
export function sizeTieredBuckets<T extends SizedSSTable>(
  sstables: readonly T[],
  options: SizeTieredOptions,
): T[][] {
  const sorted = [...sstables].sort((a, b) => a.sizeBytes - b.sizeBytes || a.generation - b.generation);
  const buckets: { members: T[]; average: number }[] = [];
  for (const sstable of sorted) {
    const size = sstable.sizeBytes;
    const bucket = buckets.find(
      (b) =>
        (size >= b.average * options.bucketLow && size <= b.average * options.bucketHigh) ||
        (size < options.minSSTableSizeBytes && b.average < options.minSSTableSizeBytes),
    );
    if (bucket) {
      bucket.average = (bucket.average * bucket.members.length + size) / (bucket.members.length + 1);
      bucket.members.push(sstable);
    } else {
      buckets.push({ members: [sstable], average: size });
    }
  }
  return buckets.map((b) => b.members);
}

/**
 * The SSTables to compact next, or null. Among buckets with at least minThreshold members, each
 * trimmed to its maxThreshold smallest, the one with the most SSTables wins (ties: the smallest
 * total size, which is the cheapest to compact).
 */
export function pickSizeTiered<T extends SizedSSTable>(
  sstables: readonly T[],
  options: SizeTieredOptions,
): T[] | null {
  let best: T[] | null = null;
  let bestBytes = 0;
  for (const bucket of sizeTieredBuckets(sstables, options)) {
    if (bucket.length < options.minThreshold) continue;
    const candidate = bucket.slice(0, options.maxThreshold);
    const bytes = candidate.reduce((sum, s) => sum + s.sizeBytes, 0);
    if (
      best === null ||
      candidate.length > best.length ||
      (candidate.length === best.length && bytes < bestBytes)
    ) {
      best = candidate;
      bestBytes = bytes;
    }
  }
  return best;
}
