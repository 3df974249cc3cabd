import fc from 'fast-check';
import { CqlDecimal } from '../../../cql/types/decimal.js';
import { CqlDuration } from '../../../cql/types/duration.js';
import {
  type CqlType,
  CqlTypes,
  type CqlValue,
  LocalDate,
  LocalTime,
  listOf,
  mapOf,
  type NativeTypeName,
  setOf,
  tupleOf,
  udt,
} from '../../../cql/types/index.js';

/** fast-check generators of JS values per CQL type, shared by the codec and comparator tests. */

const hex = (length: number) =>
  fc.uint8Array({ minLength: length, maxLength: length }).map((b) => Buffer.from(b).toString('hex'));

const uuidText = (version: number | null) =>
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
    const bytes = Uint8Array.from(b);
    if (version !== null) bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
    const h = Buffer.from(bytes).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  });

const ipv4 = fc.ipV4();
const ipv6Bytes = hex(16).map((h) => {
  const groups = h.match(/.{4}/g)!.map((g) => Number.parseInt(g, 16).toString(16));
  return groups.join(':');
});

const durationArb = fc
  .tuple(
    fc.integer({ min: 0, max: 0x7fffffff }),
    fc.integer({ min: 0, max: 0x7fffffff }),
    fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    fc.boolean(),
  )
  .map(([m, d, n, negative]) => (negative ? new CqlDuration(-m, -d, -n) : new CqlDuration(m, d, n)));

export const NATIVE_ARBITRARIES: Record<NativeTypeName, fc.Arbitrary<CqlValue>> = {
  ascii: fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) }),
  bigint: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  blob: fc.uint8Array({ maxLength: 40 }),
  boolean: fc.boolean(),
  counter: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  date: fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((d) => new LocalDate(d)),
  decimal: fc
    .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: -40, max: 40 }))
    .map(([u, s]) => new CqlDecimal(u, s)),
  double: fc.double(),
  duration: durationArb,
  float: fc.float(),
  inet: fc.oneof(ipv4, ipv6Bytes),
  int: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  smallint: fc.integer({ min: -0x8000, max: 0x7fff }),
  text: fc.string({ unit: 'grapheme' }),
  time: fc.bigInt({ min: 0n, max: 86_399_999_999_999n }).map((n) => new LocalTime(n)),
  timestamp: fc
    .integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 })
    .map((ms) => new Date(ms)),
  timeuuid: uuidText(1),
  tinyint: fc.integer({ min: -128, max: 127 }),
  uuid: fc.oneof(uuidText(null), uuidText(1), uuidText(4)),
  varint: fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
};

export const SORTABLE_NATIVES = (Object.keys(NATIVE_ARBITRARIES) as NativeTypeName[]).filter(
  (n) => n !== 'duration',
);

/** Random CQL types up to a depth, with the values to go with them. */
export function typeArbitrary(depth: number): fc.Arbitrary<CqlType> {
  const native = fc.constantFrom(...SORTABLE_NATIVES.map((n) => CqlTypes[n]));
  if (depth === 0) return native;
  const inner = typeArbitrary(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: native },
    fc.tuple(inner, fc.boolean()).map(([t, frozen]) => listOf(t, frozen) as CqlType),
    inner.map((t) => setOf(t, true) as CqlType),
    fc.tuple(inner, inner).map(([k, v]) => mapOf(k, v, true) as CqlType),
    fc.array(inner, { minLength: 1, maxLength: 3 }).map((ts) => tupleOf(ts) as CqlType),
    fc.array(inner, { minLength: 1, maxLength: 3 }).map(
      (ts) =>
        udt(
          'ks',
          'u',
          ts.map((type, i) => ({ name: `f${i}`, type })),
          true,
        ) as CqlType,
    ),
  );
}

export function valueArbitrary(type: CqlType): fc.Arbitrary<CqlValue> {
  switch (type.kind) {
    case 'native':
      return NATIVE_ARBITRARIES[type.name];
    case 'list':
      return fc.array(valueArbitrary(type.element), { maxLength: 4 });
    case 'set':
      return fc.array(valueArbitrary(type.element), { maxLength: 4 });
    case 'map':
      return fc
        .array(fc.tuple(valueArbitrary(type.key), valueArbitrary(type.value)), { maxLength: 4 })
        .map((entries) => new Map(entries));
    case 'tuple':
      return fc.tuple(...type.elements.map((t) => fc.option(valueArbitrary(t), { nil: null })));
    case 'udt':
      return fc
        .tuple(...type.fields.map((f) => fc.option(valueArbitrary(f.type), { nil: null })))
        .map((values) => Object.fromEntries(type.fields.map((f, i) => [f.name, values[i] ?? null])));
  }
}

export const typeAndValue = (depth: number) =>
  typeArbitrary(depth).chain((type) => fc.tuple(fc.constant(type), valueArbitrary(type)));
