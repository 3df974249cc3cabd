/** The worked example of docs/formats/sstable.md, byte for byte. */
import { readFile } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkCache, componentPath } from '../../../storage/sstable/sstable.js';
import { makeTempDir, removeTempDir, writerOptions, writeSSTable } from './sstable-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('SSTable format worked example', () => {
  it('writes the Data and Index files the format doc shows', async () => {
    const key = { token: 0x0102030405060708n, key: Buffer.from('k1') };
    const options = writerOptions({ chunkSizeBytes: 32, compression: 'none', expectedPartitions: 1 });
    const reader = await writeSSTable(
      dir,
      7,
      [{ key, partition: hex('aabbcc') }],
      options,
      new ChunkCache(1024),
    );
    await reader.close();

    const stream = hex('0807060504030201 0200 6b31 03000000 aabbcc');
    const data = await readFile(componentPath({ dir, generation: 7 }, 'Data'));
    expect(data.length).toBe(79);
    expect(data.subarray(0, 12)).toEqual(hex('5342594c 0100 01 00 20000000'));
    expect(data.readUInt32LE(12)).toBe(crc32c(data.subarray(0, 12)));
    expect(data.subarray(16, 35)).toEqual(stream);
    expect(data.readUInt32LE(35)).toBe(crc32c(stream));
    expect(data.subarray(39, 67)).toEqual(hex('1000000000000000 2700000000000000 1300000000000000 01000000'));
    expect(data.readUInt32LE(67)).toBe(crc32c(data.subarray(39, 47)));
    expect(data.readUInt32LE(71)).toBe(crc32c(data.subarray(47, 71)));
    expect(data.subarray(75)).toEqual(hex('5342594c'));

    const index = await readFile(componentPath({ dir, generation: 7 }, 'Index'));
    expect(index.length).toBe(84);
    expect(index.subarray(16, 40)).toEqual(hex('0807060504030201 0200 6b31 0000000000000000 03000000'));

    const toc = (await readFile(componentPath({ dir, generation: 7 }, 'TOC'))).toString();
    expect(toc).toMatch(
      /^Sibyl-SSTable-Format 1\nData.db 79\nIndex.db 84\nSummary.db \d+\nFilter.db \d+\nStatistics.db \d+\nCRC32C [0-9a-f]{8}\n$/,
    );
    // Pinned: the exact bytes printed in the doc, checksums included.
    expect(data.toString('hex')).toBe(
      '5342594c0100010020000000cd93bca6080706050403020102006b3103000000aabbcc1efb1acc1000000000000000' +
        '27000000000000001300000000000000010000003ebb5e08b25756955342594c',
    );
  });
});
