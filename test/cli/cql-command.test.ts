/** `sibyl cql` as a user runs it: a real child process (bin/sibyl.js) on an embedded node. */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../storage/helpers.js';

const run = promisify(execFile);

let dir: string;
let home: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('sibyl-cli-'));
  home = join(dir, 'home');
  await mkdir(home);
});
afterAll(async () => cleanup());

const env = () => ({ ...process.env, HOME: home, TERM: 'dumb' });
const dataDir = () => join(dir, 'data');

function sibyl(...args: string[]): Promise<{ stdout: string; stderr: string; code?: number }> {
  return run(process.execPath, ['bin/sibyl.js', 'cql', '--data-dir', dataDir(), ...args], {
    env: env(),
  }).catch((e) => e);
}

/** Runs `sibyl cql` with `input` on its (piped) standard input. */
function sibylWithInput(
  input: string,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/sibyl.js', 'cql', '--data-dir', dataDir(), ...args], {
      env: env(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
    child.stdin.end(input);
  });
}

describe('sibyl cql', () => {
  it('runs -e statements, keeps data across runs and reports errors as cqlsh with exit status 2', async () => {
    const created = await sibyl(
      '-e',
      "CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}; " +
        "CREATE TABLE k.t (a int PRIMARY KEY, b text); INSERT INTO k.t (a, b) VALUES (1, 'one'); " +
        "INSERT INTO k.t (a, b) VALUES (22, 'twenty-two'); INSERT INTO k.t (a, b) VALUES (3, 'three')",
    );
    expect(created.stderr).toBe('');
    const read = await sibyl('-k', 'k', '-e', 'SELECT * FROM t WHERE a = 22');
    expect(read.stdout).toBe('\n a  | b\n----+------------\n 22 | twenty-two\n\n(1 rows)\n');
    const failed = await sibyl('-e', 'SELECT * FROM k.missing');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toBe(
      '<stdin>:1:InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table missing"\n',
    );
  });

  it('runs -f files, naming the file and line of a failed statement', async () => {
    const file = join(dir, 'script.cql');
    await writeFile(file, 'USE k;\nDESCRIBE TABLES\nSELECT b\n  FROM t WHERE a = 1;\nSELEC;\n');
    const result = await sibyl('-f', file);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('\nt\n\n\n b\n-----\n one\n\n(1 rows)\n');
    expect(result.stderr).toBe(
      `${file}:5:SyntaxException: line 1:0 no viable alternative at input 'SELEC' ([SELEC])\n`,
    );
  });

  it('reads statements from a pipe without prompts (batch mode, as cqlsh)', async () => {
    const result = await sibylWithInput('USE k;\nSELECT count(*)\nFROM t;\nSELECT x FROM t;\n');
    expect(result.stdout).toBe(
      '\n count\n-------\n     3\n\n(1 rows)\n\nWarnings :\nAggregation query used without partition key\n\n',
    );
    expect(result.stderr).toContain('<stdin>:4:InvalidRequest: Error from server: code=2200');
    expect(result.code).toBe(2);
  });

  it('is interactive with --tty: prompts, multi-line statements, PAGING with ---MORE---, history in HOME', async () => {
    const result = await sibylWithInput(
      'use k;\nPAGING 2\nSELECT a\n  FROM t;\n\nCONSISTENCY\nquit\n',
      '--tty',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      'Use HELP for help.\nsibyl> sibyl:k> Page size: 2\nsibyl:k>      ... \n a\n',
    );
    expect(result.stdout).toContain('---MORE---');
    expect(result.stdout).toContain('(3 rows)\nsibyl:k> Current consistency level is ONE.\nsibyl:k> ');
    const history = await readFile(join(home, '.sibyl_history'), 'utf8');
    expect(history).toBe('use k\nPAGING 2\nSELECT a FROM t\nCONSISTENCY\nquit\n');
  });
});
