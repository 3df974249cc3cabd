/**
 * `sibyl node start` as a real child process: the DataStax driver connects and writes, SIGTERM
 * drains the node and it exits 0, and a restart on the same data directory still has the data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../storage/helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts `sibyl node start` and resolves once it prints where it listens. */
function startCli(
  dir: string,
  port: number,
): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [
      'bin/sibyl.js',
      'node',
      'start',
      '--data-dir',
      dir,
      '--listen-address',
      '127.0.0.1',
      '--native-port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`listening for CQL clients on 127.0.0.1:${port}`)) resolve({ child, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`node exited with ${code} before listening:\n${output}`)));
  });
}

function client(port: number): cassandra.Client {
  return new cassandra.Client({ contactPoints: [`127.0.0.1:${port}`], localDataCenter: 'datacenter1' });
}

describe('sibyl node start', () => {
  it('serves the DataStax driver, drains on SIGTERM with exit 0, keeps data across restarts', async () => {
    const { dir, cleanup } = await tempDir('sibyl-node-cli-');
    const port = await freePort();
    let running: ChildProcess | undefined;
    try {
      const first = await startCli(dir, port);
      running = first.child;
      const writer = client(port);
      await writer.connect();
      await writer.execute(
        "CREATE KEYSPACE d WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await writer.execute('CREATE TABLE d.t (k int PRIMARY KEY, v text)');
      await writer.execute('INSERT INTO d.t (k, v) VALUES (?, ?)', [1, 'durable'], { prepare: true });
      await writer.shutdown();
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = await startCli(dir, port);
      running = second.child;
      const reader = client(port);
      await reader.connect();
      const row = (await reader.execute('SELECT v FROM d.t WHERE k = 1')).first();
      expect(row.get('v')).toBe('durable');
      await reader.shutdown();
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      running = undefined;
    } finally {
      running?.kill('SIGKILL');
      await cleanup();
    }
  });
});
