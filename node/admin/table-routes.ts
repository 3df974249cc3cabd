/**
 * The routes that act on tables: flush and (major) compact, as nodetool's, and tablestats. Tables are
 * named as nodetool names them: a keyspace and optionally some of its tables; nothing named means
 * every table this node stores (system ones included, as nodetool's do).
 */
import type { TableMetadata } from '../../cql/schema/index.js';
import type { AdminContext } from './admin-context.js';
import type { AdminRoute } from './admin-router.js';
import { badRequest } from './admin-router.js';
import type {
  KeyspaceStats,
  TableOperationResponse,
  TableSelection,
  TableStats,
  TableStatsResponse,
} from './admin-types.js';

export function tableRoutes(ctx: AdminContext): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/flush',
      summary: 'flush memtables to SSTables; body {keyspace?, tables?}',
      handle: async ({ body }) => {
        const tables = selectTables(ctx, parseSelection(body));
        for (const table of tables) await ctx.engine.flush(table.id);
        return operationResult(tables);
      },
    },
    {
      method: 'POST',
      path: '/compact',
      summary: 'major compaction; body {keyspace?, tables?}',
      handle: async ({ body }) => {
        const tables = selectTables(ctx, parseSelection(body));
        for (const table of tables) await ctx.engine.compact(table.id);
        return operationResult(tables);
      },
    },
    {
      method: 'GET',
      path: '/tablestats',
      summary: 'per-table SSTable count, space used, memtable size (?tables=ks,ks.t)',
      handle: ({ query }) => tableStats(ctx, query.get('tables')),
    },
  ];
}

function operationResult(tables: readonly TableMetadata[]): TableOperationResponse {
  return { tables: tables.map((t) => `${t.keyspace}.${t.name}`) };
}

/** A POST body naming tables: nothing, or `{keyspace, tables?}`. */
export function parseSelection(body: unknown): TableSelection {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw badRequest('expected a JSON object {"keyspace": "ks", "tables": ["t1"]}');
  const { keyspace, tables, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw badRequest(`unknown field(s) ${unknown.join(', ')}; expected keyspace, tables`);
  if (keyspace !== undefined && typeof keyspace !== 'string') throw badRequest('keyspace must be a string');
  if (tables !== undefined && (!Array.isArray(tables) || !tables.every((t) => typeof t === 'string')))
    throw badRequest('tables must be an array of table names');
  if (tables !== undefined && tables.length > 0 && keyspace === undefined)
    throw badRequest('tables need a keyspace');
  return { ...(keyspace === undefined ? {} : { keyspace }), ...(tables === undefined ? {} : { tables }) };
}

/** The stored tables a selection names; unknown names are errors with nodetool's messages. */
export function selectTables(ctx: AdminContext, selection: TableSelection): TableMetadata[] {
  const schema = ctx.processor.schema.schema;
  const stored = (table: TableMetadata) => ctx.engine.hasTable(table.id);
  if (selection.keyspace === undefined)
    return [...schema.keyspaces()].flatMap((k) => [...k.tables.values()].filter(stored));
  const keyspace = schema.keyspace(selection.keyspace);
  if (keyspace === undefined) throw unknownKeyspace(selection.keyspace);
  const names = selection.tables ?? [];
  if (names.length === 0) return [...keyspace.tables.values()].filter(stored);
  return names.map((name) => {
    const table = keyspace.tables.get(name);
    if (table === undefined || !stored(table)) throw unknownTable(keyspace.name, name);
    return table;
  });
}

function unknownKeyspace(name: string) {
  return badRequest(`Keyspace ${name} does not exist`, 'UNKNOWN_KEYSPACE');
}

function unknownTable(keyspace: string, table: string) {
  return badRequest(`Unknown keyspace/cf pair (${keyspace}.${table})`, 'UNKNOWN_TABLE');
}

/** `ks` or `ks.table`, comma separated, as nodetool tablestats takes them; none: every table. */
function tableStats(ctx: AdminContext, filter: string | null): TableStatsResponse {
  const wanted = (filter ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const tables =
    wanted.length === 0 ? selectTables(ctx, {}) : wanted.flatMap((item) => namedTables(ctx, item));
  const byKeyspace = new Map<string, TableStats[]>();
  const seen = new Set<string>();
  for (const table of tables) {
    if (seen.has(table.id)) continue;
    seen.add(table.id);
    const list = byKeyspace.get(table.keyspace) ?? [];
    list.push(statsOf(ctx, table));
    byKeyspace.set(table.keyspace, list);
  }
  const keyspaces: KeyspaceStats[] = [...byKeyspace].map(([name, list]) => ({ name, tables: list }));
  return { totalTables: seen.size, keyspaces };
}

function namedTables(ctx: AdminContext, item: string): TableMetadata[] {
  const dot = item.indexOf('.');
  if (dot < 0) return selectTables(ctx, { keyspace: item });
  return selectTables(ctx, { keyspace: item.slice(0, dot), tables: [item.slice(dot + 1)] });
}

function statsOf(ctx: AdminContext, table: TableMetadata): TableStats {
  const store = ctx.engine.table(table.id);
  const sstables = store.liveSSTables;
  let onDisk = 0;
  let partitions = 0;
  for (const sstable of sstables) {
    onDisk += sstable.onDiskSizeBytes;
    partitions += sstable.partitionCount;
  }
  return {
    name: table.name,
    sstableCount: sstables.length,
    spaceUsedLiveBytes: onDisk,
    spaceUsedTotalBytes: onDisk,
    memtableDataBytes: store.memtableSizeBytes,
    partitionsEstimate: partitions,
  };
}
