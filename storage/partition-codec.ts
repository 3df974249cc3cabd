/**
 * The binary form of one partition, shared by commit log records and SSTable data
 * (docs/formats/partition.md is its grammar). Decoding returns views into the source bytes
 * (no copies), so a caller that keeps decoded values keeps the source alive.
 */
import { assert, CorruptionError } from '../common/errors.js';
import { isValidCounterValue } from './counters.js';
import type {
  Cell,
  Clustering,
  ClusteringBound,
  ColumnDeletion,
  DecoratedKey,
  DeletionTime,
  LivenessInfo,
  Partition,
  RangeTombstone,
  Row,
} from './model.js';
import { compareBytes, NO_DELETION_TIME } from './model.js';

/**
 * Format version of the partition encoding; bump on any change (never reuse a number).
 * 2: counter cells (cflags 0x08 delta, 0x10 shards). Version 1 partitions (no counter cells) are
 * still read: a version 1 partition is a version 2 partition without those flags.
 */
export const PARTITION_FORMAT_VERSION = 2;
const OLDEST_READABLE_VERSION = 1;

// Flag bits (persisted: never renumber).
const PARTITION_HAS_DELETION = 0x01;
const PARTITION_HAS_STATIC = 0x02;
const ROW_HAS_LIVENESS = 0x01;
const ROW_HAS_DELETION = 0x02;
const ROW_HAS_COLUMN_DELETIONS = 0x04;
const CELL_HAS_VALUE = 0x01;
const CELL_HAS_PATH = 0x02;
const CELL_HAS_TTL = 0x04;
const CELL_COUNTER_DELTA = 0x08;
const CELL_COUNTER_SHARDS = 0x10;
const CELL_COUNTER = CELL_COUNTER_DELTA | CELL_COUNTER_SHARDS;
const BOUND_INCLUSIVE = 0x01;

const TWO_32 = 4294967296;

/** A growable write buffer reused across encodes. */
class Writer {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  /** A safe integer as a signed 64-bit big-endian value. */
  i64(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
  }
  varint(v: number): void {
    assert(v >= 0 && v <= 0xffffffff, 'varint out of range');
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }
  string(s: string): void {
    const length = Buffer.byteLength(s, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const writer = new Writer();

/** Counter delta cells in the last encoding (see `lastEncodingHadCounterDeltas`). */
let encodedCounterDeltas = 0;

/**
 * Whether the partition encoded last carried counter delta cells: deltas cross the network to a
 * counter leader but are never stored, so the write path refuses them (found while encoding, at
 * no extra cost).
 */
export function lastEncodingHadCounterDeltas(): boolean {
  return encodedCounterDeltas > 0;
}

/** The partition's bytes in a copy the caller owns. */
export function encodePartition(partition: Partition): Uint8Array {
  const view = encodePartitionView(partition);
  const out = Buffer.allocUnsafe(view.length);
  out.set(view);
  return out;
}

/**
 * The partition's bytes in a shared buffer, valid only until the next encode: for callers that copy
 * them at once (commit log append, memtable), so the write path allocates nothing per write.
 */
export function encodePartitionView(partition: Partition): Uint8Array {
  const w = writer;
  w.pos = 0;
  encodedCounterDeltas = 0;
  const columns = columnTable(partition);
  w.u8(PARTITION_FORMAT_VERSION);
  writeToken(w, partition.key.token);
  w.bytes(partition.key.key);
  w.varint(columns.length);
  for (const name of columns) w.string(name);
  let flags = 0;
  if (partition.deletion) flags |= PARTITION_HAS_DELETION;
  if (partition.staticRow) flags |= PARTITION_HAS_STATIC;
  w.u8(flags);
  if (partition.deletion) writeDeletion(w, partition.deletion);
  if (partition.staticRow) writeRow(w, partition.staticRow, columns);
  w.varint(partition.rangeTombstones.length);
  for (const rt of partition.rangeTombstones) {
    writeBound(w, rt.start);
    writeBound(w, rt.end);
    writeDeletion(w, rt.deletion);
  }
  w.varint(partition.rows.length);
  for (const row of partition.rows) writeRow(w, row, columns);
  return w.buf.subarray(0, w.pos);
}

function writeToken(w: Writer, token: bigint): void {
  w.ensure(8);
  w.buf.writeBigInt64BE(token, w.pos);
  w.pos += 8;
}

/**
 * This partition's column names, in first-seen order; cells refer to them by index. Reused across
 * encodes (no allocation); a linear search, since a partition names few columns.
 */
const columnNames: string[] = [];

function columnTable(partition: Partition): string[] {
  columnNames.length = 0;
  if (partition.staticRow) addColumns(partition.staticRow);
  for (const row of partition.rows) addColumns(row);
  return columnNames;
}

function addColumns(row: Row): void {
  for (const cell of row.cells) if (!columnNames.includes(cell.column)) columnNames.push(cell.column);
  for (const cd of row.columnDeletions) if (!columnNames.includes(cd.column)) columnNames.push(cd.column);
}

function writeDeletion(w: Writer, d: DeletionTime): void {
  w.i64(d.markedForDeleteAt);
  w.u32(d.localDeletionTime);
}

function writeClustering(w: Writer, c: Clustering): void {
  w.varint(c.length);
  for (const v of c) w.bytes(v);
}

function writeBound(w: Writer, b: ClusteringBound): void {
  w.u8(b.inclusive ? BOUND_INCLUSIVE : 0);
  writeClustering(w, b.prefix);
}

function writeRow(w: Writer, row: Row, columns: string[]): void {
  let flags = 0;
  if (row.liveness) flags |= ROW_HAS_LIVENESS;
  if (row.deletion) flags |= ROW_HAS_DELETION;
  if (row.columnDeletions.length > 0) flags |= ROW_HAS_COLUMN_DELETIONS;
  w.u8(flags);
  writeClustering(w, row.clustering);
  if (row.liveness) {
    w.i64(row.liveness.timestamp);
    w.u32(row.liveness.ttl);
    w.u32(row.liveness.localExpirationTime);
  }
  if (row.deletion) writeDeletion(w, row.deletion);
  if (row.columnDeletions.length > 0) {
    w.varint(row.columnDeletions.length);
    for (const cd of row.columnDeletions) {
      w.varint(columns.indexOf(cd.column));
      writeDeletion(w, cd.deletion);
    }
  }
  w.varint(row.cells.length);
  for (const cell of row.cells) writeCell(w, cell, columns);
}

function writeCell(w: Writer, cell: Cell, columns: string[]): void {
  let flags = 0;
  if (cell.value !== null) flags |= CELL_HAS_VALUE;
  if (cell.path !== null) flags |= CELL_HAS_PATH;
  if (cell.ttl > 0) flags |= CELL_HAS_TTL;
  if (cell.counter !== undefined) flags |= counterFlag(cell);
  w.u8(flags);
  w.varint(columns.indexOf(cell.column));
  w.i64(cell.timestamp);
  if (cell.ttl > 0) w.u32(cell.ttl);
  // Tombstones and expiring cells carry their local deletion (expiry) time.
  if (cell.ttl > 0 || cell.value === null) w.u32(cell.localDeletionTime);
  if (cell.path !== null) w.bytes(cell.path);
  if (cell.value !== null) w.bytes(cell.value);
}

/** The counter flag of a counter cell, which is live, without TTL or path (a Cell invariant). */
function counterFlag(cell: Cell): number {
  assert(
    cell.value !== null && cell.ttl === 0 && cell.path === null,
    'a counter cell is live, without TTL or path',
  );
  if (cell.counter === 'shards') return CELL_COUNTER_SHARDS;
  encodedCounterDeltas++;
  return CELL_COUNTER_DELTA;
}

/** Reads a partition; `source` names the file for corruption errors, `baseOffset` its position. */
export function decodePartition(bytes: Uint8Array, source = 'partition', baseOffset = 0): Partition {
  const r = new Reader(bytes, source, baseOffset);
  try {
    return readPartition(r);
  } catch (error) {
    if (error instanceof CorruptionError) throw error;
    throw new CorruptionError(source, baseOffset + r.pos, `undecodable partition (${String(error)})`);
  }
}

/**
 * Where the key bytes of a serialized partition starting at `offset` are (after the version byte,
 * the token and the key's varint length), without decoding anything else.
 */
export function serializedKeySpan(bytes: Uint8Array, offset: number): { start: number; length: number } {
  let pos = offset + 9;
  let length = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { start: pos, length };
    shift += 7;
  }
}

/** Reads only the key of an encoded partition. */
export function decodePartitionKey(bytes: Uint8Array): DecoratedKey {
  const r = new Reader(bytes, 'partition', 0);
  r.version();
  const token = r.token();
  return { token, key: r.bytes() };
}

function readPartition(r: Reader): Partition {
  r.version();
  const token = r.token();
  const key = r.bytes();
  const columnCount = r.varint();
  const columns: string[] = [];
  for (let i = 0; i < columnCount; i++) {
    const start = r.span();
    columns.push(r.text(start, r.pos));
  }
  const flags = r.u8();
  const deletion = flags & PARTITION_HAS_DELETION ? r.deletion() : null;
  const staticRow = flags & PARTITION_HAS_STATIC ? readRow(r, columns) : null;
  const rtCount = r.varint();
  const rangeTombstones: RangeTombstone[] = [];
  for (let i = 0; i < rtCount; i++) {
    const start = r.bound();
    const end = r.bound();
    rangeTombstones.push({ start, end, deletion: r.deletion() });
  }
  const rowCount = r.varint();
  const rows: Row[] = [];
  for (let i = 0; i < rowCount; i++) rows.push(readRow(r, columns));
  r.expectEnd();
  return { key: { token, key }, deletion, staticRow, rangeTombstones, rows };
}

function readRow(r: Reader, columns: string[]): Row {
  const flags = r.u8();
  const clustering = r.clustering();
  let liveness: LivenessInfo | null = null;
  if (flags & ROW_HAS_LIVENESS) {
    liveness = { timestamp: r.i64(), ttl: r.u32(), localExpirationTime: r.u32() };
  }
  const deletion = flags & ROW_HAS_DELETION ? r.deletion() : null;
  const columnDeletions: ColumnDeletion[] = [];
  if (flags & ROW_HAS_COLUMN_DELETIONS) {
    const n = r.varint();
    for (let i = 0; i < n; i++) columnDeletions.push({ column: r.column(columns), deletion: r.deletion() });
  }
  const cellCount = r.varint();
  const cells: Cell[] = new Array(cellCount);
  for (let i = 0; i < cellCount; i++) cells[i] = readCell(r, columns);
  return { clustering, liveness, deletion, columnDeletions, cells };
}

function readCell(r: Reader, columns: string[]): Cell {
  const flags = r.u8();
  const column = r.column(columns);
  const timestamp = r.i64();
  const ttl = flags & CELL_HAS_TTL ? r.u32() : 0;
  const hasValue = (flags & CELL_HAS_VALUE) !== 0;
  const localDeletionTime = ttl > 0 || !hasValue ? r.u32() : NO_DELETION_TIME;
  const path = flags & CELL_HAS_PATH ? r.bytes() : null;
  const value = hasValue ? r.bytes() : null;
  if ((flags & CELL_COUNTER) === 0) return { column, path, value, timestamp, ttl, localDeletionTime };
  return readCounterCell(r, flags, column, value, timestamp, path !== null || ttl > 0);
}

function readCounterCell(
  r: Reader,
  flags: number,
  column: string,
  value: Uint8Array | null,
  timestamp: number,
  hasPathOrTtl: boolean,
): Cell {
  const counter = flags & CELL_COUNTER_SHARDS ? 'shards' : 'delta';
  const valid =
    (flags & CELL_COUNTER) !== CELL_COUNTER &&
    !hasPathOrTtl &&
    value !== null &&
    isValidCounterValue(counter, value);
  if (!valid) r.corrupt(`invalid counter cell in column ${column}`);
  return { column, path: null, value, timestamp, ttl: 0, localDeletionTime: NO_DELETION_TIME, counter };
}

/**
 * What the write path needs to know of an encoded partition, found by `summarizePartition` without
 * building the partition: its key, what the memtable counts, whether it may be stored, and what
 * `StatsCollector.addSummary` needs (exactly what `StatsCollector.add` takes from the decoded
 * partition). Timestamps and the deletion time keep the collector's starting values when the
 * partition has none (MAX/MIN_SAFE_INTEGER, NO_DELETION_TIME).
 */
export interface PartitionSummary {
  /** Token and key; the key is a view into the summarized bytes. */
  readonly key: DecoratedKey;
  /** Rows, the static row not counted (as `Memtable.rowCount` counts them). */
  readonly rowCount: number;
  /** Whether a cell is a counter delta (what `hasCounterDeltas` answers of the decoded partition). */
  readonly hasCounterDeltas: boolean;
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  readonly minLocalDeletionTime: number;
  /** Partition, range, row and column deletions, and cell tombstones. */
  readonly tombstoneCount: number;
  /** Names of the columns a cell or a column deletion uses (those of the column table only). */
  readonly columns: readonly string[];
  /** Clusterings of the first and the last row (views into the bytes); null without rows. */
  readonly firstClustering: Clustering | null;
  readonly lastClustering: Clustering | null;
  /**
   * One row and nothing else: no partition deletion, static row or range tombstone; a row without
   * a row deletion or column deletions whose cells have no paths (no collection elements) and are
   * not counters. Such a partition is superseded whole by a newer one of the same shape
   * (`supersedes`).
   */
  readonly singlePlainRow: boolean;
  /** Whether the first row has a row marker (liveness info). */
  readonly firstRowHasLiveness: boolean;
}

/**
 * Whether merging `newer` into `older` (two summaries of partitions of one key) gives `newer`
 * exactly: both are single plain rows of the same clustering, every timestamp of `newer` is above
 * every one of `older`, `newer` has a row marker if `older` has one, and `newer` has a cell in every
 * column `older` has. Reconciling then keeps `newer`'s liveness and cells and nothing of `older`.
 */
export function supersedes(newer: PartitionSummary, older: PartitionSummary): boolean {
  if (!newer.singlePlainRow || !older.singlePlainRow) return false;
  if (newer.minTimestamp <= older.maxTimestamp) return false;
  if (older.firstRowHasLiveness && !newer.firstRowHasLiveness) return false;
  const a = newer.firstClustering!;
  const b = older.firstClustering!;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (compareBytes(a[i]!, b[i]!) !== 0) return false;
  const columns = newer.columns;
  for (const column of older.columns) if (!columns.includes(column)) return false;
  return true;
}

/**
 * Checks an encoded partition as `decodePartition` does (the same `CorruptionError`s, messages and
 * offsets) and summarizes it, allocating no per-row or per-cell objects: a replica stores the bytes
 * it received as they are, so it needs the check and a few numbers, not the partition.
 */
export function summarizePartition(
  bytes: Uint8Array,
  source = 'partition',
  baseOffset = 0,
): PartitionSummary {
  const r = new Reader(bytes, source, baseOffset);
  try {
    return walkPartition(r);
  } catch (error) {
    if (error instanceof CorruptionError) throw error;
    throw new CorruptionError(source, baseOffset + r.pos, `undecodable partition (${String(error)})`);
  }
}

/**
 * The walk's running totals, reused across calls (a walk is synchronous). Column table entries are
 * kept as positions in the bytes, decoded to names only when a cell or column deletion uses them.
 */
const walk = {
  minTimestamp: Number.MAX_SAFE_INTEGER,
  maxTimestamp: Number.MIN_SAFE_INTEGER,
  minLocalDeletionTime: NO_DELETION_TIME,
  tombstoneCount: 0,
  hasCounterDeltas: false,
  /** Something that keeps a partition from being a single plain row (see PartitionSummary). */
  notPlain: false,
  firstRowHasLiveness: false,
  /** Where each column table name is: start and end of name i at [2i] and [2i + 1]. */
  columnSpans: new Float64Array(64),
  columnUsed: new Uint8Array(32),
  /** The names returned last, returned again while partitions use the same columns (they do). */
  lastColumns: [] as readonly string[],
};

/** The clustering of rows without clustering columns, shared (nothing may change a Clustering). */
const NO_CLUSTERING: Clustering = Object.freeze([]);

function walkTimestamp(ts: number): void {
  if (ts < walk.minTimestamp) walk.minTimestamp = ts;
  if (ts > walk.maxTimestamp) walk.maxTimestamp = ts;
}

function walkDeletionTime(localDeletionTime: number): void {
  if (localDeletionTime < walk.minLocalDeletionTime) walk.minLocalDeletionTime = localDeletionTime;
}

/** A deletion (partition, range, row or column): a tombstone with its timestamp and time. */
function walkDeletion(r: Reader): void {
  walk.tombstoneCount++;
  walkTimestamp(r.i64());
  walkDeletionTime(r.u32());
}

function walkPartition(r: Reader): PartitionSummary {
  r.version();
  const token = r.token();
  const key = r.bytes();
  const columnCount = r.varint();
  for (let i = 0; i < columnCount; i++) {
    const start = r.span();
    if (walk.columnSpans.length < 2 * i + 2) {
      const grown = new Float64Array(walk.columnSpans.length * 2);
      grown.set(walk.columnSpans);
      walk.columnSpans = grown;
    }
    walk.columnSpans[2 * i] = start;
    walk.columnSpans[2 * i + 1] = r.pos;
  }
  walk.minTimestamp = Number.MAX_SAFE_INTEGER;
  walk.maxTimestamp = Number.MIN_SAFE_INTEGER;
  walk.minLocalDeletionTime = NO_DELETION_TIME;
  walk.tombstoneCount = 0;
  walk.hasCounterDeltas = false;
  walk.notPlain = false;
  walk.firstRowHasLiveness = false;
  if (walk.columnUsed.length < columnCount) walk.columnUsed = new Uint8Array(columnCount);
  walk.columnUsed.fill(0, 0, columnCount);
  const flags = r.u8();
  if (flags !== 0) walk.notPlain = true;
  if (flags & PARTITION_HAS_DELETION) walkDeletion(r);
  if (flags & PARTITION_HAS_STATIC) walkRow(r, columnCount, false);
  const rtCount = r.varint();
  if (rtCount !== 0) walk.notPlain = true;
  for (let i = 0; i < rtCount; i++) {
    r.skipBound();
    r.skipBound();
    walkDeletion(r);
  }
  const rowCount = r.varint();
  let firstClustering: Clustering | null = null;
  let lastClustering: Clustering | null = null;
  for (let i = 0; i < rowCount; i++) {
    const last = i === rowCount - 1;
    if (i === 0) walk.firstRowHasLiveness = ((r.peekU8() ?? 0) & ROW_HAS_LIVENESS) !== 0;
    const clustering = walkRow(r, columnCount, i === 0 || last);
    if (i === 0) firstClustering = clustering;
    if (last) lastClustering = clustering;
  }
  r.expectEnd();
  return {
    key: { token, key },
    rowCount,
    hasCounterDeltas: walk.hasCounterDeltas,
    minTimestamp: walk.minTimestamp,
    maxTimestamp: walk.maxTimestamp,
    minLocalDeletionTime: walk.minLocalDeletionTime,
    tombstoneCount: walk.tombstoneCount,
    columns: usedColumns(r, columnCount),
    firstClustering,
    lastClustering,
    singlePlainRow: rowCount === 1 && !walk.notPlain,
    firstRowHasLiveness: walk.firstRowHasLiveness,
  };
}

function usedColumns(r: Reader, columnCount: number): readonly string[] {
  const last = walk.lastColumns;
  let count = 0;
  let same = true;
  for (let i = 0; i < columnCount; i++) {
    if (walk.columnUsed[i] === 0) continue;
    if (same && last[count] !== columnNameAt(r, i)) same = false;
    count++;
  }
  if (same && count === last.length) return last;
  const names: string[] = new Array(count);
  count = 0;
  for (let i = 0; i < columnCount; i++) if (walk.columnUsed[i] === 1) names[count++] = columnNameAt(r, i);
  // Two names in the table can decode to one string (invalid UTF-8 both becomes U+FFFD): name it once.
  const distinct = new Set(names).size === names.length ? names : [...new Set(names)];
  walk.lastColumns = distinct;
  return distinct;
}

function columnNameAt(r: Reader, index: number): string {
  return r.text(walk.columnSpans[2 * index]!, walk.columnSpans[2 * index + 1]!);
}

/** A clustering, read and checked as `Reader.clustering` does; the empty one is shared. */
function walkClustering(r: Reader): Clustering {
  const n = r.varint();
  if (n === 0) return NO_CLUSTERING;
  const out: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = r.bytes();
  return out;
}

/** One row, as `readRow` reads it; returns its clustering when asked to decode it, else null. */
function walkRow(r: Reader, columnCount: number, decodeClustering: boolean): Clustering | null {
  const flags = r.u8();
  let clustering: Clustering | null = null;
  if (decodeClustering) clustering = walkClustering(r);
  else r.skipClustering();
  if (flags & ROW_HAS_LIVENESS) {
    walkTimestamp(r.i64());
    const ttl = r.u32();
    const localExpirationTime = r.u32();
    if (ttl > 0) walkDeletionTime(localExpirationTime);
  }
  if (flags & (ROW_HAS_DELETION | ROW_HAS_COLUMN_DELETIONS)) walk.notPlain = true;
  if (flags & ROW_HAS_DELETION) walkDeletion(r);
  if (flags & ROW_HAS_COLUMN_DELETIONS) {
    const n = r.varint();
    for (let i = 0; i < n; i++) {
      walk.columnUsed[r.columnIndex(columnCount)] = 1;
      walkDeletion(r);
    }
  }
  const cellCount = r.varint();
  for (let i = 0; i < cellCount; i++) walkCell(r, columnCount);
  return clustering;
}

/** One cell, as `readCell` (and `readCounterCell`) read and check it. */
function walkCell(r: Reader, columnCount: number): void {
  const flags = r.u8();
  const column = r.columnIndex(columnCount);
  const timestamp = r.i64();
  const ttl = flags & CELL_HAS_TTL ? r.u32() : 0;
  const hasValue = (flags & CELL_HAS_VALUE) !== 0;
  const localDeletionTime = ttl > 0 || !hasValue ? r.u32() : NO_DELETION_TIME;
  const hasPath = (flags & CELL_HAS_PATH) !== 0;
  if (hasPath || (flags & CELL_COUNTER) !== 0) walk.notPlain = true;
  if (hasPath) r.span();
  const valueStart = hasValue ? r.span() : -1;
  if ((flags & CELL_COUNTER) !== 0) {
    const counter = flags & CELL_COUNTER_SHARDS ? 'shards' : 'delta';
    const valid =
      (flags & CELL_COUNTER) !== CELL_COUNTER &&
      !hasPath &&
      ttl === 0 &&
      hasValue &&
      isValidCounterValue(counter, r.viewFrom(valueStart));
    if (!valid) {
      r.corrupt(`invalid counter cell in column ${columnNameAt(r, column)}`);
    }
    if (counter === 'delta') walk.hasCounterDeltas = true;
  }
  walk.columnUsed[column] = 1;
  walkTimestamp(timestamp);
  if (!hasValue) walk.tombstoneCount++;
  if (localDeletionTime !== NO_DELETION_TIME) walkDeletionTime(localDeletionTime);
}

// ---- column names ----

/**
 * Column names by their UTF-8 bytes: a small direct-mapped cache, so decoding a partition (or
 * summarizing one) turns the names of a table's columns into strings once, not on every write.
 * An entry keeps its own copy of the bytes (the source may be a reused buffer).
 */
const NAME_CACHE_SLOTS = 256;
const MAX_CACHED_NAME_BYTES = 64;
const cachedNameBytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(NAME_CACHE_SLOTS).fill(null);
const cachedNames: string[] = new Array<string>(NAME_CACHE_SLOTS).fill('');

function columnName(buf: Uint8Array, start: number, length: number): string {
  if (length > MAX_CACHED_NAME_BYTES) return utf8(buf, start, length);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  const slot = (hash ^ (hash >>> 16)) & (NAME_CACHE_SLOTS - 1);
  const cached = cachedNameBytes[slot];
  if (cached != null && cached.length === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) same = cached[i] === buf[start + i];
    if (same) return cachedNames[slot]!;
  }
  const name = utf8(buf, start, length);
  const copy = new Uint8Array(length);
  for (let i = 0; i < length; i++) copy[i] = buf[start + i]!;
  cachedNameBytes[slot] = copy;
  cachedNames[slot] = name;
  return name;
}

/** UTF-8 text of `buf[start, start + length)`, decoded in place (no copy of the bytes). */
function utf8(buf: Uint8Array, start: number, length: number): string {
  const view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return view.toString('utf8', start, start + length);
}

/** Eight bytes seen as a signed 64-bit integer in this machine's byte order (for tokens). */
const tokenBytes = new Uint8Array(8);
const tokenValue = new BigInt64Array(tokenBytes.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Reads the encoding; integers by hand from the bytes (no DataView to allocate per partition). */
class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly source: string,
    private readonly baseOffset: number,
  ) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CorruptionError(this.source, this.baseOffset + this.pos, 'partition record truncated');
    }
  }
  version(): void {
    const v = this.u8();
    if (v < OLDEST_READABLE_VERSION || v > PARTITION_FORMAT_VERSION) {
      throw new CorruptionError(this.source, this.baseOffset, `unknown partition format version ${v}`);
    }
  }
  corrupt(message: string): never {
    throw new CorruptionError(this.source, this.baseOffset + this.pos, message);
  }
  /** The next byte without moving (undefined at the end). */
  peekU8(): number | undefined {
    return this.buf[this.pos];
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  /** The signed 32-bit big-endian integer at `p` (unchecked). */
  private int32At(p: number): number {
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
  u32(): number {
    this.need(4);
    const v = this.int32At(this.pos) >>> 0;
    this.pos += 4;
    return v;
  }
  i64(): number {
    this.need(8);
    const hi = this.int32At(this.pos);
    const lo = this.int32At(this.pos + 4) >>> 0;
    this.pos += 8;
    return hi * TWO_32 + lo;
  }
  token(): bigint {
    this.need(8);
    for (let i = 0; i < 8; i++) tokenBytes[LITTLE_ENDIAN ? 7 - i : i] = this.buf[this.pos + i]!;
    this.pos += 8;
    return tokenValue[0]!;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      // A varint holds a value below 2^32 in at most 5 bytes (docs/formats/partition.md).
      if (b < 0x80 && result <= 0xffffffff) return result;
      shift += 7;
      if (shift > 28 || b < 0x80) {
        throw new CorruptionError(this.source, this.baseOffset + this.pos, 'varint too long');
      }
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Steps over a length-prefixed byte string, checked as `bytes` checks it; returns where it starts. */
  span(): number {
    const n = this.varint();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return start;
  }
  /** The column name in `buf[start, end)` (a span's bytes). */
  text(start: number, end: number): string {
    return columnName(this.buf, start, end - start);
  }
  /** The bytes from `start` to the current position, as a view. */
  viewFrom(start: number): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }
  deletion(): DeletionTime {
    return { markedForDeleteAt: this.i64(), localDeletionTime: this.u32() };
  }
  clustering(): Clustering {
    const n = this.varint();
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.bytes();
    return out;
  }
  bound(): ClusteringBound {
    const flags = this.u8();
    return { inclusive: (flags & BOUND_INCLUSIVE) !== 0, prefix: this.clustering() };
  }
  /** Steps over a clustering, checked as `clustering` checks it. */
  skipClustering(): void {
    const n = this.varint();
    for (let i = 0; i < n; i++) this.span();
  }
  skipBound(): void {
    this.u8();
    this.skipClustering();
  }
  column(columns: string[]): string {
    return columns[this.columnIndex(columns.length)]!;
  }
  /** A cell's or column deletion's index into the column table of `count` names. */
  columnIndex(count: number): number {
    const index = this.varint();
    if (index >= count) {
      throw new CorruptionError(
        this.source,
        this.baseOffset + this.pos,
        `column index ${index} out of range`,
      );
    }
    return index;
  }
  expectEnd(): void {
    if (this.pos !== this.buf.length) {
      throw new CorruptionError(this.source, this.baseOffset + this.pos, 'trailing bytes after partition');
    }
  }
}
