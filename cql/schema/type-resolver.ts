/**
 * Types as written in DDL (`TypeRef`) into `CqlType`s, resolving user types in the statement's
 * keyspace, with Cassandra's messages. Also the questions DDL asks of a type: does it reference a
 * user type, a duration, a counter.
 */
import { InvalidRequestError } from '../errors.js';
import { formatType, type TypeRef } from '../parser/index.js';
import { type CqlType, freeze, MarshalError, parseCqlType, type UdtType } from '../types/index.js';
import type { KeyspaceMetadata } from './metadata.js';

export function resolveType(ref: TypeRef, keyspace: string, types: KeyspaceMetadata['types']): CqlType {
  checkRef(ref, keyspace);
  try {
    return parseCqlType(formatType(ref), (ks, name) =>
      ks === undefined || ks === keyspace ? types.get(name) : undefined,
    );
  } catch (error) {
    if (error instanceof MarshalError) throw new InvalidRequestError(error.message);
    throw error;
  }
}

function checkRef(ref: TypeRef, keyspace: string): void {
  if (ref.kind === 'custom')
    throw new InvalidRequestError(`Custom types are not supported: '${ref.className}'`);
  if (ref.kind === 'udt' && ref.keyspace !== undefined && ref.keyspace !== keyspace) {
    throw new InvalidRequestError(
      `Statement on keyspace ${keyspace} cannot refer to a user type in keyspace ${ref.keyspace}; user types can only be used in the keyspace they are defined in`,
    );
  }
  for (const nested of nestedRefs(ref)) checkRef(nested, keyspace);
}

function nestedRefs(ref: TypeRef): readonly TypeRef[] {
  switch (ref.kind) {
    case 'list':
    case 'set':
      return [ref.element];
    case 'map':
      return [ref.key, ref.value];
    case 'tuple':
      return ref.elements;
    case 'frozen':
      return [ref.inner];
    default:
      return [];
  }
}

/** The types directly nested in `type`. */
export function componentTypes(type: CqlType): readonly CqlType[] {
  switch (type.kind) {
    case 'native':
      return [];
    case 'list':
    case 'set':
      return [type.element];
    case 'map':
      return [type.key, type.value];
    case 'tuple':
      return type.elements;
    case 'udt':
      return type.fields.map((f) => f.type);
  }
}

export function referencesUserType(type: CqlType, keyspace: string, name: string): boolean {
  if (type.kind === 'udt' && type.keyspace === keyspace && type.name === name) return true;
  return componentTypes(type).some((t) => referencesUserType(t, keyspace, name));
}

export function referencesDuration(type: CqlType): boolean {
  if (type.kind === 'native') return type.name === 'duration';
  return componentTypes(type).some(referencesDuration);
}

/** `type` with every use of the user type `updated` (same keyspace and name) replaced by it. */
export function replaceUserType(type: CqlType, updated: UdtType): CqlType {
  switch (type.kind) {
    case 'native':
      return type;
    case 'list':
    case 'set':
      return { ...type, element: replaceUserType(type.element, updated) };
    case 'map':
      return {
        ...type,
        key: replaceUserType(type.key, updated),
        value: replaceUserType(type.value, updated),
      };
    case 'tuple':
      return { ...type, elements: type.elements.map((e) => replaceUserType(e, updated)) };
    case 'udt': {
      if (type.keyspace === updated.keyspace && type.name === updated.name) {
        const definition: UdtType = { ...updated, frozen: false };
        return type.frozen ? freeze(definition) : definition;
      }
      return {
        ...type,
        fields: type.fields.map((f) => ({ name: f.name, type: replaceUserType(f.type, updated) })),
      };
    }
  }
}
