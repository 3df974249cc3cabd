import type { LocalDate, LocalTime } from './date-time.js';
import type { CqlDecimal } from './decimal.js';
import type { CqlDuration } from './duration.js';

/**
 * The JS form of a CQL value, as `deserialize` returns it:
 * ascii/text/uuid/timeuuid/inet → string; int/smallint/tinyint/float/double → number;
 * bigint/counter/varint → bigint; boolean → boolean; timestamp → Date; blob → Uint8Array;
 * decimal → CqlDecimal; date → LocalDate; time → LocalTime; duration → CqlDuration;
 * list/set/tuple → array (sets sorted); map → Map (sorted by key); UDT → object by field name.
 * `null` is an empty value (zero bytes) of a type that has no other meaning for it, or a null
 * tuple component / UDT field.
 */
export type CqlValue =
  | null
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | CqlDecimal
  | LocalDate
  | LocalTime
  | CqlDuration
  | readonly CqlValue[]
  | ReadonlyMap<CqlValue, CqlValue>
  | { readonly [field: string]: CqlValue };
