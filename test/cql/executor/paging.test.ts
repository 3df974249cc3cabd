/** Paging: every page size over multi-partition scans and key lists gives exactly the unpaged result. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultSet } from '../../../cql/executor/index.js';
import { decodePagingState, encodePagingState } from '../../../cql/executor/index.js';
import { Harness } from './fixture.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.open();
  await h.create('t', [
    ['k', 'int', 'pk'],
    ['c', 'int', 'ck', 'desc'],
    ['st', 'int', 'static'],
    ['v', 'int'],
  ]);
  for (let k = 0; k < 6; k++) {
    // Partition 5 has only static content; partition 4 has rows and a static value.
    if (k === 5) {
      await h.run('INSERT INTO t (k, st) VALUES (5, 50)');
      continue;
    }
    for (let c = 0; c < k + 1; c++) await h.run(`INSERT INTO t (k, c, v) VALUES (${k}, ${c}, ${k * 10 + c})`);
    if (k === 4) await h.run('UPDATE t SET st = 40 WHERE k = 4');
    if (k === 2) await h.flush();
  }
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {});

async function allPages(cql: string, pageSize: number): Promise<ResultSet['rows']> {
  const out: ResultSet['rows'][number][] = [];
  let pagingState: Uint8Array | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const rs = await h.select(cql, [], pagingState ? { pageSize, pagingState } : { pageSize });
    expect(rs.rows.length).toBeLessThanOrEqual(pageSize);
    out.push(...rs.rows);
    if (!rs.pagingState) return out;
    pagingState = rs.pagingState;
  }
  throw new Error('paging did not end');
}

const queries = [
  'SELECT * FROM t',
  'SELECT k, c, v FROM t WHERE k IN (0, 2, 3, 4, 5)',
  'SELECT * FROM t WHERE k = 4 ORDER BY c ASC',
  'SELECT * FROM t LIMIT 7',
  'SELECT k, c FROM t PER PARTITION LIMIT 2',
  'SELECT k, c FROM t PER PARTITION LIMIT 2 LIMIT 5',
  'SELECT DISTINCT k, st FROM t',
  'SELECT k, v FROM t WHERE v > 12 ALLOW FILTERING',
];

describe('page sizes 1..n equal the unpaged read', () => {
  for (const cql of queries) {
    it(cql, async () => {
      const unpaged = (await h.select(cql)).rows;
      expect(unpaged.length).toBeGreaterThan(0);
      for (let pageSize = 1; pageSize <= unpaged.length + 1; pageSize++) {
        expect(await allPages(cql, pageSize), `page size ${pageSize}`).toEqual(unpaged);
      }
    });
  }
});

it('IN with ORDER BY sorts across partitions and cannot be paged', async () => {
  const cql = 'SELECT k, c FROM t WHERE k IN (1, 3) ORDER BY c ASC';
  expect(await h.rows(cql)).toEqual([
    [1, 0],
    [3, 0],
    [1, 1],
    [3, 1],
    [3, 2],
    [3, 3],
  ]);
  await expect(h.select(cql, [], { pageSize: 2 })).rejects.toThrow(
    'Cannot page queries with both ORDER BY and a IN restriction',
  );
});

it('the static-only partition appears once, as a row of statics', async () => {
  const rows = await h.rows('SELECT k, c, st FROM t WHERE k = 5');
  expect(rows).toEqual([[5, null, 50]]);
});

it('a paging state round-trips and malformed ones are refused', () => {
  const state = {
    partitionKey: Uint8Array.of(1, 2),
    clustering: [Uint8Array.of(3)],
    remaining: 4,
    remainingInPartition: -1,
  };
  expect(decodePagingState(encodePagingState(state))).toEqual(state);
  expect(() => decodePagingState(Uint8Array.of(9))).toThrow('Invalid value for the paging state');
});
