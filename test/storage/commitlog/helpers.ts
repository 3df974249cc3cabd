import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CommitLog,
  type CommitLogOptions,
  type CommitLogPosition,
} from '../../../storage/commitlog/commit-log.js';

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sibyl-commitlog-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function testOptions(overrides: Partial<CommitLogOptions> = {}): CommitLogOptions {
  return {
    segmentSizeBytes: 64 * 1024,
    sync: 'periodic',
    syncPeriodMs: 10_000,
    groupWindowMs: 5,
    maxRecordSizeBytes: 16 * 1024,
    ...overrides,
  };
}

export interface Appended {
  readonly tableId: string;
  readonly payload: Uint8Array;
  readonly position: CommitLogPosition;
}

export interface Replayed {
  readonly tableId: string;
  readonly payload: Uint8Array;
  readonly position: CommitLogPosition;
}

/** A payload whose bytes are derived from `seq` (so a replayed record can be checked), `size` long. */
export function payloadFor(seq: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seq * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** Appends `count` records (all in flight at once), round-robin over `tables`, of varied sizes. */
export async function appendMany(
  log: CommitLog,
  count: number,
  tables: readonly string[] = ['ks.t1', 'ks.t2', 'ks.t3'],
  sizeOf: (seq: number) => number = (seq) => 20 + ((seq * 37) % 300),
): Promise<Appended[]> {
  const pending: Promise<Appended>[] = [];
  for (let seq = 0; seq < count; seq++) {
    const tableId = tables[seq % tables.length]!;
    const payload = payloadFor(seq, sizeOf(seq));
    pending.push(log.append(tableId, payload).then((position) => ({ tableId, payload, position })));
  }
  return Promise.all(pending);
}

/** Opens `dir` and replays everything in it (nothing flushed). */
export async function replayAll(
  dir: string,
  options: CommitLogOptions = testOptions(),
  replayFrom: (tableId: string) => CommitLogPosition | null = () => null,
): Promise<{ log: CommitLog; records: Replayed[]; result: Awaited<ReturnType<CommitLog['replay']>> }> {
  const log = await CommitLog.open(dir, options);
  const records: Replayed[] = [];
  try {
    const result = await log.replay(replayFrom, (tableId, payload, position) => {
      records.push({ tableId, payload, position });
    });
    return { log, records, result };
  } catch (error) {
    await log.close();
    throw error;
  }
}

/** Flips (xors with 0xff) the byte at `offset` of `file`. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  if (offset >= bytes.length) throw new Error(`offset ${offset} is past the end of ${file}`);
  bytes[offset]! ^= 0xff;
  await writeFile(file, bytes);
}
