/**
 * JS values → bound protocol values. A prepared statement's values are encoded with the types of
 * its bind markers; an unprepared one has no types, so they are inferred from the JS value as the
 * DataStax driver does (a number is a double, a string is text), or taken from `hints`. `null` is
 * a null value; `undefined` and `unset` leave the column as it is (the protocol's "not set").
 */
import { NOT_SET, type ProtocolType, type ProtocolValue } from '../cql/protocol/index.js';
import {
  CqlDecimal,
  CqlDuration,
  type CqlType,
  CqlTypes,
  cqlTypeName,
  LocalDate,
  LocalTime,
  listOf,
  MarshalError,
  mapOf,
  parseCqlType,
  serialize,
  setOf,
} from '../cql/types/index.js';
import { ArgumentError } from './errors.js';

/** Positional values, or values by bind-marker / column name. */
export type Params = readonly unknown[] | { readonly [name: string]: unknown };

/** A CQL type, as a `CqlType` or its CQL text (`'int'`, `'map<text, frozen<list<int>>>'`). */
export type TypeHint = CqlType | string;
export type Hints = readonly (TypeHint | undefined)[] | { readonly [name: string]: TypeHint | undefined };

/** Bind this to leave a column untouched (an INSERT does not write it). */
export const unset: typeof NOT_SET = NOT_SET;

export interface BindSpec {
  readonly name: string;
  readonly type: ProtocolType;
}

/** Encodes `params` for a prepared statement's bind markers, by position or by name. */
export function encodeForMarkers(params: Params | undefined, markers: readonly BindSpec[]): ProtocolValue[] {
  if (params === undefined) params = [];
  const encoders = encodersOf(markers);
  if (isPositional(params)) {
    if (params.length !== markers.length) {
      throw new ArgumentError(
        `Wrong number of parameters: the statement has ${markers.length} bind markers, ${params.length} values were given`,
      );
    }
    // A loop rather than `map` with a closure: this runs for every prepared request.
    const values: ProtocolValue[] = new Array(encoders.length);
    for (let i = 0; i < encoders.length; i++) values[i] = encoders[i]!(params[i]);
    return values;
  }
  const byName = new Map(Object.entries(params).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of byName.keys()) {
    if (!markers.some((m) => m.name.toLowerCase() === name)) {
      throw new ArgumentError(`Parameter '${name}' is not a bind marker of the statement`);
    }
  }
  return markers.map((marker, i) => encoders[i]!(byName.get(marker.name.toLowerCase())));
}

/** Encodes one JS value for one bind marker; chosen once per statement by the marker's type. */
type MarkerEncoder = (value: unknown) => ProtocolValue;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The encoders of a statement's markers, made on its first request and kept as long as the
 * statement's marker list lives (a re-prepared statement has a new list, hence new encoders).
 */
const encodersByMarkers = new WeakMap<readonly BindSpec[], readonly MarkerEncoder[]>();

function encodersOf(markers: readonly BindSpec[]): readonly MarkerEncoder[] {
  let encoders = encodersByMarkers.get(markers);
  if (encoders === undefined) {
    encoders = markers.map(markerEncoder);
    encodersByMarkers.set(markers, encoders);
  }
  return encoders;
}

/**
 * The common native types take a direct path: the generic codec computes its range bounds as
 * BigInt powers and gives every value its own ArrayBuffer (about 1.5 µs for a bigint, a quarter of
 * a request's client time); here the bytes are a view of a shared slab. Anything the direct path
 * does not accept (null, unset, a wrong type, out of range) goes the generic way, so results and
 * error messages are the codec's.
 */
function markerEncoder(marker: BindSpec): MarkerEncoder {
  const { type, name } = marker;
  const generic: MarkerEncoder = (value) => encodeValue(type, value, name);
  if (type.kind !== 'native') return generic;
  switch (type.name) {
    case 'bigint':
    case 'counter':
      return (value) => {
        if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) return generic(value);
        const bytes = slabBytes(8);
        slab.view.setBigInt64(bytes.byteOffset, value);
        return bytes;
      };
    case 'int':
      return (value) => {
        if (!Number.isInteger(value) || (value as number) < INT32_MIN || (value as number) > INT32_MAX) {
          return generic(value);
        }
        const bytes = slabBytes(4);
        slab.view.setInt32(bytes.byteOffset, value as number);
        return bytes;
      };
    case 'blob':
      return (value) => {
        if (!(value instanceof Uint8Array) || value.length > MAX_SLAB_VALUE_BYTES) return generic(value);
        // A copy, as the codec makes: the caller may reuse its buffer once execute() returned.
        const bytes = slabBytes(value.length);
        bytes.set(value);
        return bytes;
      };
    default:
      return generic;
  }
}

/**
 * Small encoded values are views of one shared ArrayBuffer, filled front to back and replaced when
 * full (a view still in use keeps its old slab alive), instead of an ArrayBuffer each.
 */
const SLAB_BYTES = 16 * 1024;
/** Larger values get their own buffer, so one kept value cannot pin a slab for long. */
const MAX_SLAB_VALUE_BYTES = 1024;

interface Slab {
  readonly buffer: ArrayBuffer;
  readonly view: DataView;
  used: number;
}

function newSlab(): Slab {
  const buffer = new ArrayBuffer(SLAB_BYTES);
  return { buffer, view: new DataView(buffer), used: 0 };
}

let slab = newSlab();

function slabBytes(length: number): Uint8Array {
  if (slab.used + length > SLAB_BYTES) slab = newSlab();
  const bytes = new Uint8Array(slab.buffer, slab.used, length);
  slab.used += length;
  return bytes;
}

/** Encodes `params` of an unprepared statement: types from `hints`, else inferred. */
export function encodeInferred(
  params: Params | undefined,
  hints: Hints | undefined,
): { values: ProtocolValue[]; names?: string[] } {
  if (params === undefined) return { values: [] };
  if (isPositional(params)) {
    const values = params.map((value, i) => {
      const hint = hints !== undefined && isPositionalHints(hints) ? hints[i] : undefined;
      return encodeValue(typeOf(hint, value), value, `#${i}`);
    });
    return { values };
  }
  const names = Object.keys(params);
  const values = names.map((name) => {
    const value = params[name];
    const hint = hints !== undefined && !isPositionalHints(hints) ? hints[name] : undefined;
    return encodeValue(typeOf(hint, value), value, name);
  });
  return { values, names };
}

function isPositional(params: Params): params is readonly unknown[] {
  return Array.isArray(params);
}

function isPositionalHints(hints: Hints): hints is readonly (TypeHint | undefined)[] {
  return Array.isArray(hints);
}

function typeOf(hint: TypeHint | undefined, value: unknown): CqlType | undefined {
  if (hint === undefined) return value === null || value === undefined ? undefined : inferType(value);
  if (typeof hint !== 'string') return hint;
  try {
    return parseCqlType(hint);
  } catch (cause) {
    throw new ArgumentError(`Invalid type hint '${hint}': ${(cause as Error).message}`, { cause });
  }
}

/** One value for a marker of `type`; `what` names the parameter in errors. */
export function encodeValue(type: ProtocolType | undefined, value: unknown, what: string): ProtocolValue {
  if (value === null) return null;
  if (value === undefined || value === NOT_SET) return NOT_SET;
  if (type === undefined) throw new ArgumentError(`No type for parameter ${what}`);
  if (type.kind === 'custom') {
    if (value instanceof Uint8Array) return value;
    throw new ArgumentError(`Parameter ${what} of custom type ${type.className} must be its bytes`);
  }
  try {
    return serialize(type, value);
  } catch (cause) {
    if (!(cause instanceof MarshalError)) throw cause;
    throw new ArgumentError(`Parameter ${what} (${cqlTypeName(type)}): ${cause.message}`, { cause });
  }
}

/**
 * The CQL type of a JS value when nothing else says it, as the DataStax driver guesses it.
 * Strings are text (a uuid, an inet or an int column needs a hint or a prepared statement).
 */
export function inferType(value: unknown): CqlType {
  switch (typeof value) {
    case 'string':
      return CqlTypes.text;
    case 'number':
      return CqlTypes.double;
    case 'bigint':
      return CqlTypes.bigint;
    case 'boolean':
      return CqlTypes.boolean;
    default:
      return inferObjectType(value);
  }
}

function inferObjectType(value: unknown): CqlType {
  if (value instanceof Date) return CqlTypes.timestamp;
  if (value instanceof Uint8Array) return CqlTypes.blob;
  if (value instanceof CqlDecimal) return CqlTypes.decimal;
  if (value instanceof LocalDate) return CqlTypes.date;
  if (value instanceof LocalTime) return CqlTypes.time;
  if (value instanceof CqlDuration) return CqlTypes.duration;
  if (Array.isArray(value)) return listOf(elementType(value));
  if (value instanceof Set) return setOf(elementType([...value]));
  if (value instanceof Map) {
    const [key, entry] = value.entries().next().value ?? ['', ''];
    return mapOf(inferType(key), inferType(entry));
  }
  throw new ArgumentError(
    `Cannot infer the CQL type of ${Object.prototype.toString.call(value)}: prepare the statement or give a hint`,
  );
}

/** The first non-null element decides; an empty collection's element type does not matter (no bytes). */
function elementType(values: readonly unknown[]): CqlType {
  const first = values.find((v) => v !== null && v !== undefined);
  return first === undefined ? CqlTypes.text : inferType(first);
}
