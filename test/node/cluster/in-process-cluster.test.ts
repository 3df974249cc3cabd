/**
 * Three nodes started with `startNode` in this process on 127.0.0.1–3 with the same ports (as ccm
 * runs them), 127.0.0.1 the seed: they find each other by gossip, fill system.peers, place each
 * other on the ring, share DDL, agree on the schema version, and a clean shutdown is seen at once.
 */
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SibylNode } from '../../../node/index.js';
import { HOSTS, peersOf, until } from './cluster-helpers.js';
import { InProcessCluster } from './in-process.js';

let cluster: InProcessCluster;
let nodes: SibylNode[];

beforeAll(async () => {
  cluster = await InProcessCluster.create({ nodes: 3, dirPrefix: 'sibyl-cluster-' });
  // Started together, node2 and node3 join one after the other (the lower host id first), each
  // choosing its tokens against a ring that already holds the other's.
  nodes = await cluster.startAll({ together: true });
});

afterAll(async () => {
  await cluster?.close();
});

describe('three nodes in one process', () => {
  it('see each other alive, on the ring and in system.peers with host ids and tokens', async () => {
    // A new node's NORMAL status reaches the others by gossip, a round or two after it starts.
    await cluster.waitConverged();
    const tokens = nodes.flatMap((node) => node.tokens);
    expect(new Set(tokens).size).toBe(12);
    for (const [index, node] of nodes.entries()) {
      expect(node.cluster.ring.normalEndpoints()).toHaveLength(3);
      const others = nodes.filter((_, i) => i !== index);
      await until(`system.peers of node${index + 1} lists the other two`, async () => {
        const peers = await peersOf(node.processor);
        return peers.length === 2 && peers.every((p) => p.tokens.length === 4);
      });
      const peers = await peersOf(node.processor);
      expect(peers.map((p) => p.hostId).sort()).toEqual(others.map((o) => o.hostId).sort());
      for (const other of others) {
        expect([...(peers.find((p) => p.hostId === other.hostId)?.tokens ?? [])].sort()).toEqual(
          [...other.tokens].sort(),
        );
      }
    }
    const v2 = await nodes[0]!.processor.execute(
      'SELECT native_address, native_port FROM system.peers_v2',
      {},
    );
    expect(v2.kind === 'rows' && v2.result.rows).toHaveLength(2);
  });

  it('makes a keyspace and table created on node1 usable on node3, with one schema version', async () => {
    const [node1, , node3] = nodes as [SibylNode, SibylNode, SibylNode];
    await node1.processor.execute(
      "CREATE KEYSPACE shared WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
      {},
    );
    await node1.processor.execute('CREATE TABLE shared.t (k int PRIMARY KEY, v text)', {});
    await until(
      'node3 knows shared.t',
      () => node3.processor.schema.schema.table('shared', 't') !== undefined,
    );
    await node3.processor.execute("INSERT INTO shared.t (k, v) VALUES (1, 'on node3')", {});
    const read = await node3.processor.execute('SELECT v FROM shared.t WHERE k = 1', {});
    expect(read.kind === 'rows' && read.result.rows).toHaveLength(1);

    const version = node1.processor.schema.schema.version;
    await until('every node has node1 schema version, locally and in its peers rows', async () => {
      for (const node of nodes) {
        if (node.processor.schema.schema.version !== version) return false;
        const peers = await peersOf(node.processor);
        if (peers.length !== 2 || peers.some((p) => p.schemaVersion !== version)) return false;
      }
      return true;
    });
    expect(Object.keys(node3.cluster.schemaVersions())).toEqual([version]);
  });

  it('serves the DataStax driver all three hosts with their tokens', async () => {
    const client = cluster.driverClient();
    try {
      await client.connect();
      const addresses = client.hosts.values().map((host) => host.address);
      expect(addresses.sort()).toEqual(HOSTS.map((host) => `${host}:${cluster.nativePort}`));
      const replicas = client.getReplicas('shared', Buffer.from([0, 0, 0, 1]));
      expect(replicas).toHaveLength(3);
      const result = await client.execute('SELECT v FROM shared.t WHERE k = 1', [], {
        host: client.hosts.get(`${HOSTS[2]}:${cluster.nativePort}`),
      } as cassandra.QueryOptions);
      expect(result.rows[0]?.get('v')).toBe('on node3');
    } finally {
      await client.shutdown();
    }
  });

  it('marks a cleanly shut down node DOWN at once, and UP again with its identity after restart', async () => {
    const node3 = nodes[2]!;
    const { hostId, tokens } = node3;
    await node3.close();
    // Far below what the failure detector needs (~18 s): the shutdown announcement did it.
    await until(
      'node1 and node2 see node3 down',
      () =>
        !nodes[0]!.cluster.isAlive(cluster.endpoint(2)) && !nodes[1]!.cluster.isAlive(cluster.endpoint(2)),
      3_000,
    );
    const restarted = await cluster.start(2);
    expect(restarted.hostId).toBe(hostId);
    expect(restarted.tokens).toEqual(tokens);
    await until('node1 sees node3 up again', () => nodes[0]!.cluster.isAlive(cluster.endpoint(2)));
    await until(
      'node3 knows the shared schema again',
      () => restarted.processor.schema.schema.table('shared', 't') !== undefined,
    );
    const peers = await peersOf(nodes[0]!.processor);
    expect(peers.find((p) => p.peer === HOSTS[2])?.hostId).toBe(hostId);
  });
});
