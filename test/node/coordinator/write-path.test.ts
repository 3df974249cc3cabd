/**
 * Writes through the coordinator on the deterministic harness (3 nodes, RF 3 unless said): each
 * level answers once the right replicas acknowledged, a silent replica makes the write time out
 * with Cassandra's fields, too few live replicas is Unavailable before any replica is touched, and
 * the hint sink receives the mutation of a replica down at the start and of one that timed out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError, WriteTimeoutError } from '../../../cql/errors.js';
import type { ConsistencyLevel } from '../../../node/coordinator/consistency.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { SimpleStrategy } from '../../../ring/replication-strategy.js';
import type { DecoratedKey } from '../../../storage/model.js';
import { CoordinatorHarness } from './harness.js';

let h: CoordinatorHarness;
let tableId: string;

function keyOf(k: number): DecoratedKey {
  const key = Buffer.alloc(4);
  key.writeInt32BE(k);
  return { token: getToken(key), key };
}

/** Whether node `index`'s own engine holds row k of ks.t. */
async function holds(index: number, k: number): Promise<boolean> {
  const partition = await h.node(index).engine.read(tableId, keyOf(k));
  return partition !== null && partition.rows.length > 0;
}

function insert(k: number, consistency: ConsistencyLevel, coordinator = 0) {
  return h.execute(coordinator, `INSERT INTO ks.t (k, v) VALUES (${k}, 'v${k}')`, { consistency });
}

beforeAll(async () => {
  h = await CoordinatorHarness.start({ nodes: 3, seed: 7 });
  await h.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
  await h.ddl('CREATE TABLE ks.t (k int PRIMARY KEY, v text)');
  await h.ddl("CREATE KEYSPACE one WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.ddl('CREATE TABLE one.t (k int PRIMARY KEY, v text)');
  tableId = h.node(0).processor.schema.schema.table('ks', 't')!.id;
});

afterEach(async () => {
  await h.settle(); // writes still collecting acknowledgements finish before the next test
  h.reset();
});

afterAll(async () => {
  await h.close();
});

describe('acknowledgements per consistency level', () => {
  it('writes every replica when all answer', async () => {
    await insert(1, 'ONE');
    await h.settle();
    expect([await holds(0, 1), await holds(1, 1), await holds(2, 1)]).toEqual([true, true, true]);
  });

  it('answers QUORUM only once the second acknowledgement has arrived', async () => {
    // node1's acknowledgement is held back 500 ms of virtual time; node2 never acknowledges.
    for (const node of h.nodes) {
      if (node.index !== 1)
        node.messaging.faultFilter.add({
          verbs: ['MUTATION_REQ'],
          peers: [h.node(1).address],
          direction: 'outbound',
          action: 'delay',
          delayMs: 500,
        });
    }
    h.silence(2, ['MUTATION_REQ']);
    let answered = false;
    const write = h.node(0).processor.execute("INSERT INTO ks.t (k, v) VALUES (12, 'late')", {}, [], {
      consistency: 'QUORUM',
    });
    void write.then(() => {
      answered = true;
    });
    await h.scheduler.advance(400);
    expect(answered).toBe(false); // the local write alone is not a quorum
    await h.drive(write);
    expect(await holds(1, 12)).toBe(true);
  });

  it('answers QUORUM with one replica silent, and hints the silent one at the timeout', async () => {
    h.silence(2, ['MUTATION_REQ']);
    await insert(2, 'QUORUM');
    expect(await holds(1, 2)).toBe(true);
    expect(h.node(0).hints.hints).toHaveLength(0); // the write has not timed out yet
    await h.settle();
    expect(await holds(2, 2)).toBe(false);
    expect(h.node(0).hints.for(h.node(2).hostId)).toHaveLength(1);
    expect(h.node(0).hints.for(h.node(2).hostId)[0]!.tableId).toBe(tableId);
  });

  it.each([
    ['ALL', 1, 2, 3],
    ['THREE', 1, 2, 3],
    ['QUORUM', 2, 1, 2],
    ['TWO', 2, 1, 2],
  ] as const)(
    'times out at %s when %i replica(s) are silent: received %i of %i',
    async (level, silent, received, blockFor) => {
      h.silence(2, ['MUTATION_REQ']);
      if (silent === 2) h.silence(1, ['MUTATION_REQ']);
      const error = await insert(3, level).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteTimeoutError);
      expect(error).toMatchObject({
        consistency: level,
        received,
        blockFor,
        writeType: 'SIMPLE',
        message: `Operation timed out - received only ${received} responses.`,
      });
      expect(h.node(0).coordinator.metrics.writeTimeouts).toBeGreaterThan(0);
      // Every silent replica got a hint when the timeout fired.
      expect(h.node(0).hints.for(h.node(2).hostId)).toHaveLength(1);
    },
  );

  it('answers ONE with every other replica silent', async () => {
    h.silence(1, ['MUTATION_REQ']);
    h.silence(2, ['MUTATION_REQ']);
    await insert(4, 'ONE');
    expect(await holds(0, 4)).toBe(true);
  });

  it('reports the batch type of a timed-out batch', async () => {
    h.silence(1, ['MUTATION_REQ']);
    h.silence(2, ['MUTATION_REQ']);
    const batch = (kind: string) =>
      h.execute(
        0,
        `BEGIN ${kind} BATCH INSERT INTO ks.t (k, v) VALUES (5, 'a'); INSERT INTO ks.t (k, v) VALUES (6, 'b'); APPLY BATCH`,
        { consistency: 'ALL' },
      );
    await expect(batch('UNLOGGED')).rejects.toMatchObject({
      code: 'WRITE_TIMEOUT',
      writeType: 'UNLOGGED_BATCH',
    });
    await expect(batch('')).rejects.toMatchObject({ code: 'WRITE_TIMEOUT', writeType: 'BATCH' });
  });
});

describe('timestamps', () => {
  /** The write timestamp of column v of row k as node `index` stores it. */
  async function timestampOn(index: number, k: number): Promise<number> {
    const partition = await h.node(index).engine.read(tableId, keyOf(k));
    return partition!.rows[0]!.cells.find((c) => c.column === 'v')!.timestamp;
  }

  it("keeps the client's USING TIMESTAMP on every replica", async () => {
    await h.execute(0, "INSERT INTO ks.t (k, v) VALUES (13, 'given') USING TIMESTAMP 1234567", {
      consistency: 'ALL',
    });
    for (const index of [0, 1, 2]) expect(await timestampOn(index, 13)).toBe(1234567);
  });

  it("uses the coordinator's clock in microseconds, strictly increasing within one millisecond", async () => {
    const nowMicros = h.scheduler.nowMs() * 1000;
    // Virtual time does not move between these two writes.
    await Promise.all([
      h.node(1).processor.execute("INSERT INTO ks.t (k, v) VALUES (14, 'a')", {}, [], { consistency: 'ONE' }),
      h.node(1).processor.execute("INSERT INTO ks.t (k, v) VALUES (15, 'b')", {}, [], { consistency: 'ONE' }),
    ]);
    await h.settle();
    const [first, second] = [await timestampOn(2, 14), await timestampOn(2, 15)];
    expect(first).toBeGreaterThanOrEqual(nowMicros);
    expect(first).toBeLessThan(nowMicros + 1000);
    expect(second).toBe(first + 1);
  });
});

describe('Unavailable', () => {
  it('refuses before touching any replica, the coordinator itself included', async () => {
    h.markDown(1);
    h.markDown(2);
    const sentBefore = h.node(0).messaging.metrics.messagesSent;
    const error = await insert(7, 'QUORUM').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'QUORUM',
      required: 2,
      alive: 1,
      message: 'Cannot achieve consistency level QUORUM',
    });
    await h.settle();
    expect(await holds(0, 7)).toBe(false);
    expect(h.node(0).messaging.metrics.messagesSent).toBe(sentBefore);
    expect(h.node(0).hints.hints).toHaveLength(0);
  });

  it('checks every mutation of a batch before writing any', async () => {
    h.markDown(2);
    const error = await h
      .execute(
        0,
        "BEGIN UNLOGGED BATCH INSERT INTO ks.t (k, v) VALUES (8, 'a'); INSERT INTO ks.t (k, v) VALUES (9, 'b'); APPLY BATCH",
        { consistency: 'ALL' },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', required: 3, alive: 2 });
    expect([await holds(0, 8), await holds(0, 9)]).toEqual([false, false]);
  });
});

describe('hints', () => {
  it('hints a replica down at the start at once, and still answers the level', async () => {
    h.markDown(2);
    await insert(10, 'QUORUM');
    const hints = h.node(0).hints.for(h.node(2).hostId);
    expect(hints).toHaveLength(1);
    expect(Buffer.from(hints[0]!.partition.key.key)).toEqual(keyOf(10).key);
    await h.settle();
    expect(await holds(2, 10)).toBe(false);
    expect(h.node(0).hints.hints).toHaveLength(1);
  });

  it('lets a stored hint satisfy ANY when every replica is down', async () => {
    const ring = h.ring;
    // A key of keyspace `one` (RF 1) whose only replica is node 2: the coordinator node 0 is none.
    const strategy = new SimpleStrategy('one', 1);
    let k = 0;
    while (strategy.calculateNaturalEndpoints(ring, keyOf(k).token as never)[0] !== h.node(2).hostId) k++;
    h.markDown(2);
    await expect(
      h.execute(0, `INSERT INTO one.t (k, v) VALUES (${k}, 'any')`, { consistency: 'ONE' }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', required: 1, alive: 0 });
    await h.execute(0, `INSERT INTO one.t (k, v) VALUES (${k}, 'any')`, { consistency: 'ANY' });
    expect(h.node(0).hints.for(h.node(2).hostId)).toHaveLength(1);
  });

  it('refuses SERIAL for a plain write with Cassandra message', async () => {
    await expect(insert(11, 'SERIAL')).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'You must use conditional updates for serializable writes',
    });
  });
});
