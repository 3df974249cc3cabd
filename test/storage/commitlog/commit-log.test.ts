import { readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { CommitLog, comparePositions } from '../../../storage/commitlog/commit-log.js';
import { SEGMENT_HEADER_BYTES } from '../../../storage/commitlog/format.js';
import { appendMany, makeTempDir, payloadFor, removeDir, replayAll, testOptions } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('CommitLog round trip', () => {
  it('replays every record of several segments, in order, at the positions append returned', async () => {
    const log = await CommitLog.open(dir, testOptions({ segmentSizeBytes: 4096, maxRecordSizeBytes: 1024 }));
    const appended = await appendMany(log, 600);
    expect(log.currentPosition()).toEqual(appended.at(-1)!.position);
    await log.close();
    const files = log.segmentFiles();
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(basename(file)).toMatch(/^CommitLog-1-\d+\.log$/);
      expect((await stat(file)).size).toBeLessThanOrEqual(4096);
    }

    const {
      log: reopened,
      records,
      result,
    } = await replayAll(dir, testOptions({ segmentSizeBytes: 4096, maxRecordSizeBytes: 1024 }));
    expect(result).toEqual({ records: 600, skipped: 0, tornTailDropped: false });
    expect(records.map((r) => r.tableId)).toEqual(appended.map((a) => a.tableId));
    expect(records.map((r) => r.position)).toEqual(appended.map((a) => a.position));
    expect(records.map((r) => Buffer.from(r.payload))).toEqual(appended.map((a) => Buffer.from(a.payload)));
    await reopened.close();
  });

  it('gives positions that increase with every append, across segment boundaries', async () => {
    const log = await CommitLog.open(dir, testOptions({ segmentSizeBytes: 2048, maxRecordSizeBytes: 1024 }));
    const appended = await appendMany(log, 200);
    for (let i = 1; i < appended.length; i++) {
      expect(comparePositions(appended[i - 1]!.position, appended[i]!.position)).toBeLessThan(0);
    }
    await log.close();
  });

  it('starts a new segment after a restart, with an id above every existing one, even if the clock went back', async () => {
    const first = await CommitLog.open(dir, testOptions({ clock: new ManualClock(5_000) }));
    const before = await appendMany(first, 10);
    await first.close();
    const second = await CommitLog.open(dir, testOptions({ clock: new ManualClock(1_000) }));
    await second.replay(
      () => null,
      () => {},
    );
    const after = await second.append('ks.t1', payloadFor(1, 10));
    expect(after.segmentId).toBeGreaterThan(before.at(-1)!.position.segmentId);
    expect(second.segmentFiles()).toHaveLength(2);
    await second.close();
  });

  it('accepts a record exactly at maxRecordSizeBytes', async () => {
    const log = await CommitLog.open(dir, testOptions({ maxRecordSizeBytes: 1000 }));
    const tableId = 'ks.t';
    // 12-byte header + 2-byte table id length + table id + payload.
    const position = await log.append(tableId, new Uint8Array(1000 - 12 - 2 - tableId.length));
    expect(position.offset).toBe(SEGMENT_HEADER_BYTES + 1000);
    await log.close();
  });
});

describe('OversizedRecordRejected', () => {
  it('rejects a record over maxRecordSizeBytes with a clear error and writes nothing', async () => {
    const log = await CommitLog.open(dir, testOptions({ maxRecordSizeBytes: 1000 }));
    const before = log.currentPosition();
    await expect(log.append('ks.t', new Uint8Array(1000))).rejects.toMatchObject({
      code: 'COMMITLOG_RECORD_TOO_LARGE',
      message: expect.stringContaining('over the limit of 1000 bytes'),
    });
    expect(log.currentPosition()).toEqual(before);
    await log.sync();
    expect(log.segmentFiles()).toEqual([]);
    // The log is still usable.
    await log.append('ks.t', new Uint8Array(10));
    await log.close();
    const { log: reopened, records } = await replayAll(dir);
    expect(records.map((r) => r.payload.length)).toEqual([10]);
    await reopened.close();
  });
});

describe('replay from flushed positions', () => {
  it('applies, per table, only the records after the position that table was flushed to', async () => {
    const log = await CommitLog.open(dir, testOptions({ segmentSizeBytes: 4096, maxRecordSizeBytes: 1024 }));
    const appended = await appendMany(log, 300, ['a', 'b', 'c']);
    await log.close();
    const ofTable = (t: string) => appended.filter((r) => r.tableId === t);
    const flushedA = ofTable('a')[40]!.position;
    const flushedB = ofTable('b')[5]!.position;
    const replayFrom = (t: string) => (t === 'a' ? flushedA : t === 'b' ? flushedB : null);

    const { log: reopened, records, result } = await replayAll(dir, testOptions(), replayFrom);
    const expected = appended.filter((r) => {
      const from = replayFrom(r.tableId);
      return from === null || comparePositions(r.position, from) > 0;
    });
    expect(records.map((r) => [r.tableId, r.position])).toEqual(expected.map((r) => [r.tableId, r.position]));
    expect(result.records).toBe(expected.length);
    expect(result.skipped).toBe(41 + 6);
    expect(records.some((r) => r.tableId === 'c' && r.position.offset === appended[2]!.position.offset)).toBe(
      true,
    );
    await reopened.close();
  });
});

describe('segment deletion', () => {
  it('deletes a segment only once every table with records in it is flushed past them', async () => {
    const log = await CommitLog.open(dir, testOptions({ segmentSizeBytes: 2048, maxRecordSizeBytes: 1024 }));
    // Segments early on hold tables a and b; later ones only a.
    await appendMany(log, 40, ['a', 'b'], () => 100);
    const lastOfB = log.currentPosition();
    await appendMany(log, 60, ['a'], () => 100);
    const segmentsBefore = log.segmentFiles();
    expect(segmentsBefore.length).toBeGreaterThan(4);

    await log.discardCompletedSegments('b', lastOfB);
    expect(log.segmentFiles()).toEqual(segmentsBefore); // a is not flushed anywhere yet

    await log.discardCompletedSegments('a', log.currentPosition());
    const active = segmentsBefore.at(-1)!;
    expect(log.segmentFiles()).toEqual([active]); // the active segment stays
    await expect(stat(segmentsBefore[0]!)).rejects.toMatchObject({ code: 'ENOENT' });
    await log.close();
  });

  it('keeps a segment while a table is flushed only part of the way through it', async () => {
    const log = await CommitLog.open(dir, testOptions({ segmentSizeBytes: 2048, maxRecordSizeBytes: 1024 }));
    const appended = await appendMany(log, 40, ['a'], () => 100);
    const firstSegment = log.segmentFiles()[0]!;
    const inFirst = appended.filter((r) => r.position.segmentId === appended[0]!.position.segmentId);
    await log.discardCompletedSegments('a', inFirst.at(-2)!.position);
    expect(log.segmentFiles()).toContain(firstSegment);
    await log.discardCompletedSegments('a', inFirst.at(-1)!.position);
    expect(log.segmentFiles()).not.toContain(firstSegment);
    await log.close();
  });

  it('after replay, keeps replayed segments until their tables are flushed, and drops those already flushed', async () => {
    const options = testOptions({ segmentSizeBytes: 2048, maxRecordSizeBytes: 1024 });
    const log = await CommitLog.open(dir, options);
    const appended = await appendMany(log, 60, ['a', 'b'], () => 100);
    await log.close();
    const oldFiles = log.segmentFiles();
    // Table b was flushed past everything, table a up to its first segment.
    const firstSegmentId = appended[0]!.position.segmentId;
    const lastOfAInFirst = appended
      .filter((r) => r.tableId === 'a' && r.position.segmentId === firstSegmentId)
      .at(-1)!;
    const { log: reopened } = await replayAll(dir, options, (t) =>
      t === 'b' ? appended.at(-1)!.position : lastOfAInFirst.position,
    );
    expect(reopened.segmentFiles()).toEqual(oldFiles.slice(1));
    await reopened.discardCompletedSegments('a', reopened.currentPosition());
    expect(reopened.segmentFiles()).toEqual([]);
    await reopened.close();
  });
});

describe('sync modes', () => {
  for (const sync of ['periodic', 'batch', 'group'] as const) {
    it(`${sync}: resolves every append with its position, and the records replay`, async () => {
      const options = testOptions({ sync, syncPeriodMs: 5, groupWindowMs: 2 });
      const log = await CommitLog.open(dir, options);
      const appended = await appendMany(log, 500);
      // More appends in a second wave, while earlier ones may still be syncing.
      const wave = appendMany(log, 100);
      await log.sync();
      const second = await wave;
      await log.close();
      const { log: reopened, records } = await replayAll(dir, options);
      expect(records.map((r) => r.position)).toEqual([...appended, ...second].map((r) => r.position));
      await reopened.close();
    });
  }

  it('periodic: fsyncs in the background once an eighth of a segment is unsynced, without waiting for the timer', async () => {
    // One 64 KiB segment, a timer that never fires during the test: 4 KiB stays below the early
    // threshold (8 KiB), 12 KiB more goes past it. Appends settle without waiting for that fsync.
    const options = testOptions({ segmentSizeBytes: 64 * 1024, syncPeriodMs: 600_000 });
    const log = await CommitLog.open(dir, options);
    await appendMany(log, 4, ['ks.t1'], () => 1000);
    expect(log.fsyncs).toBe(0);
    const appended = await appendMany(log, 12, ['ks.t1'], () => 1000);
    expect(log.fsyncs).toBe(1);
    expect(log.segmentFiles()).toHaveLength(1);
    await log.close();
    const { log: reopened, records } = await replayAll(dir, options);
    expect(records.slice(4).map((r) => r.position)).toEqual(appended.map((a) => a.position));
    await reopened.close();
  });

  it('sync() on an idle log resolves', async () => {
    const log = await CommitLog.open(dir, testOptions({ sync: 'batch' }));
    await log.sync();
    await log.close();
  });
});

describe('closing and failure', () => {
  it('rejects appends and syncs after close; close twice is harmless', async () => {
    const log = await CommitLog.open(dir, testOptions());
    await log.append('t', new Uint8Array(3));
    await log.close();
    await log.close();
    await expect(log.append('t', new Uint8Array(3))).rejects.toMatchObject({ code: 'COMMITLOG_CLOSED' });
    await expect(log.sync()).rejects.toMatchObject({ code: 'COMMITLOG_CLOSED' });
  });

  it('close writes and syncs appends still queued', async () => {
    const log = await CommitLog.open(dir, testOptions({ sync: 'group', groupWindowMs: 60_000 }));
    const pending = appendMany(log, 50);
    await log.close();
    expect(await pending).toHaveLength(50);
    const { log: reopened, records } = await replayAll(dir);
    expect(records).toHaveLength(50);
    await reopened.close();
  });

  it('an IO error rejects the waiting appends and fails the log for good', async () => {
    const log = await CommitLog.open(dir, testOptions({ sync: 'batch' }));
    await rm(dir, { recursive: true }); // the next segment cannot be created
    const appends = [log.append('t', new Uint8Array(3)), log.append('t', new Uint8Array(4))];
    for (const append of appends) await expect(append).rejects.toMatchObject({ code: 'COMMITLOG_FAILED' });
    await expect(log.append('t', new Uint8Array(3))).rejects.toMatchObject({ code: 'COMMITLOG_FAILED' });
    await expect(log.sync()).rejects.toMatchObject({ code: 'COMMITLOG_FAILED' });
    await log.close();
  });

  it('refuses to open a directory holding a segment of another format version', async () => {
    const log = await CommitLog.open(dir, testOptions());
    await log.append('t', new Uint8Array(3));
    await log.close();
    const [file] = log.segmentFiles();
    const bytes = await readFile(file!);
    await unlink(file!);
    await writeFile(file!.replace('CommitLog-1-', 'CommitLog-2-'), bytes);
    await expect(CommitLog.open(dir, testOptions())).rejects.toMatchObject({
      code: 'COMMITLOG_UNSUPPORTED_VERSION',
    });
  });

  it('rejects options where the largest record does not fit in a segment', async () => {
    await expect(
      CommitLog.open(dir, testOptions({ segmentSizeBytes: 1024, maxRecordSizeBytes: 1024 })),
    ).rejects.toMatchObject({ code: 'COMMITLOG_INVALID_OPTIONS' });
  });
});
