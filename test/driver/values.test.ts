/** Encoding of bound values (by marker types or inferred), options parsing, ids and the prepared cache. */
import { describe, expect, it } from 'vitest';
import { NOT_SET } from '../../cql/protocol/index.js';
import {
  CqlDecimal,
  CqlTypes,
  deserialize,
  LocalDate,
  listOf,
  mapOf,
  serialize,
  setOf,
} from '../../cql/types/index.js';
import { pageStateBytes, parseContactPoint, timestampMicros } from '../../driver/client-options.js';
import { ArgumentError } from '../../driver/errors.js';
import { PreparedCache, type PreparedStatement } from '../../driver/prepared-cache.js';
import { StreamIds } from '../../driver/stream-ids.js';
import { encodeForMarkers, encodeInferred, inferType, unset } from '../../driver/value-encoding.js';

const spec = (name: string, type = CqlTypes.int, table = 't') => ({ keyspace: 'ks', table, name, type });

describe('JS type inference (unprepared statements)', () => {
  it('guesses as the DataStax driver does', () => {
    expect(inferType('x')).toEqual(CqlTypes.text);
    expect(inferType(1)).toEqual(CqlTypes.double);
    expect(inferType(1n)).toEqual(CqlTypes.bigint);
    expect(inferType(true)).toEqual(CqlTypes.boolean);
    expect(inferType(new Date(0))).toEqual(CqlTypes.timestamp);
    expect(inferType(Buffer.from('ab'))).toEqual(CqlTypes.blob);
    expect(inferType(CqlDecimal.parse('1.5'))).toEqual(CqlTypes.decimal);
    expect(inferType(LocalDate.parse('2024-01-02'))).toEqual(CqlTypes.date);
    expect(inferType([1n, 2n])).toEqual(listOf(CqlTypes.bigint));
    expect(inferType(new Set(['a']))).toEqual(setOf(CqlTypes.text));
    expect(inferType(new Map([['a', 1]]))).toEqual(mapOf(CqlTypes.text, CqlTypes.double));
  });

  it('refuses a value whose type cannot be guessed', () => {
    expect(() => inferType({ a: 1 })).toThrow(ArgumentError);
  });

  it('uses hints over inference, by position or by name', () => {
    const positional = encodeInferred([1, 'x', 7], ['int', undefined, CqlTypes.bigint]);
    expect(positional.values).toEqual([
      serialize(CqlTypes.int, 1),
      serialize(CqlTypes.text, 'x'),
      serialize(CqlTypes.bigint, 7),
    ]);
    expect(positional.names).toBeUndefined();
    const named = encodeInferred({ k: 1, ids: [1, 2] }, { k: 'int', ids: 'list<int>' });
    expect(named.names).toEqual(['k', 'ids']);
    expect(deserialize(listOf(CqlTypes.int), named.values[1] as Uint8Array)).toEqual([1, 2]);
  });

  it('reports a bad hint as an ArgumentError', () => {
    expect(() => encodeInferred([1], ['intt'])).toThrow(ArgumentError);
  });
});

describe('values bound by marker types (prepared statements)', () => {
  const markers = [spec('k'), spec('v', CqlTypes.text)];

  it('encodes positional values with each marker type', () => {
    expect(encodeForMarkers([5, 'five'], markers)).toEqual([
      serialize(CqlTypes.int, 5),
      serialize(CqlTypes.text, 'five'),
    ]);
  });

  it('binds named values case-insensitively; a missing name is unset', () => {
    expect(encodeForMarkers({ K: 5 }, markers)).toEqual([serialize(CqlTypes.int, 5), NOT_SET]);
  });

  it('keeps null as null and undefined / unset as not set', () => {
    expect(encodeForMarkers([null, undefined], markers)).toEqual([null, NOT_SET]);
    expect(encodeForMarkers([unset, 'x'], markers)[0]).toBe(NOT_SET);
  });

  it('refuses a wrong count, an unknown name or a value of the wrong type', () => {
    expect(() => encodeForMarkers([1], markers)).toThrow(/2 bind markers, 1 values/);
    expect(() => encodeForMarkers({ nope: 1 }, markers)).toThrow(ArgumentError);
    expect(() => encodeForMarkers(['one', 'x'], markers)).toThrow(/Parameter k \(int\)/);
  });
});

describe('client options', () => {
  it('parses contact points with and without ports', () => {
    expect(parseContactPoint('127.0.0.1', 9042)).toEqual({ host: '127.0.0.1', port: 9042 });
    expect(parseContactPoint('127.0.0.2:9142', 9042)).toEqual({ host: '127.0.0.2', port: 9142 });
    expect(parseContactPoint('[::1]:9043', 9042)).toEqual({ host: '::1', port: 9043 });
    expect(parseContactPoint('::1', 9042)).toEqual({ host: '::1', port: 9042 });
    expect(() => parseContactPoint('h:0', 9042)).toThrow(ArgumentError);
  });

  it('takes page states as hex or bytes and timestamps as integers', () => {
    expect(pageStateBytes('0a0b')).toEqual(Buffer.from([10, 11]));
    expect(() => pageStateBytes('xyz')).toThrow(ArgumentError);
    expect(timestampMicros(5)).toBe(5n);
    expect(() => timestampMicros(1.5)).toThrow(ArgumentError);
  });
});

describe('stream ids', () => {
  it('hands out the lowest ids, reuses freed ones and stops at capacity', () => {
    const ids = new StreamIds(3);
    expect([ids.acquire(), ids.acquire(), ids.acquire(), ids.acquire()]).toEqual([0, 1, 2, undefined]);
    ids.release(1);
    expect(ids.inFlight).toBe(2);
    expect(ids.acquire()).toBe(1);
  });

  it('asserts on releasing an id that was never lent', () => {
    expect(() => new StreamIds(4).release(0)).toThrow(/assertion failed/);
  });
});

describe('prepared statement cache', () => {
  const statement = (query: string, table: string): PreparedStatement => ({
    id: Uint8Array.of(query.length),
    query,
    keyspace: 'ks',
    variables: [spec('k', CqlTypes.int, table)],
    partitionKeyIndexes: [0],
    resultColumns: [],
  });

  it('prepares once for concurrent callers and caches by keyspace and text', async () => {
    const cache = new PreparedCache(10);
    let prepares = 0;
    const prepare = async () => {
      prepares++;
      return statement('q', 't');
    };
    const [a, b] = await Promise.all([
      cache.getOrPrepare('ks', 'q', prepare),
      cache.getOrPrepare('ks', 'q', prepare),
    ]);
    expect(a).toBe(b);
    expect(prepares).toBe(1);
    expect(cache.get('ks', 'q')).toBe(a);
    expect(cache.get('other', 'q')).toBeUndefined();
  });

  it('forgets the statements of a changed table or keyspace only', async () => {
    const cache = new PreparedCache(10);
    await cache.getOrPrepare('ks', 'a', async () => statement('a', 't1'));
    await cache.getOrPrepare('ks', 'b', async () => statement('b', 't2'));
    expect(cache.invalidate('ks', 't1')).toBe(1);
    expect(cache.get('ks', 'a')).toBeUndefined();
    expect(cache.get('ks', 'b')).toBeDefined();
    expect(cache.invalidate('other')).toBe(0);
    expect(cache.invalidate('ks')).toBe(1);
  });

  it('drops the least recently used statement beyond its capacity', async () => {
    const cache = new PreparedCache(2);
    await cache.getOrPrepare('ks', 'a', async () => statement('a', 't'));
    await cache.getOrPrepare('ks', 'b', async () => statement('b', 't'));
    cache.get('ks', 'a');
    await cache.getOrPrepare('ks', 'c', async () => statement('c', 't'));
    expect(cache.get('ks', 'b')).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});
