import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecoratedKey } from '../../../storage/model.js';
import { compareKeys } from '../../../storage/model.js';
import { BloomFilter, ChunkCache, type SSTableReader } from '../../../storage/sstable/sstable.js';
import {
  entriesFor,
  keyOf,
  makeTempDir,
  removeTempDir,
  sortedKeys,
  writerOptions,
  writeSSTable,
} from './sstable-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

async function scanKeys(
  reader: SSTableReader,
  from?: { key: DecoratedKey; inclusive: boolean },
  to?: typeof from,
) {
  const keys: DecoratedKey[] = [];
  for await (const entry of reader.scan(from, to)) keys.push(entry.key);
  return keys;
}

/** The expected scan result computed from the sorted key list. */
function expectedRange(
  keys: readonly DecoratedKey[],
  from?: { key: DecoratedKey; inclusive: boolean },
  to?: typeof from,
) {
  return keys.filter((key) => {
    const afterFrom = from === undefined || compareKeys(key, from.key) > (from.inclusive ? -1 : 0);
    const beforeTo = to === undefined || compareKeys(key, to.key) < (to.inclusive ? 1 : 0);
    return afterFrom && beforeTo;
  });
}

describe('SSTable scan bounds', () => {
  it('honours present and absent bounds, inclusive and exclusive, across summary regions', async () => {
    // Even ids are stored; odd ids are absent keys that fall between them.
    const all = sortedKeys(400);
    const stored = all.filter((_, i) => i % 2 === 0);
    const reader = await writeSSTable(
      dir,
      1,
      entriesFor(stored),
      writerOptions({ indexSummaryInterval: 8, chunkSizeBytes: 256 }),
      new ChunkCache(1 << 20),
    );
    const before = { token: -(2n ** 63n), key: Buffer.alloc(0) };
    const after = { token: 2n ** 63n - 1n, key: Buffer.from('zz') };
    const bounds = [
      before,
      all[0]!,
      all[1]!,
      all[15]!,
      all[16]!,
      all[17]!,
      all[200]!,
      all[399]!,
      all[398]!,
      after,
    ];
    for (const fromKey of bounds) {
      for (const toKey of bounds) {
        for (const fromInclusive of [true, false]) {
          for (const toInclusive of [true, false]) {
            const from = { key: fromKey, inclusive: fromInclusive };
            const to = { key: toKey, inclusive: toInclusive };
            const actual = await scanKeys(reader, from, to);
            expect(actual.map((k) => k.token)).toEqual(expectedRange(stored, from, to).map((k) => k.token));
          }
        }
      }
    }
    expect((await scanKeys(reader, { key: all[16]!, inclusive: true })).length).toBe(
      expectedRange(stored, { key: all[16]!, inclusive: true }).length,
    );
    expect((await scanKeys(reader, undefined, { key: all[16]!, inclusive: false })).length).toBe(8);
    await reader.close();
  });

  it('stops reading when the consumer stops early', async () => {
    const keys = sortedKeys(1000);
    const reader = await writeSSTable(
      dir,
      1,
      entriesFor(keys),
      writerOptions({ chunkSizeBytes: 1024 }),
      new ChunkCache(1 << 20),
    );
    let seen = 0;
    for await (const _ of reader.scan()) if (++seen === 3) break;
    expect(reader.dataChunkAccesses).toBeLessThan(3);
    expect(reader.referenceCount).toBe(1);
    await reader.close();
  });
});

describe('SSTable bloom filter', () => {
  it('has a false-positive rate near its target on 100k keys', () => {
    const filter = BloomFilter.forExpected(100_000, 0.01);
    for (let i = 0; i < 100_000; i++) filter.add(keyOf(i));
    for (let i = 0; i < 100_000; i++) expect(filter.mightContain(keyOf(i))).toBe(true);
    let falsePositives = 0;
    for (let i = 100_000; i < 200_000; i++) if (filter.mightContain(keyOf(i))) falsePositives++;
    const rate = falsePositives / 100_000;
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.015);
  });

  it('round-trips through its component bytes', () => {
    const filter = BloomFilter.forExpected(1000, 0.05);
    for (let i = 0; i < 1000; i++) filter.add(keyOf(i));
    const copy = BloomFilter.deserialize(filter.serialize(), 'Filter.db');
    for (let i = 0; i < 3000; i++) expect(copy.mightContain(keyOf(i))).toBe(filter.mightContain(keyOf(i)));
  });
});

describe('SSTable misses', () => {
  it('a miss rejected by the bloom filter reads no chunk at all', async () => {
    const keys = sortedKeys(2000);
    const reader = await writeSSTable(
      dir,
      1,
      entriesFor(keys),
      writerOptions({ expectedPartitions: 2000 }),
      new ChunkCache(1 << 20),
    );
    let rejected = 0;
    for (let i = 2000; i < 4000; i++) {
      const key = keyOf(i);
      if (reader.mightContain(key)) continue;
      rejected++;
      expect(await reader.get(key)).toBeNull();
    }
    expect(rejected).toBeGreaterThan(1900);
    expect(reader.dataChunkAccesses).toBe(0);
    expect(reader.indexChunkAccesses).toBe(0);
    await reader.close();
  });

  it('a miss the filter lets through but the index rejects reads no Data chunk', async () => {
    const keys = sortedKeys(2000);
    // A filter that almost always says "maybe" forces the lookup down to the index.
    const options = writerOptions({ expectedPartitions: 2000, bloomFilterFalsePositiveChance: 0.9 });
    const reader = await writeSSTable(dir, 1, entriesFor(keys), options, new ChunkCache(1 << 20));
    let throughFilter = 0;
    for (let i = 2000; i < 3000; i++) {
      const key = keyOf(i);
      if (!reader.mightContain(key)) continue;
      throughFilter++;
      expect(await reader.get(key)).toBeNull();
    }
    // Same token as a stored key but other key bytes: the index, not the filter, rejects it.
    expect(await reader.get({ token: keys[10]!.token, key: Buffer.from('other') })).toBeNull();
    expect(throughFilter).toBeGreaterThan(100);
    expect(reader.indexChunkAccesses).toBeGreaterThan(0);
    expect(reader.dataChunkAccesses).toBe(0);
    expect(await reader.get(keys[5]!)).not.toBeNull();
    expect(reader.dataChunkAccesses).toBeGreaterThan(0);
    await reader.close();
  });
});
