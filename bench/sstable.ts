/**
 * SSTable micro-benchmark: writes N partitions (16-byte random key, 130-byte random partition) to
 * one SSTable, then does random gets with 64 in flight: a cold pass that fills the chunk cache and
 * a warm pass served from it. Prints writes/s and gets/s, ending with one JSON line.
 * Run: `npx tsx bench/sstable.ts` (BENCH_PARTITIONS, BENCH_GETS, BENCH_COMPRESSION to change).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MiB, storageDefaults } from '../common/limits.js';
import { compareKeys, type DecoratedKey } from '../storage/model.js';
import { ChunkCache, type SSTableReader, SSTableWriter } from '../storage/sstable/sstable.js';

const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1_000_000);
const GETS = Number(process.env.BENCH_GETS ?? 200_000);
const COMPRESSION = (process.env.BENCH_COMPRESSION ?? 'lz4') as 'lz4' | 'none';
const IN_FLIGHT = 64;
const PARTITION_BYTES = 130;

function makeKeys(n: number): DecoratedKey[] {
  const bytes = randomBytes(16 * n);
  const keys: DecoratedKey[] = [];
  for (let i = 0; i < n; i++) {
    const key = bytes.subarray(i * 16, i * 16 + 16);
    // Random key bytes make a well-mixed token, as Murmur3 would.
    keys.push({ token: key.readBigInt64LE(0), key });
  }
  return keys.sort(compareKeys);
}

async function write(dir: string, keys: DecoratedKey[], cache: ChunkCache): Promise<SSTableReader> {
  const writer = await SSTableWriter.create(
    { dir, generation: 1 },
    {
      chunkSizeBytes: storageDefaults.sstableChunkSizeBytes,
      compression: COMPRESSION,
      expectedPartitions: keys.length,
      bloomFilterFalsePositiveChance: storageDefaults.bloomFilterFalsePositiveChance,
      indexSummaryInterval: storageDefaults.sstableIndexSummaryInterval,
    },
    cache,
  );
  // Random partitions: nothing to compress, the worst case for chunk sizes.
  const partitions = randomBytes(PARTITION_BYTES * keys.length);
  for (let i = 0; i < keys.length; i++) {
    await writer.append(keys[i]!, partitions.subarray(i * PARTITION_BYTES, (i + 1) * PARTITION_BYTES));
  }
  const stats = { minTimestamp: 0, maxTimestamp: 0, minLocalDeletionTime: 0, tombstoneCount: 0 };
  return writer.finish({
    ...stats,
    minClustering: null,
    maxClustering: null,
    columns: [],
    commitLogPosition: null,
  });
}

/** `count` random gets with IN_FLIGHT outstanding; returns gets per second. */
async function randomGets(reader: SSTableReader, keys: DecoratedKey[], count: number): Promise<number> {
  const picks = Array.from({ length: count }, () => keys[Math.floor(Math.random() * keys.length)]!);
  let next = 0;
  let found = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < picks.length) {
        if ((await reader.get(picks[next++]!)) !== null) found++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (found !== count) throw new Error(`only ${found} of ${count} gets found their partition`);
  return count / seconds;
}

export async function run(): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'sibyl-bench-sstable-'));
  try {
    const keys = makeKeys(PARTITIONS);
    const cache = new ChunkCache(512 * MiB);
    let started = performance.now();
    const reader = await write(dir, keys, cache);
    const writesPerSecond = PARTITIONS / ((performance.now() - started) / 1000);
    console.log(
      `sstable write: ${PARTITIONS} partitions in ${reader.dataSizeBytes} data bytes, ${writesPerSecond.toFixed(0)} writes/s`,
    );
    started = performance.now();
    const cold = await randomGets(reader, keys, GETS);
    let warm = 0;
    for (let pass = 0; pass < 3; pass++) warm = Math.max(warm, await randomGets(reader, keys, GETS));
    const missKeys = makeKeys(GETS);
    started = performance.now();
    for (const key of missKeys) await reader.get(key);
    const misses = GETS / ((performance.now() - started) / 1000);
    console.log(
      `sstable get (64 in flight): cold ${cold.toFixed(0)}/s, warm ${warm.toFixed(0)}/s (best of 3); absent keys ${misses.toFixed(0)}/s`,
    );
    console.log(
      `chunk cache: ${cache.hits} hits, ${cache.misses} misses, ${(cache.usedBytes / MiB).toFixed(0)} MiB`,
    );
    await reader.close();
    const result = {
      bench: 'sstable',
      compression: COMPRESSION,
      partitions: PARTITIONS,
      writesPerSecond,
      coldGetsPerSecond: cold,
      warmGetsPerSecond: warm,
      absentGetsPerSecond: misses,
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
