import { hexOf, int32At, int32Bytes, int64At, int64Bytes, varintBytes, varintFromBytes } from './bytes.js';
import type { NativeTypeName } from './cql-type.js';
import type { CqlValue } from './cql-value.js';
import { LocalDate, LocalTime, NANOS_PER_DAY, parseTimestamp } from './date-time.js';
import { CqlDecimal } from './decimal.js';
import { CqlDuration } from './duration.js';
import { inetFromBytes, inetToBytes } from './inet.js';
import { MarshalError } from './marshal-error.js';
import { isUuidString, uuidFromBytes, uuidToBytes, uuidVersion } from './uuid.js';
import { readVInt, writeVInt } from './vint.js';

/**
 * One codec per native type: the spec section 6 bytes of a JS value, the JS value of validated
 * bytes, and validation with Cassandra's messages (its serializers' `validate`).
 */
export interface NativeCodec {
  serialize(value: unknown): Uint8Array;
  /** Only called on bytes that passed `validate`. */
  deserialize(bytes: Uint8Array): CqlValue;
  validate(bytes: Uint8Array): void;
}

function wrongValue(type: string, value: unknown, expected: string): MarshalError {
  const shown =
    typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `'${value}'` : String(value);
  return new MarshalError(`Invalid value for ${type}: expected ${expected}, got ${typeof value} ${shown}`);
}

function sizes(allowed: readonly number[], message: (size: number) => string): (bytes: Uint8Array) => void {
  return (bytes) => {
    if (!allowed.includes(bytes.length)) throw new MarshalError(message(bytes.length));
  };
}

function integer(type: string, bits: 8 | 16 | 32, value: unknown): number {
  const limit = 2 ** (bits - 1);
  if (typeof value === 'bigint' && value >= -limit && value < limit) return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -limit || value >= limit) {
    throw wrongValue(type, value, `a ${bits}-bit integer`);
  }
  return value;
}

function int64(type: string, value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value !== 'bigint' || value < -(2n ** 63n) || value >= 2n ** 63n) {
    throw wrongValue(type, value, 'a 64-bit integer (bigint)');
  }
  return value;
}

const intCodec: NativeCodec = {
  serialize: (v) => int32Bytes(integer('int', 32, v)),
  deserialize: (b) => (b.length === 0 ? null : int32At(b, 0)),
  validate: sizes([0, 4], (n) => `Expected 4 or 0 byte int (${n})`),
};

const smallintCodec: NativeCodec = {
  serialize: (v) => {
    const n = integer('smallint', 16, v);
    return Uint8Array.of(n >> 8, n & 0xff);
  },
  deserialize: (b) => ((b[0]! << 24) >> 16) | b[1]!,
  validate: sizes([2], (n) => `Expected 2 bytes for a smallint (${n})`),
};

const tinyintCodec: NativeCodec = {
  serialize: (v) => Uint8Array.of(integer('tinyint', 8, v) & 0xff),
  deserialize: (b) => (b[0]! << 24) >> 24,
  validate: sizes([1], (n) => `Expected 1 byte for a tinyint (${n})`),
};

function longCodec(type: string): NativeCodec {
  return {
    serialize: (v) => int64Bytes(int64(type, v)),
    deserialize: (b) => (b.length === 0 ? null : int64At(b, 0)),
    validate: sizes([0, 8], (n) => `Expected 8 or 0 byte long (${n})`),
  };
}

const varintCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return varintBytes(BigInt(v));
    if (typeof v !== 'bigint') throw wrongValue('varint', v, 'an integer (bigint)');
    return varintBytes(v);
  },
  deserialize: (b) => (b.length === 0 ? null : varintFromBytes(b)),
  validate: () => {},
};

const floatCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v !== 'number') throw wrongValue('float', v, 'a number');
    const out = new Uint8Array(4);
    new DataView(out.buffer).setFloat32(0, v);
    return out;
  },
  deserialize: (b) => (b.length === 0 ? null : new DataView(b.buffer, b.byteOffset, 4).getFloat32(0)),
  validate: sizes([0, 4], (n) => `Expected 4 or 0 byte value for a float (${n})`),
};

const doubleCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v !== 'number') throw wrongValue('double', v, 'a number');
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, v);
    return out;
  },
  deserialize: (b) => (b.length === 0 ? null : new DataView(b.buffer, b.byteOffset, 8).getFloat64(0)),
  validate: sizes([0, 8], (n) => `Expected 8 or 0 byte value for a double (${n})`),
};

function toDecimal(value: unknown): CqlDecimal {
  if (value instanceof CqlDecimal) return value;
  if (typeof value === 'string') return CqlDecimal.parse(value);
  if (typeof value === 'number') return CqlDecimal.fromNumber(value);
  if (typeof value === 'bigint') return new CqlDecimal(value, 0);
  throw wrongValue('decimal', value, 'a CqlDecimal, a decimal string or a number');
}

const decimalCodec: NativeCodec = {
  serialize: (v) => {
    const decimal = toDecimal(v);
    const unscaled = varintBytes(decimal.unscaled);
    const out = new Uint8Array(4 + unscaled.length);
    out.set(int32Bytes(decimal.scale), 0);
    out.set(unscaled, 4);
    return out;
  },
  deserialize: (b) => (b.length === 0 ? null : new CqlDecimal(varintFromBytes(b.subarray(4)), int32At(b, 0))),
  validate: (b) => {
    if (b.length !== 0 && b.length < 4)
      throw new MarshalError(`Expected 0 or at least 4 bytes (${b.length})`);
  },
};

const booleanCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v !== 'boolean') throw wrongValue('boolean', v, 'a boolean');
    return Uint8Array.of(v ? 1 : 0);
  },
  deserialize: (b) => (b.length === 0 ? null : b[0] !== 0),
  validate: sizes([0, 1], (n) => `Expected 1 or 0 byte value (${n})`),
};

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const textCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v !== 'string') throw wrongValue('text', v, 'a string');
    if (LONE_SURROGATE.test(v)) throw new MarshalError("String didn't validate.");
    return utf8Encoder.encode(v);
  },
  deserialize: (b) => utf8Decoder.decode(b),
  validate: (b) => {
    try {
      utf8Decoder.decode(b);
    } catch {
      throw new MarshalError("String didn't validate.");
    }
  },
};

const asciiCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v !== 'string') throw wrongValue('ascii', v, 'a string');
    for (let i = 0; i < v.length; i++) {
      if (v.charCodeAt(i) > 127) throw new MarshalError(`Invalid ASCII character in string literal: '${v}'`);
    }
    return Uint8Array.from(Buffer.from(v, 'latin1'));
  },
  deserialize: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1'),
  validate: (b) => {
    for (const byte of b) {
      if (byte > 127) throw new MarshalError(`Invalid byte for ascii: ${byte - 256}`);
    }
  },
};

const blobCodec: NativeCodec = {
  serialize: (v) => {
    if (!(v instanceof Uint8Array)) throw wrongValue('blob', v, 'a Uint8Array');
    return new Uint8Array(v);
  },
  // A copy: the value must not pin (or see later writes to) the buffer it was read from.
  deserialize: (b) => new Uint8Array(b),
  validate: () => {},
};

function uuidCodec(type: 'uuid' | 'timeuuid'): NativeCodec {
  return {
    serialize: (v) => {
      if (typeof v !== 'string' || !isUuidString(v)) throw wrongValue(type, v, 'a UUID string');
      const bytes = uuidToBytes(v);
      if (type === 'timeuuid' && uuidVersion(bytes) !== 1) {
        throw new MarshalError(`Unsupported UUID version (${uuidVersion(bytes)})`);
      }
      return bytes;
    },
    deserialize: (b) => (b.length === 0 ? null : uuidFromBytes(b)),
    validate: (b) => {
      if (b.length !== 16 && b.length !== 0) {
        const prefix = type === 'uuid' ? 'UUID' : 'TimeUUID';
        throw new MarshalError(`${prefix} should be 16 or 0 bytes (${b.length})`);
      }
      if (type === 'timeuuid' && b.length === 16 && (b[6]! & 0xf0) !== 0x10) {
        throw new MarshalError('Invalid version for TimeUUID type.');
      }
    },
  };
}

function timestampMs(value: unknown): bigint {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return BigInt(value.getTime());
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'bigint') return int64('timestamp', value);
  if (typeof value === 'string') return BigInt(parseTimestamp(value));
  throw wrongValue('timestamp', value, 'a Date or milliseconds since the epoch');
}

const timestampCodec: NativeCodec = {
  serialize: (v) => int64Bytes(timestampMs(v)),
  deserialize: (b) => (b.length === 0 ? null : new Date(Number(int64At(b, 0)))),
  validate: sizes([0, 8], (n) => `Expected 8 or 0 byte long for date (${n})`),
};

const EPOCH_DAY = 0x80000000;

const dateCodec: NativeCodec = {
  serialize: (v) => {
    const date = v instanceof LocalDate ? v : typeof v === 'string' ? LocalDate.parse(v) : undefined;
    if (!date) throw wrongValue('date', v, "a LocalDate or 'yyyy-mm-dd'");
    return int32Bytes((date.days + EPOCH_DAY) >>> 0);
  },
  deserialize: (b) => new LocalDate((int32At(b, 0) >>> 0) - EPOCH_DAY),
  validate: sizes([4], (n) => `Expected 4 byte long for date (${n})`),
};

const timeCodec: NativeCodec = {
  serialize: (v) => {
    if (v instanceof LocalTime) return int64Bytes(v.nanoseconds);
    if (typeof v === 'bigint') return int64Bytes(new LocalTime(v).nanoseconds);
    if (typeof v === 'string') return int64Bytes(LocalTime.parse(v).nanoseconds);
    throw wrongValue('time', v, 'a LocalTime or nanoseconds since midnight (bigint)');
  },
  deserialize: (b) => new LocalTime(int64At(b, 0)),
  validate: (b) => {
    if (b.length !== 8) throw new MarshalError(`Expected 8 byte long for time (${b.length})`);
    const nanos = int64At(b, 0);
    if (nanos < 0n || nanos >= NANOS_PER_DAY)
      throw new MarshalError(`Invalid time value: ${nanos} nanoseconds`);
  },
};

const durationCodec: NativeCodec = {
  serialize: (v) => {
    const duration = v instanceof CqlDuration ? v : typeof v === 'string' ? CqlDuration.parse(v) : undefined;
    if (!duration) throw wrongValue('duration', v, 'a CqlDuration or a duration string');
    const out: number[] = [];
    writeVInt(BigInt(duration.months), out);
    writeVInt(BigInt(duration.days), out);
    writeVInt(duration.nanoseconds, out);
    return Uint8Array.from(out);
  },
  deserialize: (b) => {
    const [months, days, nanoseconds] = readDuration(b);
    return new CqlDuration(Number(months), Number(days), nanoseconds);
  },
  validate: (b) => {
    if (b.length < 3) throw new MarshalError(`Expected at least 3 bytes for a duration (${b.length})`);
    const [months, days, nanoseconds] = readDuration(b);
    const int32 = (n: bigint) => n >= -0x80000000n && n <= 0x7fffffffn;
    if (!int32(months))
      throw new MarshalError(`The duration months must be a 32 bits integer but was: ${months}`);
    if (!int32(days)) throw new MarshalError(`The duration days must be a 32 bits integer but was: ${days}`);
    if (
      !(
        (months >= 0n && days >= 0n && nanoseconds >= 0n) ||
        (months <= 0n && days <= 0n && nanoseconds <= 0n)
      )
    ) {
      throw new MarshalError(
        `The duration months, days and nanoseconds must be all of the same sign (${months}, ${days}, ${nanoseconds})`,
      );
    }
  },
};

function readDuration(bytes: Uint8Array): [bigint, bigint, bigint] {
  const values: bigint[] = [];
  let offset = 0;
  for (let i = 0; i < 3; i++) {
    const read = readVInt(bytes, offset);
    if (!read) throw new MarshalError(`Not enough bytes to read a duration (${bytes.length})`);
    values.push(BigInt.asIntN(64, read.value));
    offset = read.next;
  }
  if (offset !== bytes.length) throw new MarshalError('Unexpected extraneous bytes after duration value');
  return values as [bigint, bigint, bigint];
}

const inetCodec: NativeCodec = {
  serialize: (v) => {
    if (typeof v !== 'string') throw wrongValue('inet', v, 'an IP address string');
    return inetToBytes(v);
  },
  deserialize: (b) => (b.length === 0 ? null : inetFromBytes(b)),
  validate: (b) => {
    if (b.length !== 0 && b.length !== 4 && b.length !== 16) {
      throw new MarshalError(`Expected 4 or 16 byte inetaddress; got ${hexOf(b)}`);
    }
  },
};

export const NATIVE_CODECS: Readonly<Record<NativeTypeName, NativeCodec>> = {
  ascii: asciiCodec,
  bigint: longCodec('bigint'),
  blob: blobCodec,
  boolean: booleanCodec,
  counter: longCodec('counter'),
  date: dateCodec,
  decimal: decimalCodec,
  double: doubleCodec,
  duration: durationCodec,
  float: floatCodec,
  inet: inetCodec,
  int: intCodec,
  smallint: smallintCodec,
  text: textCodec,
  time: timeCodec,
  timestamp: timestampCodec,
  timeuuid: uuidCodec('timeuuid'),
  tinyint: tinyintCodec,
  uuid: uuidCodec('uuid'),
  varint: varintCodec,
};
