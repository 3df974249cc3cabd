/**
 * Named corruption cases (leveldb style): each damages one component of a closed SSTable and checks
 * that the operation that touches it fails with a CorruptionError naming that file.
 */
import { open, readFile, truncate, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '../../../common/errors.js';
import type { DecoratedKey } from '../../../storage/model.js';
import {
  ChunkCache,
  type Component,
  componentPath,
  SSTableReader,
} from '../../../storage/sstable/sstable.js';
import {
  entriesFor,
  makeTempDir,
  removeTempDir,
  sortedKeys,
  writerOptions,
  writeSSTable,
} from './sstable-fixtures.js';

let dir: string;
let keys: DecoratedKey[];
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

const desc = () => ({ dir, generation: 1 });
const pathOf = (component: Component) => componentPath(desc(), component);

async function writeClosed(compression: 'lz4' | 'none'): Promise<void> {
  keys = sortedKeys(2000);
  const options = writerOptions({ compression, chunkSizeBytes: 1024, indexSummaryInterval: 16 });
  const reader = await writeSSTable(dir, 1, entriesFor(keys), options, new ChunkCache(1 << 20));
  await reader.close();
}

async function flipByte(component: Component, offset: number): Promise<void> {
  const handle = await open(pathOf(component), 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, offset);
  byte[0]! ^= 0x5a;
  await handle.write(byte, 0, 1, offset);
  await handle.close();
}

async function fileSize(component: Component): Promise<number> {
  return (await readFile(pathOf(component))).length;
}

/** Offset of chunk_offset[0] in the offset table of a chunked file, from its footer. */
async function offsetTablePosition(component: Component): Promise<number> {
  const bytes = await readFile(pathOf(component));
  return bytes.readUInt32LE(bytes.length - 32);
}

async function expectCorruption(promise: Promise<unknown>, component: Component): Promise<CorruptionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorruptionError);
  expect((error as CorruptionError).file).toBe(pathOf(component));
  expect((error as CorruptionError).code).toBe('CORRUPTION');
  return error as CorruptionError;
}

async function getAll(reader: SSTableReader): Promise<void> {
  for (const key of keys) await reader.get(key);
}

async function scanAll(reader: SSTableReader): Promise<void> {
  for await (const _ of reader.scan());
}

describe.each(['lz4', 'none'] as const)('SSTable corruption (%s)', (compression) => {
  beforeEach(async () => {
    await writeClosed(compression);
  });

  it('FlippedByteInDataChunk is detected by get, scan and verify', async () => {
    await flipByte('Data', 16 + 100);
    const reader = await SSTableReader.open(desc(), new ChunkCache(1 << 20));
    await expectCorruption(getAll(reader), 'Data');
    await expectCorruption(scanAll(reader), 'Data');
    await expectCorruption(reader.verify(), 'Data');
    await reader.close();
  });

  it('FlippedByteInIndex is detected by get and verify', async () => {
    await flipByte('Index', 16 + 30);
    const reader = await SSTableReader.open(desc(), new ChunkCache(1 << 20));
    await expectCorruption(getAll(reader), 'Index');
    await expectCorruption(reader.verify(), 'Index');
    await reader.close();
  });

  it('FlippedByteInChunkOffsetTable is detected by open', async () => {
    await flipByte('Data', (await offsetTablePosition('Data')) + 8 * 3 + 1);
    await expectCorruption(SSTableReader.open(desc(), new ChunkCache(1 << 20)), 'Data');
  });

  it('FlippedByteInIndexFooter is detected by open', async () => {
    await flipByte('Index', (await fileSize('Index')) - 20);
    await expectCorruption(SSTableReader.open(desc(), new ChunkCache(1 << 20)), 'Index');
  });

  it('TruncatedDataFile is detected by open', async () => {
    await truncate(pathOf('Data'), (await fileSize('Data')) - 100);
    await expectCorruption(SSTableReader.open(desc(), new ChunkCache(1 << 20)), 'Data');
  });

  for (const component of ['Filter', 'Summary', 'Statistics'] as const) {
    it(`FlippedByteIn${component} is detected by open`, async () => {
      const size = await fileSize(component);
      for (const offset of [3, 20, size - 2]) {
        await flipByte(component, offset);
        await expectCorruption(SSTableReader.open(desc(), new ChunkCache(1 << 20)), component);
        await flipByte(component, offset);
      }
      const reader = await SSTableReader.open(desc(), new ChunkCache(1 << 20));
      await reader.close();
    });
  }

  it('FlippedByteInToc is detected by open', async () => {
    await flipByte('TOC', 30);
    await expectCorruption(SSTableReader.open(desc(), new ChunkCache(1 << 20)), 'TOC');
  });

  it('verify detects a component damaged after open', async () => {
    const reader = await SSTableReader.open(desc(), new ChunkCache(1 << 20));
    await reader.verify();
    const statistics = await readFile(pathOf('Statistics'));
    statistics[30]! ^= 1;
    await writeFile(pathOf('Statistics'), statistics);
    await expectCorruption(reader.verify(), 'Statistics');
    await reader.close();
  });
});
