/**
 * What applying one DDL statement to a schema snapshot yields: the next snapshot, the event to
 * announce, and the storage effects the schema manager must perform. Computing it is pure; the
 * DDL functions (ddl-keyspace.ts, ddl-table.ts, ddl-type.ts) never touch storage.
 */
import type { KeyspaceMetadata, TableMetadata } from './metadata.js';
import type { SchemaChangeEvent } from './schema-change.js';

export type Keyspaces = ReadonlyMap<string, KeyspaceMetadata>;

export interface DdlContext {
  readonly session: { readonly keyspace?: string };
  /** A fresh table id (injected randomness, STYLE.md §3). */
  readonly randomUuid: () => string;
  /** Now in microseconds (for dropped columns). */
  readonly nowMicros: () => number;
  /** Data centers the node knows, for NetworkTopologyStrategy; undefined accepts any. */
  readonly datacenters?: readonly string[];
}

export interface DdlOutcome {
  readonly keyspaces: Keyspaces;
  /** Null when nothing changed (IF [NOT] EXISTS): the protocol answers Void. */
  readonly event: SchemaChangeEvent | null;
  /** Tables to add to storage before the schema is persisted. */
  readonly createdTables: readonly TableMetadata[];
  /** Tables whose storage is dropped after the schema is persisted. */
  readonly droppedTables: readonly TableMetadata[];
}

export function unchanged(keyspaces: Keyspaces): DdlOutcome {
  return { keyspaces, event: null, createdTables: [], droppedTables: [] };
}

export function withKeyspace(keyspaces: Keyspaces, keyspace: KeyspaceMetadata): Keyspaces {
  const next = new Map(keyspaces);
  next.set(keyspace.name, keyspace);
  return next;
}

export function withTable(keyspace: KeyspaceMetadata, table: TableMetadata): KeyspaceMetadata {
  const tables = new Map(keyspace.tables);
  tables.set(table.name, table);
  return { ...keyspace, tables };
}
