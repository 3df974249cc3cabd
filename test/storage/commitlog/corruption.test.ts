import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '../../../common/errors.js';
import { CommitLog } from '../../../storage/commitlog/commit-log.js';
import { SEGMENT_HEADER_BYTES } from '../../../storage/commitlog/format.js';
import {
  type Appended,
  appendMany,
  flipByte,
  makeTempDir,
  removeDir,
  replayAll,
  testOptions,
} from './helpers.js';

/*
 * The named damage cases of docs/formats/commitlog.md "Torn tail or corruption". Each writes a real
 * log, damages its files, reopens and replays.
 */
const options = testOptions({ segmentSizeBytes: 4096, maxRecordSizeBytes: 1024 });
let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function writeLog(count: number): Promise<{ appended: Appended[]; files: string[] }> {
  const log = await CommitLog.open(dir, options);
  const appended = await appendMany(log, count, ['ks.t1', 'ks.t2'], () => 100);
  await log.close();
  return { appended, files: log.segmentFiles() };
}

/** Offset where record `index` starts: the end of the previous record of its segment, or the header. */
function recordStart(appended: Appended[], index: number): number {
  const record = appended[index]!;
  const previous = appended[index - 1];
  return previous !== undefined && previous.position.segmentId === record.position.segmentId
    ? previous.position.offset
    : SEGMENT_HEADER_BYTES;
}

async function expectCorruption(file: string, offset: number): Promise<void> {
  const error = await replayAll(dir, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorruptionError);
  expect(error).toMatchObject({ code: 'CORRUPTION', file, offset });
  expect((error as Error).message).toContain(`${file} at offset ${offset}`);
}

describe('TruncatedTailRecordIsDropped', () => {
  it('drops a last record cut short, truncates the file, and later restarts replay cleanly', async () => {
    const { appended, files } = await writeLog(10);
    const last = files.at(-1)!;
    await truncate(last, (await stat(last)).size - 5);

    const first = await replayAll(dir, options);
    expect(first.result).toEqual({ records: 9, skipped: 0, tornTailDropped: true });
    expect(first.records.map((r) => r.position)).toEqual(appended.slice(0, 9).map((r) => r.position));
    expect((await stat(last)).size).toBe(appended[8]!.position.offset);
    await first.log.append('ks.t1', new Uint8Array(7));
    await first.log.close();

    // The once-torn segment is no longer the last one: it must now read as complete.
    const second = await replayAll(dir, options);
    expect(second.result).toEqual({ records: 10, skipped: 0, tornTailDropped: false });
    await second.log.close();
  });

  it('drops a record whose header itself is cut short', async () => {
    const { appended, files } = await writeLog(3);
    await truncate(files.at(-1)!, recordStart(appended, 2) + 7);
    const { log, result } = await replayAll(dir, options);
    expect(result).toEqual({ records: 2, skipped: 0, tornTailDropped: true });
    await log.close();
  });

  it('drops a zero-filled tail (a file extended before its data reached the disk)', async () => {
    const { files } = await writeLog(5);
    await appendFile(files.at(-1)!, Buffer.alloc(300));
    const { log, result } = await replayAll(dir, options);
    expect(result).toEqual({ records: 5, skipped: 0, tornTailDropped: true });
    await log.close();
  });

  it('deletes a last segment whose header did not survive', async () => {
    const { files } = await writeLog(60);
    expect(files.length).toBeGreaterThan(1);
    await truncate(files.at(-1)!, 11);
    const { log, result } = await replayAll(dir, options);
    expect(result.tornTailDropped).toBe(true);
    expect(log.segmentFiles()).toEqual(files.slice(0, -1));
    await log.close();
  });
});

describe('FlippedByteInRecordHeader', () => {
  for (const [field, at] of [
    ['length', 2],
    ['length checksum', 5],
    ['checksum', 9],
  ] as const) {
    it(`reports corruption at the record when its ${field} is damaged and records follow`, async () => {
      const { appended, files } = await writeLog(10);
      const start = recordStart(appended, 4);
      await flipByte(files.at(-1)!, start + at);
      await expectCorruption(files.at(-1)!, start);
    });
  }
});

describe('FlippedByteInPayload', () => {
  it('reports corruption at the record when records follow it', async () => {
    const { appended, files } = await writeLog(10);
    const start = recordStart(appended, 4);
    await flipByte(files.at(-1)!, start + 60);
    await expectCorruption(files.at(-1)!, start);
  });

  it('treats damage in the very last record of the last segment as a torn tail (documented)', async () => {
    const { appended, files } = await writeLog(10);
    await flipByte(files.at(-1)!, recordStart(appended, 9) + 60);
    const { log, result } = await replayAll(dir, options);
    expect(result).toEqual({ records: 9, skipped: 0, tornTailDropped: true });
    await log.close();
  });
});

describe('FlippedByteInSegmentHeader', () => {
  for (const [field, at] of [
    ['magic', 1],
    ['version', 5],
    ['segment id', 14],
    ['header checksum', 17],
  ] as const) {
    it(`reports corruption at offset 0 when the ${field} is damaged`, async () => {
      const { files } = await writeLog(10);
      await flipByte(files.at(-1)!, at);
      await expectCorruption(files.at(-1)!, 0);
    });
  }

  it('reports a header naming another segment than its file', async () => {
    const { files } = await writeLog(60);
    await writeFile(files.at(-1)!, await readFile(files[0]!));
    await expectCorruption(files.at(-1)!, 0);
  });
});

describe('CorruptionInNonLastSegmentStopsReplay', () => {
  it('names the file and offset of a damaged record in an earlier segment, and applies nothing after it', async () => {
    const { appended, files } = await writeLog(120);
    expect(files.length).toBeGreaterThan(2);
    const firstSegment = appended.filter((r) => r.position.segmentId === appended[0]!.position.segmentId);
    const start = recordStart(appended, 3);
    await flipByte(files[0]!, start + 40);
    const log = await CommitLog.open(dir, options);
    const applied: number[] = [];
    const error = await log
      .replay(
        () => null,
        (_t, _p, position) => {
          applied.push(position.offset);
        },
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    await log.close();
    expect(error).toMatchObject({ code: 'CORRUPTION', file: files[0], offset: start });
    expect((error as Error).message).toMatch(
      new RegExp(`${files[0]}.*offset ${start}.*not the last segment`),
    );
    expect(applied).toEqual(firstSegment.slice(0, 3).map((r) => r.position.offset));
  });

  it('does not take a cut-short earlier segment for a torn tail', async () => {
    const { appended, files } = await writeLog(120);
    const firstSegmentEnd = appended
      .filter((r) => r.position.segmentId === appended[0]!.position.segmentId)
      .at(-1)!;
    await truncate(files[0]!, firstSegmentEnd.position.offset - 3);
    await expectCorruption(files[0]!, recordStart(appended, appended.indexOf(firstSegmentEnd)));
  });
});
