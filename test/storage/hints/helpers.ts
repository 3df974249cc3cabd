/** Shared by the hints tests: a store on a temp dir, hints to write, reading every file back. */
import { pino } from 'pino';
import type { Clock } from '../../../common/clock.js';
import type { HintRecord, HintsReadOutcome } from '../../../storage/hints/hints-reader.js';
import type { HintsStoreOptions } from '../../../storage/hints/hints-store.js';
import { HintsStore } from '../../../storage/hints/hints-store.js';
import type { Partition } from '../../../storage/model.js';
import { encodePartition } from '../../../storage/partition-codec.js';
import { cell, key, partition, row } from '../helpers.js';

export const HOST_A = '00000000-0000-4000-8000-00000000000a';
export const HOST_B = '00000000-0000-4000-8000-00000000000b';
export const TABLE_ID = '11111111-0000-4000-8000-000000000001';

/** Tests provoke failures on purpose; their log lines are noise. */
export const quiet = pino({ level: 'silent' });

export function storeOptions(clock: Clock, overrides: Partial<HintsStoreOptions> = {}): HintsStoreOptions {
  return {
    maxFileSizeBytes: 1024 * 1024,
    flushPeriodMs: 10_000,
    maxRecordSizeBytes: 4096,
    maxBufferedBytes: 1024 * 1024,
    readChunkBytes: 64 * 1024,
    clock,
    log: quiet,
    ...overrides,
  };
}

export function openStore(dir: string, clock: Clock, overrides: Partial<HintsStoreOptions> = {}) {
  return HintsStore.open(dir, storeOptions(clock, overrides));
}

/** Hint number `n`: one row whose cell carries `n` in its value and its timestamp. */
export function hintPartition(n: number, valueBytes = 20): Partition {
  const value = `value-${n}-`.padEnd(valueBytes, 'x');
  return partition(key(n), [row([], [cell('v', value, 1_000_000 + n)])]);
}

export function hintBytes(n: number, valueBytes = 20): Uint8Array {
  return encodePartition(hintPartition(n, valueBytes));
}

export interface FileContents {
  readonly path: string;
  readonly records: HintRecord[];
  readonly outcome: HintsReadOutcome | null;
}

/** Closes the host's writer and reads each of its complete files to its end. */
export async function readAll(store: HintsStore, hostId: string): Promise<FileContents[]> {
  await store.closeWriter(hostId);
  const contents: FileContents[] = [];
  for (const file of store.completeFiles(hostId)) {
    const reader = await store.openReader(file);
    const records: HintRecord[] = [];
    try {
      for (let record = await reader.next(); record !== null; record = await reader.next())
        records.push(record);
    } finally {
      await reader.close();
    }
    contents.push({ path: file.path, records, outcome: reader.outcome });
  }
  return contents;
}
