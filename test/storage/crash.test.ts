/**
 * kill -9 tests: a child process writes through the storage engine and is killed with SIGKILL at
 * random moments (while flushes and compactions run); after each restart every acknowledged write
 * is present and no write is half-applied.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { getToken } from '../../ring/murmur3-partitioner.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { CRASH_TABLE, seqKey } from './fixtures/crash-table.js';
import { tempDir } from './helpers.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts a writer and kills it with SIGKILL once it has acknowledged `killAfter` writes. */
async function runUntilKilled(
  dataDir: string,
  sync: string,
  start: number,
  killAfter: number,
): Promise<Set<number>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/storage/fixtures/crash-writer.ts', dataDir, sync, String(start)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const acked = new Set<number>();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (!line.startsWith('ack ')) continue;
    acked.add(Number(line.slice(4)));
    if (acked.size === killAfter) child.kill('SIGKILL');
  }
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
  return acked;
}

async function verify(dataDir: string, acked: Set<number>): Promise<number> {
  const engine = await StorageEngine.open({ dataDir });
  await engine.addTable(CRASH_TABLE);
  await engine.replayCommitLog();
  try {
    for (const seq of acked) {
      const key = seqKey(seq);
      const p = await engine.read(CRASH_TABLE.id, { token: getToken(key), key });
      expect(p?.rows[0]?.cells.length, `acknowledged write ${seq}`).toBe(2);
    }
    let rows = 0;
    for await (const p of engine.scan(CRASH_TABLE.id)) {
      const [a, b] = p.rows[0]!.cells;
      expect(Buffer.compare(a!.value!, b!.value!), 'both cells of one write are present together').toBe(0);
      rows++;
    }
    return rows;
  } finally {
    await engine.close({ flush: false });
  }
}

describe('crash safety (SIGKILL)', () => {
  for (const sync of ['batch', 'periodic'] as const) {
    it(`every acknowledged write survives repeated kill -9 in ${sync} mode`, async () => {
      const { dir, cleanup } = await tempDir('sibyl-crash-');
      try {
        const all = new Set<number>();
        let start = 0;
        for (let round = 0; round < 3; round++) {
          const killAfter = 500 + Math.floor(Math.random() * 4000);
          const acked = await runUntilKilled(dir, sync, start, killAfter);
          for (const seq of acked) all.add(seq);
          start += 1_000_000;
          const rows = await verify(dir, all);
          expect(rows).toBeGreaterThanOrEqual(all.size);
        }
      } finally {
        await cleanup();
      }
    });
  }
});
