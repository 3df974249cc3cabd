/**
 * The in-memory, write-absorbing part of one table's LSM.
 *
 * Writes go to a hash map keyed by the partition key bytes: O(1) per write however large the
 * memtable grows (a skip list or tree of JS objects slows to tens of thousands of inserts per second
 * at a million entries). Partition order (token, key) is needed only by range scans and flush, so it
 * is built lazily: partitions added since the last ordered walk are sorted on their own and merged
 * into the ordered array, O(n + k log k). Rows inside a partition are kept sorted by clustering in an
 * array (appends in clustering order, the common time-series case, are O(1)).
 */
import { assert } from '../common/errors.js';
import type {
  ClusteringComparator,
  DecoratedKey,
  DeletionTime,
  Partition,
  RangeTombstone,
  Row,
} from './model.js';
import { laterDeletion } from './model.js';
import { mergeRows } from './reconcile.js';

interface MemPartition {
  readonly key: DecoratedKey;
  /** The token split into a signed high and unsigned low half: fast ordering without bigint math. */
  readonly tokenHigh: number;
  readonly tokenLow: number;
  deletion: DeletionTime | null;
  staticRow: Row | null;
  rangeTombstones: RangeTombstone[] | null;
  rows: Row[];
}

const tokenWords = new BigInt64Array(1);
const tokenHalves = new Int32Array(tokenWords.buffer);

function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

function comparePartitions(a: MemPartition, b: MemPartition): number {
  if (a.tokenHigh !== b.tokenHigh) return a.tokenHigh - b.tokenHigh;
  if (a.tokenLow !== b.tokenLow) return a.tokenLow - b.tokenLow;
  return Buffer.compare(a.key.key, b.key.key);
}

/** Approximate heap bytes a row costs (object headers, arrays and the bytes themselves). */
function rowSize(row: Row): number {
  let size = 72 + row.clustering.length * 24;
  for (const c of row.clustering) size += c.length;
  for (const cell of row.cells) size += 88 + (cell.value?.length ?? 0) + (cell.path?.length ?? 0);
  return size;
}

export class Memtable {
  private readonly partitions = new Map<string, MemPartition>();
  private ordered: MemPartition[] = [];
  private unordered: MemPartition[] = [];
  /** Approximate memory held, for the flush threshold. */
  sizeBytes = 0;
  /** Smallest write timestamp held (compaction's tombstone purging needs it). */
  minTimestamp = Number.MAX_SAFE_INTEGER;
  rowCount = 0;

  constructor(private readonly compare: ClusteringComparator) {}

  get partitionCount(): number {
    return this.partitions.size;
  }

  isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  apply(update: Partition): void {
    const k = keyString(update.key.key);
    let p = this.partitions.get(k);
    if (p === undefined) {
      tokenWords[0] = update.key.token;
      p = {
        key: update.key,
        tokenHigh: tokenHalves[1]!,
        tokenLow: tokenHalves[0]! >>> 0,
        deletion: null,
        staticRow: null,
        rangeTombstones: null,
        rows: [],
      };
      this.partitions.set(k, p);
      this.unordered.push(p);
      this.sizeBytes += 160 + update.key.key.length * 2;
    }
    this.trackTimestamps(update);
    if (update.deletion) p.deletion = laterDeletion(p.deletion, update.deletion);
    if (update.staticRow) {
      p.staticRow = p.staticRow ? mergeRows(p.staticRow, update.staticRow) : update.staticRow;
      this.sizeBytes += rowSize(update.staticRow);
    }
    if (update.rangeTombstones.length > 0) {
      p.rangeTombstones = (p.rangeTombstones ?? []).concat(update.rangeTombstones);
      this.sizeBytes += 96 * update.rangeTombstones.length;
    }
    for (const row of update.rows) this.insertRow(p, row);
  }

  private insertRow(p: MemPartition, row: Row): void {
    this.sizeBytes += rowSize(row);
    const rows = p.rows;
    const last = rows[rows.length - 1];
    if (last === undefined || this.compare(last.clustering, row.clustering) < 0) {
      rows.push(row);
      this.rowCount++;
      return;
    }
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(rows[mid]!.clustering, row.clustering) < 0) lo = mid + 1;
      else hi = mid;
    }
    const existing = rows[lo];
    if (existing !== undefined && this.compare(existing.clustering, row.clustering) === 0) {
      rows[lo] = mergeRows(existing, row);
    } else {
      rows.splice(lo, 0, row);
      this.rowCount++;
    }
  }

  private trackTimestamps(update: Partition): void {
    let min = this.minTimestamp;
    if (update.deletion) min = Math.min(min, update.deletion.markedForDeleteAt);
    for (const rt of update.rangeTombstones) min = Math.min(min, rt.deletion.markedForDeleteAt);
    const visit = (row: Row) => {
      if (row.liveness) min = Math.min(min, row.liveness.timestamp);
      if (row.deletion) min = Math.min(min, row.deletion.markedForDeleteAt);
      for (const cell of row.cells) if (cell.timestamp < min) min = cell.timestamp;
    };
    if (update.staticRow) visit(update.staticRow);
    for (const row of update.rows) visit(row);
    this.minTimestamp = min;
  }

  /** A snapshot of one partition (later writes do not change it), or null. */
  get(key: DecoratedKey): Partition | null {
    const p = this.partitions.get(keyString(key.key));
    return p === undefined ? null : snapshot(p);
  }

  /** Partitions in (token, key) order, from the first key at or after `from` (exclusive if asked). */
  *scan(from?: { key: DecoratedKey; inclusive: boolean }): Generator<Partition> {
    const ordered = this.inOrder();
    let i = 0;
    if (from) {
      tokenWords[0] = from.key.token;
      const probe = {
        key: from.key,
        tokenHigh: tokenHalves[1]!,
        tokenLow: tokenHalves[0]! >>> 0,
      } as MemPartition;
      let lo = 0;
      let hi = ordered.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = comparePartitions(ordered[mid]!, probe);
        if (c < 0 || (c === 0 && !from.inclusive)) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    for (; i < ordered.length; i++) yield snapshot(ordered[i]!);
  }

  /** All partitions in order; sorts what arrived since the last call and merges it in. */
  private inOrder(): MemPartition[] {
    if (this.unordered.length === 0) return this.ordered;
    const fresh = this.unordered.sort(comparePartitions);
    this.unordered = [];
    if (this.ordered.length === 0) {
      this.ordered = fresh;
      return fresh;
    }
    const merged: MemPartition[] = new Array(this.ordered.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
    const old = this.ordered;
    while (i < old.length && j < fresh.length) {
      merged[k++] = comparePartitions(old[i]!, fresh[j]!) <= 0 ? old[i++]! : fresh[j++]!;
    }
    while (i < old.length) merged[k++] = old[i++]!;
    while (j < fresh.length) merged[k++] = fresh[j++]!;
    assert(k === merged.length, 'memtable order merge lost partitions');
    this.ordered = merged;
    return merged;
  }
}

function snapshot(p: MemPartition): Partition {
  return {
    key: p.key,
    deletion: p.deletion,
    staticRow: p.staticRow,
    rangeTombstones: p.rangeTombstones ? p.rangeTombstones.slice() : [],
    rows: p.rows.slice(),
  };
}
