/** The CQL data types: representation, codecs, comparators, literals (see README.md). */

export { canonicalize, deserialize, serialize, validate } from './codec.js';
export { type ByteComparator, comparatorFor, compareUnsignedBytes, reversed } from './comparator.js';
export * from './cql-type.js';
export type { CqlValue } from './cql-value.js';
export {
  formatTimestampCqlsh,
  formatTimestampIso,
  LocalDate,
  LocalTime,
  parseTimestamp,
} from './date-time.js';
export { CqlDecimal } from './decimal.js';
export { CqlDuration } from './duration.js';
export { formatCqlLiteral, formatCqlsh } from './format.js';
export { isReservedKeyword, maybeQuoteIdentifier } from './identifier.js';
export { inetFromBytes, inetToBytes } from './inet.js';
export {
  fromString,
  isLiteralAssignable,
  type LiteralKind,
  type LiteralOptions,
  literalToBytes,
} from './literal.js';
export { MarshalError } from './marshal-error.js';
export { parseCqlType, type UdtResolver } from './type-parser.js';
export {
  maxTimeuuid,
  minTimeuuid,
  timeuuidFromMs,
  timeuuidToMs,
  uuidFromBytes,
  uuidToBytes,
} from './uuid.js';
