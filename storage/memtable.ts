/**
 * The in-memory, write-absorbing part of one table's LSM.
 *
 * Layout, chosen by measurement (docs/architecture.md):
 * - Writes find their partition through a hash map keyed by a 30-bit hash of the token (collisions
 *   chain through `next`): O(1) per write however large the memtable grows, with no key strings.
 * - A partition written once stays in serialized form (the bytes the commit log got, copied into
 *   memtable-owned slabs): about 200 bytes instead of a dozen objects, and a flush writes those bytes
 *   to the SSTable as they are. Written again, it is decoded into a mutable object form that merges,
 *   unless the new version supersedes it whole (an upsert of the same row): then its bytes replace.
 * - Partition order (token, key) is needed only by scans and flush, so it is built lazily: what
 *   arrived since the last ordered walk is sorted on its own and merged in, O(n + k log k).
 * - Rows of an object-form partition are kept sorted by clustering in an array (appends in
 *   clustering order, the common time-series case, are O(1)).
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
import type { PartitionSummary } from './partition-codec.js';
import {
  decodePartition,
  decodePartitionKey,
  encodePartition,
  encodePartitionView,
  serializedKeySpan,
  summarizePartition,
  supersedes,
} from './partition-codec.js';
import type { RowShadow } from './reconcile.js';
import { mergeRows } from './reconcile.js';
import type { CollectedStats } from './stats-collector.js';
import { StatsCollector } from './stats-collector.js';

const SLAB_BYTES = 1024 * 1024;
const NO_RANGE_TOMBSTONES: readonly RangeTombstone[] = [];
/** Objects, map entry and bookkeeping a partition costs beyond its bytes (measured, rounded up). */
const PARTITION_OVERHEAD_BYTES = 160;

/** The mutable form of a partition written more than once. */
interface MergedPartition {
  key: DecoratedKey;
  deletion: DeletionTime | null;
  staticRow: Row | null;
  rangeTombstones: RangeTombstone[] | null;
  rows: Row[];
}

/**
 * One partition of the memtable: eight fields, all small integers or pointers, so a million of them
 * stay small. The token's low half is kept with its sign bit flipped: a signed 32-bit integer (no
 * boxed number) whose signed order is the unsigned order of the original.
 */
class MemPartition {
  /** Next partition whose token hashes to the same slot. */
  next: MemPartition | null = null;
  /** The mutable form, once the partition has been written a second time (until frozen). */
  merged: MergedPartition | null = null;

  constructor(
    readonly tokenHigh: number,
    readonly tokenLowFlipped: number,
    /** Serialized form (null while `merged` holds the partition): bytes in slab `slabIndex`. */
    public slab: Buffer | null,
    public slabIndex: number,
    public offset: number,
    public length: number,
  ) {}

  serialized(): Uint8Array | null {
    return this.slab === null ? null : this.slab.subarray(this.offset, this.offset + this.length);
  }

  decoratedKey(): DecoratedKey {
    return this.merged?.key ?? decodePartitionKey(this.serialized()!);
  }

  /** Whether this partition's key is `key` (compared in place in the serialized form). */
  hasKey(key: Uint8Array): boolean {
    if (this.merged !== null) return Buffer.compare(this.merged.key.key, key) === 0;
    const slab = this.slab!;
    const { start, length } = serializedKeySpan(slab, this.offset);
    if (length !== key.length) return false;
    for (let i = 0; i < length; i++) if (slab[start + i] !== key[i]) return false;
    return true;
  }
}

function sharedSlab(bytes: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(bytes));
}

const tokenWords = new BigInt64Array(1);
const tokenHalves = new Int32Array(tokenWords.buffer);

/** Splits a token into its signed high half and its sign-flipped low half (see MemPartition). */
function splitToken(token: bigint): void {
  tokenWords[0] = token;
  tokenHalves[0]! ^= 0x80000000;
}

function comparePartitions(a: MemPartition, b: MemPartition): number {
  if (a.tokenHigh !== b.tokenHigh) return a.tokenHigh - b.tokenHigh;
  if (a.tokenLowFlipped !== b.tokenLowFlipped) return a.tokenLowFlipped - b.tokenLowFlipped;
  return Buffer.compare(a.decoratedKey().key, b.decoratedKey().key);
}

/** Approximate heap bytes a row in object form costs. */
function rowSize(row: Row): number {
  let size = 72 + row.clustering.length * 24;
  for (const c of row.clustering) size += c.length;
  for (const cell of row.cells) size += 88 + (cell.value?.length ?? 0) + (cell.path?.length ?? 0);
  return size;
}

export class Memtable {
  private readonly slots = new Map<number, MemPartition>();
  private count = 0;
  private ordered: MemPartition[] = [];
  private unordered: MemPartition[] = [];
  /** Slabs are SharedArrayBuffers so a flush in a worker thread reads the bytes in place. */
  private readonly slabs: Buffer[] = [sharedSlab(SLAB_BYTES)];
  private currentSlab = 0;
  private slabUsed = 0;
  private readonly stats: StatsCollector;
  /** Approximate memory held, for the flush threshold. */
  sizeBytes = 0;
  rowCount = 0;

  constructor(private readonly compare: ClusteringComparator) {
    this.stats = new StatsCollector(compare);
  }

  get partitionCount(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Bytes of slab memory allocated (serialized partitions live there). */
  get slabBytes(): number {
    return this.slabs.reduce((sum, slab) => sum + slab.length, 0);
  }

  /** Smallest write timestamp held (compaction's tombstone purging needs it). */
  get minTimestamp(): number {
    return this.stats.minimumTimestamp;
  }

  /** Statistics of everything written, for the SSTable a flush makes. */
  collectedStats(): CollectedStats {
    return this.stats.result();
  }

  /**
   * Adds a write. `encoded` is `update` serialized (partition-codec), when the caller has it
   * already; it is copied if kept.
   */
  apply(update: Partition, encoded: Uint8Array = encodePartitionView(update)): void {
    this.stats.add(update);
    const p = this.find(update.key);
    if (p === null) {
      this.insertSerialized(update.key, update.rows.length, encoded);
      return;
    }
    if (
      p.merged === null &&
      this.replaceIfSuperseded(p, encoded, summarizePartition(encoded, 'memtable write'))
    )
      return;
    this.mergeInto(p.merged ?? this.toObjectForm(p), update);
  }

  /**
   * Adds a write given only as bytes, checked and summarized by `summarizePartition`: a new key is
   * kept in its serialized form without decoding it; a key already held is decoded and merges as in
   * `apply`. `encoded` is copied if kept.
   */
  applyEncoded(encoded: Uint8Array, summary: PartitionSummary): void {
    this.stats.addSummary(summary);
    const p = this.find(summary.key);
    if (p === null) {
      this.insertSerialized(summary.key, summary.rowCount, encoded);
      return;
    }
    if (p.merged === null && this.replaceIfSuperseded(p, encoded, summary)) return;
    this.mergeInto(p.merged ?? this.toObjectForm(p), decodePartition(encoded, 'memtable write'));
  }

  /**
   * A partition still in serialized form, written again by a newer version that supersedes it whole
   * (`supersedes`: one plain row, same clustering, newer timestamps on every column it had — an
   * upsert of the same row): the merge would give the newer version exactly, so its bytes replace
   * the old ones without decoding either. The old bytes stay in their slab until the flush.
   */
  private replaceIfSuperseded(p: MemPartition, encoded: Uint8Array, update: PartitionSummary): boolean {
    if (!update.singlePlainRow) return false;
    if (!supersedes(update, summarizePartition(p.serialized()!, 'memtable'))) return false;
    const { slab, slabIndex, offset } = this.place(encoded);
    p.slab = slab;
    p.slabIndex = slabIndex;
    p.offset = offset;
    p.length = encoded.length;
    this.sizeBytes += encoded.length; // the superseded bytes still take their slab space
    return true;
  }

  private insertSerialized(key: DecoratedKey, rowCount: number, encoded: Uint8Array): void {
    splitToken(key.token);
    const high = tokenHalves[1]!;
    const low = tokenHalves[0]!;
    const slot = (high ^ low) & 0x3fffffff;
    const { slab, slabIndex, offset } = this.place(encoded);
    const p = new MemPartition(high, low, slab, slabIndex, offset, encoded.length);
    p.next = this.slots.get(slot) ?? null;
    this.slots.set(slot, p);
    this.unordered.push(p);
    this.count++;
    this.rowCount += rowCount;
    this.sizeBytes += PARTITION_OVERHEAD_BYTES + encoded.length;
  }

  /** Copies serialized bytes into the current slab, or a dedicated one when large. */
  private place(encoded: Uint8Array): { slab: Buffer; slabIndex: number; offset: number } {
    const length = encoded.length;
    let slabIndex: number;
    let offset: number;
    if (length > SLAB_BYTES / 4) {
      this.slabs.push(sharedSlab(length));
      slabIndex = this.slabs.length - 1;
      offset = 0;
    } else {
      if (this.slabUsed + length > SLAB_BYTES) {
        this.slabs.push(sharedSlab(SLAB_BYTES));
        this.currentSlab = this.slabs.length - 1;
        this.slabUsed = 0;
      }
      slabIndex = this.currentSlab;
      offset = this.slabUsed;
      this.slabUsed += length;
    }
    const slab = this.slabs[slabIndex]!;
    // Buffer#copy is a plain memcpy; TypedArray#set into shared memory takes a slower path.
    Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).copy(slab, offset);
    return { slab, slabIndex, offset };
  }

  /**
   * Freezes the memtable for a flush: partitions in object form are serialized into slabs, and
   * every partition's location is listed. The memtable keeps serving reads from the same bytes.
   */
  freezeForFlush(): { slabs: SharedArrayBuffer[]; entries: Float64Array } {
    const entries = new Float64Array(this.count * 3);
    let i = 0;
    for (const list of [this.ordered, this.unordered]) {
      for (const p of list) {
        if (p.slab === null) {
          const bytes = encodePartition(snapshot(p));
          const placed = this.place(bytes);
          p.slab = placed.slab;
          p.slabIndex = placed.slabIndex;
          p.offset = placed.offset;
          p.length = bytes.length;
          p.merged = null;
        }
        entries[i++] = p.slabIndex;
        entries[i++] = p.offset;
        entries[i++] = p.length;
      }
    }
    assert(i === entries.length, 'memtable partition count is off');
    return { slabs: this.slabs.map((s) => s.buffer as SharedArrayBuffer), entries };
  }

  /** A partition written a second time moves to object form, which merges in place. */
  private toObjectForm(p: MemPartition): MergedPartition {
    const decoded = decodePartition(p.serialized()!, 'memtable');
    const merged: MergedPartition = {
      key: decoded.key,
      deletion: decoded.deletion,
      staticRow: decoded.staticRow,
      rangeTombstones: decoded.rangeTombstones.length > 0 ? decoded.rangeTombstones.slice() : null,
      rows: decoded.rows.slice(),
    };
    p.merged = merged;
    p.slab = null;
    for (const row of merged.rows) this.sizeBytes += rowSize(row);
    return merged;
  }

  private mergeInto(p: MergedPartition, update: Partition): void {
    if (update.deletion) p.deletion = laterDeletion(p.deletion, update.deletion);
    if (update.staticRow) {
      const shadow = p.deletion === null ? null : this.shadowOf(p, false);
      p.staticRow = p.staticRow ? mergeRows(p.staticRow, update.staticRow, shadow) : update.staticRow;
      this.sizeBytes += rowSize(update.staticRow);
    }
    if (update.rangeTombstones.length > 0) {
      p.rangeTombstones = (p.rangeTombstones ?? []).concat(update.rangeTombstones);
      this.sizeBytes += 96 * update.rangeTombstones.length;
    }
    for (const row of update.rows) this.insertRow(p, row);
  }

  /** What deletes a row of `p` from above, for merging counter cells (see reconcile.ts). */
  private shadowOf(p: MergedPartition, withRangeTombstones: boolean): RowShadow | null {
    const rangeTombstones = (withRangeTombstones ? p.rangeTombstones : null) ?? NO_RANGE_TOMBSTONES;
    if (p.deletion === null && rangeTombstones.length === 0) return null;
    return { partitionDeletion: p.deletion, rangeTombstones, compare: this.compare };
  }

  private insertRow(p: MergedPartition, row: Row): void {
    const rows = p.rows;
    this.sizeBytes += rowSize(row);
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
      rows[lo] = mergeRows(existing, row, this.shadowOf(p, true));
    } else {
      rows.splice(lo, 0, row);
      this.rowCount++;
    }
  }

  private find(key: DecoratedKey): MemPartition | null {
    splitToken(key.token);
    const high = tokenHalves[1]!;
    const low = tokenHalves[0]!;
    let p = this.slots.get((high ^ low) & 0x3fffffff) ?? null;
    while (p !== null && !(p.tokenLowFlipped === low && p.tokenHigh === high && p.hasKey(key.key)))
      p = p.next;
    return p;
  }

  /** A snapshot of one partition (later writes do not change it), or null. */
  get(key: DecoratedKey): Partition | null {
    const p = this.find(key);
    return p === null ? null : snapshot(p);
  }

  /** Partitions in (token, key) order, from the first key at or after `from` (exclusive if asked). */
  *scan(from?: { key: DecoratedKey; inclusive: boolean }): Generator<Partition> {
    const ordered = this.inOrder();
    for (let i = from ? this.lowerBound(ordered, from) : 0; i < ordered.length; i++)
      yield snapshot(ordered[i]!);
  }

  private lowerBound(ordered: MemPartition[], from: { key: DecoratedKey; inclusive: boolean }): number {
    splitToken(from.key.token);
    const high = tokenHalves[1]!;
    const low = tokenHalves[0]!;
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = ordered[mid]!;
      let c = p.tokenHigh !== high ? p.tokenHigh - high : p.tokenLowFlipped - low;
      if (c === 0) c = Buffer.compare(p.decoratedKey().key, from.key.key);
      if (c < 0 || (c === 0 && !from.inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
    const old = this.ordered;
    const merged: MemPartition[] = new Array(old.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
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
  const merged = p.merged;
  if (merged === null) return decodePartition(p.serialized()!, 'memtable');
  return {
    key: merged.key,
    deletion: merged.deletion,
    staticRow: merged.staticRow,
    rangeTombstones: merged.rangeTombstones ? merged.rangeTombstones.slice() : [],
    rows: merged.rows.slice(),
  };
}
