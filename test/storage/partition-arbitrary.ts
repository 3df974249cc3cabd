/**
 * Random partitions for property tests of the partition codec, its summary and the write path:
 * rows (sorted, unique clusterings), a static row, range tombstones, a partition deletion, row
 * markers with and without TTL, row and collection deletions, live, expiring and tombstone cells,
 * collection elements with paths, counter shard cells and (when asked) counter delta cells.
 */
import fc from 'fast-check';
import { counterIdFromHostId, encodeContext } from '../../storage/counter-context.js';
import { counterDeltaCell, counterShardsCell } from '../../storage/counters.js';
import type {
  Cell,
  Clustering,
  ColumnDeletion,
  DecoratedKey,
  DeletionTime,
  LivenessInfo,
  Partition,
  RangeTombstone,
  Row,
} from '../../storage/model.js';
import { NO_DELETION_TIME } from '../../storage/model.js';

export interface PartitionShape {
  /** Keys to choose from (few keys: writes meet in the memtable). */
  readonly keys: readonly DecoratedKey[];
  /** Clustering columns of the table (0: at most one row). */
  readonly clusteringArity: number;
  /** Counter delta cells too (the write path refuses them; the codec and the summary do not). */
  readonly counterDeltas: boolean;
}

/** Regular columns, one of them non-ASCII and one longer than the codec's name cache keeps. */
export const REGULAR_COLUMNS = ['a', 'b', 'été', `long_${'x'.repeat(70)}`] as const;
const COLLECTION_COLUMN = 'm';
const COUNTER_COLUMN = 'n';
const DELTA_COLUMN = 'd';
const STATIC_COLUMN = 's';

const COUNTER_IDS = [1, 2, 3].map((i) =>
  counterIdFromHostId(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`),
);

const timestamp = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1000, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 52), max: 2 ** 52 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(Number.MIN_SAFE_INTEGER + 1, Number.MAX_SAFE_INTEGER - 1, 0),
  },
);

/** Seconds, some above 2^31 (unsigned 32-bit on disk), some equal to "no deletion". */
const seconds = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, NO_DELETION_TIME, 0x80000000, 0xffffffff) },
);

const deletion: fc.Arbitrary<DeletionTime> = fc.record({
  markedForDeleteAt: timestamp,
  localDeletionTime: seconds,
});

const smallBytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

function clustering(arity: number): fc.Arbitrary<Clustering> {
  return fc
    .array(fc.integer({ min: 0, max: 5 }), { minLength: arity, maxLength: arity })
    .map((values) => values.map((v) => Uint8Array.of(v)));
}

function compareClusterings(a: Clustering, b: Clustering): number {
  for (let i = 0; i < a.length; i++) {
    const c = Buffer.compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

const liveness: fc.Arbitrary<LivenessInfo> = fc.oneof(
  timestamp.map((ts) => ({ timestamp: ts, ttl: 0, localExpirationTime: NO_DELETION_TIME })),
  fc.record({ timestamp, ttl: fc.integer({ min: 1, max: 1_000_000 }), localExpirationTime: seconds }),
);

/** One cell of an ordinary column: live, expiring or a tombstone. */
function plainCell(column: string, path: Uint8Array | null): fc.Arbitrary<Cell> {
  return fc.oneof(
    fc.record({ ts: timestamp, value: smallBytes(40) }).map(({ ts, value }) => ({
      column,
      path,
      value,
      timestamp: ts,
      ttl: 0,
      localDeletionTime: NO_DELETION_TIME,
    })),
    fc
      .record({
        ts: timestamp,
        value: smallBytes(40),
        ttl: fc.integer({ min: 1, max: 100_000 }),
        at: seconds,
      })
      .map(({ ts, value, ttl, at }) => ({ column, path, value, timestamp: ts, ttl, localDeletionTime: at })),
    fc.record({ ts: timestamp, at: seconds }).map(({ ts, at }) => ({
      column,
      path,
      value: null,
      timestamp: ts,
      ttl: 0,
      localDeletionTime: at,
    })),
  );
}

const shardsCell: fc.Arbitrary<Cell> = fc
  .record({
    ts: timestamp,
    ids: fc.subarray([0, 1, 2], { minLength: 0, maxLength: 3 }),
    clock: fc.bigInt({ min: 1n, max: 100n }),
    count: fc.bigInt({ min: -1000n, max: 1000n }),
  })
  .map(({ ts, ids, clock, count }) =>
    counterShardsCell(
      COUNTER_COLUMN,
      encodeContext(ids.map((i) => ({ counterId: COUNTER_IDS[i]!, clock: clock + BigInt(i), count }))),
      ts,
    ),
  );

const deltaCell: fc.Arbitrary<Cell> = fc
  .record({ ts: timestamp, delta: fc.bigInt({ min: -100n, max: 100n }) })
  .map(({ ts, delta }) => counterDeltaCell(DELTA_COLUMN, delta, ts));

/** A counter column's cell: counter data, or a tombstone (an ordinary one, no counter flag). */
function counterColumnCell(counter: fc.Arbitrary<Cell>, column: string): fc.Arbitrary<Cell> {
  return fc.oneof(
    { weight: 3, arbitrary: counter },
    {
      weight: 1,
      arbitrary: fc.record({ ts: timestamp, at: seconds }).map(({ ts, at }) => ({
        column,
        path: null,
        value: null,
        timestamp: ts,
        ttl: 0,
        localDeletionTime: at,
      })),
    },
  );
}

/** The cells of one row, in (column, path) order. */
function cells(counterDeltas: boolean): fc.Arbitrary<Cell[]> {
  const regular = REGULAR_COLUMNS.map((column) => fc.option(plainCell(column, null), { freq: 2 }));
  const paths = fc.uniqueArray(smallBytes(3), {
    maxLength: 3,
    comparator: (a, b) => Buffer.compare(a, b) === 0,
  });
  const collection = paths.chain((list) =>
    fc.tuple(
      ...[...list].sort((a, b) => Buffer.compare(a, b)).map((path) => plainCell(COLLECTION_COLUMN, path)),
    ),
  );
  const counter = fc.option(counterColumnCell(shardsCell, COUNTER_COLUMN), { freq: 3 });
  const delta = counterDeltas
    ? fc.option(counterColumnCell(deltaCell, DELTA_COLUMN), { freq: 3 })
    : fc.constant(null);
  return fc.tuple(fc.tuple(...regular), collection, counter, delta).map(([r, c, n, d]) => {
    const all: Cell[] = [...r.filter((cell): cell is Cell => cell !== null), ...c];
    if (n !== null) all.push(n);
    if (d !== null) all.push(d);
    return all.sort((x, y) =>
      x.column !== y.column
        ? Buffer.compare(Buffer.from(x.column), Buffer.from(y.column))
        : Buffer.compare(x.path ?? new Uint8Array(0), y.path ?? new Uint8Array(0)),
    );
  });
}

const columnDeletions: fc.Arbitrary<ColumnDeletion[]> = fc
  .option(deletion, { freq: 4 })
  .map((d) => (d === null ? [] : [{ column: COLLECTION_COLUMN, deletion: d }]));

function row(clusteringValue: Clustering, counterDeltas: boolean): fc.Arbitrary<Row> {
  return fc.record({
    clustering: fc.constant(clusteringValue),
    liveness: fc.option(liveness, { freq: 2 }),
    deletion: fc.option(deletion, { freq: 5 }),
    columnDeletions,
    cells: cells(counterDeltas),
  });
}

function staticRow(): fc.Arbitrary<Row> {
  return fc.record({
    clustering: fc.constant([] as Clustering),
    liveness: fc.constant(null),
    deletion: fc.constant(null),
    columnDeletions: fc.constant([]),
    cells: plainCell(STATIC_COLUMN, null).map((c) => [c]),
  });
}

function rangeTombstone(arity: number): fc.Arbitrary<RangeTombstone> {
  const bound = fc.record({
    prefix: fc.integer({ min: 0, max: arity }).chain((n) => clustering(n)),
    inclusive: fc.boolean(),
  });
  return fc.record({ start: bound, end: bound, deletion });
}

/** A random partition of one of `shape.keys`. */
export function partitionArbitrary(shape: PartitionShape): fc.Arbitrary<Partition> {
  const { clusteringArity: arity, counterDeltas } = shape;
  const rowClusterings = fc
    .uniqueArray(clustering(arity), {
      maxLength: arity === 0 ? 1 : 4,
      comparator: (a, b) => compareClusterings(a, b) === 0,
    })
    .map((list) => [...list].sort(compareClusterings));
  const rows = rowClusterings.chain((list) => fc.tuple(...list.map((c) => row(c, counterDeltas))));
  return fc.record({
    key: fc.constantFrom(...shape.keys),
    deletion: fc.option(deletion, { freq: 5 }),
    staticRow: fc.option(staticRow(), { freq: 3 }),
    rangeTombstones: arity === 0 ? fc.constant([]) : fc.array(rangeTombstone(arity), { maxLength: 2 }),
    rows,
  });
}
