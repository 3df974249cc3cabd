/** ALTER TABLE and DROP TABLE (Cassandra's AlterTableStatement, DropTableStatement). Pure. */
import { ConfigurationError, InvalidRequestError } from '../errors.js';
import type {
  AlterTableAction,
  AlterTableStatement,
  ColumnDefinition,
  Property,
  QualifiedName,
} from '../parser/index.js';
import { cqlTypeName, isCounter, isMultiCell, typeEquals } from '../types/index.js';
import { canonicalColumnOrder } from './column-order.js';
import {
  type DdlContext,
  type DdlOutcome,
  type Keyspaces,
  unchanged,
  withKeyspace,
  withTable,
} from './ddl-outcome.js';
import type { ColumnMetadata, DroppedColumn, KeyspaceMetadata, TableMetadata } from './metadata.js';
import { tableMetadata } from './metadata.js';
import { keyspaceOf, qualified } from './names.js';
import { tableOptions } from './table-options.js';
import { resolveType } from './type-resolver.js';

export function alterTable(
  keyspaces: Keyspaces,
  statement: AlterTableStatement,
  context: DdlContext,
): DdlOutcome {
  const keyspaceName = keyspaceOf(statement.table, context.session);
  const keyspace = keyspaces.get(keyspaceName);
  const table = keyspace?.tables.get(statement.table.name);
  if (!keyspace || !table) {
    if (statement.ifExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`Table '${keyspaceName}.${statement.table.name}' doesn't exist`);
  }
  const altered = applyAction(keyspace, table, statement.action, context);
  if (altered === table) return unchanged(keyspaces);
  return {
    keyspaces: withKeyspace(keyspaces, withTable(keyspace, altered)),
    event: { change: 'UPDATED', target: 'TABLE', keyspace: keyspaceName, name: table.name },
    createdTables: [],
    droppedTables: [],
  };
}

function applyAction(
  keyspace: KeyspaceMetadata,
  table: TableMetadata,
  action: AlterTableAction,
  context: DdlContext,
): TableMetadata {
  switch (action.kind) {
    case 'alterColumnType':
      throw new InvalidRequestError('Altering column types is no longer supported');
    case 'dropCompactStorage':
      throw new InvalidRequestError('DROP COMPACT STORAGE is disabled. Enable in cassandra.yaml to use.');
    case 'addColumns':
      return action.columns.reduce((t, c) => addColumn(keyspace, t, c, action.ifNotExists), table);
    case 'dropColumns': {
      const time = action.timestamp === undefined ? context.nowMicros() : Number(action.timestamp);
      return action.columns.reduce((t, c) => dropColumn(t, c, action.ifExists, time), table);
    }
    case 'renameColumns':
      return action.renames.reduce((t, r) => renameColumn(t, r.from, r.to, action.ifExists), table);
    case 'setOptions':
      return setOptions(table, action.properties);
  }
}

function rebuild(
  table: TableMetadata,
  columns: readonly ColumnMetadata[],
  changes: Partial<TableMetadata> = {},
): TableMetadata {
  const { partitionKey, clustering, statics, regulars, columns: _, isCounter: __, ...base } = table;
  return tableMetadata({ ...base, ...changes }, canonicalColumnOrder(columns));
}

function addColumn(
  keyspace: KeyspaceMetadata,
  table: TableMetadata,
  definition: ColumnDefinition,
  ifNotExists: boolean,
): TableMetadata {
  const name = definition.name;
  const type = resolveType(definition.type, keyspace.name, keyspace.types);
  if (table.columns.has(name)) {
    if (ifNotExists) return table;
    throw new InvalidRequestError(`Column with name '${name}' already exists`);
  }
  if (definition.isStatic && table.clustering.length === 0) {
    throw new InvalidRequestError(
      'Static columns are only useful (and thus allowed) if the table has at least one clustering column',
    );
  }
  if (type.kind === 'udt' && !type.frozen && type.fields.some((f) => isMultiCell(f.type))) {
    throw new InvalidRequestError(
      `Non-frozen UDTs with nested non-frozen collections are not supported for column ${name}`,
    );
  }
  checkDropped(table, name, type, definition.isStatic);
  // TableMetadata.validate: a counter table holds counters only, and the reverse.
  if (table.isCounter && !isCounter(type))
    throw new ConfigurationError(`Cannot have a non counter column ("${name}") in a counter table`);
  if (!table.isCounter && isCounter(type))
    throw new ConfigurationError(`Cannot have a counter column ("${name}") in a non counter table`);
  const column: ColumnMetadata = {
    name,
    type,
    kind: definition.isStatic ? 'static' : 'regular',
    position: -1,
    clusteringOrder: 'none',
  };
  return rebuild(table, [...table.columns.values(), column]);
}

function checkDropped(
  table: TableMetadata,
  name: string,
  type: ColumnMetadata['type'],
  isStatic: boolean,
): void {
  const dropped = table.droppedColumns.get(name);
  if (!dropped) return;
  if (!typeEquals(dropped.type, type)) {
    throw new InvalidRequestError(
      `Cannot re-add previously dropped column '${name}' of type ${cqlTypeName(type)}, incompatible with previous type ${cqlTypeName(dropped.type)}`,
    );
  }
  const droppedKind = dropped.kind ?? 'regular';
  if ((droppedKind === 'static') !== isStatic) {
    throw new InvalidRequestError(
      `Cannot re-add previously dropped column '${name}' of kind ${isStatic ? 'STATIC' : 'REGULAR'}, incompatible with previous kind ${droppedKind.toUpperCase()}`,
    );
  }
  if (table.isCounter)
    throw new InvalidRequestError(`Cannot re-add previously dropped counter column ${name}`);
}

function dropColumn(
  table: TableMetadata,
  name: string,
  ifExists: boolean,
  timeMicros: number,
): TableMetadata {
  const column = table.columns.get(name);
  if (!column) {
    if (ifExists) return table;
    throw new InvalidRequestError(
      `Column ${name} was not found in table '${qualified(table.keyspace, table.name)}'`,
    );
  }
  if (column.kind === 'partition_key' || column.kind === 'clustering')
    throw new InvalidRequestError(`Cannot drop PRIMARY KEY column ${name}`);
  if (column.type.kind === 'udt' && !column.type.frozen) {
    throw new InvalidRequestError(
      `Cannot drop non-frozen column ${name} of user type ${cqlTypeName(column.type)}`,
    );
  }
  const droppedColumns = new Map<string, DroppedColumn>(table.droppedColumns);
  droppedColumns.set(name, {
    type: column.type,
    // Stored in system_schema.dropped_columns with millisecond precision, as Cassandra does.
    droppedTime: Math.floor(timeMicros / 1000) * 1000,
    kind: column.kind === 'static' ? 'static' : 'regular',
  });
  const columns = [...table.columns.values()].filter((c) => c.name !== name);
  return rebuild(table, columns, { droppedColumns });
}

function renameColumn(table: TableMetadata, from: string, to: string, ifExists: boolean): TableMetadata {
  const column = table.columns.get(from);
  if (!column) {
    if (ifExists) return table;
    throw new InvalidRequestError(
      `Column ${from} was not found in table ${qualified(table.keyspace, table.name)}`,
    );
  }
  if (column.kind !== 'partition_key' && column.kind !== 'clustering')
    throw new InvalidRequestError(`Cannot rename non PRIMARY KEY column ${from}`);
  if (table.columns.has(to)) {
    throw new InvalidRequestError(
      `Cannot rename column ${from} to ${to} in table '${qualified(table.keyspace, table.name)}'; another column with that name already exists`,
    );
  }
  const columns = [...table.columns.values()].map((c) => (c.name === from ? { ...c, name: to } : c));
  return rebuild(table, columns);
}

function setOptions(table: TableMetadata, properties: readonly Property[]): TableMetadata {
  const parsed = tableOptions(properties, table.params);
  if (parsed.id !== undefined) throw new ConfigurationError('Cannot alter table id.');
  if (table.isCounter && parsed.params.defaultTimeToLive > 0)
    throw new InvalidRequestError('Cannot set default_time_to_live on a table with counters');
  return rebuild(table, [...table.columns.values()], { params: parsed.params });
}

export function dropTable(
  keyspaces: Keyspaces,
  statement: { table: QualifiedName; ifExists: boolean },
  context: DdlContext,
): DdlOutcome {
  const keyspaceName = keyspaceOf(statement.table, context.session);
  const keyspace = keyspaces.get(keyspaceName);
  const table = keyspace?.tables.get(statement.table.name);
  if (!keyspace || !table) {
    if (statement.ifExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`Table '${keyspaceName}.${statement.table.name}' doesn't exist`);
  }
  const tables = new Map(keyspace.tables);
  tables.delete(table.name);
  return {
    keyspaces: withKeyspace(keyspaces, { ...keyspace, tables }),
    event: { change: 'DROPPED', target: 'TABLE', keyspace: keyspaceName, name: table.name },
    createdTables: [],
    droppedTables: [table],
  };
}
