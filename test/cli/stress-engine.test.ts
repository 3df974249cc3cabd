/** `sibyl stress engine`: the storage engine alone, as a child process in a temporary data directory. */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../storage/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('sibyl-stress-engine-');
  dir = temp.dir;
  cleanup = temp.cleanup;
});

afterAll(async () => {
  await cleanup?.();
});

function engine(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sibyl.js', 'stress', 'engine', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('sibyl stress engine', () => {
  it('writes, flushes, compacts and reads every row back', async () => {
    const dataDir = join(dir, 'data');
    const result = await engine('--rows', '2000', '--value-size', '50', '--data-dir', dataDir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote 2000 rows: \d+ writes\/s$/m);
    expect(result.stdout).toMatch(/^read 2000\/2000 rows back: \d+ reads\/s$/m);
    expect(result.stdout).toMatch(/^sstables: 1, data in /m);
    expect(await readdir(dataDir)).toContain('commitlog');
  });

  it('refuses a row count that is not a positive integer', async () => {
    const result = await engine('--rows', 'lots', '--data-dir', join(dir, 'unused'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("error: --rows must be a positive integer, not 'lots'");
  });
});
