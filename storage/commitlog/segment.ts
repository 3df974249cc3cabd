import { join } from 'node:path';
import { assert } from '../../common/errors.js';
import { SEGMENT_HEADER_BYTES, segmentFileName } from './format.js';

/**
 * What the commit log knows about one segment file: where it is, how far it is filled and, per
 * table, the position after that table's last record in it (its "dirty" mark, Cassandra's
 * tableDirty). A segment may be deleted once it has no dirty tables and the writer is done with it.
 */
export class Segment {
  /** Offset after the last record encoded for this segment (written or not yet). */
  nextOffset = SEGMENT_HEADER_BYTES;
  /** The file exists (created by the writer, or found at open). */
  onDisk: boolean;
  /** The writer will never touch this file again (closed after rollover, or found at open). */
  writerDone: boolean;
  /** `dirty` lists every table with unflushed records; false for a found segment until replayed. */
  tracked: boolean;
  deleted = false;
  /** The segment header has been encoded in front of the first record (new segments only). */
  headerQueued = false;
  private readonly dirty = new Map<string, number>();

  constructor(
    readonly id: number,
    readonly path: string,
    origin: 'new' | 'found',
  ) {
    this.onDisk = origin === 'found';
    this.writerDone = origin === 'found';
    this.tracked = origin === 'new';
  }

  static create(dir: string, id: number, origin: 'new' | 'found'): Segment {
    return new Segment(id, join(dir, segmentFileName(id)), origin);
  }

  /** Records that `tableId` has a record ending at `endOffset` in this segment. */
  markDirty(tableId: string, endOffset: number): void {
    const previous = this.dirty.get(tableId);
    if (previous === undefined || previous < endOffset) this.dirty.set(tableId, endOffset);
  }

  /** Forgets `tableId` if it has been flushed up to `offset` of this segment (or beyond it). */
  markClean(tableId: string, offset: number): void {
    const last = this.dirty.get(tableId);
    if (last !== undefined && last <= offset) this.dirty.delete(tableId);
  }

  markAllClean(tableId: string): void {
    this.dirty.delete(tableId);
  }

  isClean(): boolean {
    return this.tracked && this.dirty.size === 0;
  }

  dirtyTables(): string[] {
    return [...this.dirty.keys()];
  }

  /** Deletable: no unflushed table, not active (the caller checks), and the writer has let go of it. */
  canBeDeleted(): boolean {
    assert(!this.deleted || !this.onDisk, 'a deleted segment is still marked on disk');
    return !this.deleted && this.writerDone && this.isClean();
  }
}
