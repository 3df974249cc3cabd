/**
 * Single-partition reads through the coordinator on the deterministic harness: digests that match
 * answer with the data, a stale replica is found by its digest and repaired before the answer
 * (read_repair BLOCKING, the default) or left alone (NONE), a silent replica makes the read time out
 * with `dataPresent` telling whether the data arrived, and speculative retry rescues a read whose
 * contacted replica is silent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReadTimeoutError } from '../../../cql/errors.js';
import { CqlTypes, deserialize } from '../../../cql/types/index.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { SimpleStrategy } from '../../../ring/replication-strategy.js';
import type { Token } from '../../../ring/token.js';
import type { DecoratedKey } from '../../../storage/model.js';
import { CoordinatorHarness, rowsOf } from './harness.js';

let h: CoordinatorHarness;

function keyOf(k: number): DecoratedKey {
  const key = Buffer.alloc(4);
  key.writeInt32BE(k);
  return { token: getToken(key), key };
}

function tableId(keyspace: string, table: string): string {
  return h.node(0).processor.schema.schema.table(keyspace, table)!.id;
}

/** The value of v in row k as node `index`'s own engine holds it (null: absent). */
async function storedValue(index: number, table: string, k: number): Promise<string | null> {
  const partition = await h.node(index).engine.read(tableId('ks', table), keyOf(k));
  const cell = partition?.rows[0]?.cells.find((c) => c.column === 'v');
  return cell?.value ? Buffer.from(cell.value).toString() : null;
}

async function selectV(index: number, table: string, k: number, consistency: 'ONE' | 'QUORUM' | 'ALL') {
  const rows = rowsOf(await h.execute(index, `SELECT v FROM ks.${table} WHERE k = ${k}`, { consistency }));
  return rows.map((row) => (row[0] ? Buffer.from(row[0]).toString() : null));
}

/** Writes v1 everywhere, then v2 everywhere but node `stale`: that replica is behind. */
async function makeStale(table: string, k: number, stale: number): Promise<void> {
  await h.execute(0, `INSERT INTO ks.${table} (k, v) VALUES (${k}, 'v1')`, { consistency: 'ALL' });
  h.silence(stale, ['MUTATION_REQ']);
  await h.execute(0, `INSERT INTO ks.${table} (k, v) VALUES (${k}, 'v2')`, { consistency: 'QUORUM' });
  await h.settle();
  h.heal();
  expect(await storedValue(stale, table, k)).toBe('v1');
}

beforeAll(async () => {
  h = await CoordinatorHarness.start({ nodes: 3, seed: 11 });
  await h.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
  await h.ddl("CREATE TABLE ks.t (k int PRIMARY KEY, v text) WITH speculative_retry = 'NONE'");
  await h.ddl(
    "CREATE TABLE ks.norepair (k int PRIMARY KEY, v text) WITH read_repair = 'NONE' AND speculative_retry = 'NONE'",
  );
  await h.ddl("CREATE TABLE ks.spec (k int PRIMARY KEY, v text) WITH speculative_retry = '50ms'");
  await h.ddl('CREATE TABLE ks.p99 (k int PRIMARY KEY, v text)'); // the default: 99p
  await h.ddl(
    "CREATE TABLE ks.wide (k int, c int, v text, PRIMARY KEY (k, c)) WITH speculative_retry = 'NONE'",
  );
  await h.ddl("CREATE KEYSPACE two WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}");
  await h.ddl("CREATE TABLE two.t (k int PRIMARY KEY, v text) WITH speculative_retry = 'NONE'");
});

afterEach(async () => {
  await h.settle();
  h.reset();
});

afterAll(async () => {
  await h.close();
});

describe('digest reads', () => {
  it('answers from the data replica when the digests match', async () => {
    await h.execute(0, "INSERT INTO ks.t (k, v) VALUES (1, 'one')", { consistency: 'ALL' });
    await h.settle();
    const before = h.node(1).coordinator.metrics.digestMismatches;
    expect(await selectV(1, 't', 1, 'ALL')).toEqual(['one']);
    expect(await selectV(2, 't', 1, 'QUORUM')).toEqual(['one']);
    expect(h.node(1).coordinator.metrics.digestMismatches).toBe(before);
    expect(await selectV(0, 't', 404, 'ALL')).toEqual([]);
  });

  it('repairs a stale replica before answering, when read_repair is BLOCKING', async () => {
    await makeStale('t', 2, 2);
    const metrics = h.node(0).coordinator.metrics;
    const repairs = metrics.readRepairsSent;
    expect(await selectV(0, 't', 2, 'ALL')).toEqual(['v2']);
    // No settle: the repair was acknowledged before the read answered.
    expect(await storedValue(2, 't', 2)).toBe('v2');
    expect(metrics.readRepairsSent).toBe(repairs + 1);
    expect(metrics.digestMismatches).toBeGreaterThan(0);
  });

  it('reconciles but does not repair when read_repair is NONE', async () => {
    await makeStale('norepair', 3, 2);
    expect(await selectV(0, 'norepair', 3, 'ALL')).toEqual(['v2']);
    await h.settle();
    expect(await storedValue(2, 'norepair', 3)).toBe('v1');
  });

  it('reconciles rows of a reversed slice in the order asked', async () => {
    await h.execute(0, "INSERT INTO ks.wide (k, c, v) VALUES (4, 1, 'a')", { consistency: 'ALL' });
    h.silence(1, ['MUTATION_REQ']);
    await h.execute(0, "INSERT INTO ks.wide (k, c, v) VALUES (4, 2, 'b')", { consistency: 'ONE' });
    await h.execute(0, "INSERT INTO ks.wide (k, c, v) VALUES (4, 3, 'c')", { consistency: 'ONE' });
    await h.settle();
    h.heal();
    const rows = rowsOf(
      await h.execute(1, 'SELECT c, v FROM ks.wide WHERE k = 4 AND c >= 2 ORDER BY c DESC', {
        consistency: 'ALL',
      }),
    );
    expect(rows.map((row) => deserialize(CqlTypes.int, row[0]!))).toEqual([3, 2]);
  });
});

describe('ReadTimeout', () => {
  it('reports the data present when a digest replica is silent', async () => {
    await h.execute(0, "INSERT INTO ks.t (k, v) VALUES (5, 'x')", { consistency: 'ALL' });
    h.silence(2, ['READ_DIGEST_REQ']);
    const error = await selectV(0, 't', 5, 'ALL').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadTimeoutError);
    expect(error).toMatchObject({
      consistency: 'ALL',
      received: 2,
      blockFor: 3,
      dataPresent: true,
      message: 'Operation timed out - received only 2 responses.',
    });
  });

  it('reports no data present when the data replica is silent', async () => {
    // A key of keyspace `two` (RF 2) that node 0 does not replicate: both contacts are remote.
    const strategy = new SimpleStrategy('two', 2);
    let k = 0;
    while (strategy.calculateNaturalEndpoints(h.ring, keyOf(k).token as Token).includes(h.node(0).hostId))
      k++;
    await h.execute(0, `INSERT INTO two.t (k, v) VALUES (${k}, 'x')`, { consistency: 'ALL' });
    h.silence(1, ['READ_REQ']);
    h.silence(2, ['READ_REQ']);
    const error = await h
      .execute(0, `SELECT v FROM two.t WHERE k = ${k}`, { consistency: 'QUORUM' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'READ_TIMEOUT',
      consistency: 'QUORUM',
      received: 1,
      blockFor: 2,
      dataPresent: false,
    });
  });

  it('is Unavailable, not a timeout, when too few replicas are alive', async () => {
    h.markDown(1);
    h.markDown(2);
    await expect(selectV(0, 't', 5, 'QUORUM')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'QUORUM',
      required: 2,
      alive: 1,
    });
    expect(await selectV(0, 't', 5, 'ONE')).toEqual(['x']);
  });
});

describe('speculative retry', () => {
  /**
   * A QUORUM read from node 0 (data from itself, a digest from one peer) whose first digest request
   * is lost: the rule dropping digests is lifted once the read has sent it, so only a second request
   * — a speculative one — can complete the read.
   */
  async function readWithLostDigest(table: string) {
    const node = h.node(0);
    h.silence(1, ['READ_DIGEST_REQ']);
    h.silence(2, ['READ_DIGEST_REQ']);
    const read = node.processor.execute(`SELECT v FROM ks.${table} WHERE k = 6`, {}, [], {
      consistency: 'QUORUM',
    });
    await h.scheduler.advance(0); // the read has sent its digest request, and the filter dropped it
    h.heal();
    return h.drive(read);
  }

  it('asks one more replica when the contacted one is slower than the fixed threshold', async () => {
    await h.execute(0, "INSERT INTO ks.spec (k, v) VALUES (6, 's')", { consistency: 'ALL' });
    const before = h.node(0).coordinator.metrics.speculativeRetries;
    expect(rowsOf(await readWithLostDigest('spec'))).toHaveLength(1);
    expect(h.node(0).coordinator.metrics.speculativeRetries).toBe(before + 1);
  });

  it('uses the table p99 once it has samples (the default policy)', async () => {
    await h.execute(0, "INSERT INTO ks.p99 (k, v) VALUES (6, 'p')", { consistency: 'ALL' });
    for (let i = 0; i < 20; i++) await selectV(0, 'p99', 6, 'QUORUM');
    const before = h.node(0).coordinator.metrics.speculativeRetries;
    expect(rowsOf(await readWithLostDigest('p99'))).toHaveLength(1);
    expect(h.node(0).coordinator.metrics.speculativeRetries).toBe(before + 1);
  });

  it('does not speculate with NONE: the same read times out', async () => {
    await h.execute(0, "INSERT INTO ks.t (k, v) VALUES (6, 'n')", { consistency: 'ALL' });
    await expect(readWithLostDigest('t')).rejects.toMatchObject({ code: 'READ_TIMEOUT', dataPresent: true });
  });
});

describe('validation', () => {
  it('refuses ANY and SERIAL reads', async () => {
    await expect(selectV(0, 't', 1, 'ANY' as 'ONE')).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'ANY ConsistencyLevel is only supported for writes',
    });
    await expect(selectV(0, 't', 1, 'SERIAL' as 'ONE')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
