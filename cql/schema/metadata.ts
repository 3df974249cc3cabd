/**
 * Schema metadata: keyspaces, tables, columns and user types, as Cassandra's KeyspaceMetadata /
 * TableMetadata / ColumnMetadata model them. Plain immutable data: a schema change builds new objects
 * and swaps the snapshot. This file is the interface between DDL (cql/schema), statement execution
 * (cql/executor) and, later, the native protocol's result metadata and system_schema tables.
 */
import type { ClusteringComparator } from '../../storage/model.js';
import type { TableDefinition } from '../../storage/table-store.js';
import type { CqlType } from '../types/index.js';
import { comparatorFor, reversed } from '../types/index.js';

/** Column kinds, named as system_schema.columns.kind has them. */
export type ColumnKind = 'partition_key' | 'clustering' | 'static' | 'regular';

/** As system_schema.columns.clustering_order: 'none' for non-clustering columns. */
export type ClusteringOrder = 'asc' | 'desc' | 'none';

export interface ColumnMetadata {
  readonly name: string;
  readonly type: CqlType;
  readonly kind: ColumnKind;
  /** Index within the partition key or clustering columns; -1 for static and regular columns. */
  readonly position: number;
  readonly clusteringOrder: ClusteringOrder;
}

/** Table options (WITH ...), with Cassandra's names and defaults (see `defaultTableParams`). */
export interface TableParams {
  readonly comment: string;
  readonly defaultTimeToLive: number;
  readonly gcGraceSeconds: number;
  readonly bloomFilterFpChance: number;
  /** e.g. { class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', max_threshold: '32', min_threshold: '4' } */
  readonly compaction: Readonly<Record<string, string>>;
  /** e.g. { chunk_length_in_kb: '16', class: 'org.apache.cassandra.io.compress.LZ4Compressor' } */
  readonly compression: Readonly<Record<string, string>>;
  readonly caching: Readonly<Record<string, string>>;
  readonly readRepair: 'BLOCKING' | 'NONE';
  readonly speculativeRetry: string;
  readonly additionalWritePolicy: string;
  readonly crcCheckChance: number;
  readonly memtableFlushPeriodInMs: number;
  readonly minIndexInterval: number;
  readonly maxIndexInterval: number;
  readonly extensions: Readonly<Record<string, string>>;
  /** Change data capture (system_schema.tables.cdc); Sibyl records it but writes no CDC log. */
  readonly cdc?: boolean;
}

export const defaultTableParams: TableParams = {
  comment: '',
  defaultTimeToLive: 0,
  gcGraceSeconds: 864_000,
  bloomFilterFpChance: 0.01,
  compaction: {
    class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy',
    max_threshold: '32',
    min_threshold: '4',
  },
  compression: { chunk_length_in_kb: '16', class: 'org.apache.cassandra.io.compress.LZ4Compressor' },
  caching: { keys: 'ALL', rows_per_partition: 'NONE' },
  readRepair: 'BLOCKING',
  speculativeRetry: '99p',
  additionalWritePolicy: '99p',
  crcCheckChance: 1,
  memtableFlushPeriodInMs: 0,
  minIndexInterval: 128,
  maxIndexInterval: 2048,
  extensions: {},
};

export interface DroppedColumn {
  readonly type: CqlType;
  /** Microseconds: cells written at or before it are ignored if a column of that name returns. */
  readonly droppedTime: number;
  /** What the column was (system_schema.dropped_columns.kind); 'regular' when absent. */
  readonly kind?: 'regular' | 'static';
}

export interface TableMetadata {
  readonly keyspace: string;
  readonly name: string;
  /** A uuid (system_schema.tables.id); stable for the life of the table. */
  readonly id: string;
  readonly partitionKey: readonly ColumnMetadata[];
  readonly clustering: readonly ColumnMetadata[];
  readonly statics: readonly ColumnMetadata[];
  readonly regulars: readonly ColumnMetadata[];
  /** Every column by name. */
  readonly columns: ReadonlyMap<string, ColumnMetadata>;
  readonly params: TableParams;
  /** A table whose non-key columns are counters (all or none of them). */
  readonly isCounter: boolean;
  readonly droppedColumns: ReadonlyMap<string, DroppedColumn>;
}

export interface KeyspaceMetadata {
  readonly name: string;
  readonly durableWrites: boolean;
  /** As system_schema.keyspaces.replication: `class` (full Java name) plus its options. */
  readonly replication: Readonly<Record<string, string>>;
  readonly tables: ReadonlyMap<string, TableMetadata>;
  /** User-defined types by name. */
  readonly types: ReadonlyMap<string, CqlType & { kind: 'udt' }>;
}

/** What statement execution needs of the schema. */
export interface SchemaView {
  keyspace(name: string): KeyspaceMetadata | undefined;
  /** All keyspaces, system ones included. */
  keyspaces(): Iterable<KeyspaceMetadata>;
  /** The schema version: a uuid derived from the schema's content (Cassandra's schema digest). */
  readonly version: string;
}

/** Builds the complete column lists of a table from its columns (kept in declaration order). */
export function tableMetadata(
  base: Omit<TableMetadata, 'partitionKey' | 'clustering' | 'statics' | 'regulars' | 'columns' | 'isCounter'>,
  columns: readonly ColumnMetadata[],
): TableMetadata {
  const byPosition = (a: ColumnMetadata, b: ColumnMetadata) => a.position - b.position;
  const partitionKey = columns.filter((c) => c.kind === 'partition_key').sort(byPosition);
  const clustering = columns.filter((c) => c.kind === 'clustering').sort(byPosition);
  const statics = columns.filter((c) => c.kind === 'static');
  const regulars = columns.filter((c) => c.kind === 'regular');
  const isCounter = [...statics, ...regulars].some(
    (c) => c.type.kind === 'native' && c.type.name === 'counter',
  );
  return {
    ...base,
    partitionKey,
    clustering,
    statics,
    regulars,
    columns: new Map(columns.map((c) => [c.name, c])),
    isCounter,
  };
}

/** One clustering column's order, as a worker thread can receive it (plain data). */
export interface ClusteringComponentSpec {
  readonly type: CqlType;
  readonly descending: boolean;
}

/** The clustering comparator of a table: each column's type order, reversed for DESC. */
export function clusteringComparatorFromSpec(
  components: readonly ClusteringComponentSpec[],
): ClusteringComparator {
  const compares = components.map((c) =>
    c.descending ? reversed(comparatorFor(c.type)) : comparatorFor(c.type),
  );
  return (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = compares[i]!(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  };
}

/** How storage sees a table: its id, directory names, clustering order and options. */
export function storageDefinition(table: TableMetadata): TableDefinition {
  const spec = table.clustering.map((c) => ({ type: c.type, descending: c.clusteringOrder === 'desc' }));
  const compaction = table.params.compaction;
  const compressionClass = table.params.compression.class ?? '';
  return {
    id: table.id,
    keyspace: table.keyspace,
    name: table.name,
    clusteringComparator: clusteringComparatorFromSpec(spec),
    clusteringComparatorSpec: {
      module: import.meta.url,
      exportName: 'clusteringComparatorFromSpec',
      argument: spec,
    },
    gcGraceSeconds: table.params.gcGraceSeconds,
    compression: compressionClass === '' || table.params.compression.enabled === 'false' ? 'none' : 'lz4',
    ...(compaction.min_threshold ? { compactionMinThreshold: Number(compaction.min_threshold) } : {}),
    ...(compaction.max_threshold ? { compactionMaxThreshold: Number(compaction.max_threshold) } : {}),
  };
}
