import { dirname } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { assert } from '../../common/errors.js';
import { storageDefaults } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import { SEGMENT_HEADER_BYTES } from './format.js';
import { fsyncDirectory, readWholeFile, removeFile, truncateDurably } from './fs-calls.js';
import { type CommitLogPosition, comparePositions } from './position.js';
import type { Segment } from './segment.js';
import { SegmentScanner, type TornTail } from './segment-scanner.js';

export type ReplayFrom = (tableId: string) => CommitLogPosition | null;
export type ApplyRecord = (
  tableId: string,
  payload: Uint8Array,
  position: CommitLogPosition,
) => void | Promise<void>;

export interface ReplayResult {
  records: number;
  skipped: number;
  tornTailDropped: boolean;
}

/**
 * Replays `segments` (sorted by id) in order. Each applied record marks its segment dirty for its
 * table, so the segment is kept until that table is flushed past it; a torn tail of the last segment
 * is cut off the file.
 */
export async function replaySegments(
  segments: readonly Segment[],
  replayFrom: ReplayFrom,
  apply: ApplyRecord,
  log: Logger,
): Promise<ReplayResult> {
  const result: ReplayResult = { records: 0, skipped: 0, tornTailDropped: false };
  const flushedUpTo = new Map<string, CommitLogPosition | null>();
  const startFor = (tableId: string): CommitLogPosition | null => {
    let from = flushedUpTo.get(tableId);
    if (from === undefined) flushedUpTo.set(tableId, (from = replayFrom(tableId)));
    return from;
  };
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    assert(i === 0 || segments[i - 1]!.id < segment.id, 'segments replayed out of order');
    const scanner = new SegmentScanner(
      segment.path,
      await readWholeFile(segment.path),
      segment.id,
      i === segments.length - 1,
    );
    await replaySegment(segment, scanner, startFor, apply, result);
    if (scanner.tornTail !== null) {
      await dropTornTail(segment, scanner.tornTail, log);
      result.tornTailDropped = true;
    }
    segment.tracked = true;
  }
  return result;
}

async function replaySegment(
  segment: Segment,
  scanner: SegmentScanner,
  startFor: (tableId: string) => CommitLogPosition | null,
  apply: ApplyRecord,
  result: ReplayResult,
): Promise<void> {
  let sinceYield = 0;
  for (let record = scanner.next(); record !== null; record = scanner.next()) {
    const position: CommitLogPosition = { segmentId: segment.id, offset: record.endOffset };
    const from = startFor(record.tableId);
    if (from !== null && comparePositions(position, from) <= 0) {
      result.skipped++;
      continue;
    }
    // A copy: the payload may be kept (by a memtable) long after the segment's bytes are dropped.
    const pending = apply(record.tableId, new Uint8Array(record.payload), position);
    if (pending !== undefined) await pending;
    segment.markDirty(record.tableId, record.endOffset);
    result.records++;
    // Replay can be long: let timers and IO run between slices of it.
    if (++sinceYield >= storageDefaults.yieldEveryRows) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
}

/** Cuts the torn bytes off the last segment (or deletes it if not even its header survived). */
async function dropTornTail(segment: Segment, torn: TornTail, log: Logger): Promise<void> {
  log.warn(
    { file: segment.path, offset: torn.offset, reason: torn.reason },
    'dropping torn tail of the last commit log segment',
  );
  if (torn.offset < SEGMENT_HEADER_BYTES) {
    await removeFile(segment.path);
    segment.onDisk = false;
    segment.deleted = true;
    await fsyncDirectory(dirname(segment.path));
    return;
  }
  await truncateDurably(segment.path, torn.offset);
}
