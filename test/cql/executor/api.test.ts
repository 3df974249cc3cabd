/** The prepared-statement surface the query processor and the native protocol rely on. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bindNamedValues, prepareModification, prepareSelect } from '../../../cql/executor/index.js';
import type { SelectStatement, UpdateStatement } from '../../../cql/parser/index.js';
import { parseStatement } from '../../../cql/parser/index.js';
import { cqlTypeName } from '../../../cql/types/index.js';
import { bytes, decodeRows, Harness } from './fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.open();
  await h.create('t', [
    ['a', 'int', 'pk'],
    ['b', 'text', 'pk'],
    ['c', 'int', 'ck'],
    ['m', 'map<text, int>'],
    ['v', 'timeuuid'],
  ]);
});
afterEach(async () => {
  await h.close();
});

it('describes bind markers with Cassandra receiver names and the partition key indexes', () => {
  const parsed = parseStatement(
    'UPDATE t USING TTL ? SET m[?] = ?, v = now() WHERE b = :bb AND a = ? AND c IN ?',
  );
  const prepared = prepareModification(parsed.statement as UpdateStatement, h.table('t'), {
    env: h.env,
    markerCount: parsed.bindMarkers.length,
  });
  expect(prepared.bindMarkers.map((m) => `${m.name}:${cqlTypeName(m.type)}`)).toEqual([
    '[ttl]:int',
    'key(m):text',
    'value(m):int',
    'b:text',
    'a:int',
    'in(c):list<int>',
  ]);
  expect(prepared.partitionKeyBindIndexes).toEqual([4, 3]);
  expect(prepared.bindMarkers[3]!.markerName).toBe('bb');
});

it('binds named values and selects with result metadata', async () => {
  await h.run("INSERT INTO t (a, b, c, v) VALUES (1, 'x', 2, now())");
  const parsed = parseStatement('SELECT c, toTimestamp(v) AS t FROM t WHERE a = :a AND b = :b');
  const prepared = prepareSelect(parsed.statement as SelectStatement, h.table('t'), {
    env: h.env,
    markerCount: parsed.bindMarkers.length,
  });
  expect(prepared.columns.map((c) => `${c.keyspace}.${c.table}.${c.name}:${cqlTypeName(c.type)}`)).toEqual([
    'ks.t.c:int',
    'ks.t.t:timestamp',
  ]);
  const values = bindNamedValues(
    prepared.bindMarkers,
    new Map([
      ['a', bytes('int', 1)],
      ['b', bytes('text', 'x')],
    ]),
  );
  const rows = decodeRows(await prepared.execute(values));
  expect(rows).toEqual([[2, new Date(h.clock.nowMs())]]);
});

it('checks the number of bound values', async () => {
  await expect(h.run('SELECT * FROM t WHERE a = ? AND b = ?', [bytes('int', 1)])).rejects.toThrow(
    'There were 2 markers(?) in CQL but 1 bound variables',
  );
});
