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

/** The clustering of the static row, and of every row of a table without clustering columns. */
export const NO_CLUSTERING: Clustering = Object.freeze([]);

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

/** Shared empty parts of built rows and partitions (frozen: nothing may add to them). */
const NO_CELLS: readonly Cell[] = Object.freeze([]);
const NO_COLUMN_DELETIONS: readonly ColumnDeletion[] = Object.freeze([]);
const NO_RANGE_TOMBSTONES: readonly RangeTombstone[] = Object.freeze([]);

/** Up to this many cells are sorted in place by insertion (no work array); more by `Array.sort`. */
const INSERTION_SORT_MAX_CELLS = 16;

/**
 * The cells of one row. `build` hands its cell array to the row it returns (sorted and reconciled
 * in place, no copy), so a built row builder takes no more cells.
 */
export class RowBuilder {
  liveness: LivenessInfo | null = null;
  deletion: DeletionTime | null = null;
  /** Made on the first column deletion: most rows have none. */
  private columnDeletions: Map<string, DeletionTime> | null = null;
  private readonly cells: Cell[];
  private cellCount = 0;
  private built = false;

  /** `expectedCells`: a hint (the statement's operation count); an empty array would reserve 16 slots. */
  constructor(
    readonly clustering: Clustering,
    expectedCells = 0,
  ) {
    this.cells = expectedCells > 0 ? new Array<Cell>(expectedCells) : [];
  }

  addCell(cell: Cell): void {
    if (this.built) throw new Error('assertion failed: a built row takes no more cells');
    this.cells[this.cellCount++] = cell;
  }

  deleteColumn(column: string, deletion: DeletionTime): void {
    this.columnDeletions ??= new Map();
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

  /**
   * The cells sorted by (column, path), two writes of one cell reconciled (two counter deltas add
   * up). Statements usually list their columns in storage order, so the cells most often arrive
   * sorted: one pass of compares, and the array is handed over as it is.
   */
  private builtCells(): readonly Cell[] {
    this.built = true;
    const cells = this.cells;
    cells.length = this.cellCount;
    if (cells.length === 0) return NO_CELLS;
    if (strictlyOrdered(cells)) return cells;
    sortCells(cells);
    let last = 0;
    for (let i = 1; i < cells.length; i++) {
      const cell = cells[i]!;
      if (compareCellPosition(cells[last]!, cell) === 0) cells[last] = reconcileCells(cells[last]!, cell);
      else cells[++last] = cell;
    }
    cells.length = last + 1;
    return cells;
  }

  private builtColumnDeletions(): readonly ColumnDeletion[] {
    if (this.columnDeletions === null) return NO_COLUMN_DELETIONS;
    return [...this.columnDeletions]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([column, deletion]) => ({ column, deletion }));
  }
}

function strictlyOrdered(cells: readonly Cell[]): boolean {
  for (let i = 1; i < cells.length; i++) if (compareCellPosition(cells[i - 1]!, cells[i]!) >= 0) return false;
  return true;
}

/** Stable, in place: cells of one position keep the order they were written in. */
function sortCells(cells: Cell[]): void {
  if (cells.length > INSERTION_SORT_MAX_CELLS) {
    cells.sort(compareCellPosition);
    return;
  }
  for (let i = 1; i < cells.length; i++) {
    const cell = cells[i]!;
    let j = i - 1;
    while (j >= 0 && compareCellPosition(cells[j]!, cell) > 0) {
      cells[j + 1] = cells[j]!;
      j--;
    }
    cells[j + 1] = cell;
  }
}

const buildRow = (row: RowBuilder): Row => row.build();

export class PartitionBuilder {
  deletion: DeletionTime | null = null;
  staticRow: RowBuilder | null = null;
  /** Made with the first row, as a one-element array: most partitions written hold one row. */
  private rows: RowBuilder[] | null = null;
  /** Made on the first range deletion. */
  private rangeTombstones: RangeTombstone[] | null = null;
  private readonly compare: ClusteringComparator;

  /** `cellsPerRow`: a hint for each row's cell array (see RowBuilder). */
  constructor(
    readonly table: TableMetadata,
    readonly key: DecoratedKey,
    private readonly cellsPerRow = 0,
  ) {
    this.compare = clusteringComparatorOf(table);
  }

  row(clustering: Clustering): RowBuilder {
    if (clustering.length === 0 && this.table.clustering.length > 0) {
      throw new Error('assertion failed: a regular row needs its full clustering');
    }
    // A statement asks again for the row it has just written (its marker, then its cells): the
    // same clustering array, found without comparing values.
    const rows = this.rows;
    if (rows !== null) {
      for (const row of rows) {
        if (row.clustering === clustering || this.compare(row.clustering, clustering) === 0) return row;
      }
    }
    const row = new RowBuilder(clustering, this.cellsPerRow);
    if (rows === null) this.rows = [row];
    else rows.push(row);
    return row;
  }

  static(): RowBuilder {
    this.staticRow ??= new RowBuilder(NO_CLUSTERING, this.cellsPerRow);
    return this.staticRow;
  }

  deleteRange(start: ClusteringBound, end: ClusteringBound, deletion: DeletionTime): void {
    this.rangeTombstones ??= [];
    this.rangeTombstones.push({ start, end, deletion });
  }

  deletePartition(deletion: DeletionTime): void {
    this.deletion = laterDeletion(this.deletion, deletion);
  }

  /** The partition's mutation; the builder hands its parts over and is done. */
  build(): Mutation {
    const rows = this.rows === null ? [] : this.rows.map(buildRow);
    if (rows.length > 1) {
      const compare = this.compare;
      rows.sort((a, b) => compare(a.clustering, b.clustering));
    }
    return {
      tableId: this.table.id,
      partition: {
        key: this.key,
        deletion: this.deletion,
        staticRow: this.staticRow ? this.staticRow.build() : null,
        rangeTombstones: this.rangeTombstones ?? NO_RANGE_TOMBSTONES,
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
  private others: Map<string, PartitionBuilder> | null = null;

  partition(table: TableMetadata, key: DecoratedKey): PartitionBuilder {
    const first = this.first;
    if (first === null) {
      this.first = new PartitionBuilder(table, key);
      return this.first;
    }
    if (first.table.id === table.id && compareBytes(first.key.key, key.key) === 0) return first;
    const id = `${table.id}/${Buffer.from(key.key).toString('hex')}`;
    this.others ??= new Map();
    let builder = this.others.get(id);
    if (!builder) {
      builder = new PartitionBuilder(table, key);
      this.others.set(id, builder);
    }
    return builder;
  }

  build(): Mutation[] {
    if (this.first === null) return [];
    if (this.others === null) return [this.first.build()];
    const out: Mutation[] = [this.first.build()];
    for (const builder of this.others.values()) out.push(builder.build());
    return out;
  }

  get size(): number {
    return (this.first ? 1 : 0) + (this.others?.size ?? 0);
  }
}
