/** INSERT / UPDATE / DELETE against a real StorageEngine: cells, collections, statics, TTL, counters, batches. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNSET } from '../../../cql/executor/index.js';
import { LocalDate } from '../../../cql/types/index.js';
import { bytes, Harness } from './fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.open();
});
afterEach(async () => {
  await h.close();
});

describe('simple columns', () => {
  beforeEach(async () => {
    await h.create('t', [
      ['k', 'int', 'pk'],
      ['c', 'int', 'ck'],
      ['v', 'text'],
      ['w', 'int'],
    ]);
  });

  it('INSERT writes a row marker: the row survives its cells being deleted', async () => {
    await h.run("INSERT INTO t (k, c, v) VALUES (1, 1, 'a')");
    await h.run('DELETE v FROM t WHERE k = 1 AND c = 1');
    expect(await h.rows('SELECT * FROM t WHERE k = 1')).toEqual([[1, 1, null, null]]);
  });

  it('UPDATE writes no row marker: the row goes with its last cell', async () => {
    await h.run("UPDATE t SET v = 'a' WHERE k = 1 AND c = 1");
    await h.flush();
    expect(await h.rows('SELECT * FROM t WHERE k = 1')).toEqual([[1, 1, 'a', null]]);
    await h.run('DELETE v FROM t WHERE k = 1 AND c = 1');
    expect(await h.rows('SELECT * FROM t WHERE k = 1')).toEqual([]);
  });

  it('binds positional and unset values; null writes a tombstone', async () => {
    await h.run('INSERT INTO t (k, c, v, w) VALUES (?, ?, ?, ?)', [
      bytes('int', 1),
      bytes('int', 1),
      bytes('text', 'x'),
      bytes('int', 5),
    ]);
    await h.run('UPDATE t SET v = ?, w = ? WHERE k = 1 AND c = 1', [UNSET, null]);
    expect(await h.rows('SELECT v, w FROM t WHERE k = 1 AND c = 1')).toEqual([['x', null]]);
  });

  it('UPDATE and DELETE with IN on the key and the clustering', async () => {
    await h.run("UPDATE t SET v = 'z' WHERE k IN (1, 2) AND c IN (1, 2)");
    expect((await h.rows('SELECT k, c FROM t WHERE k IN (1, 2)')).length).toBe(4);
    await h.run('DELETE FROM t WHERE k IN (1, 2) AND c IN (2)');
    expect(await h.rows('SELECT k, c FROM t WHERE k IN (1, 2)')).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('USING TIMESTAMP decides last-write-wins; a deletion wins a tie', async () => {
    await h.run("INSERT INTO t (k, c, v) VALUES (1, 1, 'new') USING TIMESTAMP 20");
    await h.run("INSERT INTO t (k, c, v) VALUES (1, 1, 'old') USING TIMESTAMP 10");
    expect(await h.rows('SELECT v, writetime(v) FROM t WHERE k = 1 AND c = 1')).toEqual([['new', 20n]]);
    await h.run('DELETE FROM t USING TIMESTAMP 20 WHERE k = 1 AND c = 1');
    expect(await h.rows('SELECT v FROM t WHERE k = 1')).toEqual([]);
  });

  it('TTL expires cells and the row marker with the clock; ttl() counts down', async () => {
    await h.run("INSERT INTO t (k, c, v) VALUES (1, 1, 'a') USING TTL 100");
    h.clock.advance(40_000);
    expect(await h.rows('SELECT v, ttl(v) FROM t WHERE k = 1')).toEqual([['a', 60]]);
    await h.flush();
    h.clock.advance(60_000);
    expect(await h.rows('SELECT * FROM t WHERE k = 1')).toEqual([]);
  });

  it('default_time_to_live applies; USING TTL 0 overrides it', async () => {
    await h.create(
      'd',
      [
        ['k', 'int', 'pk'],
        ['v', 'int'],
      ],
      { defaultTimeToLive: 10 },
    );
    await h.run('INSERT INTO d (k, v) VALUES (1, 1)');
    await h.run('INSERT INTO d (k, v) VALUES (2, 2) USING TTL 0');
    h.clock.advance(11_000);
    expect(await h.rows('SELECT k FROM d')).toEqual([[2]]);
  });

  it('DELETE of a clustering range and of a whole partition', async () => {
    for (let c = 1; c <= 5; c++) await h.run(`INSERT INTO t (k, c, v) VALUES (1, ${c}, 'x')`);
    await h.run("INSERT INTO t (k, c, v) VALUES (2, 1, 'y')");
    await h.flush();
    await h.run('DELETE FROM t WHERE k = 1 AND c > 1 AND c <= 3');
    expect(await h.rows('SELECT c FROM t WHERE k = 1')).toEqual([[1], [4], [5]]);
    await h.run('DELETE FROM t WHERE k = 1');
    expect(await h.rows('SELECT k FROM t')).toEqual([[2]]);
  });

  it('timestamps without USING TIMESTAMP are monotonic microseconds from the clock', async () => {
    await h.run("INSERT INTO t (k, c, v) VALUES (1, 1, 'a')");
    await h.run("INSERT INTO t (k, c, v) VALUES (1, 1, 'b')");
    const [[v, ts]] = (await h.rows('SELECT v, writetime(v) FROM t WHERE k = 1')) as [[string, bigint]];
    expect(v).toBe('b');
    expect(ts).toBe(BigInt(h.clock.nowMs() * 1000 + 1));
  });
});

describe('collections', () => {
  beforeEach(async () => {
    await h.create('c', [
      ['k', 'int', 'pk'],
      ['l', 'list<int>'],
      ['s', 'set<text>'],
      ['m', 'map<text, int>'],
      ['f', 'frozen<list<int>>'],
    ]);
  });

  it('lists: overwrite, append, prepend, set by index, remove by value, delete by index', async () => {
    await h.run('INSERT INTO c (k, l) VALUES (1, [1, 2])');
    await h.run('UPDATE c SET l = l + [3, 4] WHERE k = 1');
    await h.run('UPDATE c SET l = [0, -1] + l WHERE k = 1');
    h.clock.advance(1);
    await h.run('UPDATE c SET l = [-2] + l WHERE k = 1');
    expect(await h.rows('SELECT l FROM c WHERE k = 1')).toEqual([[[-2, 0, -1, 1, 2, 3, 4]]]);
    await h.flush();
    await h.run('UPDATE c SET l[1] = 10 WHERE k = 1');
    await h.run('UPDATE c SET l = l - [3, -1] WHERE k = 1');
    await h.run('DELETE l[0] FROM c WHERE k = 1');
    expect(await h.rows('SELECT l FROM c WHERE k = 1')).toEqual([[[10, 1, 2, 4]]]);
    await h.run('UPDATE c SET l = [7] WHERE k = 1');
    expect(await h.rows('SELECT l FROM c WHERE k = 1')).toEqual([[[7]]]);
  });

  it('list index out of bound is an error', async () => {
    await h.run('INSERT INTO c (k, l) VALUES (1, [1])');
    await expect(h.run('UPDATE c SET l[5] = 1 WHERE k = 1')).rejects.toThrow(
      'List index 5 out of bound, list has size 1',
    );
  });

  it('sets: add, remove, overwrite; elements sorted and unique', async () => {
    await h.run("INSERT INTO c (k, s) VALUES (1, {'b', 'a', 'b'})");
    await h.run("UPDATE c SET s = s + {'c'} WHERE k = 1");
    await h.run("UPDATE c SET s = s - {'a'} WHERE k = 1");
    expect(await h.rows('SELECT s FROM c WHERE k = 1')).toEqual([[['b', 'c']]]);
    await h.run('UPDATE c SET s = {} WHERE k = 1');
    expect(await h.rows('SELECT s FROM c WHERE k = 1')).toEqual([[null]]);
  });

  it('maps: put, set by key, remove keys, delete element, null element', async () => {
    await h.run("INSERT INTO c (k, m) VALUES (1, {'b': 2, 'a': 1})");
    await h.run("UPDATE c SET m = m + {'c': 3}, m['d'] = 4 WHERE k = 1");
    await h.run("UPDATE c SET m = m - {'a'} WHERE k = 1");
    await h.run("DELETE m['b'] FROM c WHERE k = 1");
    await h.run("UPDATE c SET m['c'] = null WHERE k = 1");
    expect(await h.rows('SELECT m FROM c WHERE k = 1')).toEqual([[new Map([['d', 4]])]]);
    expect(await h.rows("SELECT m['d'] FROM c WHERE k = 1")).toEqual([[4]]);
  });

  it('frozen collections are single values and refuse element operations', async () => {
    await h.run('INSERT INTO c (k, f) VALUES (1, [3, 1])');
    expect(await h.rows('SELECT f FROM c WHERE k = 1')).toEqual([[[3, 1]]]);
    await expect(h.run('UPDATE c SET f = f + [1] WHERE k = 1')).rejects.toThrow(
      'Invalid operation (f = f + [1]) for frozen collection column f',
    );
  });

  it('a bound set in any order is stored canonical', async () => {
    const unsorted = Uint8Array.from([0, 0, 0, 2, 0, 0, 0, 1, 0x62, 0, 0, 0, 1, 0x61]);
    await h.run('INSERT INTO c (k, s) VALUES (1, ?)', [unsorted]);
    expect(await h.rows('SELECT s FROM c WHERE k = 1')).toEqual([[['a', 'b']]]);
  });

  it('deleting a whole collection', async () => {
    await h.run("INSERT INTO c (k, l, m) VALUES (1, [1], {'a': 1})");
    await h.run('DELETE l, m FROM c WHERE k = 1');
    expect(await h.rows('SELECT l, m FROM c WHERE k = 1')).toEqual([[null, null]]);
  });
});

describe('user types and tuples', () => {
  it('non-frozen UDT fields are cells; frozen ones whole values', async () => {
    await h.create('u', [
      ['k', 'int', 'pk'],
      ['t', 'tuple<int, text>'],
      ['d', 'date'],
    ]);
    await h.run("INSERT INTO u (k, t, d) VALUES (1, (1, 'a'), '2024-01-02')");
    expect(await h.rows('SELECT t, d FROM u WHERE k = 1')).toEqual([
      [[1, 'a'], LocalDate.parse('2024-01-02')],
    ]);
  });
});

describe('static columns', () => {
  beforeEach(async () => {
    await h.create('s', [
      ['k', 'int', 'pk'],
      ['c', 'int', 'ck'],
      ['st', 'text', 'static'],
      ['v', 'int'],
    ]);
  });

  it('a static value is shared by every row of the partition', async () => {
    await h.run("INSERT INTO s (k, c, st, v) VALUES (1, 1, 'a', 1)");
    await h.run('INSERT INTO s (k, c, v) VALUES (1, 2, 2)');
    await h.run("UPDATE s SET st = 'b' WHERE k = 1");
    expect(await h.rows('SELECT * FROM s WHERE k = 1')).toEqual([
      [1, 1, 'b', 1],
      [1, 2, 'b', 2],
    ]);
  });

  it('a partition with only static content reads as one row', async () => {
    await h.run("INSERT INTO s (k, st) VALUES (1, 'a')");
    expect(await h.rows('SELECT * FROM s WHERE k = 1')).toEqual([[1, null, 'a', null]]);
    expect(await h.rows('SELECT * FROM s WHERE k = 1 AND c = 1')).toEqual([]);
  });

  it('updating only statics with a clustering restriction is refused', async () => {
    await expect(h.run("UPDATE s SET st = 'x' WHERE k = 1 AND c = 1")).rejects.toThrow(
      'Invalid restrictions on clustering columns since the UPDATE statement modifies only static columns',
    );
  });
});

describe('counters', () => {
  beforeEach(async () => {
    await h.create('n', [
      ['k', 'int', 'pk'],
      ['a', 'counter'],
      ['b', 'counter'],
    ]);
  });

  it('increments and decrements, concurrently', async () => {
    await Promise.all(
      Array.from({ length: 20 }, () => h.run('UPDATE n SET a = a + 1, b = b - 2 WHERE k = 1')),
    );
    await h.flush();
    await h.run('UPDATE n SET a = a + 5 WHERE k = 1');
    expect(await h.rows('SELECT a, b FROM n WHERE k = 1')).toEqual([[25n, -40n]]);
  });

  it('refuses setting, INSERT, TTL and TIMESTAMP', async () => {
    await expect(h.run('UPDATE n SET a = 1 WHERE k = 1')).rejects.toThrow(
      'Cannot set the value of counter column a (counters can only be incremented/decremented, not set)',
    );
    await expect(h.run('INSERT INTO n (k, a) VALUES (1, 1)')).rejects.toThrow(
      'INSERT statements are not allowed on counter tables, use UPDATE instead',
    );
    await expect(h.run('UPDATE n USING TTL 5 SET a = a + 1 WHERE k = 1')).rejects.toThrow(
      'Cannot provide custom TTL for counter updates',
    );
    await expect(h.run('UPDATE n USING TIMESTAMP 5 SET a = a + 1 WHERE k = 1')).rejects.toThrow(
      'Cannot provide custom timestamp for counter updates',
    );
  });
});

describe('batches', () => {
  beforeEach(async () => {
    await h.create('t', [
      ['k', 'int', 'pk'],
      ['c', 'int', 'ck'],
      ['v', 'text'],
    ]);
    await h.create('n', [
      ['k', 'int', 'pk'],
      ['a', 'counter'],
    ]);
  });

  it('applies every statement with one timestamp', async () => {
    await h.run(
      "BEGIN BATCH INSERT INTO t (k, c, v) VALUES (1, 1, 'a'); UPDATE t SET v = 'b' WHERE k = 1 AND c = 2; INSERT INTO t (k, c, v) VALUES (2, 1, ?) APPLY BATCH",
      [bytes('text', 'c')],
    );
    const rows = await h.rows('SELECT k, c, v, writetime(v) FROM t');
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      [1, 1, 'a'],
      [1, 2, 'b'],
      [2, 1, 'c'],
    ]);
    expect(new Set(rows.map((r) => r[3])).size).toBe(1);
  });

  it('USING TIMESTAMP on the batch; counter batches; mixing refused', async () => {
    await h.run(
      "BEGIN UNLOGGED BATCH USING TIMESTAMP 7 INSERT INTO t (k, c, v) VALUES (1, 1, 'a') APPLY BATCH",
    );
    expect(await h.rows('SELECT writetime(v) FROM t')).toEqual([[7n]]);
    await h.run(
      'BEGIN COUNTER BATCH UPDATE n SET a = a + 1 WHERE k = 1; UPDATE n SET a = a + 2 WHERE k = 1 APPLY BATCH',
    );
    expect(await h.rows('SELECT a FROM n')).toEqual([[3n]]);
    await expect(
      h.run("BEGIN COUNTER BATCH INSERT INTO t (k, c, v) VALUES (1, 1, 'a') APPLY BATCH"),
    ).rejects.toThrow('Cannot include non-counter statement in a counter batch');
    await expect(h.run('BEGIN BATCH UPDATE n SET a = a + 1 WHERE k = 1 APPLY BATCH')).rejects.toThrow(
      'Cannot include a counter statement in a logged batch',
    );
  });
});

describe('INSERT JSON', () => {
  it('fills columns from JSON; DEFAULT UNSET keeps the others', async () => {
    await h.create('j', [
      ['k', 'int', 'pk'],
      ['v', 'text'],
      ['l', 'list<int>'],
      ['m', 'map<int, text>'],
    ]);
    await h.run(`INSERT INTO j JSON '{"k": 1, "v": "a", "l": [1, 2], "m": {"3": "x"}}'`);
    await h.run(`INSERT INTO j JSON '{"k": 1, "l": [5]}' DEFAULT UNSET`);
    expect(await h.rows('SELECT k, v, l, m FROM j')).toEqual([[1, 'a', [5], new Map([[3, 'x']])]]);
    await h.run(`INSERT INTO j JSON '{"k": 1}'`);
    expect(await h.rows('SELECT k, v, l, m FROM j')).toEqual([[1, null, null, null]]);
  });
});
