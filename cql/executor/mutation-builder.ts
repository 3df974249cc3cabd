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
import { compareBytes, laterDeletion } from '../../storage/model.js';
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
    return {
      clustering: this.clustering,
      liveness: this.liveness,
      deletion: this.deletion,
      columnDeletions: this.builtColumnDeletions(),
      cells: this.builtCells(),
    };
  }

  /** The cells sorted by (column, path), two writes of one cell reconciled (two counter deltas add up). */
  private builtCells(): Cell[] {
    // Most rows written hold a cell or two: sorting them is a copy and a compare at most.
    const sorted = this.cells.length < 2 ? this.cells.slice() : this.cells.slice().sort(compareCellPosition);
    const cells: Cell[] = [];
    for (const cell of sorted) {
      const last = cells[cells.length - 1];
      if (last && compareCellPosition(last, cell) === 0) cells[cells.length - 1] = reconcileCells(last, cell);
      else cells.push(cell);
    }
    return cells;
  }

  private builtColumnDeletions(): ColumnDeletion[] {
    if (this.columnDeletions.size === 0) return [];
    return [...this.columnDeletions]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([column, deletion]) => ({ column, deletion }));
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
    for (const row of this.rows) if (compare(row.clustering, clustering) === 0) return row;
    const row = new RowBuilder(clustering);
    this.rows.push(row);
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
    const rows: Row[] = [];
    for (const row of this.rows) rows.push(row.build());
    if (rows.length > 1) {
      const compare = clusteringComparatorOf(this.table);
      rows.sort((a, b) => compare(a.clustering, b.clustering));
    }
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

/**
 * One builder per (table, partition key), in first-touched order. Most statements touch one
 * partition: the first builder is kept apart, and only a second one starts the map (whose key
 * formatting would otherwise cost every single-partition write).
 */
export class MutationCollector {
  private first: PartitionBuilder | null = null;
  private readonly others = new Map<string, PartitionBuilder>();

  partition(table: TableMetadata, key: DecoratedKey): PartitionBuilder {
    const first = this.first;
    if (first === null) {
      this.first = new PartitionBuilder(table, key);
      return this.first;
    }
    if (first.table.id === table.id && compareBytes(first.key.key, key.key) === 0) return first;
    const id = `${table.id}/${Buffer.from(key.key).toString('hex')}`;
    let builder = this.others.get(id);
    if (!builder) {
      builder = new PartitionBuilder(table, key);
      this.others.set(id, builder);
    }
    return builder;
  }

  build(): Mutation[] {
    const out: Mutation[] = [];
    if (this.first) out.push(this.first.build());
    for (const builder of this.others.values()) out.push(builder.build());
    return out;
  }

  get size(): number {
    return (this.first ? 1 : 0) + this.others.size;
  }
}
