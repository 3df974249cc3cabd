/** Shared helpers of the SSTable tests: keys with well-mixed tokens, temp dirs, one-call writes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecoratedKey } from '../../../storage/model.js';
import { compareKeys } from '../../../storage/model.js';
import {
  type ChunkCache,
  type SSTableReader,
  type SSTableStats,
  SSTableWriter,
  type SSTableWriterOptions,
} from '../../../storage/sstable/sstable.js';

/** splitmix64: a deterministic stand-in for Murmur3 tokens (storage tests do not import ring/). */
export function mixedToken(seed: number): bigint {
  let z = (BigInt(seed) + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return BigInt.asIntN(64, z ^ (z >> 31n));
}

export function keyOf(i: number): DecoratedKey {
  return { token: mixedToken(i), key: Buffer.from(`key-${i}`) };
}

/** Keys for ids [0, n), sorted by partition order. */
export function sortedKeys(n: number, offset = 0): DecoratedKey[] {
  return Array.from({ length: n }, (_, i) => keyOf(i + offset)).sort(compareKeys);
}

/** A partition body that compresses a little, varied in length. */
export function partitionFor(key: DecoratedKey, length = 20 + (Number(key.token & 0xffn) % 200)): Uint8Array {
  const out = Buffer.alloc(length);
  const text = Buffer.from(`${key.token}:${Buffer.from(key.key).toString()}|`);
  for (let i = 0; i < length; i++) out[i] = text[i % text.length]!;
  return out;
}

export function testStats(): SSTableStats {
  return {
    minTimestamp: 1_700_000_000_000_000,
    maxTimestamp: 1_700_000_000_999_999,
    minLocalDeletionTime: 0x7fffffff,
    tombstoneCount: 3,
    minClustering: [Buffer.from('a'), Buffer.from([])],
    maxClustering: null,
    columns: ['v', 'é-col'],
    commitLogPosition: { segmentId: 12, offset: 3456 },
  };
}

export function writerOptions(overrides: Partial<SSTableWriterOptions> = {}): SSTableWriterOptions {
  return {
    chunkSizeBytes: 16 * 1024,
    compression: 'lz4',
    expectedPartitions: 1000,
    bloomFilterFalsePositiveChance: 0.01,
    indexSummaryInterval: 128,
    ...overrides,
  };
}

export async function writeSSTable(
  dir: string,
  generation: number,
  entries: Iterable<{ key: DecoratedKey; partition: Uint8Array }>,
  options: SSTableWriterOptions,
  cache: ChunkCache,
): Promise<SSTableReader> {
  const writer = await SSTableWriter.create({ dir, generation }, options, cache);
  for (const { key, partition } of entries) await writer.append(key, partition);
  return writer.finish(testStats());
}

export function entriesFor(keys: readonly DecoratedKey[]): { key: DecoratedKey; partition: Uint8Array }[] {
  return keys.map((key) => ({ key, partition: partitionFor(key) }));
}

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sibyl-sstable-'));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
