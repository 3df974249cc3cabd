/**
 * The hints store on real files: the documented byte layout, round trips, corruption and torn tails
 * (docs/formats/hints.md "Torn tail or corruption"), rolling at max_hints_file_size, reopening,
 * resuming replay from an offset, truncation and the limits that refuse a hint.
 */
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { CorruptionError } from '../../../common/errors.js';
import {
  decodeHintsHeader,
  encodeHintRecord,
  encodeHintsHeader,
  HINTS_HEADER_BYTES,
  hintRecordSize,
  parseHintsFileName,
} from '../../../storage/hints/format.js';
import type { HintsStore } from '../../../storage/hints/hints-store.js';
import { tempDir } from '../helpers.js';
import { HOST_A, HOST_B, hintBytes, openStore, readAll, TABLE_ID } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: HintsStore | undefined;
const clock = new ManualClock();

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('sibyl-hints-'));
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  await cleanup();
});

/** Every hint record of these tests has the same size. */
const RECORD_BYTES = hintRecordSize(Buffer.byteLength(TABLE_ID), hintBytes(0).length);

function appendHints(target: HintsStore, hostId: string, from: number, to: number): void {
  for (let n = from; n < to; n++) {
    expect(target.append(hostId, TABLE_ID, clock.nowMs() + n, hintBytes(n))).toBe('appended');
  }
}

const serials = (records: readonly { payload: Uint8Array }[]) =>
  records
    .map(
      (record) =>
        Buffer.from(record.payload)
          .toString('latin1')
          .match(/value-(\d+)-/)![1],
    )
    .map(Number);

describe('format', () => {
  it('encodes the worked example of docs/formats/hints.md byte for byte', () => {
    const header = encodeHintsHeader('00000000-0000-4000-8000-000000000001', 1_700_000_000_000);
    const record = Buffer.alloc(hintRecordSize(2, 3));
    encodeHintRecord(record, 0, 1_700_000_000_000, Buffer.from('t1'), Buffer.from([1, 2, 3]));
    const hex = (bytes: Buffer) => bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ');
    expect(hex(header)).toBe(
      '53 42 48 54 00 01 00 00 00 00 00 00 00 00 40 00 80 00 00 00 00 00 00 01 00 00 01 8b cf e5 68 00 cf 29 ea 14',
    );
    expect(hex(record)).toBe(
      '00 00 00 0f 16 74 77 e3 c7 02 7b 13 00 00 01 8b cf e5 68 00 00 02 74 31 01 02 03',
    );
    expect(decodeHintsHeader(header)).toEqual({
      hostId: '00000000-0000-4000-8000-000000000001',
      creationMs: 1_700_000_000_000,
    });
  });

  it('names files <hostId>-<creationMs>-<version>.hints and ignores other names', () => {
    expect(parseHintsFileName(`${HOST_A}-1700000000000-1.hints`)).toEqual({
      hostId: HOST_A,
      creationMs: 1_700_000_000_000,
      version: 1,
      corrupt: false,
    });
    expect(parseHintsFileName(`${HOST_A}-17-1.hints.corrupt`)?.corrupt).toBe(true);
    expect(parseHintsFileName(`${HOST_A}-17-1.hints.tmp`)).toBeNull();
    expect(parseHintsFileName('CommitLog-1-17.log')).toBeNull();
  });
});

describe('round trip', () => {
  it('serves every hint back in order, per host, with its creation time, table and partition bytes', async () => {
    store = await openStore(dir, clock);
    for (let n = 0; n < 200; n++) {
      const host = n % 3 === 0 ? HOST_B : HOST_A;
      expect(store.append(host, TABLE_ID, 1_700_000_000_000 + n, hintBytes(n))).toBe('appended');
    }
    const a = await readAll(store, HOST_A);
    const b = await readAll(store, HOST_B);
    expect(a).toHaveLength(1);
    expect(a[0]!.outcome).toEqual({ kind: 'complete' });
    const expectedA = [...Array(200).keys()].filter((n) => n % 3 !== 0);
    expect(serials(a[0]!.records)).toEqual(expectedA);
    expect(serials(b[0]!.records)).toEqual([...Array(200).keys()].filter((n) => n % 3 === 0));
    for (const [i, record] of a[0]!.records.entries()) {
      const n = expectedA[i]!;
      expect(record.creationMs).toBe(1_700_000_000_000 + n);
      expect(record.tableId).toBe(TABLE_ID);
      expect(Buffer.from(record.payload).equals(Buffer.from(hintBytes(n)))).toBe(true);
    }
    const [fileName] = (await readdir(dir)).filter((name) => name.startsWith(HOST_A));
    expect(parseHintsFileName(fileName!)?.creationMs).toBe(clock.nowMs());
  });

  it('writes the hints of one event-loop turn with one write call, and fsyncs on close', async () => {
    store = await openStore(dir, clock);
    appendHints(store, HOST_A, 0, 1000);
    await store.sync();
    expect(store.stats.writes).toBe(1);
    expect(store.stats.bytesWritten).toBe(HINTS_HEADER_BYTES + 1000 * RECORD_BYTES);
    expect(store.stats.fsyncs).toBe(1);
    appendHints(store, HOST_A, 1000, 1001);
    await store.close();
    expect(store.stats.writes).toBe(2);
    expect(store.stats.fsyncs).toBe(2);
    store = undefined;
  });

  it('reads records that span read chunks (1 KiB chunks, 300-byte records)', async () => {
    store = await openStore(dir, clock, { readChunkBytes: 1024 });
    for (let n = 0; n < 50; n++)
      expect(store.append(HOST_A, TABLE_ID, n, hintBytes(n, 250))).toBe('appended');
    const [file] = await readAll(store, HOST_A);
    expect(serials(file!.records)).toEqual([...Array(50).keys()]);
    expect(file!.outcome).toEqual({ kind: 'complete' });
  });

  it('keeps appending to one file between replays until closeWriter rolls it', async () => {
    store = await openStore(dir, clock);
    appendHints(store, HOST_A, 0, 5);
    await store.sync();
    appendHints(store, HOST_A, 5, 10);
    const files = await readAll(store, HOST_A);
    expect(files).toHaveLength(1);
    expect(serials(files[0]!.records)).toEqual([...Array(10).keys()]);
    appendHints(store, HOST_A, 10, 12);
    const again = await readAll(store, HOST_A);
    expect(again.map((file) => serials(file.records))).toEqual([[...Array(10).keys()], [10, 11]]);
  });
});

describe('corruption and torn tails', () => {
  async function tenHintsOnDisk(): Promise<string> {
    store = await openStore(dir, clock);
    appendHints(store, HOST_A, 0, 10);
    await store.close();
    store = undefined;
    const [name] = await readdir(dir);
    return join(dir, name!);
  }

  const recordOffset = (index: number) => HINTS_HEADER_BYTES + index * RECORD_BYTES;

  async function flipBit(path: string, offset: number): Promise<void> {
    const bytes = await readFile(path);
    bytes[offset]! ^= 0x10;
    await writeFile(path, bytes);
  }

  it('a flipped bit in a record body is corruption naming file and offset; later records are not served', async () => {
    const path = await tenHintsOnDisk();
    await flipBit(path, recordOffset(4) + 40);
    store = await openStore(dir, clock);
    const [file] = await readAll(store, HOST_A);
    expect(serials(file!.records)).toEqual([0, 1, 2, 3]);
    expect(file!.outcome?.kind).toBe('corrupt');
    const error = (file!.outcome as { error: CorruptionError }).error;
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error.code).toBe('CORRUPTION');
    expect(error.file).toBe(path);
    expect(error.offset).toBe(recordOffset(4));
    expect(error.message).toContain('record checksum mismatch');
  });

  it('a flipped bit in a record length is corruption, not a record running past the end', async () => {
    const path = await tenHintsOnDisk();
    await flipBit(path, recordOffset(6) + 1);
    store = await openStore(dir, clock);
    const [file] = await readAll(store, HOST_A);
    expect(serials(file!.records)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(file!.outcome).toMatchObject({ kind: 'corrupt', error: { offset: recordOffset(6) } });
    expect((file!.outcome as { error: Error }).error.message).toContain('length checksum');
  });

  it('a damaged file header is corruption at offset 0: no record is served', async () => {
    const path = await tenHintsOnDisk();
    await flipBit(path, 10);
    store = await openStore(dir, clock);
    const [file] = await readAll(store, HOST_A);
    expect(file!.records).toEqual([]);
    expect(file!.outcome).toMatchObject({ kind: 'corrupt', error: { file: path, offset: 0 } });
  });

  it('a file cut inside its last record (a crash) is a torn tail: the hints before it are served', async () => {
    const path = await tenHintsOnDisk();
    await truncate(path, recordOffset(9) + 30);
    store = await openStore(dir, clock);
    const [file] = await readAll(store, HOST_A);
    expect(serials(file!.records)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(file!.outcome).toMatchObject({ kind: 'torn', offset: recordOffset(9) });
  });

  it('zeroes where the last records should be (the file grew before its data landed) are a torn tail', async () => {
    const path = await tenHintsOnDisk();
    const bytes = await readFile(path);
    bytes.fill(0, recordOffset(7));
    await writeFile(path, bytes);
    store = await openStore(dir, clock);
    const [file] = await readAll(store, HOST_A);
    expect(serials(file!.records)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(file!.outcome).toMatchObject({ kind: 'torn', offset: recordOffset(7) });
  });

  it('a file shorter than its header is a torn tail at 0', async () => {
    const path = await tenHintsOnDisk();
    await truncate(path, 20);
    store = await openStore(dir, clock);
    const [file] = await readAll(store, HOST_A);
    expect(file!.records).toEqual([]);
    expect(file!.outcome).toMatchObject({ kind: 'torn', offset: 0 });
  });

  it('markCorrupt sets the file aside: listed as corrupted, never replayed, kept across a reopen', async () => {
    const path = await tenHintsOnDisk();
    store = await openStore(dir, clock);
    await store.markCorrupt(store.completeFiles(HOST_A)[0]!);
    expect(await readdir(dir)).toEqual([`${path.split('/').at(-1)}.corrupt`]);
    expect(store.completeFiles(HOST_A)).toEqual([]);
    await store.close();
    store = await openStore(dir, clock);
    expect(store.hasHints(HOST_A)).toBe(false);
    expect(store.pendingHints()).toMatchObject([
      { hostId: HOST_A, totalFiles: 0, corruptedFiles: 1, corruptedFilesSizeBytes: recordOffset(10) },
    ]);
  });
});

describe('files', () => {
  it('rolls a file before a record would take it past max_hints_file_size', async () => {
    const maxFileSizeBytes = HINTS_HEADER_BYTES + 3 * RECORD_BYTES + 10;
    store = await openStore(dir, clock, { maxFileSizeBytes, maxRecordSizeBytes: RECORD_BYTES });
    appendHints(store, HOST_A, 0, 10);
    const files = await readAll(store, HOST_A);
    expect(files.map((file) => serials(file.records))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    const names = (await readdir(dir)).sort();
    const created = names.map((name) => parseHintsFileName(name)!.creationMs);
    // Same clock reading: each next file takes the previous creation time + 1, so names stay ordered.
    expect(created).toEqual([0, 1, 2, 3].map((i) => clock.nowMs() + i));
    for (const file of files)
      expect((await readFile(file.path)).length).toBeLessThanOrEqual(maxFileSizeBytes);
  });

  it('lists pending hints after a close and a reopen, and new files never reuse a name', async () => {
    store = await openStore(dir, clock);
    appendHints(store, HOST_A, 0, 4);
    await store.closeWriter(HOST_A);
    clock.advance(5_000);
    appendHints(store, HOST_A, 4, 6);
    appendHints(store, HOST_B, 0, 1);
    await store.close();
    store = await openStore(dir, clock);
    expect(store.pendingHints()).toEqual([
      {
        hostId: HOST_A,
        totalFiles: 2,
        oldestCreationMs: clock.nowMs() - 5_000,
        newestCreationMs: clock.nowMs(),
        totalSizeBytes: 2 * HINTS_HEADER_BYTES + 6 * RECORD_BYTES,
        corruptedFiles: 0,
        corruptedFilesSizeBytes: 0,
      },
      {
        hostId: HOST_B,
        totalFiles: 1,
        oldestCreationMs: clock.nowMs(),
        newestCreationMs: clock.nowMs(),
        totalSizeBytes: HINTS_HEADER_BYTES + RECORD_BYTES,
        corruptedFiles: 0,
        corruptedFilesSizeBytes: 0,
      },
    ]);
    appendHints(store, HOST_A, 6, 7);
    const files = await readAll(store, HOST_A);
    expect(files.map((file) => serials(file.records))).toEqual([[0, 1, 2, 3], [4, 5], [6]]);
    expect(files[2]!.path).toContain(`-${clock.nowMs() + 1}-1.hints`);
  });

  it('resumes reading a file at the offset its replay stopped', async () => {
    store = await openStore(dir, clock);
    appendHints(store, HOST_A, 0, 10);
    await store.closeWriter(HOST_A);
    const file = store.completeFiles(HOST_A)[0]!;
    store.markDispatched(file, HINTS_HEADER_BYTES + 6 * RECORD_BYTES);
    const [contents] = await readAll(store, HOST_A);
    expect(serials(contents!.records)).toEqual([6, 7, 8, 9]);
  });

  it('truncate deletes a host’s files (corrupt ones too); other hosts keep theirs', async () => {
    store = await openStore(dir, clock);
    appendHints(store, HOST_A, 0, 3);
    await store.closeWriter(HOST_A);
    await store.markCorrupt(store.completeFiles(HOST_A)[0]!);
    appendHints(store, HOST_A, 3, 5);
    appendHints(store, HOST_B, 0, 2);
    await store.truncate(HOST_A);
    expect(store.pendingHints().map((info) => info.hostId)).toEqual([HOST_B]);
    expect((await readdir(dir)).every((name) => name.startsWith(HOST_B))).toBe(true);
    await store.truncate();
    expect(store.pendingHints()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('limits', () => {
  it('refuses a hint larger than the largest record, and hints past the write buffer', async () => {
    store = await openStore(dir, clock, { maxRecordSizeBytes: 256, maxBufferedBytes: 2_000 });
    expect(store.append(HOST_A, TABLE_ID, 1, hintBytes(1, 300))).toBe('too-large');
    // Nothing is written until the IO loop runs: the buffer fills within one turn.
    const results = [...Array(40).keys()].map((n) => store!.append(HOST_A, TABLE_ID, n, hintBytes(n)));
    const appended = results.filter((result) => result === 'appended').length;
    expect(results.slice(appended).every((result) => result === 'overloaded')).toBe(true);
    expect(appended).toBe(Math.floor((2_000 - HINTS_HEADER_BYTES) / RECORD_BYTES));
    const [file] = await readAll(store, HOST_A);
    expect(serials(file!.records)).toEqual([...Array(appended).keys()]);
    // Once written, the buffer takes hints again.
    expect(store.append(HOST_A, TABLE_ID, 99, hintBytes(99))).toBe('appended');
    await store.close();
    expect(store.append(HOST_A, TABLE_ID, 100, hintBytes(100))).toBe('closed');
  });

  it('refuses to open with a file size that cannot hold a record', async () => {
    await expect(
      openStore(dir, clock, { maxFileSizeBytes: 1000, maxRecordSizeBytes: 4096 }),
    ).rejects.toMatchObject({
      code: 'HINTS_INVALID_OPTIONS',
    });
  });
});
