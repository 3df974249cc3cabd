import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareKeys } from '../../../storage/model.js';
import { ChunkCache, listSSTables, SSTableReader } from '../../../storage/sstable/sstable.js';
import {
  entriesFor,
  keyOf,
  makeTempDir,
  partitionFor,
  removeTempDir,
  sortedKeys,
  testStats,
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

describe('SSTable round trip', () => {
  const layouts = [
    { compression: 'lz4', chunkSizeBytes: 16 * 1024, indexSummaryInterval: 128 },
    { compression: 'none', chunkSizeBytes: 16 * 1024, indexSummaryInterval: 128 },
    { compression: 'lz4', chunkSizeBytes: 64, indexSummaryInterval: 4 },
    { compression: 'none', chunkSizeBytes: 32, indexSummaryInterval: 1 },
  ] as const;

  for (const layout of layouts) {
    it(`stores and reads back 3000 partitions (${JSON.stringify(layout)})`, async () => {
      const keys = sortedKeys(3000);
      const entries = entriesFor(keys);
      const cache = new ChunkCache(1 << 20);
      const written = await writeSSTable(
        dir,
        1,
        entries,
        writerOptions({ ...layout, expectedPartitions: 3000 }),
        cache,
      );
      await written.close();

      const reader = await SSTableReader.open({ dir, generation: 1 }, new ChunkCache(1 << 20));
      expect(reader.partitionCount).toBe(3000);
      expect(compareKeys(reader.firstKey, keys[0]!)).toBe(0);
      expect(compareKeys(reader.lastKey, keys.at(-1)!)).toBe(0);
      expect(reader.stats).toEqual(testStats());
      for (const { key, partition } of entries) expect(await reader.get(key)).toEqual(Buffer.from(partition));
      for (let i = 3000; i < 3500; i++) expect(await reader.get(keyOf(i))).toBeNull();

      const scanned = [];
      for await (const entry of reader.scan()) scanned.push(entry);
      expect(scanned.length).toBe(3000);
      scanned.forEach((entry, i) => {
        expect(compareKeys(entry.key, keys[i]!)).toBe(0);
        expect(Buffer.from(entry.partition)).toEqual(Buffer.from(entries[i]!.partition));
      });
      await reader.verify();
      await reader.close();
    });
  }

  it('reads a 5 MiB partition spanning many chunks, between small ones', async () => {
    const keys = sortedKeys(3);
    const big = new Uint8Array(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const entries = [
      { key: keys[0]!, partition: partitionFor(keys[0]!) },
      { key: keys[1]!, partition: big },
      { key: keys[2]!, partition: partitionFor(keys[2]!) },
    ];
    for (const compression of ['lz4', 'none'] as const) {
      const generation = compression === 'lz4' ? 1 : 2;
      const options = writerOptions({ compression, chunkSizeBytes: 4096 });
      const reader = await writeSSTable(dir, generation, entries, options, new ChunkCache(1 << 20));
      expect(Buffer.from((await reader.get(keys[1]!))!).equals(big)).toBe(true);
      expect(await reader.get(keys[2]!)).toEqual(Buffer.from(entries[2]!.partition));
      const scanned = [];
      for await (const entry of reader.scan()) scanned.push(entry.partition.length);
      expect(scanned).toEqual(entries.map((e) => e.partition.length));
      await reader.verify();
      await reader.close();
    }
    expect(await listSSTables(dir)).toEqual([1, 2]);
  });

  it('stores empty partitions and reports sizes', async () => {
    const keys = sortedKeys(10);
    const reader = await writeSSTable(
      dir,
      7,
      keys.map((key) => ({ key, partition: new Uint8Array(0) })),
      writerOptions(),
      new ChunkCache(1 << 20),
    );
    for (const key of keys) expect(await reader.get(key)).toEqual(Buffer.alloc(0));
    expect(reader.generation).toBe(7);
    expect(reader.dataSizeBytes).toBeGreaterThan(0);
    expect(reader.onDiskSizeBytes).toBeGreaterThan(reader.dataSizeBytes);
    await reader.close();
  });

  it('serves repeated gets from the chunk cache', async () => {
    const keys = sortedKeys(500);
    const cache = new ChunkCache(1 << 20);
    const reader = await writeSSTable(dir, 1, entriesFor(keys), writerOptions(), cache);
    for (const key of keys) await reader.get(key);
    const missesAfterFirstPass = cache.misses;
    for (const key of keys) await reader.get(key);
    expect(cache.misses).toBe(missesAfterFirstPass);
    expect(cache.hits).toBeGreaterThan(keys.length);
    await reader.close();
  });

  it('serves concurrent gets that miss the same chunks', async () => {
    const keys = sortedKeys(2000);
    const entries = entriesFor(keys);
    const reader = await writeSSTable(dir, 1, entries, writerOptions(), new ChunkCache(1 << 20));
    const results = await Promise.all(entries.map((e) => reader.get(e.key)));
    results.forEach((bytes, i) => {
      expect(bytes).toEqual(Buffer.from(entries[i]!.partition));
    });
    await reader.close();
  });
});
