/**
 * The schema's home in storage: system_schema tables written as ordinary mutations through the
 * StorageEngine and read back at start-up. Each DDL rewrites the partitions of the one keyspace it
 * changed: a partition deletion at `t` and the keyspace's current rows at `t + 1`, so dropped
 * tables, columns and types disappear and nothing older can resurface. Then the schema tables are
 * flushed, so an acknowledged schema change survives any crash (Cassandra flushes them too).
 */
import { SibylError } from '../../common/errors.js';
import { serializePartitionKey } from '../../ring/composite-key.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { Mutation, Partition } from '../../storage/model.js';
import { insertPartition } from '../../storage/model.js';
import { livePartition } from '../../storage/read-filter.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import { CqlTypes, cqlTypeName, deserialize, serialize } from '../types/index.js';
import type { Keyspaces } from './ddl-outcome.js';
import type { KeyspaceMetadata } from './metadata.js';
import { storageDefinition } from './metadata.js';
import { decodeKeyspaces, type RawSchemaRows } from './schema-decoder.js';
import {
  keyspaceRows,
  PERSISTED_SCHEMA_TABLES,
  type PersistedSchemaTable,
  storageRow,
} from './schema-rows.js';
import {
  BUILT_IN_KEYSPACES,
  SCHEMA_KEYSPACE,
  SYSTEM_KEYSPACES,
  schemaTable,
  VIRTUAL_KEYSPACES,
  VIRTUAL_SCHEMA_KEYSPACE,
} from './system-keyspaces.js';

/** Adds the storage of every built-in table (system, system_schema, virtual) to the engine. */
export async function addSystemTables(engine: StorageEngine): Promise<void> {
  for (const keyspace of BUILT_IN_KEYSPACES) {
    for (const table of keyspace.tables.values()) {
      if (!engine.hasTable(table.id)) await engine.addTable(storageDefinition(table));
    }
  }
}

/** The mutations that make system_schema describe `keyspace` (or nothing, once dropped). */
export function keyspaceMutations(
  name: string,
  keyspace: KeyspaceMetadata | undefined,
  timestampMicros: number,
  nowSeconds: number,
): Mutation[] {
  const keyBytes = serializePartitionKey([serialize(CqlTypes.text, name)]);
  const key = { token: getToken(keyBytes), key: keyBytes };
  const rows = keyspace ? keyspaceRows(keyspace) : undefined;
  return PERSISTED_SCHEMA_TABLES.map((table) => {
    // keyspaceRows gives each table's rows in clustering order, as a partition needs them.
    const sorted = rows?.[table] ?? [];
    return {
      tableId: schemaTable(table).id,
      partition: {
        key,
        deletion: { markedForDeleteAt: timestampMicros, localDeletionTime: nowSeconds },
        staticRow: null,
        rangeTombstones: [],
        rows: sorted.map((row) => storageRow(row, timestampMicros + 1)),
      },
    };
  });
}

/** Writes the mutations, then flushes the schema tables so the change is durable. */
export async function persistKeyspace(
  engine: StorageEngine,
  name: string,
  keyspace: KeyspaceMetadata | undefined,
  timestampMicros: number,
  nowSeconds: number,
): Promise<void> {
  for (const mutation of keyspaceMutations(name, keyspace, timestampMicros, nowSeconds)) {
    await engine.apply(mutation);
  }
  await Promise.all(PERSISTED_SCHEMA_TABLES.map((t) => engine.flush(schemaTable(t).id)));
}

export interface StoredSchema {
  /** User keyspaces only: the system ones are code. */
  readonly keyspaces: Keyspaces;
  /** The newest write timestamp seen, so later schema writes can be newer still. */
  readonly maxTimestampMicros: number;
}

/** Reads the user schema back from system_schema. */
export async function readSchema(engine: StorageEngine, nowSeconds: number): Promise<StoredSchema> {
  const raw = new Map<string, Map<PersistedSchemaTable, Partition>>();
  let maxTimestampMicros = 0;
  for (const table of PERSISTED_SCHEMA_TABLES) {
    for await (const partition of engine.scan(schemaTable(table).id)) {
      maxTimestampMicros = Math.max(maxTimestampMicros, newestTimestamp(partition));
      const live = livePartition(partition, nowSeconds);
      if (!live) continue;
      const keyspace = deserialize(CqlTypes.text, live.key.key) as string;
      if (SYSTEM_KEYSPACES.some((k) => k.name === keyspace)) continue;
      let byTable = raw.get(keyspace);
      if (!byTable) raw.set(keyspace, (byTable = new Map()));
      byTable.set(table, live);
    }
  }
  const rows: RawSchemaRows = raw;
  return { keyspaces: decodeKeyspaces(rows), maxTimestampMicros };
}

function newestTimestamp(partition: Partition): number {
  let newest = partition.deletion?.markedForDeleteAt ?? 0;
  for (const row of partition.rows) {
    if (row.liveness) newest = Math.max(newest, row.liveness.timestamp);
    for (const cell of row.cells) newest = Math.max(newest, cell.timestamp);
  }
  return newest;
}

/** Writes the rows of the system keyspaces, as Cassandra does at every start, for drivers to read. */
export async function persistSystemKeyspaces(
  engine: StorageEngine,
  timestampMicros: number,
  nowSeconds: number,
): Promise<void> {
  for (const keyspace of SYSTEM_KEYSPACES) {
    for (const mutation of keyspaceMutations(keyspace.name, keyspace, timestampMicros, nowSeconds)) {
      await engine.apply(mutation);
    }
  }
}

/**
 * Writes system_virtual_schema's description of the virtual keyspaces (keyspaces, tables, columns),
 * as Cassandra answers those tables, for drivers that read them.
 */
export async function persistVirtualSchema(engine: StorageEngine, timestampMicros: number): Promise<void> {
  const described = VIRTUAL_KEYSPACES.find((k) => k.name === VIRTUAL_SCHEMA_KEYSPACE)!;
  const text = (value: string) => serialize(CqlTypes.text, value);
  const write = async (
    tableName: string,
    partition: string,
    clustering: Uint8Array[],
    cells: Record<string, Uint8Array>,
  ) => {
    const table = described.tables.get(tableName)!;
    const keyBytes = serializePartitionKey([text(partition)]);
    await engine.apply({
      tableId: table.id,
      partition: insertPartition(
        { token: getToken(keyBytes), key: keyBytes },
        clustering,
        cells,
        timestampMicros,
      ),
    });
  };
  for (const keyspace of VIRTUAL_KEYSPACES) {
    await write('keyspaces', keyspace.name, [], {});
    for (const table of keyspace.tables.values()) {
      await write('tables', keyspace.name, [text(table.name)], { comment: text(table.params.comment) });
      for (const column of table.columns.values()) {
        await write('columns', keyspace.name, [text(table.name), text(column.name)], {
          clustering_order: text(column.clusteringOrder),
          column_name_bytes: Buffer.from(column.name, 'utf8'),
          kind: text(column.kind),
          position: serialize(CqlTypes.int, column.position),
          type: text(cqlTypeName(column.type)),
        });
      }
    }
  }
}

export { SCHEMA_KEYSPACE };

/**
 * A partition of a system_schema table as it travels between nodes: the rows and tombstones with
 * their original timestamps (so merging on arrival is last-write-wins), the key without its token
 * (the receiver computes it; msgpack need not carry a 64-bit integer).
 */
export interface SchemaPartition {
  readonly table: PersistedSchemaTable;
  readonly partition: Omit<Partition, 'key'> & { readonly key: Uint8Array };
}

/** Every partition of the user keyspaces in system_schema, tombstones included (a drop must travel too). */
export async function readSchemaPartitions(engine: StorageEngine): Promise<SchemaPartition[]> {
  const result: SchemaPartition[] = [];
  for (const table of PERSISTED_SCHEMA_TABLES) {
    for await (const partition of engine.scan(schemaTable(table).id)) {
      const keyspace = deserialize(CqlTypes.text, partition.key.key) as string;
      if (SYSTEM_KEYSPACES.some((k) => k.name === keyspace)) continue;
      result.push({ table, partition: { ...partition, key: partition.key.key } });
    }
  }
  return result;
}

/**
 * The mutation that merges a peer's schema partition into ours. The payload came over the network:
 * a partition of another table or of a system keyspace is refused (`INVALID_SCHEMA_PAYLOAD`).
 */
export function schemaPartitionMutation(part: SchemaPartition): Mutation {
  const invalid = (why: string) =>
    new SibylError('INVALID_SCHEMA_PAYLOAD', `invalid schema partition: ${why}`);
  if (!(PERSISTED_SCHEMA_TABLES as readonly string[]).includes(part.table))
    throw invalid(`system_schema.${String(part.table)} is not exchanged`);
  const partition = part.partition;
  if (!(partition?.key instanceof Uint8Array) || !Array.isArray(partition.rows))
    throw invalid('expected a key and rows');
  const keyspace = deserialize(CqlTypes.text, partition.key) as string;
  if (SYSTEM_KEYSPACES.some((k) => k.name === keyspace)) throw invalid(`${keyspace} is a system keyspace`);
  const key = { token: getToken(partition.key), key: partition.key };
  return { tableId: schemaTable(part.table).id, partition: { ...partition, key } };
}
