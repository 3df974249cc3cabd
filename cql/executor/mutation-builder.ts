/**
 * Accumulates the effects of one statement (or of every statement of a batch) into one storage
 * mutation per (table, partition): rows by clustering, the static row, range tombstones and the
 * partition deletion. Cells of a row are kept sorted by (column, path) as storage requires; two
 * writes of the same cell reconcile as storage would.
 */
import type {
  Cell,
  Clustering,
  ClusteringBound,
  ClusteringComparator,
  ColumnDeletion,
  DecoratedKey,
  DeletionTime,
  LivenessInfo,
  Mutation,
  RangeTombstone,
  Row,
} from '../../storage/model.js';
import { laterDeletion } from '../../storage/model.js';
import { compareCellPosition, reconcileCells, reconcileLiveness } from '../../storage/reconcile.js';
import type { TableMetadata } from '../schema/metadata.js';
import { clusteringComparatorFromSpec } from '../schema/metadata.js';

const comparators = new WeakMap<TableMetadata, ClusteringComparator>();

/** The table's clustering comparator (built once per metadata object). */
export function clusteringComparatorOf(table: TableMetadata): ClusteringComparator {
  let compare = comparators.get(table);
  if (!compare) {
    compare = clusteringComparatorFromSpec(
      table.clustering.map((c) => ({ type: c.type, descending: c.clusteringOrder === 'desc' })),
    );
    comparators.set(table, compare);
  }
  return compare;
}

export class RowBuilder {
  liveness: LivenessInfo | null = null;
  deletion: DeletionTime | null = null;
  private readonly columnDeletions = new Map<string, DeletionTime>();
  private readonly cells: Cell[] = [];

  constructor(readonly clustering: Clustering) {}

  addCell(cell: Cell): void {
    this.cells.push(cell);
  }

  /** The last simple cell added for `column` (a counter updated twice in one batch adds up). */
  pendingCell(column: string): Cell | undefined {
    for (let i = this.cells.length - 1; i >= 0; i--) {
      const c = this.cells[i]!;
      if (c.column === column && c.path === null) return c;
    }
    return undefined;
  }

  deleteColumn(column: string, deletion: DeletionTime): void {
    this.columnDeletions.set(column, laterDeletion(this.columnDeletions.get(column) ?? null, deletion)!);
  }

  mark(liveness: LivenessInfo): void {
    this.liveness = reconcileLiveness(this.liveness, liveness);
  }

  delete(deletion: DeletionTime): void {
    this.deletion = laterDeletion(this.deletion, deletion);
  }

  build(): Row {
    const sorted = this.cells.slice().sort(compareCellPosition);
    const cells: Cell[] = [];
    for (const cell of sorted) {
      const last = cells[cells.length - 1];
      if (last && compareCellPosition(last, cell) === 0) cells[cells.length - 1] = reconcileCells(last, cell);
      else cells.push(cell);
    }
    const columnDeletions: ColumnDeletion[] = [...this.columnDeletions]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([column, deletion]) => ({ column, deletion }));
    return {
      clustering: this.clustering,
      liveness: this.liveness,
      deletion: this.deletion,
      columnDeletions,
      cells,
    };
  }
}

export class PartitionBuilder {
  deletion: DeletionTime | null = null;
  staticRow: RowBuilder | null = null;
  private readonly rows: RowBuilder[] = [];
  private readonly rangeTombstones: RangeTombstone[] = [];

  constructor(
    readonly table: TableMetadata,
    readonly key: DecoratedKey,
  ) {}

  row(clustering: Clustering): RowBuilder {
    if (clustering.length === 0 && this.table.clustering.length > 0) {
      throw new Error('assertion failed: a regular row needs its full clustering');
    }
    const compare = clusteringComparatorOf(this.table);
    let row = this.rows.find((r) => compare(r.clustering, clustering) === 0);
    if (!row) {
      row = new RowBuilder(clustering);
      this.rows.push(row);
    }
    return row;
  }

  static(): RowBuilder {
    this.staticRow ??= new RowBuilder([]);
    return this.staticRow;
  }

  deleteRange(start: ClusteringBound, end: ClusteringBound, deletion: DeletionTime): void {
    this.rangeTombstones.push({ start, end, deletion });
  }

  deletePartition(deletion: DeletionTime): void {
    this.deletion = laterDeletion(this.deletion, deletion);
  }

  build(): Mutation {
    const compare = clusteringComparatorOf(this.table);
    const rows = this.rows.map((r) => r.build()).sort((a, b) => compare(a.clustering, b.clustering));
    return {
      tableId: this.table.id,
      partition: {
        key: this.key,
        deletion: this.deletion,
        staticRow: this.staticRow ? this.staticRow.build() : null,
        rangeTombstones: this.rangeTombstones.slice(),
        rows,
      },
    };
  }
}

/** One builder per (table, partition key), in first-touched order. */
export class MutationCollector {
  private readonly partitions = new Map<string, PartitionBuilder>();

  partition(table: TableMetadata, key: DecoratedKey): PartitionBuilder {
    const id = `${table.id}/${Buffer.from(key.key).toString('hex')}`;
    let builder = this.partitions.get(id);
    if (!builder) {
      builder = new PartitionBuilder(table, key);
      this.partitions.set(id, builder);
    }
    return builder;
  }

  build(): Mutation[] {
    return [...this.partitions.values()].map((p) => p.build());
  }

  get size(): number {
    return this.partitions.size;
  }
}
