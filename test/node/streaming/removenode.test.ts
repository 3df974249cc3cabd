/**
 * removenode over real TCP: four nodes on 127.0.0.1–4, a keyspace of RF 2 with rows written
 * straight into each replica's storage engine. node4 stops; removenode on node1 refuses a live
 * node, itself, an unknown or malformed host id (Cassandra's messages), then removes node4: the
 * survivors that take its ranges pull them from the surviving replicas, every survivor's ring has
 * three members, node4 leaves system.peers and node1's clients get REMOVED_NODE.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolEvent, StartupMessage } from '../../../cql/protocol/index.js';
import { startupOptions } from '../../../cql/protocol/index.js';
import type { SibylNode } from '../../../node/index.js';
import { peersOf, until } from '../cluster/cluster-helpers.js';
import { RawClient } from '../raw-client.js';
import { holds, replicasOf, sibylTool, TestCluster, tableId, writeRow } from './streaming-helpers.js';

const REPLICATION = { class: 'SimpleStrategy', replication_factor: '2' };
const ROWS = 1_000;
const STARTUP: StartupMessage = { type: 'STARTUP', options: startupOptions() };
let cluster: TestCluster;
let nodes: SibylNode[];
let table: string;

beforeAll(async () => {
  cluster = await TestCluster.create({ nodes: 4 });
  nodes = await cluster.found(4);
  const node1 = nodes[0]!;
  await node1.processor.execute(
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}",
    {},
  );
  await node1.processor.execute('CREATE TABLE ks.t (k int PRIMARY KEY, v text)', {});
  const version = node1.processor.schema.schema.version;
  await until('every node has the schema', () =>
    nodes.every((n) => n.processor.schema.schema.version === version),
  );
  table = tableId(node1, 'ks', 't');
  for (let k = 0; k < ROWS; k++) {
    const replicas = replicasOf(node1.cluster.ring, REPLICATION, k).map((id) => cluster.nodeByHostId(id));
    await writeRow(replicas, table, k, 1_000 + k);
  }
}, 60_000);

afterAll(async () => {
  await cluster.close();
});

describe('removenode', () => {
  it('refuses a live node, itself, an unknown or malformed host id', async () => {
    const [node1, node2] = nodes as [SibylNode, SibylNode];
    const live = `Node /${cluster.endpoint(1)} is alive and owns this ID. Use decommission command to remove it from the ring`;
    await expect(node1.removeNode(node2.hostId)).rejects.toThrow(live);
    expect(await sibylTool(node1, 'removenode', node2.hostId)).toMatchObject({
      code: 1,
      stderr: `error: ${live}\n`,
    });
    await expect(node1.removeNode(node1.hostId)).rejects.toThrow('Cannot remove self');
    await expect(node1.removeNode(randomUUID())).rejects.toThrow('Host ID not found.');
    await expect(node1.removeNode('not-a-host-id')).rejects.toThrow('Invalid UUID string: not-a-host-id');
    expect((await sibylTool(node1, 'removenode', 'status')).stdout).toBe(
      'RemovalStatus: No removals in process.\n',
    );
  });

  it('re-replicates a dead node’s ranges from the survivors and drops it everywhere', async () => {
    const [node1, node2, node3, node4] = nodes as [SibylNode, SibylNode, SibylNode, SibylNode];
    const survivors = [node1, node2, node3];
    const raw = await RawClient.open(cluster.nativePort);
    try {
      expect((await raw.request(STARTUP)).message.type).toBe('READY');
      await raw.request({ type: 'REGISTER', events: ['TOPOLOGY_CHANGE'] });
      const before = node1.cluster.ring;
      await node4.close();
      await until('the survivors see node4 down', () =>
        survivors.every((n) => !n.cluster.isAlive(cluster.endpoint(3))),
      );

      // Through the admin endpoint, as `nodetool removenode` does it; it answers once it is over.
      expect(await sibylTool(node1, 'removenode', node4.hostId)).toMatchObject({ code: 0, stderr: '' });

      for (const node of survivors) {
        await until(
          `${node.address} has three members`,
          () => node.cluster.ring.normalEndpoints().length === 3,
        );
        expect(node.cluster.ring.endpoint(node4.hostId as never)).toBeUndefined();
        await until(
          `${node.address} no longer lists node4 in system.peers`,
          async () => !(await peersOf(node.processor)).some((peer) => peer.hostId === node4.hostId),
        );
      }
      const after = node1.cluster.ring;
      let moved = 0;
      for (let k = 0; k < ROWS; k++) {
        const previous = replicasOf(before, REPLICATION, k);
        for (const hostId of replicasOf(after, REPLICATION, k)) {
          if (!previous.includes(hostId)) moved++;
          expect(await holds(cluster.nodeByHostId(hostId), table, k), `row ${k} on ${hostId}`).toBe(true);
        }
      }
      expect(moved).toBeGreaterThan(0);
      const events: ProtocolEvent[] = [];
      await until('node1 tells its clients node4 was removed', async () => {
        const [response] = await raw.next(1, 1_000).catch(() => [undefined]);
        if (response?.message.type === 'EVENT') events.push(response.message.event);
        return events.some(
          (e) =>
            e.type === 'TOPOLOGY_CHANGE' && e.change === 'REMOVED_NODE' && e.address.address === '127.0.0.4',
        );
      });
    } finally {
      raw.close();
    }
  }, 30_000);
});
