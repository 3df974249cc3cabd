import { concatBytes, int32Bytes, splitCollection, splitComponents, writeValue } from './bytes.js';
import { comparatorFor } from './comparator.js';
import {
  type CqlType,
  cqlTypeName,
  type MapType,
  type SetType,
  type TupleType,
  type UdtType,
} from './cql-type.js';
import type { CqlValue } from './cql-value.js';
import { MarshalError } from './marshal-error.js';
import { NATIVE_CODECS } from './native-codec.js';

/**
 * Values ↔ bytes for every CQL type, in the native protocol v4 serialization (spec sections 6 and
 * 7), which is also how Sibyl stores and ships them. Collections are written canonical: set
 * elements and map keys sorted by the type's comparator, without duplicates.
 */

export function serialize(type: CqlType, value: unknown): Uint8Array {
  if (value === null || value === undefined) {
    throw new MarshalError(`Invalid null value for ${cqlTypeName(type)}: null is the absence of a value`);
  }
  switch (type.kind) {
    case 'native':
      return NATIVE_CODECS[type.name].serialize(value);
    case 'list':
      return serializeElements(type, listElements(type, value));
    case 'set':
      return serializeSet(type, value);
    case 'map':
      return serializeMap(type, value);
    case 'tuple':
      return serializeTuple(type, value);
    case 'udt':
      return serializeUdt(type, value);
  }
}

/** Checks `bytes` against the type (Cassandra's `validate`), then decodes them. */
export function deserialize(type: CqlType, bytes: Uint8Array): CqlValue {
  switch (type.kind) {
    case 'native': {
      const codec = NATIVE_CODECS[type.name];
      codec.validate(bytes);
      return codec.deserialize(bytes);
    }
    case 'list':
      return splitCollection(bytes, 1, 'list').map((b) => deserialize(type.element, b));
    case 'set':
      return splitCollection(bytes, 1, 'set').map((b) => deserialize(type.element, b));
    case 'map': {
      const parts = splitCollection(bytes, 2, 'map');
      const map = new Map<CqlValue, CqlValue>();
      for (let i = 0; i < parts.length; i += 2) {
        map.set(deserialize(type.key, parts[i]!), deserialize(type.value, parts[i + 1]!));
      }
      return map;
    }
    case 'tuple': {
      const parts = splitComponents(bytes, null, type.elements.length);
      return type.elements.map((t, i) => {
        const part = parts[i];
        return part === undefined || part === null ? null : deserialize(t, part);
      });
    }
    case 'udt':
      return deserializeUdt(type, bytes);
  }
}

/** Throws a MarshalError unless `bytes` is a valid value of `type`. */
export function validate(type: CqlType, bytes: Uint8Array): void {
  switch (type.kind) {
    case 'native':
      NATIVE_CODECS[type.name].validate(bytes);
      return;
    case 'list':
    case 'set':
      for (const part of splitCollection(bytes, 1, type.kind)) validate(type.element, part);
      return;
    case 'map':
      splitCollection(bytes, 2, 'map').forEach((part, i) => {
        validate(i % 2 === 0 ? type.key : type.value, part);
      });
      return;
    case 'tuple':
      splitComponents(bytes, null, type.elements.length).forEach((part, i) => {
        if (part !== null) validate(type.elements[i]!, part);
      });
      return;
    case 'udt':
      splitComponents(
        bytes,
        type.fields.map((f) => f.name),
        type.fields.length,
      ).forEach((part, i) => {
        if (part !== null) validate(type.fields[i]!.type, part);
      });
      return;
  }
}

function listElements(type: CqlType, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set && type.kind === 'set') return [...value];
  throw new MarshalError(`Invalid value for ${cqlTypeName(type)}: expected an array, got ${typeof value}`);
}

function serializeElement(type: CqlType, value: unknown): Uint8Array {
  if (value === null || value === undefined)
    throw new MarshalError('null is not supported inside collections');
  return serialize(type, value);
}

function serializeElements(type: CqlType & { element: CqlType }, values: readonly unknown[]): Uint8Array {
  return collectionBytes(values.map((v) => [serializeElement(type.element, v)]));
}

function collectionBytes(entries: readonly Uint8Array[][]): Uint8Array {
  const parts: Uint8Array[] = [int32Bytes(entries.length)];
  for (const entry of entries) for (const value of entry) parts.push(...writeValue(value));
  return concatBytes(parts);
}

function serializeSet(type: SetType, value: unknown): Uint8Array {
  const compare = comparatorFor(type.element);
  const elements = listElements(type, value).map((v) => serializeElement(type.element, v));
  elements.sort(compare);
  const unique = elements.filter((e, i) => i === 0 || compare(elements[i - 1]!, e) !== 0);
  return collectionBytes(unique.map((e) => [e]));
}

function serializeMap(type: MapType, value: unknown): Uint8Array {
  let entries: [unknown, unknown][];
  if (value instanceof Map) entries = [...value.entries()];
  else if (Array.isArray(value) && value.every((e) => Array.isArray(e) && e.length === 2)) entries = value;
  else throw new MarshalError(`Invalid value for ${cqlTypeName(type)}: expected a Map, got ${typeof value}`);
  const compare = comparatorFor(type.key);
  const serialized = entries.map(([k, v]) => [
    serializeElement(type.key, k),
    serializeElement(type.value, v),
  ]);
  // A stable sort keeps equal keys in input order; the last one wins, as in a CQL map literal.
  serialized.sort((a, b) => compare(a[0]!, b[0]!));
  const unique = serialized.filter(
    (e, i) => i === serialized.length - 1 || compare(e[0]!, serialized[i + 1]![0]!) !== 0,
  );
  return collectionBytes(unique);
}

function serializeTuple(type: TupleType, value: unknown): Uint8Array {
  const name = cqlTypeName(type);
  if (!Array.isArray(value)) throw new MarshalError(`Invalid value for ${name}: expected an array`);
  if (value.length > type.elements.length) {
    throw new MarshalError(
      `Invalid tuple literal: too many elements. Type ${name} expects ${type.elements.length} but got ${value.length}`,
    );
  }
  const parts = type.elements.flatMap((t, i) => {
    const component: unknown = value[i];
    return writeValue(component === null || component === undefined ? null : serialize(t, component));
  });
  return concatBytes(parts);
}

function serializeUdt(type: UdtType, value: unknown): Uint8Array {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Map) {
    throw new MarshalError(`Invalid value for ${cqlTypeName(type)}: expected an object with its fields`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!type.fields.some((f) => f.name === key)) {
      throw new MarshalError(`Unknown field '${key}' in value of user defined type ${type.name}`);
    }
  }
  const parts = type.fields.flatMap((f) => {
    const field = record[f.name];
    return writeValue(field === null || field === undefined ? null : serialize(f.type, field));
  });
  return concatBytes(parts);
}

function deserializeUdt(type: UdtType, bytes: Uint8Array): CqlValue {
  const parts = splitComponents(
    bytes,
    type.fields.map((f) => f.name),
    type.fields.length,
  );
  const out: Record<string, CqlValue> = {};
  type.fields.forEach((f, i) => {
    const part = parts[i];
    out[f.name] = part === undefined || part === null ? null : deserialize(f.type, part);
  });
  return out;
}

/**
 * The canonical bytes of a value: sets and maps (at any depth) sorted and without duplicates.
 * Drivers may send a set in insertion order; frozen values must be canonical before they are
 * compared or stored, as Cassandra re-serializes them.
 */
export function canonicalize(type: CqlType, bytes: Uint8Array): Uint8Array {
  validate(type, bytes);
  // Decoding then encoding also normalizes what decoding normalizes (non-minimal varints, NaN
  // payloads) inside such values; Sibyl never writes those itself.
  return needsCanonical(type) ? serialize(type, deserialize(type, bytes)) : bytes;
}

function needsCanonical(type: CqlType): boolean {
  switch (type.kind) {
    case 'native':
      return false;
    case 'set':
    case 'map':
      return true;
    case 'list':
      return needsCanonical(type.element);
    case 'tuple':
      return type.elements.some(needsCanonical);
    case 'udt':
      return type.fields.some((f) => needsCanonical(f.type));
  }
}
