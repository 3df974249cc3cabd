/**
 * A LOGGED batch whose coordinator is killed half-way is applied in full by batchlog replay. node1
 * coordinates; its fault filter drops its MUTATION_REQ and BATCH_REMOVE_REQ to the other nodes, so
 * the batch reaches node2's and node3's batchlogs but none of its mutations do; node1 is then killed
 * with SIGKILL. After the batchlog timeout a batchlog holder replays it: every row is on node2 and
 * node3, and the batchlogs are empty.
 */
import { expect, it } from 'vitest';
import { until } from '../node/cluster/cluster-helpers.js';
import type { PinnedClient } from './pinned-client.js';
import { clusterPerTest } from './process-cluster.js';

const startCluster = clusterPerTest();

const KEYS = [1, 2, 3, 4];

it('applies a logged batch fully after its coordinator died mid-way', async () => {
  const running = await startCluster({ nodes: 3 });
  const [node1, node2, node3] = [running.client(0), running.client(1), running.client(2)];
  await node1.execute(
    "CREATE KEYSPACE lb WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
  );
  await node1.execute('CREATE TABLE lb.kv (k int PRIMARY KEY, v text)');

  await running.admin(0, '/faults', {
    action: 'drop',
    verbs: ['MUTATION_REQ', 'BATCH_REMOVE_REQ'],
    direction: 'outbound',
  });
  const batch = `BEGIN BATCH ${KEYS.map((k) => `INSERT INTO lb.kv (k, v) VALUES (${k}, 'b${k}');`).join(' ')} APPLY BATCH`;
  // Not acknowledged (QUORUM needs a remote replica, whose mutations are dropped): node1 dies first.
  const write = node1.execute(batch, [], 'QUORUM').then(
    () => 'acknowledged',
    (error: Error) => error.message,
  );
  const batchlogSize = async (client: PinnedClient) =>
    (await client.execute('SELECT id FROM system.batches')).length;
  await until('the batch is in node2 and node3 batchlogs', async () => {
    return (await batchlogSize(node2)) === 1 && (await batchlogSize(node3)) === 1;
  });
  expect(await node2.execute('SELECT k FROM lb.kv WHERE k = 1')).toEqual([]);
  await running.kill(0);
  expect(await write).not.toBe('acknowledged');

  const rowsOn = async (client: PinnedClient) => {
    let count = 0;
    for (const k of KEYS) if ((await client.execute('SELECT v FROM lb.kv WHERE k = ?', [k])).length) count++;
    return count;
  };
  await until(
    'batchlog replay applied the batch on node2 and node3',
    async () => {
      return (await rowsOn(node2)) === KEYS.length && (await rowsOn(node3)) === KEYS.length;
    },
    60_000,
  );
  await until(
    'the batchlogs are empty',
    async () => {
      return (await batchlogSize(node2)) === 0 && (await batchlogSize(node3)) === 0;
    },
    30_000,
  );
}, 180_000);
