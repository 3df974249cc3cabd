import { describe, expect, it } from 'vitest';
import { CqlDecimal } from '../../../cql/types/decimal.js';
import { formatG } from '../../../cql/types/format.js';
import {
  CqlDuration,
  CqlTypes,
  deserialize,
  formatCqlLiteral,
  formatCqlsh,
  fromString,
  isLiteralAssignable,
  LocalDate,
  LocalTime,
  literalToBytes,
  maxTimeuuid,
  minTimeuuid,
  parseCqlType,
  parseTimestamp,
  serialize,
  timeuuidFromMs,
  timeuuidToMs,
} from '../../../cql/types/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const at = (iso: string) => Date.parse(iso);

describe('numeric constants', () => {
  it.each([
    ['int', '-2147483648', -(2 ** 31)],
    ['int', '+7', 7],
    ['double', '1.5e3', 1500],
    ['double', '-Infinity', -Infinity],
    ['double', 'NaN', Number.NaN],
    ['float', '1e39', Infinity],
    ['float', '.5', 0.5],
    ['bigint', '9223372036854775807', 2n ** 63n - 1n],
    ['varint', '-123456789012345678901234567890', -123456789012345678901234567890n],
  ] as const)('%s %s', (type, text, value) => {
    expect(deserialize(CqlTypes[type], fromString(type, text))).toEqual(value);
  });

  it('reads decimals as BigDecimal does', () => {
    expect(CqlDecimal.parse('1.5e3')).toEqual(new CqlDecimal(15n, -2));
    expect(CqlDecimal.parse('-0.050')).toEqual(new CqlDecimal(-50n, 3));
    expect(CqlDecimal.parse('1.5e3').toString()).toBe('1.5E+3');
    expect(CqlDecimal.parse('0.0000001').toString()).toBe('1E-7');
    expect(CqlDecimal.parse('-12.50').toString()).toBe('-12.50');
    expect(CqlDecimal.parse('1.5e3').toPlainString()).toBe('1500');
  });

  it.each([
    ['int', '2147483648', "Unable to make int from '2147483648'"],
    ['int', '1.5', "Unable to make int from '1.5'"],
    ['smallint', '40000', "Unable to make short from '40000'"],
    ['tinyint', '128', "Unable to make byte from '128'"],
    ['bigint', '9223372036854775808', "Unable to make long from '9223372036854775808'"],
    ['varint', '1e3', "Unable to make integer from '1e3'"],
    ['double', '1.2.3', "Unable to make double from '1.2.3'"],
    ['decimal', 'NaN', "unable to make BigDecimal from 'NaN'"],
    ['boolean', 'yes', "Unable to make boolean from 'yes'"],
    ['blob', 'abc', "cannot parse 'abc' as hex bytes"],
    ['uuid', 'nope', "Unable to make UUID from 'nope'"],
    ['timeuuid', '01234567-89ab-4def-0123-456789abcdef', 'TimeUUID supports only version 1 UUIDs'],
    ['inet', '1.2.3', "Unable to make inet address from '1.2.3'"],
  ] as const)('%s %s: %s', (type, text, message) => {
    expect(() => fromString(type, text)).toThrow(message);
  });
});

describe('constant kinds (Cassandra testAssignment)', () => {
  it('accepts each kind only for its types', () => {
    expect(isLiteralAssignable(CqlTypes.int, 'integer')).toBe(true);
    expect(isLiteralAssignable(CqlTypes.int, 'float')).toBe(false);
    expect(isLiteralAssignable(CqlTypes.timestamp, 'string')).toBe(true);
    expect(isLiteralAssignable(CqlTypes.timestamp, 'integer')).toBe(true);
    expect(isLiteralAssignable(CqlTypes.text, 'integer')).toBe(false);
    expect(isLiteralAssignable(CqlTypes.blob, 'hex')).toBe(true);
    expect(isLiteralAssignable(parseCqlType('list<int>'), 'string')).toBe(false);
  });

  it('names the receiver in the error, as Cassandra does', () => {
    expect(() => literalToBytes(CqlTypes.int, 'string', '12', { receiver: 'k' })).toThrow(
      `Invalid STRING constant ('12') for "k" of type int`,
    );
    expect(() => literalToBytes(CqlTypes.int, 'float', '1.5', { receiver: 'k' })).toThrow(
      `Invalid FLOAT constant (1.5) for "k" of type int`,
    );
    expect(hex(literalToBytes(CqlTypes.blob, 'hex', '0xCAFE'))).toBe('cafe');
    expect(hex(literalToBytes(CqlTypes.timestamp, 'string', 'now', { nowMs: 1 }))).toBe('0000000000000001');
  });
});

describe('timestamps', () => {
  it.each([
    ['2024-01-02 03:04:05.678+0000', '2024-01-02T03:04:05.678Z'],
    ['2024-01-02 03:04:05.678', '2024-01-02T03:04:05.678Z'],
    ['2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z'],
    ['2024-01-02T03:04:05+01:00', '2024-01-02T02:04:05.000Z'],
    ['2024-01-02 03:04+0100', '2024-01-02T02:04:00.000Z'],
    ['2024-01-02 03:04:05 +0530', '2024-01-01T21:34:05.000Z'],
    ['2024-01-02 03:04:05 UTC', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02 03:04:05.5', '2024-01-02T03:04:05.500Z'],
    ['2024-01-02 03:04:05.123456', '2024-01-02T03:04:05.123Z'],
    ['2024-1-2 3:4:5', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02', '2024-01-02T00:00:00.000Z'],
    ['2024-01-02Z', '2024-01-02T00:00:00.000Z'],
    ['1969-12-31 23:59:59.999', '1969-12-31T23:59:59.999Z'],
  ])('%s', (text, iso) => {
    expect(parseTimestamp(text)).toBe(at(iso));
  });

  it('takes integers as milliseconds and now from the caller', () => {
    expect(parseTimestamp('-1')).toBe(-1);
    expect(parseTimestamp('NOW', 42)).toBe(42);
  });

  it.each(['2024-13-01', '2024-02-30', '2024-01-02 25:00', 'yesterday', '2024-01-02 03:04:05 +01:00'])(
    '%s is refused',
    (text) => {
      expect(() => parseTimestamp(text)).toThrow(`Unable to parse a date/time from '${text}'`);
    },
  );
});

describe('dates and times', () => {
  it('parses dates strictly and prints them back', () => {
    expect(LocalDate.parse('2024-02-29').toString()).toBe('2024-02-29');
    expect(LocalDate.parse('1970-01-01').days).toBe(0);
    expect(new LocalDate(-(2 ** 31)).toString()).toBe('-5877641-06-23');
    expect(new LocalDate(2 ** 31 - 1).toString()).toBe('+5881580-07-11');
    expect(() => LocalDate.parse('2023-02-29')).toThrow(
      "Unable to coerce '2023-02-29' to a formatted date (long)",
    );
    expect(() => fromString('date', '4294967296')).toThrow(
      "Unable to make unsigned int (for date) from: '4294967296'",
    );
  });

  it('parses times with up to nine fraction digits', () => {
    expect(LocalTime.parse('03:04:05.123456789').nanoseconds).toBe(11_045_123_456_789n);
    expect(LocalTime.parse('03:04:05.1').toString()).toBe('03:04:05.100000000');
    expect(LocalTime.parse('12345').nanoseconds).toBe(12345n);
    expect(() => LocalTime.parse('24:00:00')).toThrow(
      "(TimeType) Unable to coerce '24:00:00' to a formatted time (long)",
    );
    expect(() => LocalTime.parse('86400000000000')).toThrow(
      "Unable to make long (for time) from: '86400000000000'",
    );
  });
});

describe('durations', () => {
  it.each([
    ['1h30m', 0, 0, 5_400_000_000_000n, '1h30m'],
    ['P1DT2H', 0, 1, 7_200_000_000_000n, '1d2h'],
    ['-2d', 0, -2, 0n, '-2d'],
    ['1y2mo3w4d5h6m7s8ms9us10ns', 14, 25, 18_367_008_009_010n, '1y2mo25d5h6m7s8ms9us10ns'],
    ['1Y2MO', 14, 0, 0n, '1y2mo'],
    ['3µs', 0, 0, 3000n, '3us'],
    ['P2W', 0, 14, 0n, '14d'],
    ['P0001-02-03T04:05:06', 14, 3, 14_706_000_000_000n, '1y2mo3d4h5m6s'],
    ['-P1Y', -12, 0, 0n, '-1y'],
  ])('%s', (text, months, days, nanos, printed) => {
    const duration = CqlDuration.parse(text);
    expect(duration).toEqual(new CqlDuration(months, days, nanos));
    expect(duration.toString()).toBe(printed);
  });

  it.each([
    ['1m1h', 'Invalid duration. The minutes should be after hours'],
    ['1d1d', 'Invalid duration. The days are specified multiple times'],
    ['1x', "Unable to convert '1x' to a duration"],
    ['P1H', "Unable to convert 'P1H' to a duration"],
    ['2147483648mo', 'Invalid duration. The total number of months must be less or equal to 2147483647'],
  ])('%s: %s', (text, message) => {
    expect(() => CqlDuration.parse(text)).toThrow(message);
  });
});

describe('timeuuid helpers', () => {
  const node = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);

  it('makes version 1 UUIDs that give their milliseconds back', () => {
    const uuid = timeuuidFromMs(1_700_000_000_123, node);
    expect(uuid[14]).toBe('1');
    expect(uuid.slice(19, 23)).toBe('9234');
    expect(timeuuidToMs(uuid)).toBe(1_700_000_000_123);
    expect(timeuuidToMs(timeuuidFromMs(-5, node, 9999))).toBe(-5);
  });

  it('bounds a millisecond with minTimeuuid and maxTimeuuid', () => {
    expect(minTimeuuid(0)).toBe('13814000-1dd2-11b2-8080-808080808080');
    expect(maxTimeuuid(0)).toBe('1381670f-1dd2-11b2-7f7f-7f7f7f7f7f7f');
    expect(timeuuidToMs(maxTimeuuid(1234))).toBe(1234);
  });
});

describe('formatting', () => {
  const type = parseCqlType('map<text, frozen<list<timestamp>>>');
  const value = deserialize(
    type,
    serialize(type, new Map([["it's", [new Date(at('2024-01-02T03:04:05.678Z'))]]])),
  );

  it('writes CQL literals that parse back', () => {
    expect(formatCqlLiteral(type, value)).toBe(`{'it''s': ['2024-01-02T03:04:05.678Z']}`);
    expect(formatCqlLiteral(CqlTypes.float, Math.fround(0.1))).toBe('0.1');
    expect(formatCqlLiteral(CqlTypes.blob, Uint8Array.of(0xca, 0xfe))).toBe('0xcafe');
    expect(formatCqlLiteral(CqlTypes.duration, new CqlDuration(0, 0, 0n))).toBe('0s');
    expect(formatCqlLiteral(parseCqlType('tuple<int, text>'), [1, null])).toBe('(1, null)');
  });

  it('writes values as cqlsh shows them', () => {
    expect(formatCqlsh(type, value)).toBe(`{'it''s': [2024-01-02 03:04:05.678000+0000]}`);
    expect(formatCqlsh(CqlTypes.text, "it's")).toBe("it's");
    expect(formatCqlsh(CqlTypes.boolean, true)).toBe('True');
    expect(formatCqlsh(CqlTypes.float, Math.fround(3.14158))).toBe('3.14158');
    expect(formatCqlsh(CqlTypes.double, 1e20)).toBe('1e+20');
    expect(formatCqlsh(CqlTypes.inet, '::1')).toBe('::1');
  });

  it.each([
    [1234567.0, 5, '1.2346e+06'],
    [0.0001, 5, '0.0001'],
    [0.00001, 5, '1e-05'],
    [100, 3, '100'],
    [123456, 3, '1.23e+05'],
    [-2.5, 5, '-2.5'],
  ])('%%.%ig of %d is %s (as C and Python print it)', (value, precision, text) => {
    expect(formatG(value, precision)).toBe(text);
  });
});
