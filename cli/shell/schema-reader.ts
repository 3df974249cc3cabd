/**
 * The schema model from `system_schema` tables read through a backend's `execute`: what the
 * network backend gives DESCRIBE (a driver sees the schema only as those rows, as cqlsh's driver
 * does), decoded by the same code that reads the schema at start-up (cql/schema keyspaceFromRows).
 */
import type { KeyspaceMetadata } from '../../cql/schema/index.js';
import { keyspaceFromRows } from '../../cql/schema/index.js';
import type { CqlValue } from '../../cql/types/index.js';
import { deserialize } from '../../cql/types/index.js';
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
  const [keyspaces, types, tables, columns, droppedColumns] = await Promise.all([
    rowsOf(execute, 'SELECT * FROM system_schema.keyspaces'),
    rowsOf(execute, 'SELECT * FROM system_schema.types'),
    rowsOf(execute, 'SELECT * FROM system_schema.tables'),
    rowsOf(execute, 'SELECT * FROM system_schema.columns'),
    rowsOf(execute, 'SELECT * FROM system_schema.dropped_columns'),
  ]);
  return keyspaces.map((keyspace) => {
    const name = keyspace.get('keyspace_name') as string;
    const of = (rows: Row[]) => rows.filter((r) => r.get('keyspace_name') === name);
    return keyspaceFromRows(name, {
      keyspace,
      types: of(types),
      tables: of(tables),
      columns: of(columns),
      droppedColumns: of(droppedColumns),
    });
  });
}
