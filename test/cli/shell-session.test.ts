/** The shell on an embedded node: COPY round trips, CAPTURE, SOURCE, settings, paging at a prompt. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LineInput } from '../../cli/shell/line-input.js';
import { openTestShell, SIMPLE_KEYSPACE, type TestShell } from './shell-helpers.js';

let open: TestShell[] = [];
async function shell(options: Parameters<typeof openTestShell>[0] = {}): Promise<TestShell> {
  const s = await openTestShell(options);
  open.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

const AWKWARD_TABLE = `${SIMPLE_KEYSPACE}
CREATE TABLE ks.t (k int PRIMARY KEY, s text, n double, l list<text>, m map<text, int>, ts timestamp, b blob, f boolean);`;

describe('COPY', () => {
  it('round-trips awkward values through a CSV file: quotes, commas, newlines, nulls, unicode', async () => {
    const from = await shell({ copyProgressEveryRows: 2 });
    const to = await shell();
    expect((await from.run(AWKWARD_TABLE)).err).toBe('');
    expect((await to.run(AWKWARD_TABLE)).err).toBe('');
    await from.run(`
      INSERT INTO ks.t (k, s, n, l, m, ts, b, f) VALUES (1, 'say "hi", it''s', 0.1, ['a,b', 'c"d'], {'x': 1}, '2024-01-02 03:04:05.678+0000', 0xcafe, true);
      INSERT INTO ks.t (k, s, n) VALUES (2, 'two
lines', -1.5e300);
      INSERT INTO ks.t (k, s) VALUES (3, '');
      INSERT INTO ks.t (k, s, l) VALUES (4, 'ünïcødé 日本 \\ back', ['😀']);
      INSERT INTO ks.t (k) VALUES (5);`);
    const file = join(from.dir, 'rows.csv');
    const exported = await from.run(`COPY ks.t TO '${file}' WITH HEADER = true`);
    expect(exported.err).toBe('');
    expect(exported.out).toContain('Starting copy of ks.t with columns [k, b, f, l, m, n, s, ts].');
    expect(exported.out).toContain('Processed: 4 rows; Rate:');
    expect(exported.out).toContain('5 rows exported to 1 files in ');
    const csv = await readFile(file, 'utf8');
    expect(csv.split('\n')[0]).toBe('k,b,f,l,m,n,s,ts');
    expect(csv).toContain('"say ""hi"", it\'s"');

    const imported = await to.run(`COPY ks.t FROM '${file}' WITH HEADER = true`);
    expect(imported.err).toBe('');
    expect(imported.out).toContain('5 rows imported from 1 files in ');
    expect(imported.out).toContain('(0 skipped)');
    const select = 'SELECT * FROM ks.t';
    expect((await to.run(select)).out).toBe((await from.run(select)).out);
    expect((await to.run('SELECT s FROM ks.t WHERE k = 3')).out).toBe('\n s\n---\n  \n\n(1 rows)\n'); // '' stayed '', not null
  });

  it('honours DELIMITER, NULL and a column list, and reports rows it cannot import', async () => {
    const s = await shell();
    await s.run(`${SIMPLE_KEYSPACE} CREATE TABLE ks.p (k int PRIMARY KEY, v text, w int);`);
    const file = join(s.dir, 'in.csv');
    await writeFile(file, '1|one|NIL\n2|NIL|20\nthree|x|3\n');
    const result = await s.run(`COPY ks.p (k, v, w) FROM '${file}' WITH DELIMITER = '|' AND NULL = 'NIL'`);
    expect(result.out).toContain('2 rows imported from 1 files in');
    expect(result.out).toContain('(1 skipped)');
    expect(result.err).toBe("<stdin>:1:Failed to import row 3: Unable to make int from 'three'\n");
    expect((await s.run('SELECT * FROM ks.p WHERE k = 2')).out).toContain(' 2 | null | 20');
    const out = await s.run('COPY ks.p (k, w) TO STDOUT');
    expect(out.out).toContain('1,\n');
    expect(out.out).toContain('2,20\n');
  });
});

describe('shell session', () => {
  it('keeps settings, captures query output and runs SOURCE files with located errors', async () => {
    const s = await shell();
    await s.run(
      `${SIMPLE_KEYSPACE} CREATE TABLE ks.t (k int PRIMARY KEY, v text); INSERT INTO ks.t (k, v) VALUES (1, 'a');`,
    );
    expect((await s.run('CONSISTENCY QUORUM\nCONSISTENCY\nSERIAL CONSISTENCY LOCAL_SERIAL')).out).toBe(
      'Consistency level set to QUORUM.\nCurrent consistency level is QUORUM.\nSerial consistency level set to LOCAL_SERIAL.\n',
    );
    expect((await s.run('EXPAND ON; EXPAND ON; TRACING ON')).out).toBe(
      'EXPAND set to ON\nEXPAND is already ON\n',
    );
    expect(s.takeErr()).toBe('');
    expect((await s.run('EXPAND OFF; TRACING ON')).err).toBe('<stdin>:1:TRACING is not supported yet\n');

    const captured = join(s.dir, 'captured.txt');
    const capture = await s.run(
      `CAPTURE '${captured}'\nSELECT * FROM ks.t;\nCAPTURE OFF\nSELECT k FROM ks.t;`,
    );
    expect(capture.out).toBe(`Now capturing query output to '${captured}'.\n\n k\n---\n 1\n\n(1 rows)\n`);
    expect(await readFile(captured, 'utf8')).toBe('\n k | v\n---+---\n 1 | a\n\n(1 rows)\n');

    const script = join(s.dir, 'script.cql');
    await writeFile(script, 'USE ks;\nSELECT v\n  FROM t;\n\nSELECT nope FROM t;\n');
    const sourced = await s.run(`SOURCE '${script}'`);
    expect(sourced.out).toBe('\n v\n---\n a\n\n(1 rows)\n');
    expect(sourced.err).toBe(
      `${script}:5:InvalidRequest: Error from server: code=2200 [Invalid query] message="Undefined column name nope in table ks.t"\n`,
    );
  });

  it('pages at ---MORE--- when interactive, with a header on every page', async () => {
    const input = new PassThrough();
    const s = await shell({ tty: true });
    await s.run(`${SIMPLE_KEYSPACE} CREATE TABLE ks.t (k int, c int, PRIMARY KEY (k, c));
      INSERT INTO ks.t (k, c) VALUES (1, 1); INSERT INTO ks.t (k, c) VALUES (1, 2); INSERT INTO ks.t (k, c) VALUES (1, 30);`);
    const lines = new LineInput({ input, output: s.stdout, prompts: true });
    input.end('USE ks;\nPAGING 2\nSELECT c FROM t\n WHERE k = 1;\n\nexit\n');
    await s.shell.run(lines);
    lines.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.takeOut()).toBe(
      'sibyl> sibyl:ks> Page size: 2\nsibyl:ks>       ... \n c\n---\n 1\n 2\n\n---MORE--- c\n----\n 30\n\n(3 rows)\nsibyl:ks> ',
    );
  });
});
