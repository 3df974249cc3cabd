/**
 * The shell as a person uses it: `sibyl cql` in a real pseudo-terminal (colours, prompt, paging at
 * ---MORE---), typed into line by line. The transcript, with terminal escapes removed, must equal
 * test/testdata/shell/pty-session.txt (SIBYL_REWRITE=1 rewrites it).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pty from '@lydell/node-pty';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../storage/helpers.js';

const EXPECTED = join(import.meta.dirname, '..', 'testdata', 'shell', 'pty-session.txt');

/** Each line typed, and what the screen must show before the next one is typed. */
const SCRIPT: [string, string][] = [
  ["CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};", 'sibyl> '],
  ['USE ks;', 'sibyl:ks> '],
  ['CREATE TABLE t (k int PRIMARY KEY, v text);', 'sibyl:ks> '],
  ["INSERT INTO t (k, v) VALUES (1, 'one');", 'sibyl:ks> '],
  ["INSERT INTO t (k, v) VALUES (2, 'two');", 'sibyl:ks> '],
  ["INSERT INTO t (k, v) VALUES (3, 'three');", 'sibyl:ks> '],
  ['SELECT *', '   ... '],
  ['FROM t WHERE k = 1;', 'sibyl:ks> '],
  ['PAGING 2', 'sibyl:ks> '],
  ['SELECT * FROM t;', '---MORE---'],
  ['', 'sibyl:ks> '],
  ['SELECT * FROM nope;', 'sibyl:ks> '],
  ['EXPAND ON', 'sibyl:ks> '],
  ['SELECT * FROM t WHERE k = 3;', 'sibyl:ks> '],
];

/** Removes colours and cursor movements, and carriage returns. */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are the point
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

describe('sibyl cql in a pseudo-terminal', () => {
  it('shows the prompt, colours, multi-line statements, paging, errors and EXPAND as expected', async () => {
    const { dir, cleanup } = await tempDir('sibyl-pty-');
    await mkdir(join(dir, 'home'));
    const term = pty.spawn(process.execPath, ['bin/sibyl.js', 'cql', '--data-dir', join(dir, 'data')], {
      cols: 100,
      rows: 40,
      cwd: process.cwd(),
      env: { ...process.env, HOME: join(dir, 'home') } as Record<string, string>,
    });
    let screen = '';
    let waiter: { text: string; from: number; resolve: () => void } | null = null;
    term.onData((data) => {
      screen += data;
      if (waiter && plain(screen).indexOf(waiter.text, waiter.from) !== -1) {
        const done = waiter.resolve;
        waiter = null;
        done();
      }
    });
    const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
    const waitFor = (text: string, from: number) =>
      new Promise<void>((resolve) => {
        if (plain(screen).indexOf(text, from) !== -1) resolve();
        else waiter = { text, from, resolve };
      });
    try {
      await waitFor('sibyl> ', 0);
      for (const [line, next] of SCRIPT) {
        const from = plain(screen).length;
        term.write(`${line}\r`);
        await waitFor(next, from);
      }
      expect(screen).toContain('\u001b['); // colours on a terminal
      term.write('EXIT\r');
      await exited;
      const transcript = plain(screen).replaceAll(dir, '<tmp>');
      if (process.env.SIBYL_REWRITE) await writeFile(EXPECTED, transcript);
      expect(transcript).toBe(await readFile(EXPECTED, 'utf8'));
    } finally {
      term.kill();
      await cleanup();
    }
  });
});
