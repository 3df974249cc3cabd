/**
 * The system keyspaces as Cassandra 4 defines them (SystemKeyspace, SchemaKeyspace): `system`
 * (local, peers, peers_v2, batches) and `system_schema` (keyspaces, tables, columns, ...), both with
 * LocalStrategy. Their metadata is code, not data: it is never read from system_schema, only
 * written there at start-up so that drivers reading system_schema see them.
 */
import { parseCqlType } from '../types/index.js';
import { canonicalColumnOrder } from './column-order.js';
import type { ColumnMetadata, KeyspaceMetadata, TableMetadata } from './metadata.js';
import { defaultTableParams, tableMetadata } from './metadata.js';
import { systemTableId } from './name-uuid.js';
import { LOCAL_STRATEGY } from './replication.js';

export const SYSTEM_KEYSPACE = 'system';
export const SCHEMA_KEYSPACE = 'system_schema';

interface TableSpec {
  readonly name: string;
  readonly comment: string;
  /** [name, CQL type] in declaration order. */
  readonly columns: readonly (readonly [string, string])[];
  readonly partitionKey: readonly string[];
  readonly clustering?: readonly string[];
  readonly gcGraceSeconds?: number;
}

/** The table-option columns shared by system_schema.tables and system_schema.views (Cassandra 4.0). */
const TABLE_OPTION_COLUMNS: readonly (readonly [string, string])[] = [
  ['additional_write_policy', 'text'],
  ['bloom_filter_fp_chance', 'double'],
  ['caching', 'frozen<map<text, text>>'],
  ['cdc', 'boolean'],
  ['comment', 'text'],
  ['compaction', 'frozen<map<text, text>>'],
  ['compression', 'frozen<map<text, text>>'],
  ['crc_check_chance', 'double'],
  ['dclocal_read_repair_chance', 'double'],
  ['default_time_to_live', 'int'],
  ['extensions', 'frozen<map<text, blob>>'],
  ['gc_grace_seconds', 'int'],
  ['id', 'uuid'],
  ['max_index_interval', 'int'],
  ['memtable_flush_period_in_ms', 'int'],
  ['min_index_interval', 'int'],
  ['read_repair', 'text'],
  ['read_repair_chance', 'double'],
  ['speculative_retry', 'text'],
];

const SCHEMA_TABLES: readonly TableSpec[] = [
  {
    name: 'keyspaces',
    comment: 'keyspace definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['durable_writes', 'boolean'],
      ['replication', 'frozen<map<text, text>>'],
    ],
    partitionKey: ['keyspace_name'],
  },
  {
    name: 'tables',
    comment: 'table definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['flags', 'frozen<set<text>>'],
      ...TABLE_OPTION_COLUMNS,
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name'],
  },
  {
    name: 'columns',
    comment: 'column definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['column_name', 'text'],
      ['clustering_order', 'text'],
      ['column_name_bytes', 'blob'],
      ['kind', 'text'],
      ['position', 'int'],
      ['type', 'text'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name', 'column_name'],
  },
  {
    name: 'triggers',
    comment: 'trigger definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['trigger_name', 'text'],
      ['options', 'frozen<map<text, text>>'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name', 'trigger_name'],
  },
  {
    name: 'dropped_columns',
    comment: 'dropped column registry',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['column_name', 'text'],
      ['dropped_time', 'timestamp'],
      ['kind', 'text'],
      ['type', 'text'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name', 'column_name'],
  },
  {
    name: 'views',
    comment: 'view definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['view_name', 'text'],
      ['base_table_id', 'uuid'],
      ['base_table_name', 'text'],
      ['where_clause', 'text'],
      ['include_all_columns', 'boolean'],
      ...TABLE_OPTION_COLUMNS,
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['view_name'],
  },
  {
    name: 'types',
    comment: 'user defined type definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['type_name', 'text'],
      ['field_names', 'frozen<list<text>>'],
      ['field_types', 'frozen<list<text>>'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['type_name'],
  },
  {
    name: 'functions',
    comment: 'user defined function definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['function_name', 'text'],
      ['argument_types', 'frozen<list<text>>'],
      ['argument_names', 'frozen<list<text>>'],
      ['body', 'text'],
      ['language', 'text'],
      ['return_type', 'text'],
      ['called_on_null_input', 'boolean'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['function_name', 'argument_types'],
  },
  {
    name: 'aggregates',
    comment: 'user defined aggregate definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['aggregate_name', 'text'],
      ['argument_types', 'frozen<list<text>>'],
      ['final_func', 'text'],
      ['initcond', 'text'],
      ['return_type', 'text'],
      ['state_func', 'text'],
      ['state_type', 'text'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['aggregate_name', 'argument_types'],
  },
  {
    name: 'indexes',
    comment: 'secondary index definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['index_name', 'text'],
      ['kind', 'text'],
      ['options', 'frozen<map<text, text>>'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name', 'index_name'],
  },
];

const SYSTEM_TABLES: readonly TableSpec[] = [
  {
    name: 'local',
    comment: 'information about the local node',
    columns: [
      ['key', 'text'],
      ['bootstrapped', 'text'],
      ['broadcast_address', 'inet'],
      ['broadcast_port', 'int'],
      ['cluster_name', 'text'],
      ['cql_version', 'text'],
      ['data_center', 'text'],
      ['gossip_generation', 'int'],
      ['host_id', 'uuid'],
      ['listen_address', 'inet'],
      ['listen_port', 'int'],
      ['native_protocol_version', 'text'],
      ['partitioner', 'text'],
      ['rack', 'text'],
      ['release_version', 'text'],
      ['rpc_address', 'inet'],
      ['rpc_port', 'int'],
      ['schema_version', 'uuid'],
      ['tokens', 'set<text>'],
      ['truncated_at', 'map<uuid, blob>'],
    ],
    partitionKey: ['key'],
  },
  {
    name: 'peers',
    comment: 'information about known peers in the cluster',
    columns: [
      ['peer', 'inet'],
      ['data_center', 'text'],
      ['host_id', 'uuid'],
      ['preferred_ip', 'inet'],
      ['rack', 'text'],
      ['release_version', 'text'],
      ['rpc_address', 'inet'],
      ['schema_version', 'uuid'],
      ['tokens', 'set<text>'],
    ],
    partitionKey: ['peer'],
  },
  {
    name: 'peers_v2',
    comment: 'information about known peers in the cluster',
    columns: [
      ['peer', 'inet'],
      ['peer_port', 'int'],
      ['data_center', 'text'],
      ['host_id', 'uuid'],
      ['native_address', 'inet'],
      ['native_port', 'int'],
      ['preferred_ip', 'inet'],
      ['preferred_port', 'int'],
      ['rack', 'text'],
      ['release_version', 'text'],
      ['schema_version', 'uuid'],
      ['tokens', 'set<text>'],
    ],
    partitionKey: ['peer'],
    clustering: ['peer_port'],
  },
  {
    // The batchlog (node/batchlog/, docs/formats/batchlog.md): logged batches kept until their
    // mutations are acknowledged, replayed by this node if the coordinator never removes them.
    name: 'batches',
    comment: 'batches awaiting replay',
    columns: [
      ['id', 'timeuuid'],
      ['mutations', 'list<blob>'],
      ['version', 'int'],
    ],
    partitionKey: ['id'],
    gcGraceSeconds: 0,
  },
];

function systemTable(keyspace: string, spec: TableSpec, gcGraceSeconds: number): TableMetadata {
  const clustering = spec.clustering ?? [];
  const columns: ColumnMetadata[] = spec.columns.map(([name, typeText]) => {
    const pk = spec.partitionKey.indexOf(name);
    const ck = clustering.indexOf(name);
    const kind = pk >= 0 ? 'partition_key' : ck >= 0 ? 'clustering' : 'regular';
    return {
      name,
      type: parseCqlType(typeText),
      kind,
      position: pk >= 0 ? pk : ck,
      clusteringOrder: ck >= 0 ? 'asc' : 'none',
    };
  });
  return tableMetadata(
    {
      keyspace,
      name: spec.name,
      id: systemTableId(keyspace, spec.name),
      params: {
        ...defaultTableParams,
        comment: spec.comment,
        gcGraceSeconds: spec.gcGraceSeconds ?? gcGraceSeconds,
        cdc: false,
      },
      droppedColumns: new Map(),
    },
    canonicalColumnOrder(columns),
  );
}

function systemKeyspace(name: string, specs: readonly TableSpec[], gcGraceSeconds: number): KeyspaceMetadata {
  return {
    name,
    durableWrites: true,
    replication: { class: LOCAL_STRATEGY },
    tables: new Map(specs.map((s) => [s.name, systemTable(name, s, gcGraceSeconds)])),
    types: new Map(),
  };
}

/** system_schema tables keep tombstones 7 days (SchemaKeyspace); system tables use the default. */
export const schemaKeyspace: KeyspaceMetadata = systemKeyspace(SCHEMA_KEYSPACE, SCHEMA_TABLES, 7 * 86_400);
export const systemKeyspaceMetadata: KeyspaceMetadata = systemKeyspace(SYSTEM_KEYSPACE, SYSTEM_TABLES, 0);

export const SYSTEM_KEYSPACES: readonly KeyspaceMetadata[] = [systemKeyspaceMetadata, schemaKeyspace];

export const VIRTUAL_SCHEMA_KEYSPACE = 'system_virtual_schema';

/** Cassandra 4's system_virtual_schema: where virtual keyspaces describe themselves (not in system_schema). */
const VIRTUAL_SCHEMA_TABLES: readonly TableSpec[] = [
  {
    name: 'keyspaces',
    comment: 'virtual keyspace definitions',
    columns: [['keyspace_name', 'text']],
    partitionKey: ['keyspace_name'],
  },
  {
    name: 'tables',
    comment: 'virtual table definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['comment', 'text'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name'],
  },
  {
    name: 'columns',
    comment: 'virtual column definitions',
    columns: [
      ['keyspace_name', 'text'],
      ['table_name', 'text'],
      ['column_name', 'text'],
      ['clustering_order', 'text'],
      ['column_name_bytes', 'blob'],
      ['kind', 'text'],
      ['position', 'int'],
      ['type', 'text'],
    ],
    partitionKey: ['keyspace_name'],
    clustering: ['table_name', 'column_name'],
  },
];

export const virtualSchemaKeyspace: KeyspaceMetadata = systemKeyspace(
  VIRTUAL_SCHEMA_KEYSPACE,
  VIRTUAL_SCHEMA_TABLES,
  0,
);

/** Virtual keyspaces: queryable, described in system_virtual_schema, never in system_schema. */
export const VIRTUAL_KEYSPACES: readonly KeyspaceMetadata[] = [virtualSchemaKeyspace];

/** Every keyspace whose metadata is code: system, system_schema and the virtual ones. */
export const BUILT_IN_KEYSPACES: readonly KeyspaceMetadata[] = [...SYSTEM_KEYSPACES, ...VIRTUAL_KEYSPACES];

/** A system_schema table by name (a bug if it does not exist). */
export function schemaTable(name: string): TableMetadata {
  const table = schemaKeyspace.tables.get(name);
  if (!table) throw new Error(`assertion failed: no system_schema.${name}`);
  return table;
}
