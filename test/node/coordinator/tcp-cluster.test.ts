/**
 * The coordinator on real TCP: three nodes started with `startNode` in this process on 127.0.0.1–3
 * (same ports, as ccm runs them). A keyspace with RF 3 really keeps each partition on the three
 * nodes: a QUORUM write through node1 lands in every node's own storage engine, a read at ALL
 * through node3 returns it, the DataStax driver writes and reads at QUORUM, TRUNCATE empties every
 * node, and with a node shut down ALL and TRUNCATE are Unavailable while QUORUM still works.
 */
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SibylNode } from '../../../node/index.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import type { DecoratedKey } from '../../../storage/model.js';
import { until } from '../cluster/cluster-helpers.js';
import { InProcessCluster } from '../cluster/in-process.js';
import { rowsOf } from './harness.js';

let cluster: InProcessCluster;
let nodes: SibylNode[];

function keyOf(k: number): DecoratedKey {
  const key = Buffer.alloc(4);
  key.writeInt32BE(k);
  return { token: getToken(key), key };
}

/** Row k of rf3.t as `node`'s own storage engine holds it (null: absent). */
async function stored(node: SibylNode, k: number): Promise<string | null> {
  const table = node.processor.schema.schema.table('rf3', 't');
  if (!table) return null;
  const partition = await node.engine.read(table.id, keyOf(k));
  const cell = partition?.rows[0]?.cells.find((c) => c.column === 'v');
  return cell?.value ? Buffer.from(cell.value).toString() : null;
}

beforeAll(async () => {
  cluster = await InProcessCluster.create({ nodes: 3, dirPrefix: 'sibyl-coordinator-tcp-' });
  nodes = await cluster.startAll();
  await cluster.waitConverged();
  await nodes[0]!.processor.execute(
    "CREATE KEYSPACE rf3 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
    {},
  );
  await nodes[0]!.processor.execute('CREATE TABLE rf3.t (k int PRIMARY KEY, v text)', {});
  await until('every node knows rf3.t', () =>
    nodes.every((node) => node.processor.schema.schema.table('rf3', 't') !== undefined),
  );
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('RF 3 on three nodes over TCP', () => {
  it('stores a QUORUM write through node1 on every node, and reads it at ALL through node3', async () => {
    const [node1, , node3] = nodes as [SibylNode, SibylNode, SibylNode];
    await node1.processor.execute("INSERT INTO rf3.t (k, v) VALUES (1, 'everywhere')", {}, [], {
      consistency: 'QUORUM',
    });
    // QUORUM answered after two acknowledgements; the third replica's follows.
    await until('every node holds the row in its own engine', async () => {
      const values = await Promise.all(nodes.map((node) => stored(node, 1)));
      return values.every((value) => value === 'everywhere');
    });
    const read = await node3.processor.execute('SELECT v FROM rf3.t WHERE k = 1', {}, [], {
      consistency: 'ALL',
    });
    expect(rowsOf(read).map((row) => Buffer.from(row[0]!).toString())).toEqual(['everywhere']);
  });

  it('serves the DataStax driver at QUORUM', async () => {
    const client = cluster.driverClient();
    try {
      await client.connect();
      const quorum = cassandra.types.consistencies.quorum;
      for (let k = 10; k < 20; k++) {
        await client.execute('INSERT INTO rf3.t (k, v) VALUES (?, ?)', [k, `driver ${k}`], {
          prepare: true,
          consistency: quorum,
        });
      }
      const one = await client.execute('SELECT v FROM rf3.t WHERE k = ?', [15], {
        prepare: true,
        consistency: quorum,
      });
      expect(one.rows[0]?.get('v')).toBe('driver 15');
      const all = await client.execute('SELECT k FROM rf3.t', [], { consistency: quorum });
      expect(
        all.rows
          .map((row) => row.get('k') as number)
          .filter((k) => k >= 10)
          .sort((a, b) => a - b),
      ).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      await until('node2 and node3 hold the driver rows too', async () => {
        const values = await Promise.all([stored(nodes[1]!, 19), stored(nodes[2]!, 19)]);
        return values.every((value) => value === 'driver 19');
      });
    } finally {
      await client.shutdown();
    }
  });

  it('truncates the table on every node', async () => {
    await nodes[1]!.processor.execute('TRUNCATE rf3.t', {});
    for (const node of nodes) {
      expect(await stored(node, 1)).toBeNull();
      expect(await stored(node, 19)).toBeNull();
    }
  });

  it('with node3 shut down: QUORUM works, ALL and TRUNCATE are Unavailable', async () => {
    const [node1, node2, node3] = nodes as [SibylNode, SibylNode, SibylNode];
    await node3.close();
    await until('node1 sees node3 down', () => node1.cluster.liveEndpoints().length === 1);
    await node1.processor.execute("INSERT INTO rf3.t (k, v) VALUES (2, 'two of three')", {}, [], {
      consistency: 'QUORUM',
    });
    const read = await node2.processor.execute('SELECT v FROM rf3.t WHERE k = 2', {}, [], {
      consistency: 'QUORUM',
    });
    expect(rowsOf(read)).toHaveLength(1);
    await expect(
      node1.processor.execute('SELECT v FROM rf3.t WHERE k = 2', {}, [], { consistency: 'ALL' }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', consistency: 'ALL', required: 3, alive: 2 });
    await expect(node1.processor.execute('TRUNCATE rf3.t', {})).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'ALL',
      required: 3,
      alive: 2,
    });
    expect(await stored(node2, 2)).toBe('two of three');
  });
});
