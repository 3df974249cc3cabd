import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CqlDecimal } from '../../../cql/types/decimal.js';
import {
  type CqlType,
  CqlTypes,
  type CqlValue,
  comparatorFor,
  deserialize,
  inetToBytes,
  type LocalDate,
  type LocalTime,
  maxTimeuuid,
  minTimeuuid,
  type NativeTypeName,
  parseCqlType,
  reversed,
  serialize,
  timeuuidFromMs,
  uuidToBytes,
} from '../../../cql/types/index.js';
import {
  NATIVE_ARBITRARIES,
  SORTABLE_NATIVES,
  typeAndValue,
  typeArbitrary,
  valueArbitrary,
} from './arbitraries.js';

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const compareBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Java's Double.compare, written independently of the byte comparator. */
function javaCompare(a: number, b: number): number {
  const key = (x: number) =>
    Number.isNaN(x) ? [2, 0] : Object.is(x, -0) ? [1, -1] : x === 0 ? [1, 1] : [1, 0];
  if (a !== b || Number.isNaN(a) || Number.isNaN(b)) {
    if (Number.isNaN(a) || Number.isNaN(b)) return key(a)[0]! - key(b)[0]!;
    return a < b ? -1 : 1;
  }
  return key(a)[1]! - key(b)[1]!;
}

/** The big-endian unsigned value of bytes [from, to). */
const bigOf = (b: Uint8Array, from: number, to: number) =>
  BigInt(`0x${Buffer.from(b.subarray(from, to)).toString('hex')}`);

function timestampOf(b: Uint8Array): bigint {
  return ((bigOf(b, 6, 8) & 0x0fffn) << 48n) | (bigOf(b, 4, 6) << 32n) | bigOf(b, 0, 4);
}

function compareUuids(a: string, b: string, timeuuid: boolean): number {
  const x = uuidToBytes(a);
  const y = uuidToBytes(b);
  const signedTail = (v: Uint8Array) => Array.from(v.subarray(8)).map((n) => (n << 24) >> 24);
  if (timeuuid) {
    const byTime = compareBig(timestampOf(x), timestampOf(y));
    if (byTime !== 0) return byTime;
    const tx = signedTail(x);
    const ty = signedTail(y);
    for (let i = 0; i < 8; i++) if (tx[i] !== ty[i]) return tx[i]! - ty[i]!;
    return 0;
  }
  const version = (v: Uint8Array) => v[6]! >> 4;
  if (version(x) !== version(y)) return version(x) - version(y);
  const high =
    version(x) === 1
      ? compareBig(timestampOf(x), timestampOf(y))
      : compareBig(bigOf(x, 0, 8), bigOf(y, 0, 8));
  return high || compareBig(bigOf(x, 8, 16), bigOf(y, 8, 16));
}

/** What order the decoded values should have, computed on JS values. */
function referenceCompare(type: CqlType, a: CqlValue, b: CqlValue): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  switch (type.kind) {
    case 'native':
      return compareNatives(type.name, a, b);
    case 'list':
    case 'set':
      return compareSequences(type.element, a as CqlValue[], b as CqlValue[]);
    case 'map': {
      const flat = (m: CqlValue) => [...(m as Map<CqlValue, CqlValue>)].flat();
      const types = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? type.key : type.value));
      return compareMixed(types, flat(a), flat(b), true);
    }
    case 'tuple':
      return compareMixed(() => type.elements, a as CqlValue[], b as CqlValue[], false);
    case 'udt': {
      const values = (v: CqlValue) => type.fields.map((f) => (v as Record<string, CqlValue>)[f.name] ?? null);
      return compareMixed(() => type.fields.map((f) => f.type), values(a), values(b), false);
    }
  }
}

function compareSequences(element: CqlType, a: CqlValue[], b: CqlValue[]): number {
  return compareMixed((n) => new Array(n).fill(element), a, b, true);
}

function compareMixed(
  types: (n: number) => readonly CqlType[],
  a: CqlValue[],
  b: CqlValue[],
  byLength: boolean,
): number {
  const n = Math.min(a.length, b.length);
  const ts = types(Math.max(a.length, b.length));
  for (let i = 0; i < n; i++) {
    const c = referenceCompare(ts[i]!, a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return byLength ? a.length - b.length : 0;
}

function compareNatives(name: NativeTypeName, a: CqlValue, b: CqlValue): number {
  switch (name) {
    case 'int':
    case 'smallint':
    case 'tinyint':
      return (a as number) - (b as number);
    case 'float':
    case 'double':
      return javaCompare(a as number, b as number);
    case 'bigint':
    case 'counter':
    case 'varint':
      return compareBig(a as bigint, b as bigint);
    case 'decimal':
      return (a as CqlDecimal).compareTo(b as CqlDecimal);
    case 'ascii':
    case 'text':
      return Buffer.compare(utf8(a as string), utf8(b as string));
    case 'blob':
      return Buffer.compare(a as Uint8Array, b as Uint8Array);
    case 'boolean':
      return Number(a) - Number(b);
    case 'timestamp':
      return (a as Date).getTime() - (b as Date).getTime();
    case 'date':
      return (a as LocalDate).days - (b as LocalDate).days;
    case 'time':
      return compareBig((a as LocalTime).nanoseconds, (b as LocalTime).nanoseconds);
    case 'inet':
      return Buffer.compare(inetToBytes(a as string), inetToBytes(b as string));
    case 'uuid':
    case 'timeuuid':
      return compareUuids(a as string, b as string, name === 'timeuuid');
    case 'duration':
      throw new Error('durations have no order');
  }
}

describe('comparators agree with the order of decoded values', () => {
  for (const name of SORTABLE_NATIVES) {
    it(name, () => {
      const type = CqlTypes[name];
      const compare = comparatorFor(type);
      fc.assert(
        fc.property(NATIVE_ARBITRARIES[name], NATIVE_ARBITRARIES[name], (a, b) => {
          expect(sign(compare(serialize(type, a), serialize(type, b)))).toBe(
            sign(referenceCompare(type, a, b)),
          );
        }),
        { numRuns: 300 },
      );
    });
  }

  it('frozen collections, tuples and UDTs', () => {
    const pairs = typeArbitrary(2).chain((type) =>
      fc.tuple(fc.constant(type), valueArbitrary(type), valueArbitrary(type)),
    );
    fc.assert(
      fc.property(pairs, ([type, a, b]) => {
        const x = serialize(type, a);
        const y = serialize(type, b);
        // Compare what was stored: sets and maps are canonical once serialized.
        const expected = referenceCompare(type, deserialize(type, x), deserialize(type, y));
        expect(sign(comparatorFor(type)(x, y))).toBe(sign(expected));
      }),
      { numRuns: 300 },
    );
  });
});

describe('comparator laws', () => {
  it('antisymmetric, reflexive and transitive on samples', () => {
    const samples = typeAndValue(2).chain(([type, value]) =>
      fc.tuple(fc.constant(type), fc.constant(value), valueArbitrary(type), valueArbitrary(type)),
    );
    fc.assert(
      fc.property(samples, ([type, a, b, c]) => {
        const compare = comparatorFor(type);
        const [x, y, z] = [a, b, c].map((v) => serialize(type, v)) as [Uint8Array, Uint8Array, Uint8Array];
        expect(compare(x, x)).toBe(0);
        expect(sign(compare(x, y)) + sign(compare(y, x))).toBe(0);
        const sorted = [x, y, z].sort(compare);
        expect(compare(sorted[0]!, sorted[2]!)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('reversed flips the order', () => {
    const compare = comparatorFor(CqlTypes.int);
    const [one, two] = [1, 2].map((n) => serialize(CqlTypes.int, n)) as [Uint8Array, Uint8Array];
    expect(compare(one, two)).toBeLessThan(0);
    expect(reversed(compare)(one, two)).toBeGreaterThan(0);
  });
});

describe('Cassandra order in the corners', () => {
  const order = (type: CqlType, values: unknown[]) => {
    const compare = comparatorFor(type);
    const encoded = values.map((v) => serialize(type, v));
    for (let i = 1; i < encoded.length; i++) expect(compare(encoded[i - 1]!, encoded[i]!)).toBeLessThan(0);
  };

  it('sorts empty values first', () => {
    const compare = comparatorFor(CqlTypes.int);
    expect(compare(new Uint8Array(0), serialize(CqlTypes.int, -(2 ** 31)))).toBeLessThan(0);
  });

  it('orders floats as Java: -Infinity < -0 < 0 < Infinity < NaN', () => {
    order(CqlTypes.double, [-Infinity, -1, -0, 0, 1e-300, Infinity, NaN]);
    order(CqlTypes.float, [-Infinity, -0, 0, Infinity, NaN]);
  });

  it('orders varints and decimals numerically', () => {
    order(CqlTypes.varint, [-(2n ** 70n), -129n, -128n, -1n, 0n, 127n, 128n, 2n ** 70n]);
    order(CqlTypes.decimal, ['-1e10', '-1.5', '0.0001', '1.4999', '1.5', '2', '1e2147483000']);
    const compare = comparatorFor(CqlTypes.decimal);
    expect(compare(serialize(CqlTypes.decimal, '1.5'), serialize(CqlTypes.decimal, '1.50'))).toBe(0);
  });

  it('orders timeuuids by time first, then the tail as signed bytes', () => {
    const tail = (b: number) => new Uint8Array(8).fill(b);
    const early = timeuuidFromMs(1000, tail(0x7f));
    const late = timeuuidFromMs(1001, tail(0x00));
    order(CqlTypes.timeuuid, [minTimeuuid(1000), early, maxTimeuuid(1000), late]);
    // 0x80.. is below 0x00.. as a signed byte, so minTimeuuid bounds every tail.
    order(CqlTypes.timeuuid, [
      timeuuidFromMs(5, tail(0x80)),
      timeuuidFromMs(5, tail(0x00)),
      timeuuidFromMs(5, tail(0x7f)),
    ]);
  });

  it('orders uuids by version first, unsigned tails', () => {
    order(CqlTypes.uuid, [
      'ffffffff-ffff-0fff-ffff-ffffffffffff',
      timeuuidFromMs(0, new Uint8Array(8)),
      timeuuidFromMs(0, new Uint8Array(8).fill(0xff)),
      timeuuidFromMs(1, new Uint8Array(8)),
      '00000000-0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-000000000001',
    ]);
  });

  it('orders tuples component-wise, null first, shorter prefix first', () => {
    const type = parseCqlType('tuple<int, text>');
    order(type, [
      [null, 'z'],
      [1, null],
      [1, 'a'],
      [1, 'b'],
      [2, null],
    ]);
    const compare = comparatorFor(type);
    const short = Uint8Array.from(Buffer.from('0000000400000001', 'hex'));
    const withNull = serialize(type, [1, null]);
    expect(compare(short, withNull)).toBe(0);
    expect(compare(short, serialize(type, [1, 'a']))).toBeLessThan(0);
  });

  it('orders frozen lists element-wise then by length', () => {
    order(parseCqlType('frozen<list<int>>'), [[], [-1, 5], [1], [1, 2], [2]]);
    order(parseCqlType('frozen<map<int, text>>'), [
      new Map(),
      new Map([[1, 'a']]),
      new Map([[1, 'b']]),
      new Map([[2, 'a']]),
    ]);
  });
});
