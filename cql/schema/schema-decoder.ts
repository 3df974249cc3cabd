/**
 * system_schema rows back into metadata at start-up: keyspaces, then their user types (in
 * dependency order), then tables with their columns and dropped columns. Values were written by
 * schema-rows.ts; a row that does not decode is corruption and stops start-up loudly.
 */
import type { Partition } from '../../storage/model.js';
import type { CqlValue, UdtType } from '../types/index.js';
import { parseCqlType } from '../types/index.js';
import { canonicalColumnOrder } from './column-order.js';
import type { Keyspaces } from './ddl-outcome.js';
import type {
  ClusteringOrder,
  ColumnKind,
  ColumnMetadata,
  DroppedColumn,
  KeyspaceMetadata,
  TableMetadata,
  TableParams,
} from './metadata.js';
import { defaultTableParams, tableMetadata } from './metadata.js';
import { decodeRow, type PersistedSchemaTable } from './schema-rows.js';

export type RawSchemaRows = ReadonlyMap<string, ReadonlyMap<PersistedSchemaTable, Partition>>;
type Values = ReadonlyMap<string, CqlValue>;

export function decodeKeyspaces(raw: RawSchemaRows): Keyspaces {
  const keyspaces = new Map<string, KeyspaceMetadata>();
  for (const [name, partitions] of raw) {
    const row = partitions.get('keyspaces')?.rows[0];
    if (!row) continue; // rows of a keyspace whose keyspaces row is gone: dropped
    keyspaces.set(
      name,
      keyspaceFromRows(name, {
        keyspace: decodeRow('keyspaces', row),
        types: rowsOf(partitions, 'types'),
        tables: rowsOf(partitions, 'tables'),
        columns: rowsOf(partitions, 'columns'),
        droppedColumns: rowsOf(partitions, 'dropped_columns'),
      }),
    );
  }
  return keyspaces;
}

/** One keyspace's system_schema rows, as column name → value maps (absent values null or missing). */
export interface KeyspaceSchemaRows {
  readonly keyspace: ReadonlyMap<string, CqlValue>;
  readonly types: readonly ReadonlyMap<string, CqlValue>[];
  readonly tables: readonly ReadonlyMap<string, CqlValue>[];
  readonly columns: readonly ReadonlyMap<string, CqlValue>[];
  readonly droppedColumns: readonly ReadonlyMap<string, CqlValue>[];
}

/**
 * A keyspace's metadata from its system_schema rows: what start-up reads from storage and what a
 * client (the shell's DESCRIBE over a driver) reads through SELECTs.
 */
export function keyspaceFromRows(name: string, rows: KeyspaceSchemaRows): KeyspaceMetadata {
  const types = decodeTypes(name, rows.types);
  return {
    name,
    durableWrites: rows.keyspace.get('durable_writes') !== false,
    replication: stringRecord(rows.keyspace.get('replication')),
    tables: decodeTables(name, rows, types),
    types,
  };
}

function rowsOf(
  partitions: ReadonlyMap<PersistedSchemaTable, Partition>,
  table: PersistedSchemaTable,
): Values[] {
  return (partitions.get(table)?.rows ?? []).map((row) => decodeRow(table, row));
}

/** Types may use other types: resolve repeatedly until every one is built (bounded by their count). */
function decodeTypes(keyspace: string, rows: readonly Values[]): Map<string, UdtType> {
  const types = new Map<string, UdtType>();
  let pending = rows;
  for (let round = 0; pending.length > 0 && round <= rows.length; round++) {
    const next: Values[] = [];
    for (const row of pending) {
      const name = row.get('type_name') as string;
      const fieldNames = (row.get('field_names') ?? []) as string[];
      const fieldTypes = (row.get('field_types') ?? []) as string[];
      try {
        const fields = fieldNames.map((f, i) => ({ name: f, type: parse(fieldTypes[i]!, types) }));
        types.set(name, { kind: 'udt', keyspace, name, fields, frozen: false });
      } catch {
        next.push(row);
      }
    }
    pending = next;
  }
  if (pending.length > 0) {
    throw new Error(
      `assertion failed: user types of ${keyspace} do not resolve: ${pending.map((r) => r.get('type_name')).join(', ')}`,
    );
  }
  return types;
}

function parse(typeText: string, types: ReadonlyMap<string, UdtType>) {
  return parseCqlType(typeText, (_, name) => types.get(name));
}

function decodeTables(
  keyspace: string,
  rows: KeyspaceSchemaRows,
  types: ReadonlyMap<string, UdtType>,
): Map<string, TableMetadata> {
  const columnsByTable = groupBy(rows.columns);
  const droppedByTable = groupBy(rows.droppedColumns);
  const tables = new Map<string, TableMetadata>();
  for (const row of rows.tables) {
    const name = row.get('table_name') as string;
    const columns = (columnsByTable.get(name) ?? []).map((c) => decodeColumn(c, types));
    const droppedColumns = new Map<string, DroppedColumn>(
      (droppedByTable.get(name) ?? []).map((d) => [
        d.get('column_name') as string,
        {
          type: parse(d.get('type') as string, types),
          droppedTime: (d.get('dropped_time') as Date).getTime() * 1000,
          kind: d.get('kind') === 'static' ? 'static' : 'regular',
        },
      ]),
    );
    const table = tableMetadata(
      { keyspace, name, id: row.get('id') as string, params: decodeParams(row), droppedColumns },
      canonicalColumnOrder(columns),
    );
    tables.set(name, table);
  }
  return tables;
}

function groupBy(rows: readonly Values[]): Map<string, Values[]> {
  const groups = new Map<string, Values[]>();
  for (const row of rows) {
    const key = row.get('table_name') as string;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

function decodeColumn(row: Values, types: ReadonlyMap<string, UdtType>): ColumnMetadata {
  return {
    name: row.get('column_name') as string,
    type: parse(row.get('type') as string, types),
    kind: row.get('kind') as ColumnKind,
    position: row.get('position') as number,
    clusteringOrder: row.get('clustering_order') as ClusteringOrder,
  };
}

function decodeParams(row: Values): TableParams {
  const number = (name: string, fallback: number) => (row.get(name) as number | undefined) ?? fallback;
  const text = (name: string, fallback: string) => (row.get(name) as string | undefined) ?? fallback;
  const d = defaultTableParams;
  const extensions = row.get('extensions') as ReadonlyMap<string, Uint8Array> | undefined;
  return {
    comment: text('comment', d.comment),
    defaultTimeToLive: number('default_time_to_live', d.defaultTimeToLive),
    gcGraceSeconds: number('gc_grace_seconds', d.gcGraceSeconds),
    bloomFilterFpChance: number('bloom_filter_fp_chance', d.bloomFilterFpChance),
    compaction: stringRecord(row.get('compaction')),
    compression: stringRecord(row.get('compression')),
    caching: stringRecord(row.get('caching')),
    readRepair: text('read_repair', d.readRepair) === 'NONE' ? 'NONE' : 'BLOCKING',
    speculativeRetry: text('speculative_retry', d.speculativeRetry),
    additionalWritePolicy: text('additional_write_policy', d.additionalWritePolicy),
    crcCheckChance: number('crc_check_chance', d.crcCheckChance),
    memtableFlushPeriodInMs: number('memtable_flush_period_in_ms', d.memtableFlushPeriodInMs),
    minIndexInterval: number('min_index_interval', d.minIndexInterval),
    maxIndexInterval: number('max_index_interval', d.maxIndexInterval),
    extensions: Object.fromEntries(
      [...(extensions ?? new Map<string, Uint8Array>())].map(([k, v]) => [
        k,
        Buffer.from(v).toString('utf8'),
      ]),
    ),
    cdc: row.get('cdc') === true,
  };
}

function stringRecord(value: CqlValue | undefined): Record<string, string> {
  if (!(value instanceof Map)) return {};
  return Object.fromEntries([...value].map(([k, v]) => [String(k), String(v)]));
}
