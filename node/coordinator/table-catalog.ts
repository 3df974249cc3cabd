/**
 * What the coordinator needs to know of a table, by the table id mutations and reads carry: its
 * metadata and keyspace, its clustering comparator (to reconcile replicas' answers), its
 * speculative_retry and its recent replica response times. Rebuilt lazily when the schema version
 * changes; the latency reservoirs outlive schema changes (ALTER TABLE keeps a table's history).
 */
import type { KeyspaceMetadata, SchemaView, TableMetadata } from '../../cql/schema/index.js';
import { storageDefinition } from '../../cql/schema/index.js';
import type { ClusteringComparator } from '../../storage/model.js';
import type { SpeculativeRetry } from './latency.js';
import { LatencyReservoir, parseSpeculativeRetry } from './latency.js';

export interface TableContext {
  readonly table: TableMetadata;
  readonly keyspace: KeyspaceMetadata;
  readonly comparator: ClusteringComparator;
  readonly speculativeRetry: SpeculativeRetry;
  readonly readRepair: 'BLOCKING' | 'NONE';
  readonly latencies: LatencyReservoir;
}

export class TableCatalog {
  private schema: SchemaView | undefined;
  private builtFor: string | undefined;
  private tables = new Map<string, TableContext>();
  private readonly latencies = new Map<string, LatencyReservoir>();

  constructor(private readonly reservoirCapacity: number) {}

  attach(schema: SchemaView): void {
    this.schema = schema;
    this.builtFor = undefined;
  }

  /** Undefined before a schema is attached, and for a table id the schema does not know. */
  get(tableId: string): TableContext | undefined {
    const schema = this.schema;
    if (schema === undefined) return undefined;
    if (this.builtFor !== schema.version) this.rebuild(schema);
    return this.tables.get(tableId);
  }

  private rebuild(schema: SchemaView): void {
    const tables = new Map<string, TableContext>();
    for (const keyspace of schema.keyspaces()) {
      for (const table of keyspace.tables.values()) {
        const previous = this.tables.get(table.id);
        tables.set(table.id, {
          table,
          keyspace,
          comparator:
            previous?.table === table ? previous.comparator : storageDefinition(table).clusteringComparator,
          speculativeRetry: parseSpeculativeRetry(table.params.speculativeRetry),
          readRepair: table.params.readRepair,
          latencies: this.reservoir(table.id),
        });
      }
    }
    this.tables = tables;
    this.builtFor = schema.version;
  }

  private reservoir(tableId: string): LatencyReservoir {
    let reservoir = this.latencies.get(tableId);
    if (reservoir === undefined) {
      reservoir = new LatencyReservoir(this.reservoirCapacity);
      this.latencies.set(tableId, reservoir);
    }
    return reservoir;
  }
}
