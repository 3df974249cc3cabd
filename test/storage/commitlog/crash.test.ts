import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crashPayload, crashTable, sequenceOf } from './crash-records.js';
import { makeTempDir, removeDir, replayAll, testOptions } from './helpers.js';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Kill once this many appends were acknowledged (enough to span several 16 KiB segments). */
const ACKS_BEFORE_KILL = 3000;

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

/** Collects the acknowledged sequence numbers printed by the writer; resolves once `count` arrived. */
function collectAcks(child: ChildProcess, count: number): { acked: Set<number>; reached: Promise<void> } {
  const acked = new Set<number>();
  let partial = '';
  const reached = new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`writer exited early (${code ?? signal})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) acked.add(Number(line));
      if (acked.size >= count) resolve();
    });
  });
  return { acked, reached };
}

describe('crash (kill -9) in batch mode', () => {
  it('replays every acknowledged record intact', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const { acked, reached } = collectAcks(child, ACKS_BEFORE_KILL);
    const exited = once(child, 'exit');
    await reached;
    child.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    // 'exit' can come before the last stdout bytes: wait for the pipe to end too.
    if (!child.stdout!.readableEnded) await once(child.stdout!, 'end');

    const { log, records } = await replayAll(
      dir,
      testOptions({ segmentSizeBytes: 16 * 1024, maxRecordSizeBytes: 4096 }),
    );
    await log.close();
    const replayed = new Map<number, (typeof records)[number]>();
    for (const record of records) {
      const seq = sequenceOf(record.payload);
      expect(replayed.has(seq)).toBe(false);
      replayed.set(seq, record);
      // Every replayed record, acknowledged or not, is exactly what was appended.
      expect(record.tableId).toBe(crashTable(seq));
      expect(Buffer.from(record.payload)).toEqual(Buffer.from(crashPayload(seq)));
    }
    expect(acked.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    const missing = [...acked].filter((seq) => !replayed.has(seq));
    expect(missing).toEqual([]);
    expect(log.segmentFiles().length).toBeGreaterThan(2);
  });
});
