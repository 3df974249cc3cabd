/**
 * Range reads through the coordinator on the deterministic harness (3 nodes, 16 partitions per
 * RANGE_REQ round so that every scan takes many rounds): a scan over all nodes returns every
 * partition once in token order, paging through the QueryProcessor at several page sizes (and
 * across coordinators) equals the unpaged result, token() ranges are cut along the ring, a page
 * reads only what it needs, replicas are reconciled and repaired, and silence or dead replicas give
 * ReadTimeout and Unavailable.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExecuteOptions } from '../../../cql/executor/index.js';
import { CqlTypes, deserialize } from '../../../cql/types/index.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { CoordinatorHarness, rowsOf } from './harness.js';

const PARTITIONS = 300;
let h: CoordinatorHarness;

function tokenOf(k: number): bigint {
  const key = Buffer.alloc(4);
  key.writeInt32BE(k);
  return getToken(key);
}

/** The k column of every row, in result order, reading page after page. */
async function keys(
  coordinators: readonly number[],
  cql: string,
  options: ExecuteOptions = {},
): Promise<number[]> {
  const out: number[] = [];
  let pagingState: Uint8Array | undefined;
  for (let page = 0; ; page++) {
    const coordinator = coordinators[page % coordinators.length]!;
    const result = await h.execute(coordinator, cql, { ...options, ...(pagingState ? { pagingState } : {}) });
    for (const row of rowsOf(result)) out.push(deserialize(CqlTypes.int, row[0]!) as number);
    if (result.kind !== 'rows' || !result.result.pagingState) return out;
    pagingState = result.result.pagingState;
  }
}

beforeAll(async () => {
  h = await CoordinatorHarness.start({ nodes: 3, seed: 5, coordinator: { rangeRequestPartitions: 16 } });
  await h.ddl("CREATE KEYSPACE one WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.ddl('CREATE TABLE one.t (k int PRIMARY KEY, v text)');
  await h.ddl(
    "CREATE KEYSPACE three WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
  );
  await h.ddl('CREATE TABLE three.t (k int PRIMARY KEY, v text)');
  for (let k = 0; k < PARTITIONS; k++) {
    await h.execute(k % 3, `INSERT INTO one.t (k, v) VALUES (${k}, 'v${k}')`, { consistency: 'ONE' });
  }
  await h.settle();
});

afterEach(async () => {
  await h.settle();
  h.reset();
});

afterAll(async () => {
  await h.close();
});

describe('a scan over every node', () => {
  it('returns every partition once, in token order, whichever node coordinates', async () => {
    // RF 1: each partition lives on exactly one node, so the scan must visit all three.
    for (const coordinator of [0, 1, 2]) {
      const got = await keys([coordinator], 'SELECT k FROM one.t');
      expect(got).toHaveLength(PARTITIONS);
      expect(new Set(got).size).toBe(PARTITIONS);
      const tokens = got.map(tokenOf);
      expect(tokens).toEqual([...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  it('pages at several sizes, across coordinators, to the unpaged result', async () => {
    const all = await keys([0], 'SELECT k FROM one.t');
    for (const pageSize of [1, 7, 16, 50, 299, 1000]) {
      expect(await keys([0], 'SELECT k FROM one.t', { pageSize })).toEqual(all);
    }
    // A paging state is only keys: any coordinator resumes it.
    expect(await keys([0, 1, 2], 'SELECT k FROM one.t', { pageSize: 23 })).toEqual(all);
  });

  it('cuts token() ranges along the ring', async () => {
    const all = await keys([0], 'SELECT k FROM one.t');
    const tokens = all.map(tokenOf);
    const low = tokens[40]!;
    const high = tokens[250]!;
    const inRange = await keys([1], `SELECT k FROM one.t WHERE token(k) > ${low} AND token(k) <= ${high}`);
    expect(inRange).toEqual(all.slice(41, 251));
    const upTo = await keys([2], `SELECT k FROM one.t WHERE token(k) <= ${low}`, { pageSize: 9 });
    expect(upTo).toEqual(all.slice(0, 41));
  });

  it('reads only what a page needs', async () => {
    const sent = () => h.nodes.reduce((sum, node) => sum + node.messaging.metrics.messagesSent, 0);
    const start = sent();
    expect(await keys([0], 'SELECT k FROM one.t LIMIT 5')).toHaveLength(5);
    const small = sent() - start;
    const before = sent();
    await keys([0], 'SELECT k FROM one.t');
    const full = sent() - before;
    // A full scan takes a round per 16 partitions of each peer (a request and a response each);
    // five rows take the first round or two.
    expect(small).toBeLessThanOrEqual(4);
    expect(full).toBeGreaterThan(4 * small);
    expect(full).toBeGreaterThanOrEqual(2 * Math.floor((2 * PARTITIONS) / 3 / 16));
  });
});

describe('replicated ranges', () => {
  it('reconciles replicas per key and repairs the stale one at ALL', async () => {
    for (let k = 0; k < 40; k++) {
      await h.execute(0, `INSERT INTO three.t (k, v) VALUES (${k}, 'a')`, { consistency: 'ALL' });
    }
    h.silence(2, ['MUTATION_REQ']);
    await h.execute(0, "UPDATE three.t SET v = 'b' WHERE k = 17", { consistency: 'QUORUM' });
    await h.execute(0, "INSERT INTO three.t (k, v) VALUES (1000, 'new')", { consistency: 'QUORUM' });
    await h.settle();
    h.heal();
    const metrics = h.node(1).coordinator.metrics;
    const repairs = metrics.readRepairsSent;
    const rows = rowsOf(await h.execute(1, 'SELECT k, v FROM three.t', { consistency: 'ALL', pageSize: 10 }));
    expect(rows).toHaveLength(10);
    const all = await keys([1], 'SELECT k FROM three.t', { consistency: 'ALL' });
    expect(all).toHaveLength(41);
    expect(new Set(all).size).toBe(41);
    expect(metrics.readRepairsSent).toBeGreaterThan(repairs);
    // Node 2 now has both writes it missed, without any hint replayed.
    const table = h.node(2).processor.schema.schema.table('three', 't')!.id;
    const keyOf = (k: number) => {
      const key = Buffer.alloc(4);
      key.writeInt32BE(k);
      return { token: getToken(key), key };
    };
    expect(await h.node(2).engine.read(table, keyOf(1000))).not.toBeNull();
    const repaired = await h.node(2).engine.read(table, keyOf(17));
    expect(Buffer.from(repaired!.rows[0]!.cells.find((c) => c.column === 'v')!.value!).toString()).toBe('b');
  });
});

describe('failures', () => {
  it('is Unavailable when a range has no live replica', async () => {
    h.markDown(1);
    await expect(keys([0], 'SELECT k FROM one.t')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'ONE',
      required: 1,
      alive: 0,
    });
  });

  it('times out when a replica does not answer its range', async () => {
    h.silence(2, ['RANGE_REQ']);
    await expect(keys([0], 'SELECT k FROM one.t')).rejects.toMatchObject({
      code: 'READ_TIMEOUT',
      consistency: 'ONE',
      received: 0,
      blockFor: 1,
      dataPresent: false,
    });
  });

  it('refuses SERIAL over a range with Cassandra message', async () => {
    await expect(keys([0], 'SELECT k FROM one.t', { consistency: 'SERIAL' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'SERIAL/LOCAL_SERIAL consistency may only be requested for one partition at a time',
    });
  });
});
