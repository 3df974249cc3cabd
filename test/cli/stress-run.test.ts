/**
 * `sibyl stress write|read|mixed` for real: the CLI as a child process (bin/sibyl.js) against a
 * node started in this process on a free port, in a temporary data directory. The steps share the
 * node and its rows (the read finds what the write wrote), so they run in order.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedNode, startNode } from '../../driver/embedded.js';
import type { Client } from '../../driver/index.js';
import { tempDir } from '../storage/helpers.js';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let node: EmbeddedNode;
let client: Client;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('sibyl-stress-');
  cleanup = temp.cleanup;
  node = await startNode({
    dataDir: temp.dir,
    listenAddress: '127.0.0.1',
    nativePort: 0,
    logToFile: false,
    logLevel: 'warn',
  });
  client = await node.client();
});

afterAll(async () => {
  await node?.close();
  await cleanup?.();
});

/** `node bin/sibyl.js stress ARGS`; never rejects, the exit code is in the result. */
function stress(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sibyl.js', 'stress', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const target = () => ['-node', '127.0.0.1', '-port', `native=${node.port}`];

/** A port nothing listens on: bound once by the OS's choice, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The number on a summary line, e.g. `Total errors              :        0 [READ: 0]` → 0. */
function summaryValue(stdout: string, label: string): number {
  const match = new RegExp(`^${label}\\s*:\\s*([\\d,]+)`, 'm').exec(stdout);
  if (!match) throw new Error(`no '${label}' line in:\n${stdout}`);
  return Number(match[1]!.replaceAll(',', ''));
}

describe('sibyl stress against a node', () => {
  it('write n=2000 cl=ONE exits 0, prints the summary, and the table holds 2000 rows', async () => {
    const result = await stress('write', 'n=2000', 'cl=ONE', '-rate', 'threads=16', ...target());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Running WRITE with 16 threads for 2000 iteration');
    expect(result.stdout).toMatch(/^Op rate\s+:\s+[\d,]+ op\/s \[WRITE: [\d,]+ op\/s\]$/m);
    expect(result.stdout).toMatch(/^Latency 99th percentile\s+:\s+[\d.]+ ms \[WRITE: [\d.]+ ms\]$/m);
    expect(result.stdout).toMatch(/^Total operation time\s+: \d\d:\d\d:\d\d$/m);
    expect(summaryValue(result.stdout, 'Total partitions')).toBe(2000);
    expect(summaryValue(result.stdout, 'Total errors')).toBe(0);
    const count = await client.execute('SELECT count(*) FROM keyspace1.standard1');
    expect(count.first()?.count).toBe(2000n);
    const row = await client.execute('SELECT * FROM keyspace1.standard1 WHERE key = ?', [
      Buffer.from('0000000001'),
    ]);
    const columns = Object.entries(row.first() ?? {}).filter(([name]) => name !== 'key');
    expect(columns.map(([name]) => name).sort()).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
    expect(columns.every(([, value]) => (value as Uint8Array).length === 34)).toBe(true);
  });

  it('read n=2000 finds every row written: 0 errors', async () => {
    const result = await stress('read', 'n=2000', 'cl=ONE', '-rate', 'threads=16', ...target());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(summaryValue(result.stdout, 'Total errors')).toBe(0);
    expect(summaryValue(result.stdout, 'Total partitions')).toBe(2000);
    expect(result.stdout).toMatch(/^Op rate\s+:\s+[\d,]+ op\/s \[READ: [\d,]+ op\/s\]$/m);
  });

  it('mixed runs writes and reads in the given ratio', async () => {
    const result = await stress(
      'mixed',
      'ratio(write=1,read=3)',
      'n=1000',
      'cl=ONE',
      '-rate',
      'threads=8',
      '-pop',
      'seq=1..2000',
      ...target(),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Running [READ, WRITE] with 8 threads for 1000 iteration');
    expect(result.stdout).toMatch(/^Op rate\s+:.*\[READ: [\d,]+ op\/s, WRITE: [\d,]+ op\/s\]$/m);
    expect(summaryValue(result.stdout, 'Total errors')).toBe(0);
    const line = /^Total partitions\s+:\s+([\d,]+) \[READ: ([\d,]+), WRITE: ([\d,]+)\]$/m.exec(result.stdout);
    const [total, reads, writes] = line!.slice(1).map((n) => Number(n.replaceAll(',', '')));
    expect(total).toBe(1000);
    expect(reads! + writes!).toBe(1000);
    expect(reads!).toBeGreaterThan(writes!);
  });

  it('reads of keys never written are counted as errors and the run goes on', async () => {
    const result = await stress('read', 'n=50', 'no-warmup', '-pop', 'seq=900001..900050', ...target());
    expect(result.code).toBe(0);
    expect(summaryValue(result.stdout, 'Total errors')).toBe(50);
    expect(summaryValue(result.stdout, 'Total partitions')).toBe(0);
    expect(result.stdout).toMatch(/^Errors\s+:\s+50 READ NotValidated$/m);
    // The first error of a type is printed once, as it happens.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('Data returned was not validated');
  });

  it('an unreachable node: exit 1 with a clear message', async () => {
    const port = await closedPort();
    const result = await stress('write', 'n=10', '-node', '127.0.0.1', '-port', `native=${port}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^error: Cannot connect to any of the nodes 127\\.0\\.0\\.1:${port}: `),
    );
    expect(result.stdout).not.toContain('Results:');
  });

  it('a malformed argument: exit 1 naming it', async () => {
    const result = await stress('write', 'n=2000', '-rate', 'threads=many', ...target());
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "error: Invalid value 'threads=many' for -rate: expected an integer from 1 to 10000",
    );
  });
});
