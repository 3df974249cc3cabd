/**
 * Two data centers on the deterministic harness (nodes 0–2 in dc1, 3–5 in dc2), a keyspace with
 * NetworkTopologyStrategy {dc1: 3, dc2: 3}: LOCAL_QUORUM counts only the coordinator's data center
 * (acknowledgements from the other never make up for silent local ones), EACH_QUORUM needs a quorum
 * in both, and reads at DC-local levels never leave the local data center.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorHarness, rowsOf } from './harness.js';

let h: CoordinatorHarness;
const DC2 = [3, 4, 5];

function insert(k: number, consistency: 'LOCAL_QUORUM' | 'EACH_QUORUM' | 'ALL', coordinator = 0) {
  return h.execute(coordinator, `INSERT INTO ks.t (k, v) VALUES (${k}, 'v')`, { consistency });
}

beforeAll(async () => {
  h = await CoordinatorHarness.start({
    nodes: 6,
    dataCenters: ['dc1', 'dc1', 'dc1', 'dc2', 'dc2', 'dc2'],
    seed: 3,
  });
  await h.ddl(
    "CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 3}",
  );
  await h.ddl("CREATE TABLE ks.t (k int PRIMARY KEY, v text) WITH speculative_retry = 'NONE'");
});

afterEach(async () => {
  await h.settle();
  h.reset();
});

afterAll(async () => {
  await h.close();
});

describe('LOCAL_QUORUM', () => {
  it('is met by the local data center alone', async () => {
    for (const index of [2, ...DC2]) h.silence(index, ['MUTATION_REQ']);
    await insert(1, 'LOCAL_QUORUM');
  });

  it('times out when local replicas are silent, whatever the other data center answers', async () => {
    h.silence(1, ['MUTATION_REQ']);
    h.silence(2, ['MUTATION_REQ']);
    await expect(insert(2, 'LOCAL_QUORUM')).rejects.toMatchObject({
      code: 'WRITE_TIMEOUT',
      consistency: 'LOCAL_QUORUM',
      received: 1,
      blockFor: 2,
      writeType: 'SIMPLE',
    });
  });

  it('is Unavailable when the local data center lacks live replicas, the other being all up', async () => {
    h.markDown(1);
    h.markDown(2);
    await expect(insert(3, 'LOCAL_QUORUM')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'LOCAL_QUORUM',
      required: 2,
      alive: 1,
    });
    // Seen from dc2 the same write is fine: its own data center is whole.
    await insert(3, 'LOCAL_QUORUM', 4);
  });

  it('reads without leaving the local data center', async () => {
    await insert(4, 'ALL');
    for (const index of DC2) h.silence(index, ['READ_REQ', 'READ_DIGEST_REQ']);
    const rows = rowsOf(
      await h.execute(0, 'SELECT v FROM ks.t WHERE k = 4', { consistency: 'LOCAL_QUORUM' }),
    );
    expect(rows).toHaveLength(1);
    const local = rowsOf(await h.execute(0, 'SELECT v FROM ks.t WHERE k = 4', { consistency: 'LOCAL_ONE' }));
    expect(local).toHaveLength(1);
    // QUORUM (4 of 6) needs a dc2 replica, which is silent.
    await expect(
      h.execute(0, 'SELECT v FROM ks.t WHERE k = 4', { consistency: 'QUORUM' }),
    ).rejects.toMatchObject({ code: 'READ_TIMEOUT', consistency: 'QUORUM', received: 3, blockFor: 4 });
  });
});

describe('EACH_QUORUM', () => {
  it('needs a quorum in every data center', async () => {
    h.silence(4, ['MUTATION_REQ']);
    h.silence(5, ['MUTATION_REQ']);
    await expect(insert(5, 'EACH_QUORUM')).rejects.toMatchObject({
      code: 'WRITE_TIMEOUT',
      consistency: 'EACH_QUORUM',
      received: 3, // dc1's quorum (2) and dc2's single acknowledgement
      blockFor: 4,
    });
    h.heal();
    h.silence(2, ['MUTATION_REQ']);
    h.silence(5, ['MUTATION_REQ']);
    await insert(6, 'EACH_QUORUM');
  });

  it('is Unavailable naming the data center without a live quorum', async () => {
    h.markDown(3);
    h.markDown(4);
    await expect(insert(7, 'EACH_QUORUM')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'EACH_QUORUM',
      required: 2,
      alive: 1,
      message: 'Cannot achieve consistency level EACH_QUORUM in DC dc2',
    });
  });

  it('reads a quorum from each data center', async () => {
    await insert(8, 'ALL');
    const rows = rowsOf(await h.execute(3, 'SELECT v FROM ks.t WHERE k = 8', { consistency: 'EACH_QUORUM' }));
    expect(rows).toHaveLength(1);
    h.silence(4, ['READ_REQ', 'READ_DIGEST_REQ']);
    h.silence(5, ['READ_REQ', 'READ_DIGEST_REQ']);
    await expect(
      h.execute(0, 'SELECT v FROM ks.t WHERE k = 8', { consistency: 'EACH_QUORUM' }),
    ).rejects.toMatchObject({ code: 'READ_TIMEOUT', consistency: 'EACH_QUORUM', blockFor: 4 });
  });
});
