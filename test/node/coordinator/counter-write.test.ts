/**
 * Counter writes through the coordinator on the deterministic harness: an update goes to one leader
 * replica (the coordinator itself when it is one, else a peer through COUNTER_MUTATION_REQ, answered
 * by node/counters' CounterLeader), which applies it to its own shard and replicates that shard at
 * the client's level; increments from several coordinators add up on every replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CqlTypes, deserialize } from '../../../cql/types/index.js';
import { CounterLeader } from '../../../node/counters/counter-leader.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { SimpleStrategy } from '../../../ring/replication-strategy.js';
import type { Token } from '../../../ring/token.js';
import { CoordinatorHarness, rowsOf } from './harness.js';

let h: CoordinatorHarness;

async function counterValue(index: number, table: string, k: number): Promise<bigint | null> {
  const rows = rowsOf(
    await h.execute(index, `SELECT n FROM ${table} WHERE k = ${k}`, { consistency: 'ALL' }),
  );
  return rows.length === 0 ? null : BigInt(deserialize(CqlTypes.counter, rows[0]![0]!) as bigint | number);
}

beforeAll(async () => {
  h = await CoordinatorHarness.start({ nodes: 3, seed: 13 });
  for (const node of h.nodes) {
    new CounterLeader({
      engine: node.engine,
      hostId: node.hostId,
      replicate: (shard, consistency, durable) =>
        node.coordinator.replicateCounterShard(shard, consistency, durable),
    }).register(node.messaging);
  }
  await h.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
  await h.ddl('CREATE TABLE ks.c (k int PRIMARY KEY, n counter)');
  await h.ddl("CREATE KEYSPACE one WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.ddl('CREATE TABLE one.c (k int PRIMARY KEY, n counter)');
});

afterAll(async () => {
  await h.close();
});

describe('counter writes', () => {
  it('adds up increments led by every coordinator, on every replica', async () => {
    await h.execute(0, 'UPDATE ks.c SET n = n + 1 WHERE k = 1', { consistency: 'QUORUM' });
    await h.execute(1, 'UPDATE ks.c SET n = n + 2 WHERE k = 1', { consistency: 'ALL' });
    await h.execute(2, 'UPDATE ks.c SET n = n + 3 WHERE k = 1', { consistency: 'ONE' });
    await h.settle();
    for (const index of [0, 1, 2]) expect(await counterValue(index, 'ks.c', 1)).toBe(6n);
  });

  it('forwards the update to a replica when the coordinator is none', async () => {
    const strategy = new SimpleStrategy('one', 1);
    const keyOf = (k: number) => {
      const key = Buffer.alloc(4);
      key.writeInt32BE(k);
      return getToken(key) as Token;
    };
    let k = 0;
    while (strategy.calculateNaturalEndpoints(h.ring, keyOf(k))[0] !== h.node(2).hostId) k++;
    const sent = h.node(0).messaging.metrics.messagesSent;
    await h.execute(0, `UPDATE one.c SET n = n + 7 WHERE k = ${k}`, { consistency: 'ONE' });
    await h.execute(0, `UPDATE one.c SET n = n - 2 WHERE k = ${k}`, { consistency: 'ONE' });
    expect(h.node(0).messaging.metrics.messagesSent).toBeGreaterThan(sent);
    expect(await counterValue(1, 'one.c', k)).toBe(5n);
  });

  it('times out as COUNTER when the other replicas are silent', async () => {
    h.silence(1, ['MUTATION_REQ']);
    h.silence(2, ['MUTATION_REQ']);
    await expect(
      h.execute(0, 'UPDATE ks.c SET n = n + 1 WHERE k = 2', { consistency: 'ALL' }),
    ).rejects.toMatchObject({ code: 'WRITE_TIMEOUT', writeType: 'COUNTER', received: 1, blockFor: 3 });
    await h.settle();
    h.reset();
  });
});
