/**
 * The schema model from `system_schema` tables read through a backend's `execute`: what the
 * network backend gives DESCRIBE (a driver sees the schema only as those rows, as cqlsh's driver
 * does). Keyspaces, their user types (resolved in dependency order) and tables with their columns.
 */
import type {
  ClusteringOrder,
  ColumnKind,
  ColumnMetadata,
  KeyspaceMetadata,
  TableMetadata,
  TableParams,
} from '../../cql/schema/index.js';
import { defaultTableParams, tableMetadata } from '../../cql/schema/index.js';
import type { CqlValue, UdtType } from '../../cql/types/index.js';
import { deserialize, parseCqlType } from '../../cql/types/index.js';
import type { ShellExecuteOptions, ShellResult } from './backend.js';

type Row = ReadonlyMap<string, CqlValue>;
type Execute = (cql: string, options: ShellExecuteOptions) => Promise<ShellResult>;

const OPTIONS: ShellExecuteOptions = { consistency: 'ONE', serialConsistency: 'SERIAL' };

async function rowsOf(execute: Execute, cql: string): Promise<Row[]> {
  const rows: Row[] = [];
  let pagingState: Uint8Array | undefined;
  do {
    const page = await execute(cql, { ...OPTIONS, pageSize: 5000, ...(pagingState ? { pagingState } : {}) });
    for (const row of page.rows) {
      rows.push(new Map(page.columns.map((c, i) => [c.name, row[i] ? deserialize(c.type, row[i]!) : null])));
    }
    pagingState = page.pagingState;
  } while (pagingState);
  return rows;
}

export async function readSchema(execute: Execute): Promise<KeyspaceMetadata[]> {
  const [keyspaces, types, tables, columns] = await Promise.all([
    rowsOf(execute, 'SELECT * FROM system_schema.keyspaces'),
    rowsOf(execute, 'SELECT * FROM system_schema.types'),
    rowsOf(execute, 'SELECT * FROM system_schema.tables'),
    rowsOf(execute, 'SELECT * FROM system_schema.columns'),
  ]);
  return keyspaces.map((row) => {
    const name = row.get('keyspace_name') as string;
    const of = (rows: Row[]) => rows.filter((r) => r.get('keyspace_name') === name);
    const keyspaceTypes = decodeTypes(name, of(types));
    return {
      name,
      durableWrites: row.get('durable_writes') !== false,
      replication: stringRecord(row.get('replication')),
      types: keyspaceTypes,
      tables: decodeTables(name, of(tables), of(columns), keyspaceTypes),
    };
  });
}

/** Types may use other types: parse repeatedly until all resolve (at most one round per type). */
function decodeTypes(keyspace: string, rows: Row[]): Map<string, UdtType> {
  const types = new Map<string, UdtType>();
  let pending = rows;
  for (let round = 0; pending.length > 0 && round <= rows.length; round++) {
    pending = pending.filter((row) => {
      const name = row.get('type_name') as string;
      const names = (row.get('field_names') ?? []) as string[];
      const fieldTypes = (row.get('field_types') ?? []) as string[];
      try {
        const fields = names.map((f, i) => ({
          name: f,
          type: parseCqlType(fieldTypes[i]!, (_, n) => types.get(n)),
        }));
        types.set(name, { kind: 'udt', keyspace, name, fields, frozen: false });
        return false;
      } catch {
        return true; // uses a type not built yet
      }
    });
  }
  return types;
}

function decodeTables(
  keyspace: string,
  tables: Row[],
  columns: Row[],
  types: ReadonlyMap<string, UdtType>,
): Map<string, TableMetadata> {
  const result = new Map<string, TableMetadata>();
  for (const row of tables) {
    const name = row.get('table_name') as string;
    const tableColumns: ColumnMetadata[] = columns
      .filter((c) => c.get('table_name') === name)
      .map((c) => ({
        name: c.get('column_name') as string,
        type: parseCqlType(c.get('type') as string, (_, n) => types.get(n)),
        kind: c.get('kind') as ColumnKind,
        position: c.get('position') as number,
        clusteringOrder: c.get('clustering_order') as ClusteringOrder,
      }));
    const base = {
      keyspace,
      name,
      id: String(row.get('id')),
      params: decodeParams(row),
      droppedColumns: new Map(),
    };
    result.set(name, tableMetadata(base, tableColumns));
  }
  return result;
}

function decodeParams(row: Row): TableParams {
  const d = defaultTableParams;
  const number = (name: string, fallback: number) => (row.get(name) as number | null) ?? fallback;
  const text = (name: string, fallback: string) => (row.get(name) as string | null) ?? fallback;
  const extensions = row.get('extensions');
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
    extensions:
      extensions instanceof Map
        ? Object.fromEntries(
            [...extensions].map(([k, v]) => [String(k), Buffer.from(v as Uint8Array).toString('utf8')]),
          )
        : {},
    cdc: row.get('cdc') === true,
  };
}

function stringRecord(value: CqlValue | undefined): Record<string, string> {
  if (!(value instanceof Map)) return {};
  return Object.fromEntries([...value].map(([k, v]) => [String(k), String(v)]));
}
