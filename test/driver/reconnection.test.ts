/**
 * A node restarted under a connected client: the client notices, marks the host down, reconnects
 * with backoff once the node listens again on the same port, and re-prepares the statements the
 * restarted node has forgotten (UNPREPARED 0x2500) without the caller seeing it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../driver/connection.js';
import type { EmbeddedNode } from '../../driver/embedded.js';
import { Client, NoHostAvailableError } from '../../driver/index.js';
import { removeDir, startTestNode, tempDir } from './helpers.js';

let dir: string;
let node: EmbeddedNode;
let client: Client;

beforeAll(async () => {
  dir = await tempDir();
  node = await startTestNode(dir);
  // Not node.client(): the client must outlive the node it was made with.
  client = new Client({
    contactPoints: [node.contactPoint],
    localDataCenter: 'datacenter1',
    policies: { reconnection: { baseDelayMs: 20, maxDelayMs: 200 } },
  });
  await client.connect();
  await client.execute(
    "CREATE KEYSPACE rc WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  await client.execute('CREATE TABLE rc.kv (k int PRIMARY KEY, v text)');
});

afterAll(async () => {
  await client?.shutdown();
  await node?.close();
  await removeDir(dir);
});

async function until<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe('node restart', () => {
  it('marks the host down, reconnects on the same port and re-prepares on UNPREPARED', async () => {
    const insert = 'INSERT INTO rc.kv (k, v) VALUES (?, ?)';
    await client.execute(insert, [1, 'before'], { prepare: true });
    const port = node.port;
    await node.close();

    const whileDown = await client.execute('SELECT * FROM rc.kv').catch((e: unknown) => e);
    expect(whileDown).toBeInstanceOf(NoHostAvailableError);
    await until(async () => expect(client.hosts[0]?.up).toBe(false), 5_000);

    node = await startTestNode(dir, port);
    // Watch what goes on the wire (send is called for every request; the spy calls through).
    const spy = vi.spyOn(Connection.prototype, 'send');
    const sent = () =>
      spy.mock.calls
        .map(([message]) => message.type)
        .filter((type) => type === 'EXECUTE' || type === 'PREPARE');
    try {
      await until(() => client.execute('SELECT * FROM rc.kv WHERE k = 1'), 10_000);
      expect(client.hosts[0]?.up).toBe(true);
      spy.mockClear();
      // The restarted node has an empty prepared cache: EXECUTE → UNPREPARED → PREPARE → EXECUTE.
      await client.execute(insert, [2, 'after'], { prepare: true });
      expect(sent()).toEqual(['EXECUTE', 'PREPARE', 'EXECUTE']);
    } finally {
      spy.mockRestore();
    }
    const rows = (await client.execute('SELECT k, v FROM rc.kv')).rows;
    expect(rows).toEqual(
      expect.arrayContaining([
        { k: 1, v: 'before' },
        { k: 2, v: 'after' },
      ]),
    );
  });

  it('re-prepares after a schema change of the table (the server forgets, the event clears the cache)', async () => {
    const select = 'SELECT * FROM rc.kv WHERE k = ?';
    expect((await client.execute(select, [1], { prepare: true })).columns.map((c) => c.name)).toEqual([
      'k',
      'v',
    ]);
    await client.execute('ALTER TABLE rc.kv ADD extra int');
    const after = await client.execute(select, [1], { prepare: true });
    expect(after.columns.map((c) => c.name)).toEqual(['k', 'extra', 'v']);
    expect(after.first()).toEqual({ k: 1, extra: null, v: 'before' });
  });
});
