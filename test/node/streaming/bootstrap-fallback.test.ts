/**
 * A bootstrap whose source dies mid-stream: three nodes hold a keyspace of RF 3 and send at a
 * throttled rate (stream_throughput_outbound), so the joining node's sessions last seconds; the
 * source of one session under way is shut down, the joining node moves those ranges to another
 * replica and still ends NORMAL with every row it replicates. A fifth node that would need the
 * dead node as the replica giving up some of its ranges then fails its bootstrap with Cassandra's
 * consistent-range-movement message, before announcing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SibylNode } from '../../../node/index.js';
import { peersOf, until } from '../cluster/cluster-helpers.js';
import { holds, replicasOf, TestCluster, tableId, writeRow } from './streaming-helpers.js';

const REPLICATION = { class: 'SimpleStrategy', replication_factor: '3' };
const ROWS = 2_000;
let cluster: TestCluster;
let founders: SibylNode[];
let table: string;

beforeAll(async () => {
  cluster = await TestCluster.create({ nodes: 5 });
  founders = await cluster.found(3, {
    streaming: { throughputBytesPerSecond: 128 * 1024, batchBytes: 16 * 1024 },
  });
  const node1 = founders[0]!;
  await node1.processor.execute(
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
    {},
  );
  await node1.processor.execute('CREATE TABLE ks.t (k int PRIMARY KEY, v text)', {});
  const version = node1.processor.schema.schema.version;
  await until('every founder has the schema', () =>
    founders.every((n) => n.processor.schema.schema.version === version),
  );
  table = tableId(node1, 'ks', 't');
  for (let k = 0; k < ROWS; k++) await writeRow(founders, table, k, 1_000 + k, 'x'.repeat(400));
}, 60_000);

afterAll(async () => {
  await cluster.close();
});

describe('a bootstrap', () => {
  it('moves the ranges of a source that dies mid-stream to another replica', async () => {
    const joining = cluster.start(3);
    joining.catch(() => {});
    // While it streams, node4 is BOOT for the others: pending ranges, but no system.peers row.
    const node1 = founders[0]!;
    await until(
      'node1 sees node4 bootstrapping',
      () => node1.cluster.ring.bootstrappingEndpoints().size === 1,
    );
    expect((await peersOf(node1.processor)).map((peer) => peer.peer)).not.toContain('127.0.0.4');
    // node2 or node3 (node1 is the seed): one of its sessions to node4 is under way.
    let victim: SibylNode | undefined;
    await until('a session to node4 is streaming', () => {
      victim = founders
        .slice(1)
        .find((node) =>
          node.streams().some((s) => s.direction === 'out' && s.state === 'streaming' && s.bytes > 0),
        );
      return victim !== undefined;
    });
    await victim!.close();

    const node4 = await joining;
    expect(node4.operationMode).toBe('NORMAL');
    const incoming = node4.streams().filter((s) => s.direction === 'in');
    const victimEndpoint = cluster.endpoint(founders.indexOf(victim!));
    expect(incoming.some((s) => s.peer === victimEndpoint && s.state === 'failed')).toBe(true);
    const ring = node4.cluster.ring;
    let owned = 0;
    for (let k = 0; k < ROWS; k++) {
      if (!replicasOf(ring, REPLICATION, k).includes(node4.hostId as never)) continue;
      owned++;
      expect(await holds(node4, table, k), `row ${k} on node4`).toBe(true);
    }
    expect(owned).toBeGreaterThan(ROWS / 2);
  }, 30_000);

  it('fails clearly, before announcing BOOT, when the replica giving up a range is down', async () => {
    await expect(cluster.start(4)).rejects.toThrow(
      /A node required to move the data consistently is down \(127\.0\.0\.\d:\d+\)\. If you wish to move the data from a potentially inconsistent replica, restart the node with -Dcassandra\.consistent\.rangemovement=false/,
    );
    expect(founders[0]!.cluster.ring.bootstrappingEndpoints().size).toBe(0);
  }, 30_000);
});
