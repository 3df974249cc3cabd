/**
 * CREATE / ALTER / DROP TYPE (Cassandra's Create/Alter/DropTypeStatement). Altering a type updates
 * every table column and user type of the keyspace that uses it, as Cassandra does. Pure.
 */
import { InvalidRequestError } from '../errors.js';
import type { AlterTypeAction, QualifiedName, TypeRef } from '../parser/index.js';
import { formatType } from '../parser/index.js';
import { type CqlType, isCounter, type UdtType } from '../types/index.js';
import { canonicalColumnOrder } from './column-order.js';
import { type DdlContext, type DdlOutcome, type Keyspaces, unchanged, withKeyspace } from './ddl-outcome.js';
import type { KeyspaceMetadata, TableMetadata } from './metadata.js';
import { tableMetadata } from './metadata.js';
import { keyspaceOf, qualified } from './names.js';
import { referencesUserType, replaceUserType, resolveType } from './type-resolver.js';

type UserType = CqlType & { kind: 'udt' };

export function createType(
  keyspaces: Keyspaces,
  statement: {
    type: QualifiedName;
    ifNotExists: boolean;
    fields: readonly { name: string; type: TypeRef }[];
  },
  context: DdlContext,
): DdlOutcome {
  const keyspaceName = keyspaceOf(statement.type, context.session);
  const keyspace = keyspaces.get(keyspaceName);
  if (!keyspace) throw new InvalidRequestError(`Keyspace '${keyspaceName}' doesn't exist`);
  const name = statement.type.name;
  if (keyspace.types.has(name)) {
    if (statement.ifNotExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`A user type with name '${name}' already exists`);
  }
  const seen = new Set<string>();
  for (const field of statement.fields) {
    if (seen.has(field.name))
      throw new InvalidRequestError(`Duplicate field name '${field.name}' in type '${name}'`);
    seen.add(field.name);
  }
  const fields = statement.fields.map((f) => ({ name: f.name, type: fieldType(f.type, keyspace) }));
  const type: UserType = { kind: 'udt', keyspace: keyspaceName, name, fields, frozen: false };
  const types = new Map(keyspace.types);
  types.set(name, type);
  return {
    keyspaces: withKeyspace(keyspaces, { ...keyspace, types }),
    event: { change: 'CREATED', target: 'TYPE', keyspace: keyspaceName, name },
    createdTables: [],
    droppedTables: [],
  };
}

function fieldType(ref: TypeRef, keyspace: KeyspaceMetadata): CqlType {
  if (ref.kind === 'native' && ref.name === 'counter')
    throw new InvalidRequestError('A user type cannot contain counters');
  if (ref.kind === 'udt') throw new InvalidRequestError('A user type cannot contain non-frozen UDTs');
  const type = resolveType(ref, keyspace.name, keyspace.types);
  if (isCounter(type)) throw new InvalidRequestError('A user type cannot contain counters');
  return type;
}

export function alterType(
  keyspaces: Keyspaces,
  statement: { type: QualifiedName; ifExists: boolean; action: AlterTypeAction },
  context: DdlContext,
): DdlOutcome {
  const keyspaceName = keyspaceOf(statement.type, context.session);
  const keyspace = keyspaces.get(keyspaceName);
  const type = keyspace?.types.get(statement.type.name);
  if (!keyspace || !type) {
    if (statement.ifExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`Type ${keyspaceName}.${statement.type.name} doesn't exist`);
  }
  const altered = applyAction(keyspace, type, statement.action);
  if (altered === type) return unchanged(keyspaces);
  return {
    keyspaces: withKeyspace(keyspaces, withUpdatedType(keyspace, altered)),
    event: { change: 'UPDATED', target: 'TYPE', keyspace: keyspaceName, name: type.name },
    createdTables: [],
    droppedTables: [],
  };
}

function applyAction(keyspace: KeyspaceMetadata, type: UserType, action: AlterTypeAction): UserType {
  const typeName = qualified(type.keyspace, type.name);
  switch (action.kind) {
    case 'alterFieldType':
      throw new InvalidRequestError('Altering field types is no longer supported');
    case 'addField': {
      if (type.fields.some((f) => f.name === action.field)) {
        if (action.ifNotExists) return type;
        throw new InvalidRequestError(
          `Cannot add field ${action.field} to type ${typeName}: a field with name ${action.field} already exists`,
        );
      }
      const fieldTypeResolved = fieldType(action.type, keyspace);
      if (referencesUserType(fieldTypeResolved, type.keyspace, type.name)) {
        throw new InvalidRequestError(
          `Cannot add new field ${action.field} of type ${formatType(action.type)} to user type ${typeName} as it would create a circular reference`,
        );
      }
      checkNotInPartitionKey(keyspace, type, action.field, formatType(action.type));
      return { ...type, fields: [...type.fields, { name: action.field, type: fieldTypeResolved }] };
    }
    case 'renameFields':
      return renameFields(type, action.renames, action.ifExists);
  }
}

function checkNotInPartitionKey(
  keyspace: KeyspaceMetadata,
  type: UserType,
  field: string,
  written: string,
): void {
  const tables = [...keyspace.tables.values()].filter((t) =>
    t.partitionKey.some((c) => referencesUserType(c.type, type.keyspace, type.name)),
  );
  if (tables.length === 0) return;
  throw new InvalidRequestError(
    `Cannot add new field ${field} of type ${written} to user type ${qualified(type.keyspace, type.name)} as the type is being used in partition key by the following tables: ${tables.map((t) => qualified(t.keyspace, t.name)).join(', ')}`,
  );
}

function renameFields(
  type: UserType,
  renames: readonly { from: string; to: string }[],
  ifExists: boolean,
): UserType {
  const names = type.fields.map((f) => f.name);
  for (const { from, to } of renames) {
    const index = names.indexOf(from);
    if (index < 0) {
      if (ifExists) continue;
      // Cassandra's message, its misspelling included.
      throw new InvalidRequestError(
        `Unkown field ${from} in user type ${qualified(type.keyspace, type.name)}`,
      );
    }
    names[index] = to;
  }
  for (const name of names) {
    // Cassandra's format string prints the keyspace where the type name was meant.
    if (names.filter((n) => n === name).length > 1)
      throw new InvalidRequestError(`Duplicate field name ${name} in type ${type.keyspace}`);
  }
  return { ...type, fields: type.fields.map((f, i) => ({ name: names[i]!, type: f.type })) };
}

/** The keyspace with `updated` replacing its old definition everywhere it is used. */
function withUpdatedType(keyspace: KeyspaceMetadata, updated: UdtType): KeyspaceMetadata {
  const types = new Map<string, UserType>();
  for (const [name, t] of keyspace.types) {
    types.set(name, name === updated.name ? updated : (replaceUserType(t, updated) as UserType));
  }
  const tables = new Map<string, TableMetadata>();
  for (const [name, table] of keyspace.tables) {
    if (
      ![...table.columns.values()].some((c) => referencesUserType(c.type, updated.keyspace, updated.name))
    ) {
      tables.set(name, table);
      continue;
    }
    const columns = [...table.columns.values()].map((c) => ({
      ...c,
      type: replaceUserType(c.type, updated),
    }));
    const { partitionKey, clustering, statics, regulars, columns: _, isCounter: __, ...base } = table;
    tables.set(name, tableMetadata(base, canonicalColumnOrder(columns)));
  }
  return { ...keyspace, types, tables };
}

export function dropType(
  keyspaces: Keyspaces,
  statement: { type: QualifiedName; ifExists: boolean },
  context: DdlContext,
): DdlOutcome {
  const keyspaceName = keyspaceOf(statement.type, context.session);
  const keyspace = keyspaces.get(keyspaceName);
  const type = keyspace?.types.get(statement.type.name);
  if (!keyspace || !type) {
    if (statement.ifExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`Type '${keyspaceName}.${statement.type.name}' doesn't exist`);
  }
  const prefix = `Cannot drop user type '${keyspaceName}.${type.name}' as it is still used by`;
  const usingTypes = [...keyspace.types.values()].filter(
    (t) => t.name !== type.name && referencesUserType(t, keyspaceName, type.name),
  );
  if (usingTypes.length > 0)
    throw new InvalidRequestError(`${prefix} user types ${usingTypes.map((t) => t.name).join(', ')}`);
  const usingTables = [...keyspace.tables.values()].filter((t) =>
    [...t.columns.values()].some((c) => referencesUserType(c.type, keyspaceName, type.name)),
  );
  if (usingTables.length > 0)
    throw new InvalidRequestError(`${prefix} tables ${usingTables.map((t) => t.name).join(', ')}`);
  const types = new Map(keyspace.types);
  types.delete(type.name);
  return {
    keyspaces: withKeyspace(keyspaces, { ...keyspace, types }),
    event: { change: 'DROPPED', target: 'TYPE', keyspace: keyspaceName, name: type.name },
    createdTables: [],
    droppedTables: [],
  };
}
