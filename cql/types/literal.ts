import { EMPTY, int32Bytes } from './bytes.js';
import { type CqlType, cqlTypeName, type NativeTypeName } from './cql-type.js';
import { LocalDate, LocalTime, parseTimestamp } from './date-time.js';
import { CqlDecimal } from './decimal.js';
import { CqlDuration } from './duration.js';
import { inetToBytes } from './inet.js';
import { MarshalError } from './marshal-error.js';
import { NATIVE_CODECS } from './native-codec.js';
import { isUuidString, uuidToBytes, uuidVersion } from './uuid.js';

/**
 * Constants of CQL text into bytes. The lexer decides a constant's kind (a quoted string, an
 * integer, a float, `true`, a bare uuid, `0x…`, a bare duration); this module says which kinds a
 * type accepts (Cassandra's Constants.Literal.testAssignment) and parses the text as the type's
 * `fromString` does, with Cassandra's messages.
 */
export type LiteralKind = 'string' | 'integer' | 'float' | 'boolean' | 'uuid' | 'hex' | 'duration';

const ASSIGNABLE: Readonly<Record<LiteralKind, readonly NativeTypeName[]>> = {
  string: ['ascii', 'text', 'inet', 'date', 'time', 'timestamp'],
  integer: [
    'bigint',
    'counter',
    'date',
    'decimal',
    'double',
    'duration',
    'float',
    'int',
    'smallint',
    'time',
    'timestamp',
    'tinyint',
    'varint',
  ],
  float: ['decimal', 'double', 'float'],
  boolean: ['boolean'],
  uuid: ['uuid', 'timeuuid'],
  hex: ['blob'],
  duration: ['duration'],
};

export function isLiteralAssignable(type: CqlType, kind: LiteralKind): boolean {
  return type.kind === 'native' && ASSIGNABLE[kind].includes(type.name);
}

export interface LiteralOptions {
  /** The column or marker the constant is for, named in the error message. */
  readonly receiver?: string;
  /** The statement's time, for `'now'` timestamps. */
  readonly nowMs?: number;
}

/** The bytes of a constant of `kind` written as `text`, for a receiver of `type`. */
export function literalToBytes(
  type: CqlType,
  kind: LiteralKind,
  text: string,
  options: LiteralOptions = {},
): Uint8Array {
  if (type.kind !== 'native' || !isLiteralAssignable(type, kind)) {
    const shown = kind === 'string' ? `'${text}'` : text;
    throw new MarshalError(
      `Invalid ${kind.toUpperCase()} constant (${shown}) for "${options.receiver ?? 'value'}" of type ${cqlTypeName(type)}`,
    );
  }
  if (kind === 'hex') return hexToBytes(text.slice(2));
  return fromString(type.name, text, options.nowMs);
}

function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new MarshalError(`cannot parse '${hex}' as hex bytes`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;

function parseInteger(text: string, bits: number, javaName: string): bigint {
  const limit = 1n << BigInt(bits - 1);
  const value = INTEGER_TEXT.test(text) ? BigInt(text) : undefined;
  if (value === undefined || value < -limit || value >= limit) {
    throw new MarshalError(`Unable to make ${javaName} from '${text}'`);
  }
  return value;
}

function parseFloating(text: string, javaName: string): number {
  if (!FLOAT_TEXT.test(text)) throw new MarshalError(`Unable to make ${javaName} from '${text}'`);
  return Number(text);
}

/** Cassandra's `AbstractType.fromString` for the native types. */
export function fromString(name: NativeTypeName, text: string, nowMs?: number): Uint8Array {
  const codec = NATIVE_CODECS[name];
  switch (name) {
    case 'ascii':
    case 'text':
      return codec.serialize(text);
    case 'int':
      return codec.serialize(Number(parseInteger(text, 32, 'int')));
    case 'smallint':
      return codec.serialize(Number(parseInteger(text, 16, 'short')));
    case 'tinyint':
      return codec.serialize(Number(parseInteger(text, 8, 'byte')));
    case 'bigint':
    case 'counter':
      return codec.serialize(parseInteger(text, 64, 'long'));
    case 'varint':
      if (!INTEGER_TEXT.test(text)) throw new MarshalError(`Unable to make integer from '${text}'`);
      return codec.serialize(BigInt(text));
    case 'float':
      return codec.serialize(Math.fround(parseFloating(text, 'float')));
    case 'double':
      return codec.serialize(parseFloating(text, 'double'));
    case 'decimal':
      return codec.serialize(CqlDecimal.parse(text));
    case 'boolean':
      return booleanFromString(text);
    case 'blob':
      return hexToBytes(text.startsWith('0x') ? text.slice(2) : text);
    default:
      return temporalOrIdFromString(name, text, nowMs);
  }
}

function booleanFromString(text: string): Uint8Array {
  const lower = text.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new MarshalError(`Unable to make boolean from '${text}'`);
  return Uint8Array.of(lower === 'true' ? 1 : 0);
}

function temporalOrIdFromString(name: NativeTypeName, text: string, nowMs: number | undefined): Uint8Array {
  const codec = NATIVE_CODECS[name];
  // An empty string is the empty value of these types, as in Cassandra.
  if (text === '' && name !== 'duration') return EMPTY;
  switch (name) {
    case 'timestamp':
      return codec.serialize(parseTimestamp(text, nowMs));
    case 'date':
      return dateFromString(text);
    case 'time':
      return codec.serialize(LocalTime.parse(text));
    case 'duration':
      return codec.serialize(CqlDuration.parse(text));
    case 'inet':
      return inetToBytes(text);
    case 'uuid':
      return uuidToBytes(text);
    case 'timeuuid': {
      if (!isUuidString(text)) throw new MarshalError(`Unknown timeuuid representation: ${text}`);
      const bytes = uuidToBytes(text);
      if (uuidVersion(bytes) !== 1) throw new MarshalError('TimeUUID supports only version 1 UUIDs');
      return bytes;
    }
    default:
      throw new Error(`assertion failed: no literal parser for ${name}`);
  }
}

/** A date is `yyyy-mm-dd`, or the raw unsigned day number (epoch at 2^31) as an integer. */
function dateFromString(text: string): Uint8Array {
  if (/^-?\d+$/.test(text)) {
    const raw = BigInt(text);
    if (raw < 0n || raw > 0xffffffffn)
      throw new MarshalError(`Unable to make unsigned int (for date) from: '${text}'`);
    return int32Bytes(Number(raw));
  }
  return NATIVE_CODECS.date.serialize(LocalDate.parse(text));
}
