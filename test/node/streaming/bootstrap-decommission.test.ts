/**
 * Four nodes in one process over real TCP on 127.0.0.1–4. Three found the cluster; a keyspace of
 * RF 2 gets rows written straight into each replica's storage engine. A fourth node bootstraps:
 * it chooses balanced tokens, streams exactly the ranges it takes from their replicas, ends
 * NORMAL and appears in the others' system.peers. Then it decommissions: everything it held is
 * on the nodes that replicate it once it has gone, and it is gone from the others' rings and
 * system.peers; its data directory refuses to rejoin. Refusals use Cassandra's messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartupMessage } from '../../../cql/protocol/index.js';
import { startupOptions } from '../../../cql/protocol/index.js';
import type { SibylNode } from '../../../node/index.js';
import { startNode } from '../../../node/index.js';
import { DECOMMISSIONED_MESSAGE } from '../../../node/local-info.js';
import { createReplicationStrategy, effectiveOwnership } from '../../../ring/replication-strategy.js';
import { peersOf, until } from '../cluster/cluster-helpers.js';
import { RawClient } from '../raw-client.js';
import { holds, replicasOf, sibylTool, TestCluster, tableId, writeRow } from './streaming-helpers.js';

const REPLICATION = { class: 'SimpleStrategy', replication_factor: '2' };
const ROWS = 1_500;
const STARTUP: StartupMessage = { type: 'STARTUP', options: startupOptions() };
let cluster: TestCluster;
let founders: SibylNode[];
let table: string;
/** A client of node1 registered for topology events. */
let events: RawClient;

/** Reads node1's pushed events until one is about 127.0.0.4 with `change`. */
async function topologyEvent(change: 'NEW_NODE' | 'REMOVED_NODE'): Promise<void> {
  await until(`node1 pushes ${change} for 127.0.0.4`, async () => {
    const [response] = await events.next(1, 500).catch(() => [undefined]);
    const event = response?.message.type === 'EVENT' ? response.message.event : undefined;
    return (
      event?.type === 'TOPOLOGY_CHANGE' && event.change === change && event.address.address === '127.0.0.4'
    );
  });
}

beforeAll(async () => {
  cluster = await TestCluster.create({ nodes: 4 });
  founders = await cluster.found(3);
  const [node1] = founders as [SibylNode];
  await node1.processor.execute(
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}",
    {},
  );
  await node1.processor.execute('CREATE TABLE ks.t (k int PRIMARY KEY, v text)', {});
  // A keyspace of RF 3: with three nodes left, leaving would break it.
  await node1.processor.execute(
    "CREATE KEYSPACE wide WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
    {},
  );
  await node1.processor.execute('CREATE TABLE wide.t (k int PRIMARY KEY, v text)', {});
  const version = node1.processor.schema.schema.version;
  await until('every founder has the schema', () =>
    founders.every((node) => node.processor.schema.schema.version === version),
  );
  table = tableId(node1, 'ks', 't');
  events = await RawClient.open(cluster.nativePort);
  expect((await events.request(STARTUP)).message.type).toBe('READY');
  await events.request({ type: 'REGISTER', events: ['TOPOLOGY_CHANGE'] });
  const ring = node1.cluster.ring;
  for (let k = 0; k < ROWS; k++) {
    const replicas = replicasOf(ring, REPLICATION, k).map((hostId) => cluster.nodeByHostId(hostId));
    await writeRow(replicas, table, k, 1_000 + k);
  }
}, 60_000);

afterAll(async () => {
  events?.close();
  await cluster.close();
});

describe('a fourth node', () => {
  it('bootstraps: balanced tokens, the rows of the ranges it takes, NORMAL, in system.peers', async () => {
    const node4 = await cluster.start(3);
    expect(node4.operationMode).toBe('NORMAL');
    const ring = node4.cluster.ring;
    expect(ring.normalEndpoints()).toHaveLength(4);

    let expected = 0;
    for (let k = 0; k < ROWS; k++) {
      const ownsIt = replicasOf(ring, REPLICATION, k).includes(node4.hostId as never);
      if (ownsIt) expected++;
      expect(await holds(node4, table, k), `row ${k} on node4: ${ownsIt}`).toBe(ownsIt);
    }
    expect(expected).toBeGreaterThan(ROWS / 4);

    // Balanced: node4 replicates about half of the ring under RF 2 (a quarter as primary).
    const share = ring.ownership().get(node4.hostId as never)!;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.32);
    const effective = effectiveOwnership(ring, createReplicationStrategy('ks', REPLICATION));
    const shares = [...effective.values()];
    expect(Math.max(...shares) / Math.min(...shares)).toBeLessThan(1.4);

    const incoming = node4.streams().filter((s) => s.direction === 'in' && s.keyspace === 'ks');
    expect(incoming.length).toBeGreaterThan(0);
    expect(incoming.every((s) => s.state === 'complete')).toBe(true);
    expect(incoming.reduce((sum, s) => sum + s.bytes, 0)).toBeGreaterThan(0);

    await topologyEvent('NEW_NODE');
    const netstats = await sibylTool(node4, 'netstats');
    expect(netstats.stderr).toBe('');
    expect(netstats.stdout).toMatch(/^Mode: NORMAL\n/);
    expect(netstats.stdout).toMatch(
      /bootstrap \S+ Receiving from \/127\.0\.0\.\d:\d+ ks: \d+ ranges, \d+ partitions, \d+ bytes, \d+ ms, complete/,
    );

    for (const node of founders) {
      await until(`${node.address} lists node4 in system.peers`, async () =>
        (await peersOf(node.processor)).some((peer) => peer.hostId === node4.hostId),
      );
      await until(`${node.address} has node4 on its ring`, () =>
        node.cluster.ring.isMember(node4.hostId as never),
      );
    }
  }, 30_000);

  it('decommissions: what it held is on the nodes that now replicate it; it leaves every ring', async () => {
    const node4 = cluster.node(3);
    // Rows written since node4 joined, on their replicas (node4 among them): the ones it held must
    // reach the nodes that take its ranges.
    const extra: number[] = [];
    for (let k = ROWS; extra.length < 200; k++) {
      const replicas = replicasOf(node4.cluster.ring, REPLICATION, k);
      if (!replicas.includes(node4.hostId as never)) continue;
      extra.push(k);
      await writeRow(
        replicas.map((hostId) => cluster.nodeByHostId(hostId)),
        table,
        k,
        5_000 + k,
      );
    }

    // Through the admin endpoint, as `nodetool decommission` does it; it answers once it is over.
    const decommissioned = await sibylTool(node4, 'decommission');
    expect(decommissioned).toMatchObject({ code: 0, stderr: '' });
    expect(node4.operationMode).toBe('DECOMMISSIONED');
    expect((await sibylTool(node4, 'netstats')).stdout).toMatch(/^Mode: DECOMMISSIONED\n/);

    for (const node of founders) {
      await until(
        `${node.address} no longer has node4 on its ring`,
        () => !node.cluster.ring.endpoint(node4.hostId as never),
      );
      await until(
        `${node.address} no longer lists node4 in system.peers`,
        async () => !(await peersOf(node.processor)).some((peer) => peer.hostId === node4.hostId),
      );
    }
    await topologyEvent('REMOVED_NODE');
    const ring = founders[0]!.cluster.ring;
    expect(ring.normalEndpoints()).toHaveLength(3);
    const held: number[] = [];
    for await (const partition of node4.engine.scan(table))
      held.push(Buffer.from(partition.key.key).readInt32BE(0));
    expect(held.length).toBeGreaterThan(extra.length);
    for (const k of held) {
      for (const hostId of replicasOf(ring, REPLICATION, k)) {
        expect(await holds(cluster.nodeByHostId(hostId), table, k), `row ${k} on ${hostId}`).toBe(true);
      }
    }
  }, 30_000);

  it('refuses to leave a keyspace with fewer nodes than its replication factor, and to rejoin once decommissioned', async () => {
    const message =
      'Not enough live nodes to maintain replication factor in keyspace wide (RF = 3, N = 3). Perform a forceful decommission to ignore.';
    await expect(founders[0]!.decommission()).rejects.toThrow(message);
    const refused = await sibylTool(founders[0]!, 'decommission');
    expect(refused).toMatchObject({ code: 1, stderr: `error: ${message}\n` });
    expect(founders[0]!.operationMode).toBe('NORMAL');
    await expect(cluster.node(3).decommission()).rejects.toThrow(/DECOMMISSIONED/);
    await cluster.node(3).close();
    await expect(startNode(cluster.config(3))).rejects.toThrow(DECOMMISSIONED_MESSAGE);
  }, 30_000);
});
