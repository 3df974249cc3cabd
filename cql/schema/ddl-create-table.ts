/** CREATE TABLE (Cassandra's CreateTableStatement and its Raw), with its checks and messages. Pure. */
import { AlreadyExistsError, InvalidRequestError } from '../errors.js';
import type { CreateTableStatement } from '../parser/index.js';
import { formatQualified } from '../parser/index.js';
import { type CqlType, cqlTypeName, isCollection, isCounter, isMultiCell } from '../types/index.js';
import { canonicalColumnOrder } from './column-order.js';
import {
  type DdlContext,
  type DdlOutcome,
  type Keyspaces,
  unchanged,
  withKeyspace,
  withTable,
} from './ddl-outcome.js';
import type { ColumnMetadata, KeyspaceMetadata, TableMetadata } from './metadata.js';
import { defaultTableParams, tableMetadata } from './metadata.js';
import { keyspaceOf, validateTableName } from './names.js';
import { tableOptions } from './table-options.js';
import { referencesDuration, resolveType } from './type-resolver.js';

export function createTable(
  keyspaces: Keyspaces,
  statement: CreateTableStatement,
  context: DdlContext,
): DdlOutcome {
  const keyspaceName = keyspaceOf(statement.table, context.session);
  const written = formatQualified(statement.table);
  if (statement.primaryKeys.length === 0)
    throw new InvalidRequestError(`No PRIMARY KEY specifed for table '${written}' (exactly one required)`);
  if (statement.primaryKeys.length > 1)
    throw new InvalidRequestError(
      `Multiple PRIMARY KEY specified for table '${written}' (exactly one required)`,
    );
  const keyspace = keyspaces.get(keyspaceName);
  if (!keyspace) throw new InvalidRequestError(`Keyspace '${keyspaceName}' doesn't exist`);
  const name = statement.table.name;
  if (keyspace.tables.has(name)) {
    if (statement.ifNotExists) return unchanged(keyspaces);
    throw new AlreadyExistsError(
      keyspaceName,
      name,
      `Cannot add already existing table "${name}" to keyspace "${keyspaceName}"`,
    );
  }
  if (statement.compactStorage)
    throw new InvalidRequestError('Creation of new COMPACT STORAGE tables is not allowed');
  const table = buildTable(keyspace, statement, written, context);
  return {
    keyspaces: withKeyspace(keyspaces, withTable(keyspace, table)),
    event: { change: 'CREATED', target: 'TABLE', keyspace: keyspaceName, name },
    createdTables: [table],
    droppedTables: [],
  };
}

function buildTable(
  keyspace: KeyspaceMetadata,
  statement: CreateTableStatement,
  written: string,
  context: DdlContext,
): TableMetadata {
  const { params, id } = tableOptions(statement.properties, { ...defaultTableParams, cdc: false });
  const types = new Map<string, CqlType>();
  const statics = new Set<string>();
  for (const column of statement.columns) {
    if (types.has(column.name))
      throw new InvalidRequestError(`Duplicate column '${column.name}' declaration for table '${written}'`);
    types.set(column.name, resolveType(column.type, keyspace.name, keyspace.types));
    if (column.isStatic) statics.add(column.name);
  }
  const key = statement.primaryKeys[0]!;
  checkNestedUdts(types);
  checkPrimaryKey(key.partitionKey.concat(key.clusteringColumns), types, statics, statement.table.name);
  const order = clusteringOrder(statement, key.clusteringColumns);
  if (key.clusteringColumns.length === 0 && statics.size > 0) {
    throw new InvalidRequestError(
      'Static columns are only useful (and thus allowed) if the table has at least one clustering column',
    );
  }
  const columns = columnList(types, statics, key.partitionKey, key.clusteringColumns, order);
  checkCounters(columns, params.defaultTimeToLive);
  validateTableName(statement.table.name);
  return tableMetadata(
    {
      keyspace: keyspace.name,
      name: statement.table.name,
      id: id ?? context.randomUuid(),
      params,
      droppedColumns: new Map(),
    },
    canonicalColumnOrder(columns),
  );
}

function checkNestedUdts(types: ReadonlyMap<string, CqlType>): void {
  for (const type of types.values()) {
    if (type.kind === 'udt' && !type.frozen && type.fields.some((f) => isMultiCell(f.type))) {
      throw new InvalidRequestError('Non-frozen UDTs with nested non-frozen collections are not supported');
    }
  }
}

function checkPrimaryKey(
  keyColumns: readonly string[],
  types: ReadonlyMap<string, CqlType>,
  statics: ReadonlySet<string>,
  tableName: string,
): void {
  const seen = new Set<string>();
  for (const column of keyColumns) {
    const type = types.get(column);
    if (type === undefined)
      throw new InvalidRequestError(
        `Unknown column '${column}' referenced in PRIMARY KEY for table '${tableName}'`,
      );
    if (seen.has(column))
      throw new InvalidRequestError(
        `Duplicate column '${column}' in PRIMARY KEY clause for table '${tableName}'`,
      );
    seen.add(column);
    if (isMultiCell(type)) {
      const what = isCollection(type) ? 'collection' : 'user-defined';
      throw new InvalidRequestError(
        `Invalid non-frozen ${what} type ${cqlTypeName(type)} for PRIMARY KEY column '${column}'`,
      );
    }
    if (isCounter(type))
      throw new InvalidRequestError(`counter type is not supported for PRIMARY KEY column '${column}'`);
    if (referencesDuration(type))
      throw new InvalidRequestError(`duration type is not supported for PRIMARY KEY column '${column}'`);
    if (statics.has(column))
      throw new InvalidRequestError(`Static column '${column}' cannot be part of the PRIMARY KEY`);
  }
}

/** CLUSTERING ORDER BY: only clustering columns, in their order; unnamed trailing ones are ASC. */
function clusteringOrder(
  statement: CreateTableStatement,
  clustering: readonly string[],
): Map<string, 'asc' | 'desc'> {
  const order = new Map<string, 'asc' | 'desc'>();
  for (const o of statement.clusteringOrder) {
    if (order.has(o.column)) {
      throw new InvalidRequestError(
        `Duplicate column '${o.column}' in CLUSTERING ORDER BY clause for table '${formatQualified(statement.table)}'`,
      );
    }
    order.set(o.column, o.order);
  }
  if (order.size > clustering.length)
    throw new InvalidRequestError('Only clustering columns can be defined in CLUSTERING ORDER directive');
  let n = 0;
  for (const column of order.keys()) {
    const expected = clustering[n]!;
    if (column !== expected) {
      if (order.has(expected)) {
        throw new InvalidRequestError(
          `The order of columns in the CLUSTERING ORDER directive must match that of the clustering columns (${expected} must appear before ${column})`,
        );
      }
      throw new InvalidRequestError(`Missing CLUSTERING ORDER for column ${expected}`);
    }
    n++;
  }
  return order;
}

/** Columns in Cassandra's order: key columns by position, the others sorted by name bytes. */
function columnList(
  types: ReadonlyMap<string, CqlType>,
  statics: ReadonlySet<string>,
  partitionKey: readonly string[],
  clustering: readonly string[],
  order: ReadonlyMap<string, 'asc' | 'desc'>,
): ColumnMetadata[] {
  const columns: ColumnMetadata[] = partitionKey.map((name, position) => ({
    name,
    type: types.get(name)!,
    kind: 'partition_key',
    position,
    clusteringOrder: 'none',
  }));
  clustering.forEach((name, position) => {
    columns.push({
      name,
      type: types.get(name)!,
      kind: 'clustering',
      position,
      clusteringOrder: order.get(name) ?? 'asc',
    });
  });
  const keys = new Set([...partitionKey, ...clustering]);
  const others = [...types.keys()]
    .filter((n) => !keys.has(n))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of others) {
    const kind = statics.has(name) ? 'static' : 'regular';
    columns.push({ name, type: types.get(name)!, kind, position: -1, clusteringOrder: 'none' });
  }
  return columns;
}

function checkCounters(columns: readonly ColumnMetadata[], defaultTimeToLive: number): void {
  const nonKey = columns.filter((c) => c.kind === 'regular' || c.kind === 'static');
  const counters = nonKey.filter((c) => isCounter(c.type));
  if (counters.length === 0) return;
  if (counters.length !== nonKey.length)
    throw new InvalidRequestError('Cannot mix counter and non counter columns in the same table');
  if (defaultTimeToLive > 0)
    throw new InvalidRequestError('Cannot set default_time_to_live on a table with counters');
}
