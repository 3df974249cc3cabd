/**
 * Counter cells and the leader step of a counter update (Cassandra's CounterCells and
 * CounterMutation). A counter update arrives as *delta* cells (`c = c + 5` carries 5); one replica,
 * the leader, applies it: under a lock on the partition it reads its own shard of each cell
 * (counter id = its host id) and writes the shard `(clock + 1, count + delta)` like any write
 * (commit log, memtable). The mutation it wrote — cells holding only the leader's shard — is what
 * the other replicas and hints receive; merging shards is idempotent (storage/counter-context.ts),
 * so a shard applied twice never counts twice. Deltas are never stored.
 *
 * Deletion: a counter cell tombstone wins over counter shards whatever their timestamps
 * (CASSANDRA-7346): a deleted counter cannot come back. Row, range and partition deletions shadow
 * counter cells by timestamp as any cell; a shadowed shard is dropped before it is merged with a
 * newer one (storage/reconcile.ts), so it never lends its clock to the merge.
 */
import { assert } from '../common/errors.js';
import type { CounterId } from './counter-context.js';
import {
  contextTotal,
  findShard,
  isValidContext,
  mergeContexts,
  singleShardContext,
} from './counter-context.js';
import type { Cell, ClusteringComparator, Partition, Row } from './model.js';
import { NO_DELETION_TIME } from './model.js';

/** Bytes of a delta cell's value: a signed 64-bit increment. */
export const COUNTER_DELTA_BYTES = 8;

/** The cell of an increment by `delta` (negative for a decrement), as the executor writes it. */
export function counterDeltaCell(column: string, delta: bigint, timestamp: number): Cell {
  const value = Buffer.allocUnsafe(COUNTER_DELTA_BYTES);
  value.writeBigInt64BE(BigInt.asIntN(64, delta));
  return {
    column,
    path: null,
    value,
    timestamp,
    ttl: 0,
    localDeletionTime: NO_DELETION_TIME,
    counter: 'delta',
  };
}

/** A counter cell holding a counter context (storage/counter-context.ts). */
export function counterShardsCell(column: string, context: Uint8Array, timestamp: number): Cell {
  return {
    column,
    path: null,
    value: context,
    timestamp,
    ttl: 0,
    localDeletionTime: NO_DELETION_TIME,
    counter: 'shards',
  };
}

/** The increment a delta cell carries. */
export function counterDelta(cell: Cell): bigint {
  assert(cell.counter === 'delta' && cell.value !== null, 'a counter delta cell expected');
  return Buffer.from(cell.value.buffer, cell.value.byteOffset, cell.value.byteLength).readBigInt64BE(0);
}

/** The value a counter cell reads as: the sum of its shards (or a delta's increment). */
export function counterCellValue(cell: Cell): bigint {
  assert(cell.value !== null && cell.counter !== undefined, 'a live counter cell expected');
  return cell.counter === 'delta' ? counterDelta(cell) : contextTotal(cell.value);
}

/** Whether a value is well formed for its counter kind (the partition codec checks on decode). */
export function isValidCounterValue(kind: Cell['counter'], value: Uint8Array): boolean {
  return kind === 'delta' ? value.length === COUNTER_DELTA_BYTES : isValidContext(value);
}

/**
 * Reconciles two versions of one cell where at least one is a counter cell (Cassandra's
 * Cells.reconcileCounter): a tombstone wins over counter data whatever the timestamps; two shard
 * cells merge their contexts and keep the greater timestamp; two delta cells (two increments of one
 * cell in one batch) add up. Commutative, associative and idempotent.
 */
export function reconcileCounterCells(a: Cell, b: Cell): Cell {
  if (a.value === null) return a;
  if (b.value === null) return b;
  // A live ordinary cell in a counter column exists only in data written before partition format
  // 2 (a stored total); the shards are the truth (docs/cql.md, "Counters").
  if (a.counter === undefined) return b;
  if (b.counter === undefined) return a;
  assert(a.counter === b.counter, 'a counter delta never meets stored counter shards');
  const timestamp = Math.max(a.timestamp, b.timestamp);
  if (a.counter === 'delta') return counterDeltaCell(a.column, counterDelta(a) + counterDelta(b), timestamp);
  const merged = mergeContexts(a.value, b.value);
  if (merged === a.value && timestamp === a.timestamp) return a;
  if (merged === b.value && timestamp === b.timestamp) return b;
  return counterShardsCell(a.column, merged, timestamp);
}

/** Whether a partition update carries counter deltas (a counter update for a leader). */
export function hasCounterDeltas(p: Partition): boolean {
  // Loops, not closures: this runs on every write a replica receives.
  if (p.staticRow !== null && rowHasCounterDeltas(p.staticRow)) return true;
  for (const row of p.rows) if (rowHasCounterDeltas(row)) return true;
  return false;
}

function rowHasCounterDeltas(row: Row): boolean {
  for (const cell of row.cells) if (cell.counter === 'delta') return true;
  return false;
}

/**
 * The leader step, pure: for each delta cell of `update`, the leader's shard `(clock + 1,
 * count + delta)` built on its current shard in `current` (what it holds of the partition, merged,
 * shadowed data removed; null when nothing). Everything else of the update (deletions, tombstones)
 * passes unchanged. The delta's timestamp becomes the shard cell's timestamp.
 */
export function leaderShardUpdate(
  update: Partition,
  current: Partition | null,
  counterId: CounterId,
  compare: ClusteringComparator,
): Partition {
  const staticRow =
    update.staticRow === null ? null : rowWithShards(update.staticRow, current?.staticRow ?? null, counterId);
  const rows = update.rows.map((row) => rowWithShards(row, currentRow(current, row, compare), counterId));
  return {
    key: update.key,
    deletion: update.deletion,
    staticRow,
    rangeTombstones: update.rangeTombstones,
    rows,
  };
}

function currentRow(current: Partition | null, row: Row, compare: ClusteringComparator): Row | null {
  if (current === null) return null;
  const rows = current.rows;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(rows[mid]!.clustering, row.clustering) < 0) low = mid + 1;
    else high = mid;
  }
  const found = rows[low];
  return found !== undefined && compare(found.clustering, row.clustering) === 0 ? found : null;
}

function rowWithShards(row: Row, current: Row | null, counterId: CounterId): Row {
  if (!row.cells.some((c) => c.counter === 'delta')) return row;
  const cells = row.cells.map((cell, i) => {
    if (cell.counter !== 'delta') return cell;
    const previous = row.cells[i - 1];
    assert(previous === undefined || previous.column !== cell.column, 'one delta per counter cell');
    const mine = ownShard(current, cell.column, counterId);
    const context = singleShardContext(
      counterId,
      mine.clock + 1n,
      BigInt.asIntN(64, mine.count + counterDelta(cell)),
    );
    return counterShardsCell(cell.column, context, cell.timestamp);
  });
  return { ...row, cells };
}

/** This replica's shard of one counter cell in its current row (clock 0, count 0 when none). */
function ownShard(
  current: Row | null,
  column: string,
  counterId: CounterId,
): { clock: bigint; count: bigint } {
  const cell = current?.cells.find((c) => c.column === column && c.path === null);
  if (cell === undefined || cell.counter !== 'shards' || cell.value === null) return { clock: 0n, count: 0n };
  return findShard(cell.value, counterId) ?? { clock: 0n, count: 0n };
}

/**
 * The partition with every counter shard cell replaced by an ordinary cell holding its total as an
 * 8-byte big-endian value (the `counter` type's serialization): what a read of a counter table
 * shows a client. Returns `p` itself when it has no counter cells.
 */
export function withCounterTotals(p: Partition): Partition {
  const staticRow = p.staticRow === null ? null : rowWithTotals(p.staticRow);
  let rows: Row[] | null = null;
  for (let i = 0; i < p.rows.length; i++) {
    const row = p.rows[i]!;
    const converted = rowWithTotals(row);
    if (rows === null && converted !== row) rows = p.rows.slice(0, i);
    if (rows !== null) rows.push(converted);
  }
  if (rows === null && staticRow === p.staticRow) return p;
  return { ...p, staticRow, rows: rows ?? p.rows };
}

function rowWithTotals(row: Row): Row {
  if (!row.cells.some((c) => c.counter !== undefined && c.value !== null)) return row;
  const cells = row.cells.map((cell) => {
    if (cell.counter === undefined || cell.value === null) return cell;
    const value = Buffer.allocUnsafe(COUNTER_DELTA_BYTES);
    value.writeBigInt64BE(counterCellValue(cell));
    return {
      column: cell.column,
      path: null,
      value,
      timestamp: cell.timestamp,
      ttl: 0,
      localDeletionTime: NO_DELETION_TIME,
    };
  });
  return { ...row, cells };
}

/**
 * Serializes the leader steps of one partition (Cassandra locks counter cells in its striped
 * COUNTER_LOCK): a step's read of its own shard must see the previous step's write. Waiters are
 * bounded by the requests in flight (native transport and messaging limits), not here.
 */
export class PartitionLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.tails.set(key, current);
    if (previous !== undefined) await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}
