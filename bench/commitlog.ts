import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { storageDefaults } from '../common/limits.js';
import { CommitLog, type CommitLogSync } from '../storage/commitlog/commit-log.js';
import { slidingWindow, type WindowResult } from './window.js';

/*
 * Commit log appends per second with 64 appends in flight and ~150-byte payloads, in each sync mode,
 * against leveldb's write-ahead log (classic-level puts of the same bytes: sync=false for periodic,
 * sync=true for batch and group). Record counts per mode are sized so each run takes about a second.
 */
const IN_FLIGHT = 64;
const PAYLOAD_BYTES = 150;
const TABLE_ID = 'b7c1e8a0-0d3f-11ef-9a4b-2f5e3c7d9e01';
const RECORDS: Record<CommitLogSync, number> = { periodic: 1_000_000, batch: 100_000, group: 20_000 };

function payloads(): Uint8Array[] {
  const list: Uint8Array[] = [];
  let state = 0x2545f491;
  for (let i = 0; i < 1024; i++) {
    const bytes = new Uint8Array(PAYLOAD_BYTES);
    for (let j = 0; j < PAYLOAD_BYTES; j++)
      bytes[j] = (state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 24;
    list.push(bytes);
  }
  return list;
}

async function benchCommitLog(dir: string, sync: CommitLogSync, data: Uint8Array[]): Promise<WindowResult> {
  const log = await CommitLog.open(join(dir, `commitlog-${sync}`), {
    segmentSizeBytes: storageDefaults.commitlogSegmentSizeBytes,
    sync,
    syncPeriodMs: storageDefaults.commitlogSyncPeriodMs,
    groupWindowMs: storageDefaults.commitlogSyncGroupWindowMs,
    maxRecordSizeBytes: storageDefaults.maxMutationSizeBytes,
  });
  const result = await slidingWindow(RECORDS[sync], IN_FLIGHT, (i) =>
    log.append(TABLE_ID, data[i % data.length]!),
  );
  await log.close();
  return result;
}

async function benchLevel(dir: string, sync: CommitLogSync, data: Uint8Array[]): Promise<WindowResult> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(join(dir, `level-${sync}`), {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await db.open();
  const key = (i: number): Uint8Array => Buffer.from(`${TABLE_ID}:${i}`);
  const options = { sync: sync !== 'periodic' };
  const result = await slidingWindow(RECORDS[sync], IN_FLIGHT, (i) =>
    db.put(key(i), data[i % data.length]!, options),
  );
  await db.close();
  return result;
}

export async function run(): Promise<Record<string, WindowResult>> {
  const dir = await mkdtemp(join(tmpdir(), 'sibyl-bench-commitlog-'));
  const data = payloads();
  const results: Record<string, WindowResult> = {};
  try {
    for (const sync of ['periodic', 'batch', 'group'] as const) {
      const ours = await benchCommitLog(dir, sync, data);
      const reference = await benchLevel(dir, sync, data);
      results[`commitlog-${sync}`] = ours;
      results[`leveldb-${sync}`] = reference;
      console.log(
        `commitlog ${sync.padEnd(8)} ${String(ours.opsPerSecond).padStart(9)} records/s ` +
          `(p50 ${ours.p50Micros} µs, p99 ${ours.p99Micros} µs)   leveldb ${String(reference.opsPerSecond).padStart(9)} puts/s`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ bench: 'commitlog', results }));
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
