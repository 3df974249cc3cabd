import { type Clock, systemClock } from '../../common/clock.js';
import { assert, SibylError } from '../../common/errors.js';
import type { StorageOptions } from '../../common/limits.js';
import { type Logger, logger } from '../../common/logger.js';
import { type CommitLogSync, CommitLogWriter } from './commit-log-writer.js';
import {
  encodeRecord,
  encodeSegmentHeader,
  FORMAT_VERSION,
  MAX_SEGMENT_ID,
  MAX_TABLE_ID_BYTES,
  parseSegmentFileName,
  RECORD_HEADER_BYTES,
  recordSize,
  SEGMENT_HEADER_BYTES,
  TABLE_ID_LENGTH_BYTES,
} from './format.js';
import { listDirectory, makeDirectory, removeFile } from './fs-calls.js';
import { type CommitLogPosition, comparePositions } from './position.js';
import { type ApplyRecord, type ReplayFrom, type ReplayResult, replaySegments } from './replay.js';
import { Segment } from './segment.js';
import { WriteQueue } from './write-queue.js';

export type { CommitLogSync } from './commit-log-writer.js';
export { type CommitLogPosition, comparePositions } from './position.js';

export interface CommitLogOptions {
  segmentSizeBytes: number;
  sync: CommitLogSync;
  syncPeriodMs: number;
  groupWindowMs: number;
  maxRecordSizeBytes: number;
  /** Seeds segment ids (docs/formats/commitlog.md, "Files"); the system clock by default. */
  clock?: Clock;
}

/** The commit log options that the node's storage options imply. */
export function commitLogOptions(storage: StorageOptions): CommitLogOptions {
  return {
    segmentSizeBytes: storage.commitlogSegmentSizeBytes,
    sync: storage.commitlogSync,
    syncPeriodMs: storage.commitlogSyncPeriodMs,
    groupWindowMs: storage.commitlogSyncGroupWindowMs,
    maxRecordSizeBytes: storage.maxMutationSizeBytes,
  };
}

/** Appends between two writes share buffers of this size (a larger record gets its own). */
const WRITE_BUFFER_BYTES = 1024 * 1024;
/** Segments are read whole during replay and record lengths are u32: keep both comfortable. */
const MAX_SEGMENT_SIZE_BYTES = 1024 * 1024 * 1024;
/** Encoded table ids kept for reuse; a node has far fewer tables than this. */
const MAX_CACHED_TABLE_IDS = 4096;

/**
 * The commit log (docs/formats/commitlog.md): appends records to segment files, acknowledges them
 * per sync mode, replays them after a restart and deletes segments once their tables are flushed.
 * This class owns the segments and the encoding; CommitLogWriter does the IO.
 */
export class CommitLog {
  private state: 'open' | 'closing' | 'closed' = 'open';
  private active: Segment;
  private position: CommitLogPosition;
  private readonly tableIds = new Map<string, Buffer>();
  private readonly queue = new WriteQueue(WRITE_BUFFER_BYTES);
  private readonly writer: CommitLogWriter;

  private constructor(
    readonly dir: string,
    private readonly options: CommitLogOptions,
    /** Every segment not deleted, by increasing id; found ones first. */
    private readonly segments: Segment[],
    /** Segments found at open: what replay reads. */
    private readonly found: readonly Segment[],
    firstId: number,
    private readonly log: Logger,
  ) {
    this.active = Segment.create(dir, firstId, 'new');
    this.segments.push(this.active);
    this.position = { segmentId: firstId, offset: this.active.nextOffset };
    this.writer = new CommitLogWriter(this.queue, options, log);
  }

  /** Opens dir (creating it); does not replay. Existing segments are kept for replay. */
  static async open(dir: string, options: CommitLogOptions): Promise<CommitLog> {
    checkOptions(options);
    await makeDirectory(dir, { recursive: true });
    const found = await findSegments(dir);
    const highest = found.at(-1)?.id ?? 0;
    const firstId = Math.max(highest + 1, Math.floor((options.clock ?? systemClock).nowMs()));
    assert(firstId > highest && firstId <= MAX_SEGMENT_ID, `segment id ${firstId} out of range`);
    const log = logger('commitlog');
    log.info({ dir, segments: found.length, firstId }, 'commit log opened');
    return new CommitLog(dir, options, [...found], found, firstId, log);
  }

  /**
   * Replays every segment found at open, in order, calling apply for each record after
   * replayFrom(tableId) (null: all of that table's records); see docs/formats/commitlog.md "Replay".
   */
  async replay(replayFrom: ReplayFrom, apply: ApplyRecord): Promise<ReplayResult> {
    assert(this.state === 'open', 'replay on a closed commit log');
    const segments = this.found.filter((segment) => !segment.deleted);
    const result = await replaySegments(segments, replayFrom, apply, this.log);
    await this.deleteCleanSegments();
    this.log.info({ ...result }, 'commit log replayed');
    return result;
  }

  /** Appends one record; resolves with the position after it once durable per the sync mode. */
  append(tableId: string, payload: Uint8Array): Promise<CommitLogPosition> {
    if (this.state !== 'open') return Promise.reject(this.unavailable());
    if (this.writer.failure !== null) return Promise.reject(this.writer.failure);
    const tableIdBytes = this.encodedTableId(tableId);
    const size = recordSize(tableIdBytes.length, payload.length);
    if (tableIdBytes.length > MAX_TABLE_ID_BYTES || size > this.options.maxRecordSizeBytes) {
      return Promise.reject(this.tooLarge(tableId, tableIdBytes.length, payload.length, size));
    }
    let segment = this.active;
    if (segment.nextOffset + size > this.options.segmentSizeBytes) segment = this.rollOver();
    const start = segment.nextOffset;
    const batch = this.queue.batchFor(
      segment,
      segment.headerQueued ? start : 0,
      segment.headerQueued ? size : SEGMENT_HEADER_BYTES + size,
    );
    if (!segment.headerQueued) {
      batch.length = encodeSegmentHeader(batch.buffer, batch.length, segment.id);
      segment.headerQueued = true;
    }
    batch.length = encodeRecord(batch.buffer, batch.length, tableIdBytes, payload);
    const end = start + size;
    assert(batch.fileOffset + batch.length === end, 'encoded record does not end at its position');
    segment.nextOffset = end;
    segment.markDirty(tableId, end);
    const position: CommitLogPosition = { segmentId: segment.id, offset: end };
    this.position = position;
    this.writer.schedule();
    return batch.waitFor(position);
  }

  /** The position after the last appended record (appended: encoded, not necessarily durable). */
  currentPosition(): CommitLogPosition {
    return this.position;
  }

  /**
   * Table `tableId` has been flushed up to `upTo`. Deletes every segment that is not active and
   * whose tables are all flushed past their records in it.
   */
  async discardCompletedSegments(tableId: string, upTo: CommitLogPosition): Promise<void> {
    assert(comparePositions(upTo, this.position) <= 0, 'flushed position is ahead of the log');
    for (const segment of this.segments) {
      if (segment.id < upTo.segmentId) segment.markAllClean(tableId);
      else if (segment.id === upTo.segmentId) segment.markClean(tableId, upTo.offset);
    }
    await this.deleteCleanSegments();
  }

  /** fsyncs started so far (periodic timer and early ones, segment switches, sync(), close). */
  get fsyncs(): number {
    return this.writer.syncCount;
  }

  /** Forces an fsync of everything appended so far. */
  sync(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.unavailable());
    return this.writer.sync();
  }

  /** Syncs and closes. Appends after close reject. */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    try {
      await this.writer.close();
    } finally {
      this.state = 'closed';
      this.log.info({ dir: this.dir, position: this.position }, 'commit log closed');
    }
  }

  /** For tests and operations: paths of the segment files currently on disk, by increasing id. */
  segmentFiles(): string[] {
    return this.segments.filter((segment) => segment.onDisk && !segment.deleted).map((s) => s.path);
  }

  private rollOver(): Segment {
    const next = Segment.create(this.dir, this.active.id + 1, 'new');
    assert(next.id <= MAX_SEGMENT_ID, 'segment ids exhausted');
    this.segments.push(next);
    this.active = next;
    return next;
  }

  private async deleteCleanSegments(): Promise<void> {
    const doomed = this.segments.filter((segment) => segment !== this.active && segment.canBeDeleted());
    for (const segment of doomed) segment.deleted = true;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      if (this.segments[i]!.deleted) this.segments.splice(i, 1);
    }
    for (const segment of doomed) {
      if (segment.onDisk) await removeFile(segment.path);
      segment.onDisk = false;
      this.log.debug({ file: segment.path }, 'commit log segment deleted');
    }
  }

  private encodedTableId(tableId: string): Buffer {
    let bytes = this.tableIds.get(tableId);
    if (bytes === undefined) {
      if (this.tableIds.size >= MAX_CACHED_TABLE_IDS) this.tableIds.clear();
      bytes = Buffer.from(tableId, 'utf8');
      this.tableIds.set(tableId, bytes);
    }
    return bytes;
  }

  private unavailable(): SibylError {
    return new SibylError('COMMITLOG_CLOSED', `commit log ${this.dir} is closed`);
  }

  private tooLarge(tableId: string, tableIdBytes: number, payloadBytes: number, size: number): SibylError {
    return new SibylError(
      'COMMITLOG_RECORD_TOO_LARGE',
      `commit log record for table ${tableId} is ${size} bytes (payload ${payloadBytes}, table id ` +
        `${tableIdBytes}), over the limit of ${this.options.maxRecordSizeBytes} bytes ` +
        `(table ids at most ${MAX_TABLE_ID_BYTES} bytes)`,
    );
  }
}

function checkOptions(options: CommitLogOptions): void {
  const fail = (message: string): never => {
    throw new SibylError('COMMITLOG_INVALID_OPTIONS', `invalid commit log options: ${message}`);
  };
  const minRecord = RECORD_HEADER_BYTES + TABLE_ID_LENGTH_BYTES;
  if (!Number.isSafeInteger(options.segmentSizeBytes) || options.segmentSizeBytes > MAX_SEGMENT_SIZE_BYTES) {
    fail(`segmentSizeBytes ${options.segmentSizeBytes} must be an integer up to ${MAX_SEGMENT_SIZE_BYTES}`);
  }
  if (!(options.maxRecordSizeBytes >= minRecord)) fail(`maxRecordSizeBytes must be at least ${minRecord}`);
  if (options.maxRecordSizeBytes + SEGMENT_HEADER_BYTES > options.segmentSizeBytes) {
    fail('maxRecordSizeBytes plus the segment header must fit in segmentSizeBytes');
  }
  if (options.sync === 'periodic' && !(options.syncPeriodMs > 0)) fail('syncPeriodMs must be positive');
  if (options.sync === 'group' && !(options.groupWindowMs > 0)) fail('groupWindowMs must be positive');
}

/** The segment files of `dir`, by increasing id; a segment of another format version stops start-up. */
async function findSegments(dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (const name of await listDirectory(dir)) {
    const parsed = parseSegmentFileName(name);
    if (parsed === null) continue;
    if (parsed.version !== FORMAT_VERSION) {
      throw new SibylError(
        'COMMITLOG_UNSUPPORTED_VERSION',
        `commit log segment ${dir}/${name} has format version ${parsed.version}; this build reads ${FORMAT_VERSION}`,
      );
    }
    segments.push(Segment.create(dir, parsed.segmentId, 'found'));
  }
  return segments.sort((a, b) => a.id - b.id);
}
