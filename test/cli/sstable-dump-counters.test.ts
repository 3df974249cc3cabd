/**
 * `sibyl sstable dump` (a real CLI process) on an SSTable holding counter cells: each counter cell
 * is printed with its shards (counter id as uuid, clock, count) and its total.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { counterIdFromHostId } from '../../storage/counter-context.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { COUNTER_TABLE, counterKey, counterUpdate } from '../storage/fixtures/counter-table.js';
import { tempDir } from '../storage/helpers.js';

const run = promisify(execFile);
const HOST_A = '0000000a-0000-4000-8000-00000000000a';
const HOST_B = '0000000b-0000-4000-8000-00000000000b';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function dataFile(dir: string): Promise<string> {
  for (const entry of await readdir(dir, { recursive: true })) {
    if (entry.endsWith('-Data.db')) return join(dir, entry);
  }
  throw new Error(`no SSTable under ${dir}`);
}

describe('sibyl sstable dump of counter cells', () => {
  it('prints shards and total for each counter cell', async () => {
    const { dir, cleanup } = await tempDir('sibyl-dump-counters-');
    cleanups.push(cleanup);
    const engine = await StorageEngine.open({ dataDir: dir, options: { flushInWorkerThread: false } });
    await engine.addTable(COUNTER_TABLE);
    await engine.replayCommitLog();
    for (let i = 0; i < 3; i++) {
      await engine.applyCounterUpdate(
        counterUpdate(counterKey('p'), { n: 5n }, 10 + i),
        counterIdFromHostId(HOST_A),
      );
    }
    await engine.applyCounterUpdate(
      counterUpdate(counterKey('p'), { n: -1n }, 20),
      counterIdFromHostId(HOST_B),
    );
    await engine.close();
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'cli/main.ts',
      'sstable',
      'dump',
      await dataFile(dir),
    ]);
    const [line] = stdout.trim().split('\n');
    const cell = JSON.parse(line!).rows[0].cells[0];
    expect(cell).toMatchObject({
      column: 'n',
      timestamp: 20,
      counter: 'shards',
      shards: [
        { counterId: HOST_A, clock: '3', count: '15' },
        { counterId: HOST_B, clock: '1', count: '-1' },
      ],
      total: '14',
    });
    expect(cell.value).toBeUndefined();
  });
});
