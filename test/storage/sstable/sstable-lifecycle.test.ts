import { readdir, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChunkCache,
  componentFileName,
  componentPath,
  listSSTables,
  nextGeneration,
  parseFileName,
  removeIncompleteSSTables,
  SSTableWriter,
} from '../../../storage/sstable/sstable.js';
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

const cache = () => new ChunkCache(1 << 20);

describe('SSTable file names', () => {
  it('are owned by one function and parse back', () => {
    expect(componentFileName(12, 'Data')).toBe('nb-12-big-Data.db');
    expect(componentFileName(12, 'TOC', true)).toBe('tmp-nb-12-big-TOC.txt');
    expect(parseFileName('tmp-nb-12-big-Statistics.db')).toEqual({
      generation: 12,
      component: 'Statistics',
      temporary: true,
    });
    expect(parseFileName('nb-0-big-Data.db')).toBeNull();
    expect(parseFileName('commitlog-1.log')).toBeNull();
  });
});

describe('SSTable crash leftovers', () => {
  it('HalfWrittenSSTable: temporary files are removed, complete SSTables kept', async () => {
    const complete = await writeSSTable(dir, 1, entriesFor(sortedKeys(50)), writerOptions(), cache());
    const writer = await SSTableWriter.create({ dir, generation: 2 }, writerOptions(), cache());
    for (const key of sortedKeys(50)) await writer.append(key, new Uint8Array(10));
    expect((await readdir(dir)).filter((n) => n.startsWith('tmp-')).sort()).toEqual([
      'tmp-nb-2-big-Data.db',
      'tmp-nb-2-big-Index.db',
    ]);
    expect(await removeIncompleteSSTables(dir)).toEqual(['tmp-nb-2-big-Data.db', 'tmp-nb-2-big-Index.db']);
    expect(await listSSTables(dir)).toEqual([1]);
    await writer.abort();
    expect(await complete.get(sortedKeys(50)[3]!)).not.toBeNull();
    await complete.close();
  });

  it('ComponentsWithoutToc: a generation whose TOC is missing is removed whole', async () => {
    for (const generation of [1, 2]) {
      const reader = await writeSSTable(
        dir,
        generation,
        entriesFor(sortedKeys(20)),
        writerOptions(),
        cache(),
      );
      await reader.close();
    }
    await rm(componentPath({ dir, generation: 2 }, 'TOC'));
    expect(await listSSTables(dir)).toEqual([1]);
    const removed = await removeIncompleteSSTables(dir);
    expect(removed).toEqual(
      ['Data', 'Filter', 'Index', 'Statistics', 'Summary'].map((c) => `nb-2-big-${c}.db`),
    );
    expect((await readdir(dir)).every((name) => name.startsWith('nb-1-'))).toBe(true);
    expect(await removeIncompleteSSTables(dir)).toEqual([]);
    expect(await nextGeneration(dir)).toBe(2);
  });

  it('abort removes every file of the unfinished SSTable', async () => {
    const writer = await SSTableWriter.create({ dir, generation: 3 }, writerOptions(), cache());
    await writer.append(keyOf(1), new Uint8Array(5));
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects keys out of order', async () => {
    const keys = sortedKeys(2);
    const writer = await SSTableWriter.create({ dir, generation: 1 }, writerOptions(), cache());
    await writer.append(keys[1]!, new Uint8Array(1));
    await expect(writer.append(keys[0]!, new Uint8Array(1))).rejects.toThrow(/strictly increase/);
    await expect(writer.append(keys[1]!, new Uint8Array(1))).rejects.toThrow(/strictly increase/);
    await writer.abort();
  });
});

describe('SSTable reference counting', () => {
  it('ObsoleteAndUnreferenced: files are deleted only when the last reference goes', async () => {
    const keys = sortedKeys(100);
    const reader = await writeSSTable(dir, 1, entriesFor(keys), writerOptions(), cache());
    reader.ref(); // an in-flight read
    reader.markObsolete();
    await reader.unref(); // the owner's reference: compaction replaced it
    expect((await readdir(dir)).length).toBe(6);
    expect(await reader.get(keys[7]!)).not.toBeNull();
    await reader.unref(); // the read finishes
    expect(await readdir(dir)).toEqual([]);
    expect(reader.whenDeleted()).not.toBeNull();
  });

  it('a scan in progress keeps the files of an obsolete SSTable', async () => {
    const keys = sortedKeys(300);
    const reader = await writeSSTable(
      dir,
      1,
      entriesFor(keys),
      writerOptions({ chunkSizeBytes: 512 }),
      cache(),
    );
    let count = 0;
    for await (const _ of reader.scan()) {
      if (++count === 10) {
        reader.markObsolete();
        await reader.unref();
      }
    }
    expect(count).toBe(300);
    await reader.whenDeleted();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a reader that is not obsolete keeps its files at zero references', async () => {
    const reader = await writeSSTable(dir, 1, entriesFor(sortedKeys(10)), writerOptions(), cache());
    await reader.unref();
    expect((await readdir(dir)).length).toBe(6);
    await reader.close();
  });
});
