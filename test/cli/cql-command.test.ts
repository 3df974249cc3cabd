import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../cli/commands/cql.js';
import { tempDir } from '../storage/helpers.js';

const run = promisify(execFile);

describe('splitStatements', () => {
  it('splits at semicolons outside quotes and comments, keeping the unfinished rest', () => {
    const { statements, rest } = splitStatements(
      "SELECT ';' FROM t; -- a ; comment\nINSERT INTO t (k) VALUES ('a;b');\nSELECT",
    );
    expect(statements).toEqual(["SELECT ';' FROM t", "-- a ; comment\nINSERT INTO t (k) VALUES ('a;b')"]);
    expect(rest.trim()).toBe('SELECT');
  });
});

describe('sibyl cql', () => {
  it('runs statements against an embedded node, keeps data across runs and reports errors', async () => {
    const { dir, cleanup } = await tempDir('sibyl-cli-');
    try {
      const sibyl = (statements: string) =>
        run(process.execPath, ['bin/sibyl.js', 'cql', '--data-dir', dir, '-e', statements]).catch((e) => e);
      await sibyl(
        "CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}; " +
          "CREATE TABLE k.t (a int PRIMARY KEY, b text); INSERT INTO k.t (a, b) VALUES (1, 'one')",
      );
      const read = await sibyl('SELECT * FROM k.t');
      expect(read.stdout).toContain(' 1 | one');
      expect(read.stdout).toContain('(1 rows)');
      const failed = await sibyl('SELECT * FROM k.missing');
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain('InvalidRequest: unconfigured table missing');
    } finally {
      await cleanup();
    }
  });
});
