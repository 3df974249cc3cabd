/**
 * Schema metadata ↔ the rows of system_schema, encoded exactly as Cassandra stores them
 * (SchemaKeyspace): one partition per keyspace in each table, clustered by table / column / type
 * name, values in their CQL serialization. Pure: the same metadata always gives the same rows,
 * which is what makes the schema version reproducible.
 */
import type { Cell, Clustering, Row } from '../../storage/model.js';
import { bytesClusteringComparator, NO_DELETION_TIME } from '../../storage/model.js';
import { type CqlValue, cqlTypeName, deserialize, serialize } from '../types/index.js';
import type { ColumnMetadata, KeyspaceMetadata, TableMetadata } from './metadata.js';
import { schemaTable } from './system-keyspaces.js';

/** The system_schema tables Sibyl writes (the others stay empty: no views, functions, ...). */
export const PERSISTED_SCHEMA_TABLES = [
  'keyspaces',
  'tables',
  'columns',
  'dropped_columns',
  'types',
] as const;
export type PersistedSchemaTable = (typeof PERSISTED_SCHEMA_TABLES)[number];

/** One row of a schema table inside a keyspace's partition: clustering values and cells by column. */
export interface SchemaRow {
  readonly clustering: Clustering;
  /** Sorted by column name, as storage rows keep cells. */
  readonly cells: readonly (readonly [string, Uint8Array])[];
}

export type KeyspaceRows = Readonly<Record<PersistedSchemaTable, readonly SchemaRow[]>>;

/** Every row describing `keyspace`, per schema table. */
export function keyspaceRows(keyspace: KeyspaceMetadata): KeyspaceRows {
  const rows = unsortedKeyspaceRows(keyspace);
  // Clustering order (all clustering columns of these tables are text: byte order), so a partition's
  // rows are in storage order and the same schema always yields the same sequence.
  const sorted = (list: readonly SchemaRow[]) =>
    [...list].sort((a, b) => bytesClusteringComparator(a.clustering, b.clustering));
  return {
    keyspaces: sorted(rows.keyspaces),
    tables: sorted(rows.tables),
    columns: sorted(rows.columns),
    dropped_columns: sorted(rows.dropped_columns),
    types: sorted(rows.types),
  };
}

function unsortedKeyspaceRows(keyspace: KeyspaceMetadata): KeyspaceRows {
  const tables = [...keyspace.tables.values()];
  return {
    keyspaces: [
      encodeRow('keyspaces', {
        durable_writes: keyspace.durableWrites,
        replication: new Map(Object.entries(keyspace.replication)),
      }),
    ],
    tables: tables.map((t) => encodeRow('tables', tableValues(t))),
    columns: tables.flatMap((t) =>
      [...t.columns.values()].map((c) => encodeRow('columns', columnValues(t, c))),
    ),
    dropped_columns: tables.flatMap((t) =>
      [...t.droppedColumns].map(([name, dropped]) =>
        encodeRow('dropped_columns', {
          table_name: t.name,
          column_name: name,
          dropped_time: Math.floor(dropped.droppedTime / 1000),
          kind: dropped.kind ?? 'regular',
          type: cqlTypeName(dropped.type),
        }),
      ),
    ),
    types: [...keyspace.types.values()].map((t) =>
      encodeRow('types', {
        type_name: t.name,
        field_names: t.fields.map((f) => f.name),
        field_types: t.fields.map((f) => cqlTypeName(f.type)),
      }),
    ),
  };
}

function tableValues(table: TableMetadata): Record<string, unknown> {
  const p = table.params;
  return {
    table_name: table.name,
    additional_write_policy: p.additionalWritePolicy,
    bloom_filter_fp_chance: p.bloomFilterFpChance,
    caching: new Map(Object.entries(p.caching)),
    cdc: p.cdc ?? false,
    comment: p.comment,
    compaction: new Map(Object.entries(p.compaction)),
    compression: new Map(Object.entries(p.compression)),
    crc_check_chance: p.crcCheckChance,
    dclocal_read_repair_chance: 0,
    default_time_to_live: p.defaultTimeToLive,
    extensions: new Map(Object.entries(p.extensions).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
    flags: table.isCounter ? ['compound', 'counter'] : ['compound'],
    gc_grace_seconds: p.gcGraceSeconds,
    id: table.id,
    max_index_interval: p.maxIndexInterval,
    memtable_flush_period_in_ms: p.memtableFlushPeriodInMs,
    min_index_interval: p.minIndexInterval,
    read_repair: p.readRepair,
    read_repair_chance: 0,
    speculative_retry: p.speculativeRetry,
  };
}

function columnValues(table: TableMetadata, column: ColumnMetadata): Record<string, unknown> {
  return {
    table_name: table.name,
    column_name: column.name,
    clustering_order: column.clusteringOrder,
    column_name_bytes: Buffer.from(column.name, 'utf8'),
    kind: column.kind,
    position: column.position,
    type: cqlTypeName(column.type),
  };
}

/** A row of a schema table from values by column name (the partition key column is left out). */
export function encodeRow(
  table: PersistedSchemaTable | string,
  values: Readonly<Record<string, unknown>>,
): SchemaRow {
  const metadata = schemaTable(table);
  const clustering = metadata.clustering.map((c) => serialize(c.type, values[c.name]));
  const cells: [string, Uint8Array][] = [];
  for (const column of metadata.regulars) {
    const value = values[column.name];
    if (value !== undefined && value !== null) cells.push([column.name, serialize(column.type, value)]);
  }
  cells.sort(([a], [b]) => compareNames(a, b));
  return { clustering, cells };
}

/** The values of a (live) storage row of a schema table, by column name. */
export function decodeRow(table: PersistedSchemaTable, row: Row): Map<string, CqlValue> {
  const metadata = schemaTable(table);
  const values = new Map<string, CqlValue>();
  metadata.clustering.forEach((c, i) => {
    const bytes = row.clustering[i];
    if (bytes !== undefined) values.set(c.name, deserialize(c.type, bytes));
  });
  for (const cell of row.cells) {
    const column = metadata.columns.get(cell.column);
    if (column && cell.value !== null) values.set(cell.column, deserialize(column.type, cell.value));
  }
  return values;
}

/** A schema row as a storage row written at `timestamp` (with a row marker, as INSERT writes). */
export function storageRow(row: SchemaRow, timestamp: number): Row {
  const cells: Cell[] = row.cells.map(([column, value]) => ({
    column,
    path: null,
    value,
    timestamp,
    ttl: 0,
    localDeletionTime: NO_DELETION_TIME,
  }));
  return {
    clustering: row.clustering,
    liveness: { timestamp, ttl: 0, localExpirationTime: NO_DELETION_TIME },
    deletion: null,
    columnDeletions: [],
    cells,
  };
}

/** Code-point order of names (Cassandra sorts schema rows by their UTF-8 bytes; equal for BMP text). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
