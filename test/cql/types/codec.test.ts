import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CqlDuration } from '../../../cql/types/duration.js';
import {
  CqlTypes,
  type CqlValue,
  canonicalize,
  deserialize,
  fromString,
  inetToBytes,
  type NativeTypeName,
  parseCqlType,
  serialize,
  udt,
  validate,
} from '../../../cql/types/index.js';
import { NATIVE_ARBITRARIES, typeAndValue } from './arbitraries.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replaceAll(' ', ''), 'hex'));

const fixtures = readFileSync(
  new URL('../../testdata/cql-types/serialized-values.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => line.split('|').map((part) => part.trim()) as [NativeTypeName, string, string]);

describe('spec section 6 bytes', () => {
  it.each(fixtures)('%s %s is %s', (type, text, expected) => {
    expect(hex(fromString(type, text))).toBe(expected);
    const value = deserialize(CqlTypes[type], bytes(expected));
    expect(hex(serialize(CqlTypes[type], value))).toBe(expected);
  });

  it('writes v4 collections with int32 counts and [bytes] elements', () => {
    expect(hex(serialize(parseCqlType('list<int>'), [1, 2]))).toBe(
      '00000002' + '0000000400000001' + '0000000400000002',
    );
    expect(
      hex(
        serialize(
          parseCqlType('map<text, int>'),
          new Map([
            ['b', 2],
            ['a', 1],
          ]),
        ),
      ),
    ).toBe('00000002' + '0000000161' + '0000000400000001' + '0000000162' + '0000000400000002');
  });

  it('writes sets sorted by the element comparator and without duplicates', () => {
    const type = parseCqlType('set<int>');
    expect(deserialize(type, serialize(type, [3, -1, 3, 2]))).toEqual([-1, 2, 3]);
  });

  it('writes a null tuple component as length -1 and fills missing ones', () => {
    const type = parseCqlType('tuple<int, text, int>');
    expect(hex(serialize(type, [1, null]))).toBe('0000000400000001' + 'ffffffff' + 'ffffffff');
    expect(deserialize(type, bytes('0000000400000001'))).toEqual([1, null, null]);
  });

  it('reads a UDT with fewer fields than its type (fields added later)', () => {
    const type = udt('ks', 'u', [
      { name: 'a', type: CqlTypes.int },
      { name: 'b', type: CqlTypes.text },
    ]);
    expect(deserialize(type, bytes('0000000400000007'))).toEqual({ a: 7, b: null });
    expect(hex(serialize(type, { b: 'x' }))).toBe('ffffffff' + '0000000178');
  });

  it('reads empty values of numeric types as null', () => {
    for (const name of [
      'int',
      'bigint',
      'float',
      'double',
      'boolean',
      'uuid',
      'timestamp',
      'varint',
      'decimal',
      'inet',
    ] as const) {
      expect(deserialize(CqlTypes[name], new Uint8Array(0))).toBeNull();
    }
    expect(deserialize(CqlTypes.text, new Uint8Array(0))).toBe('');
  });
});

describe('validation errors carry Cassandra messages', () => {
  it.each([
    ['int', '000000', 'Expected 4 or 0 byte int (3)'],
    ['bigint', '00000000', 'Expected 8 or 0 byte long (4)'],
    ['smallint', '', 'Expected 2 bytes for a smallint (0)'],
    ['tinyint', '0000', 'Expected 1 byte for a tinyint (2)'],
    ['float', '00', 'Expected 4 or 0 byte value for a float (1)'],
    ['double', '0000', 'Expected 8 or 0 byte value for a double (2)'],
    ['boolean', '0000', 'Expected 1 or 0 byte value (2)'],
    ['uuid', '00', 'UUID should be 16 or 0 bytes (1)'],
    ['timeuuid', '00', 'TimeUUID should be 16 or 0 bytes (1)'],
    ['timeuuid', '0123456789ab4def0123456789abcdef', 'Invalid version for TimeUUID type.'],
    ['timestamp', '00', 'Expected 8 or 0 byte long for date (1)'],
    ['date', '', 'Expected 4 byte long for date (0)'],
    ['time', '0000', 'Expected 8 byte long for time (2)'],
    ['decimal', '0001', 'Expected 0 or at least 4 bytes (2)'],
    ['duration', '00', 'Expected at least 3 bytes for a duration (1)'],
    [
      'duration',
      '020001',
      'The duration months, days and nanoseconds must be all of the same sign (1, 0, -1)',
    ],
    ['inet', '0102', 'Expected 4 or 16 byte inetaddress; got 0102'],
    ['ascii', '61ff', 'Invalid byte for ascii: -1'],
    ['text', 'c3', "String didn't validate."],
  ] as const)('%s 0x%s: %s', (type, data, message) => {
    expect(() => validate(CqlTypes[type], bytes(data))).toThrow(message);
    expect(() => deserialize(CqlTypes[type], bytes(data))).toThrow(
      expect.objectContaining({ code: 'INVALID' }),
    );
  });

  it.each([
    ['list<int>', '000000010000000400', 'Not enough bytes to read a list'],
    ['list<int>', '00000000ff', 'Unexpected extraneous bytes after list value'],
    ['set<int>', 'ffffffff', 'The data cannot be deserialized as a set'],
    ['map<int, int>', '0000000100000004000000010000', 'Not enough bytes to read a map'],
    ['list<int>', '00000001ffffffff', 'null is not supported inside collections'],
    ['list<int>', '0000000100000003000000', 'Expected 4 or 0 byte int (3)'],
    ['tuple<int>', '0000000400000001ff', 'Invalid remaining data after end of tuple value'],
    ['tuple<int, int>', '000000040000000100', 'Not enough bytes to read size of 1th component'],
    ['tuple<int>', '00000004000000', 'Not enough bytes to read 0th component'],
  ])('%s 0x%s: %s', (type, data, message) => {
    expect(() => deserialize(parseCqlType(type), bytes(data))).toThrow(message);
  });

  it('refuses JS values of the wrong kind or range', () => {
    expect(() => serialize(CqlTypes.int, 2 ** 31)).toThrow(
      'Invalid value for int: expected a 32-bit integer',
    );
    expect(() => serialize(CqlTypes.int, 1.5)).toThrow('expected a 32-bit integer');
    expect(() => serialize(CqlTypes.tinyint, 128)).toThrow('expected a 8-bit integer');
    expect(() => serialize(CqlTypes.bigint, 2n ** 63n)).toThrow('expected a 64-bit integer');
    expect(() => serialize(CqlTypes.text, 5)).toThrow('Invalid value for text: expected a string');
    expect(() => serialize(CqlTypes.ascii, 'é')).toThrow('Invalid ASCII character');
    expect(() => serialize(CqlTypes.timeuuid, '01234567-89ab-4def-0123-456789abcdef')).toThrow(
      'Unsupported UUID version (4)',
    );
    expect(() => serialize(parseCqlType('list<int>'), [1, null])).toThrow(
      'null is not supported inside collections',
    );
    expect(() => serialize(parseCqlType('tuple<int>'), [1, 2])).toThrow('too many elements');
    expect(() => serialize(udt('ks', 'u', [{ name: 'a', type: CqlTypes.int }]), { z: 1 })).toThrow(
      "Unknown field 'z' in value of user defined type u",
    );
    expect(() => serialize(CqlTypes.int, null)).toThrow('Invalid null value for int');
  });
});

/** JS values that serialize to the same bytes may print differently (inet); compare what matters. */
function normalized(name: NativeTypeName, value: CqlValue): unknown {
  if (name === 'inet') return hex(inetToBytes(value as string));
  if (value instanceof Date) return value.getTime();
  return value;
}

describe('round trips', () => {
  for (const name of Object.keys(NATIVE_ARBITRARIES) as NativeTypeName[]) {
    it(`${name}: deserialize(serialize(v)) is v`, () => {
      fc.assert(
        fc.property(NATIVE_ARBITRARIES[name], (value) => {
          const back = deserialize(CqlTypes[name], serialize(CqlTypes[name], value));
          expect(normalized(name, back)).toEqual(normalized(name, value));
        }),
      );
    });
  }

  it('nested collections, tuples and UDTs: bytes survive deserialize + serialize', () => {
    fc.assert(
      fc.property(typeAndValue(3), ([type, value]) => {
        const first = serialize(type, value);
        validate(type, first);
        const second = serialize(type, deserialize(type, first));
        expect(hex(second)).toBe(hex(first));
        expect(hex(canonicalize(type, first))).toBe(hex(first));
      }),
      { numRuns: 300 },
    );
  });

  it('canonicalize sorts sets and maps a driver sent in insertion order', () => {
    const type = parseCqlType('frozen<map<int, frozen<set<text>>>>');
    const unsorted = bytes(
      '00000002' +
        '00000004 00000002' +
        '0000000e 00000002 00000001 62 00000001 61' +
        '00000004 00000001' +
        '00000004 00000000',
    );
    expect(deserialize(type, canonicalize(type, unsorted))).toEqual(
      new Map([
        [1, []],
        [2, ['a', 'b']],
      ]),
    );
  });

  it('keeps the duration sign rules', () => {
    expect(() => new CqlDuration(1, -1, 0n)).toThrow('must be all of the same sign (1, -1, 0)');
    expect(deserialize(CqlTypes.duration, serialize(CqlTypes.duration, '-1y2mo3d'))).toEqual(
      new CqlDuration(-14, -3, 0n),
    );
  });
});
