import { int32At, varintFromBytes } from './bytes.js';
import type { CqlType, NativeTypeName } from './cql-type.js';
import { compareDecimals } from './decimal.js';

/**
 * Orders serialized values exactly as Cassandra's AbstractType.compare does, without decoding
 * where the bytes allow it. An empty value (zero bytes) sorts before every other value.
 * Clustering order, set elements and map keys all come from here.
 */
export type ByteComparator = (a: Uint8Array, b: Uint8Array) => number;

const cache = new WeakMap<CqlType, ByteComparator>();

export function comparatorFor(type: CqlType): ByteComparator {
  let comparator = cache.get(type);
  if (!comparator) {
    comparator = buildComparator(type);
    cache.set(type, comparator);
  }
  return comparator;
}

/** DESC order of a clustering column. */
export function reversed(comparator: ByteComparator): ByteComparator {
  return (a, b) => comparator(b, a);
}

function buildComparator(type: CqlType): ByteComparator {
  switch (type.kind) {
    case 'native':
      return NATIVE_COMPARATORS[type.name];
    case 'list':
    case 'set':
      return collectionComparator([comparatorFor(type.element)]);
    case 'map':
      return collectionComparator([comparatorFor(type.key), comparatorFor(type.value)]);
    case 'tuple':
      return componentsComparator(type.elements.map(comparatorFor));
    case 'udt':
      return componentsComparator(type.fields.map((f) => comparatorFor(f.type)));
  }
}

/** -1/0/1 when either side is empty (empty first), undefined when both have bytes. */
function compareEmpty(a: Uint8Array, b: Uint8Array): number | undefined {
  if (a.length !== 0 && b.length !== 0) return undefined;
  return (a.length === 0 ? 0 : 1) - (b.length === 0 ? 0 : 1);
}

export const compareUnsignedBytes: ByteComparator = (a, b) => Buffer.compare(a, b);

/** Two's complement integers of one width: flip the sign bit of the first byte, then bytes unsigned. */
const compareSignedFixed: ByteComparator = (a, b) => {
  const empty = compareEmpty(a, b);
  if (empty !== undefined) return empty;
  const first = (a[0]! ^ 0x80) - (b[0]! ^ 0x80);
  if (first !== 0) return first;
  const n = Math.min(a.length, b.length);
  for (let i = 1; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
};

const compareInt: ByteComparator = (a, b) => {
  if (a.length !== 4 || b.length !== 4) return compareSignedFixed(a, b);
  const x = int32At(a, 0);
  const y = int32At(b, 0);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Java's Float.compare / Double.compare: -0 < +0, NaN above +Infinity and equal to itself. */
function compareFloats(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  const xNaN = Number.isNaN(x);
  const yNaN = Number.isNaN(y);
  if (xNaN || yNaN) return (xNaN ? 1 : 0) - (yNaN ? 1 : 0);
  if (x === 0 && y === 0) return (Object.is(x, -0) ? 0 : 1) - (Object.is(y, -0) ? 0 : 1);
  return 0;
}

function floatComparator(width: 4 | 8): ByteComparator {
  return (a, b) => {
    const empty = compareEmpty(a, b);
    if (empty !== undefined) return empty;
    const read = (v: Uint8Array) => {
      const view = new DataView(v.buffer, v.byteOffset, width);
      return width === 4 ? view.getFloat32(0) : view.getFloat64(0);
    };
    return compareFloats(read(a), read(b));
  };
}

/** Numeric order of two's complement integers of any length, even non-minimal ones. */
const compareVarint: ByteComparator = (a, b) => {
  const empty = compareEmpty(a, b);
  if (empty !== undefined) return empty;
  const signA = a[0]! >= 0x80 ? -1 : 1;
  const signB = b[0]! >= 0x80 ? -1 : 1;
  if (signA !== signB) return signA - signB;
  const startA = significantStart(a);
  const startB = significantStart(b);
  const lengthA = a.length - startA;
  const lengthB = b.length - startB;
  // More significant bytes mean a larger magnitude: larger if positive, smaller if negative.
  if (lengthA !== lengthB) return (lengthA - lengthB) * signA;
  for (let i = 0; i < lengthA; i++) {
    const d = a[startA + i]! - b[startB + i]!;
    if (d !== 0) return d;
  }
  return 0;
};

/** Skips sign-extension bytes (00 before a byte < 0x80, ff before a byte >= 0x80). */
function significantStart(v: Uint8Array): number {
  let i = 0;
  while (i < v.length - 1 && ((v[i] === 0 && v[i + 1]! < 0x80) || (v[i] === 0xff && v[i + 1]! >= 0x80))) i++;
  return i;
}

const compareDecimal: ByteComparator = (a, b) => {
  const empty = compareEmpty(a, b);
  if (empty !== undefined) return empty;
  return compareDecimals(
    varintFromBytes(a.subarray(4)),
    int32At(a, 0),
    varintFromBytes(b.subarray(4)),
    int32At(b, 0),
  );
};

const compareBoolean: ByteComparator = (a, b) => {
  const empty = compareEmpty(a, b);
  if (empty !== undefined) return empty;
  return (a[0] === 0 ? 0 : 1) - (b[0] === 0 ? 0 : 1);
};

// A version 1 UUID's timestamp, most significant first: time_hi (low nibble of byte 6, then
// byte 7), time_mid (4, 5), time_low (0..3).
const TIMESTAMP_BYTE_ORDER = [7, 4, 5, 0, 1, 2, 3];

function compareUuidTimestamps(a: Uint8Array, b: Uint8Array): number {
  const d = (a[6]! & 0x0f) - (b[6]! & 0x0f);
  if (d !== 0) return d;
  for (const i of TIMESTAMP_BYTE_ORDER) {
    const e = a[i]! - b[i]!;
    if (e !== 0) return e;
  }
  return 0;
}

function compareRange(a: Uint8Array, b: Uint8Array, from: number, to: number, signed: boolean): number {
  const flip = signed ? 0x80 : 0;
  for (let i = from; i < to; i++) {
    const d = (a[i]! ^ flip) - (b[i]! ^ flip);
    if (d !== 0) return d;
  }
  return 0;
}

/** Cassandra's TimeUUIDType: by timestamp, then the last 8 bytes as *signed* bytes. */
const compareTimeuuid: ByteComparator = (a, b) => {
  const empty = compareEmpty(a, b);
  if (empty !== undefined) return empty;
  return compareUuidTimestamps(a, b) || compareRange(a, b, 8, 16, true);
};

/**
 * Cassandra's UUIDType: by version; version 1 by timestamp, others by the first 8 bytes unsigned;
 * then the last 8 bytes unsigned (unlike timeuuid, CASSANDRA-8730).
 */
const compareUuid: ByteComparator = (a, b) => {
  const empty = compareEmpty(a, b);
  if (empty !== undefined) return empty;
  const versionA = a[6]! >> 4;
  const versionB = b[6]! >> 4;
  if (versionA !== versionB) return versionA - versionB;
  const high = versionA === 1 ? compareUuidTimestamps(a, b) : compareRange(a, b, 0, 8, false);
  return high || compareRange(a, b, 8, 16, false);
};

const NATIVE_COMPARATORS: Readonly<Record<NativeTypeName, ByteComparator>> = {
  ascii: compareUnsignedBytes,
  bigint: compareSignedFixed,
  blob: compareUnsignedBytes,
  boolean: compareBoolean,
  counter: compareSignedFixed,
  date: compareUnsignedBytes,
  decimal: compareDecimal,
  double: floatComparator(8),
  // Durations have no order in CQL (not allowed in keys); byte order keeps sorting total.
  duration: compareUnsignedBytes,
  float: floatComparator(4),
  inet: compareUnsignedBytes,
  int: compareInt,
  smallint: compareSignedFixed,
  text: compareUnsignedBytes,
  time: compareSignedFixed,
  timestamp: compareSignedFixed,
  timeuuid: compareTimeuuid,
  tinyint: compareSignedFixed,
  uuid: compareUuid,
  varint: compareVarint,
};

/**
 * Frozen collections: entry by entry (key then value for maps), then the shorter first.
 * `parts` holds one comparator per value of an entry.
 */
function collectionComparator(parts: readonly ByteComparator[]): ByteComparator {
  return (a, b) => {
    const empty = compareEmpty(a, b);
    if (empty !== undefined) return empty;
    const countA = int32At(a, 0);
    const countB = int32At(b, 0);
    let offsetA = 4;
    let offsetB = 4;
    const entries = Math.min(countA, countB);
    for (let i = 0; i < entries; i++) {
      for (const compare of parts) {
        const lengthA = int32At(a, offsetA);
        const lengthB = int32At(b, offsetB);
        const valueA = a.subarray(offsetA + 4, offsetA + 4 + lengthA);
        const valueB = b.subarray(offsetB + 4, offsetB + 4 + lengthB);
        const c = compare(valueA, valueB);
        if (c !== 0) return c;
        offsetA += 4 + lengthA;
        offsetB += 4 + lengthB;
      }
    }
    return countA - countB;
  };
}

/**
 * Tuples and UDTs: component by component, a null component before any value; a value with
 * fewer components sorts first unless all the extra components are null (then they are equal).
 */
function componentsComparator(components: readonly ByteComparator[]): ByteComparator {
  return (a, b) => {
    const empty = compareEmpty(a, b);
    if (empty !== undefined) return empty;
    let offsetA = 0;
    let offsetB = 0;
    for (let i = 0; i < components.length && offsetA < a.length && offsetB < b.length; i++) {
      const lengthA = int32At(a, offsetA);
      const lengthB = int32At(b, offsetB);
      offsetA += 4 + Math.max(lengthA, 0);
      offsetB += 4 + Math.max(lengthB, 0);
      if (lengthA < 0 || lengthB < 0) {
        if (lengthA < 0 && lengthB < 0) continue;
        return lengthA < 0 ? -1 : 1;
      }
      const c = components[i]!(
        a.subarray(offsetA - lengthA, offsetA),
        b.subarray(offsetB - lengthB, offsetB),
      );
      if (c !== 0) return c;
    }
    const restNullA = allRemainingNull(a, offsetA);
    const restNullB = allRemainingNull(b, offsetB);
    if (restNullA && restNullB) return 0;
    return offsetA >= a.length ? (restNullB ? 0 : -1) : restNullA ? 0 : 1;
  };
}

function allRemainingNull(v: Uint8Array, offset: number): boolean {
  for (let i = offset; i < v.length; i += 4) {
    if (int32At(v, i) >= 0) return false;
  }
  return true;
}
