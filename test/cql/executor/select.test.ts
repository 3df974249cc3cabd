/** SELECT against a real StorageEngine: restrictions, ordering, filtering, limits, aggregates, selectors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializePartitionKey } from '../../../ring/composite-key.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { bytes, Harness } from './fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.open();
  await h.create('t', [
    ['k', 'int', 'pk'],
    ['c1', 'int', 'ck'],
    ['c2', 'text', 'ck', 'desc'],
    ['v', 'int'],
    ['s', 'set<int>'],
  ]);
  for (const k of [1, 2, 3]) {
    for (const c1 of [1, 2]) {
      for (const c2 of ['a', 'b']) {
        await h.run(
          `INSERT INTO t (k, c1, c2, v, s) VALUES (${k}, ${c1}, '${c2}', ${k * 100 + c1 * 10 + (c2 === 'a' ? 1 : 2)}, {${c1}})`,
        );
      }
    }
    if (k === 2) await h.flush();
  }
});
afterEach(async () => {
  await h.close();
});

const tokenOf = (k: number) => getToken(serializePartitionKey([bytes('int', k)]));

describe('restrictions', () => {
  it('clustering order: ASC then DESC; ORDER BY reverses', async () => {
    expect(await h.rows('SELECT c1, c2 FROM t WHERE k = 1')).toEqual([
      [1, 'b'],
      [1, 'a'],
      [2, 'b'],
      [2, 'a'],
    ]);
    expect(await h.rows('SELECT c1, c2 FROM t WHERE k = 1 ORDER BY c1 DESC')).toEqual([
      [2, 'a'],
      [2, 'b'],
      [1, 'a'],
      [1, 'b'],
    ]);
    expect(await h.rows('SELECT c1, c2 FROM t WHERE k = 1 ORDER BY c1 DESC, c2 ASC')).toEqual([
      [2, 'a'],
      [2, 'b'],
      [1, 'a'],
      [1, 'b'],
    ]);
  });

  it('clustering EQ, IN, slices on the DESC column, multi-column relations', async () => {
    expect(await h.rows('SELECT v FROM t WHERE k = 1 AND c1 = 2')).toEqual([[122], [121]]);
    expect(await h.rows("SELECT v FROM t WHERE k = 1 AND c1 IN (2, 1) AND c2 = 'a'")).toEqual([[111], [121]]);
    expect(await h.rows("SELECT v FROM t WHERE k = 1 AND c1 = 1 AND c2 > 'a'")).toEqual([[112]]);
    expect(await h.rows("SELECT v FROM t WHERE k = 1 AND c1 = 1 AND c2 <= 'a'")).toEqual([[111]]);
    expect(await h.rows('SELECT v FROM t WHERE k = 1 AND c1 > 1')).toEqual([[122], [121]]);
    expect(await h.rows("SELECT v FROM t WHERE k = 1 AND (c1, c2) > (1, 'a')")).toEqual([
      [112],
      [122],
      [121],
    ]);
    expect(await h.rows("SELECT v FROM t WHERE k = 1 AND (c1, c2) IN ((2, 'b'), (1, 'a'))")).toEqual([
      [111],
      [122],
    ]);
  });

  it('IN on the partition key returns partitions in key order, deduplicated', async () => {
    expect(await h.rows("SELECT k FROM t WHERE k IN (3, 1, 3) AND c1 = 1 AND c2 = 'a'")).toEqual([[1], [3]]);
  });

  it('a scan walks token order; token() ranges select by token', async () => {
    const byToken = [1, 2, 3].sort((a, b) => (tokenOf(a) < tokenOf(b) ? -1 : 1));
    const rows = await h.rows('SELECT DISTINCT k, token(k) FROM t');
    expect(rows).toEqual(byToken.map((k) => [k, tokenOf(k)]));
    const first = tokenOf(byToken[0]!);
    expect(await h.rows(`SELECT DISTINCT k FROM t WHERE token(k) > ${first}`)).toEqual(
      byToken.slice(1).map((k) => [k]),
    );
    expect(await h.rows(`SELECT DISTINCT k FROM t WHERE token(k) <= token(${byToken[1]})`)).toEqual(
      byToken.slice(0, 2).map((k) => [k]),
    );
  });

  it('ALLOW FILTERING on regular columns, CONTAINS and partial clustering', async () => {
    const message =
      'Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING';
    await expect(h.run('SELECT * FROM t WHERE v = 111')).rejects.toThrow(message);
    await expect(h.run('SELECT * FROM t WHERE c1 = 1')).rejects.toThrow(message);
    expect(await h.rows('SELECT v FROM t WHERE v > 300 ALLOW FILTERING')).toEqual([
      [312],
      [311],
      [322],
      [321],
    ]);
    expect(await h.rows('SELECT v FROM t WHERE k = 2 AND s CONTAINS 2 ALLOW FILTERING')).toEqual([
      [222],
      [221],
    ]);
    expect(await h.rows("SELECT v FROM t WHERE k = 3 AND c2 = 'a' ALLOW FILTERING")).toEqual([[311], [321]]);
    await expect(h.run("SELECT v FROM t WHERE k = 3 AND c2 = 'a'")).rejects.toThrow(
      'PRIMARY KEY column "c2" cannot be restricted as preceding column "c1" is not restricted',
    );
  });
});

describe('limits and aggregates', () => {
  it('LIMIT and PER PARTITION LIMIT', async () => {
    expect((await h.rows('SELECT * FROM t LIMIT 5')).length).toBe(5);
    const rows = await h.rows('SELECT k, v FROM t PER PARTITION LIMIT 1');
    expect(rows.length).toBe(3);
    await expect(h.run('SELECT * FROM t LIMIT 0')).rejects.toThrow('LIMIT must be strictly positive');
  });

  it('count, min, max, sum, avg; GROUP BY the partition and a clustering prefix', async () => {
    expect(await h.rows('SELECT count(*), min(v), max(v), sum(v), avg(v) FROM t WHERE k = 1')).toEqual([
      [4n, 111, 122, 466, 116],
    ]);
    expect(await h.rows('SELECT count(*), max(v) FROM t WHERE k = 9')).toEqual([[0n, null]]);
    const grouped = await h.rows('SELECT k, c1, count(*) FROM t WHERE k = 2 GROUP BY k, c1');
    expect(grouped).toEqual([
      [2, 1, 2n],
      [2, 2, 2n],
    ]);
    expect((await h.rows('SELECT k, count(v) FROM t GROUP BY k')).length).toBe(3);
  });

  it('writetime, ttl, aliases, CAST, JSON', async () => {
    const rs = await h.select(
      "SELECT v AS value, cast(v as text), ttl(v) FROM t WHERE k = 1 AND c1 = 1 AND c2 = 'a'",
    );
    expect(rs.columns.map((c) => c.name)).toEqual(['value', 'cast(v as text)', 'ttl(v)']);
    expect(await h.rows("SELECT v, cast(v as text) FROM t WHERE k = 1 AND c1 = 1 AND c2 = 'a'")).toEqual([
      [111, '111'],
    ]);
    expect(await h.rows("SELECT JSON k, v, s FROM t WHERE k = 1 AND c1 = 1 AND c2 = 'a'")).toEqual([
      ['{"k": 1, "v": 111, "s": [1]}'],
    ]);
  });
});

describe('errors', () => {
  const cases: [string, string][] = [
    ['SELECT * FROM t WHERE x = 1', 'Undefined column name x in table ks.t'],
    [
      'SELECT * FROM t WHERE k = 1 AND k = 2',
      'k cannot be restricted by more than one relation if it includes an Equal',
    ],
    [
      'SELECT * FROM t WHERE k = 1 ORDER BY v',
      'Order by is currently only supported on the clustered columns of the PRIMARY KEY, got v',
    ],
    [
      'SELECT * FROM t ORDER BY c1 DESC',
      'ORDER BY is only supported when the partition key is restricted by an EQ or an IN.',
    ],
    [
      'SELECT * FROM t WHERE k = 1 ORDER BY c2',
      'Order by currently only supports the ordering of columns following their declared order in the PRIMARY KEY',
    ],
    ['SELECT * FROM t WHERE k = 1 ORDER BY c1 ASC, c2 ASC', 'Unsupported order by relation'],
    ["SELECT * FROM t WHERE k = 'a'", `Invalid STRING constant ('a') for "k" of type int`],
    [
      'SELECT DISTINCT v FROM t',
      'SELECT DISTINCT queries must only request partition key columns and/or static columns (not v)',
    ],
    [
      'SELECT * FROM t WHERE (k, c1) = (1, 1)',
      'Multi-column relations can only be applied to clustering columns but was applied to: k',
    ],
    [
      'SELECT * FROM t WHERE k = 1 AND (c2, c1) = (1, 1)',
      'Clustering columns must appear in the PRIMARY KEY order in multi-column relations: (c2, c1)',
    ],
    [
      'SELECT * FROM t WHERE k = 1 GROUP BY v',
      'Group by is currently only supported on the columns of the PRIMARY KEY, got v',
    ],
    ['SELECT * FROM t WHERE v != 1 ALLOW FILTERING', 'Unsupported "!=" relation: v != 1'],
    ['SELECT * FROM t WHERE k = null', 'Invalid null value in condition for column k'],
  ];
  for (const [cql, message] of cases) {
    it(cql, async () => {
      await expect(h.run(cql)).rejects.toThrow(message);
    });
  }

  it('modification errors', async () => {
    const cases: [string, string][] = [
      ['UPDATE t SET v = 1 WHERE c1 = 1', 'Some partition key parts are missing: k'],
      ['UPDATE t SET v = 1 WHERE k = 1', 'Some clustering keys are missing: c1, c2'],
      [
        "UPDATE t SET v = 1 WHERE k = 1 AND c1 = 1 AND c2 > 'a'",
        'Slice restrictions are not supported on the clustering columns in UPDATE statements',
      ],
      ['UPDATE t SET c1 = 1 WHERE k = 1', 'PRIMARY KEY part c1 found in SET part'],
      ["INSERT INTO t (c1, c2, v) VALUES (1, 'a', 1)", 'Some partition key parts are missing: k'],
      ['INSERT INTO t (k, c1, v) VALUES (1, 1, 1)', 'Some clustering keys are missing: c2'],
      ['INSERT INTO t (k, c1, c2) VALUES (1, 1, 1)', 'Invalid INTEGER constant (1) for "c2" of type text'],
      ["INSERT INTO t (k, c1, c2, v) VALUES (1, 1, 'a', 1) IF NOT EXISTS", 'not supported yet'],
      ['DELETE v FROM t WHERE k = 1', 'Range deletions are not supported for specific columns'],
      [
        "UPDATE t SET v = 1 WHERE k = 1 AND c1 = 1 AND c2 = 'a' AND v = 1",
        'Non PRIMARY KEY columns found in where clause: v ',
      ],
      [
        'DELETE FROM t WHERE token(k) = 1',
        'The token function cannot be used in WHERE clauses for DELETE statements',
      ],
      [
        "UPDATE t SET v = v + 1 WHERE k = 1 AND c1 = 1 AND c2 = 'a'",
        'Invalid operation (v = v + 1) for non counter column v',
      ],
      [
        "INSERT INTO t (k, c1, c2, v) VALUES (1, 1, 'a', 1) USING TTL -1",
        'A TTL must be greater or equal to 0, but was -1',
      ],
      [
        "UPDATE t SET v = 1 WHERE k = 1 AND c1 = 1 AND c2 = 'a' AND s CONTAINS 1",
        'Cannot use UPDATE with CONTAINS',
      ],
    ];
    for (const [cql, message] of cases) await expect(h.run(cql), cql).rejects.toThrow(message);
  });
});
