import { dirname } from 'node:path';
import { assert, SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { closeFile, fsyncDirectory, fsyncFile, openFile, writeAllAt, writeAllAtSync } from './fs-calls.js';
import type { Segment } from './segment.js';
import type { WriteBatch, WriteQueue } from './write-queue.js';

export type CommitLogSync = 'periodic' | 'batch' | 'group';

export interface WriterOptions {
  readonly sync: CommitLogSync;
  readonly syncPeriodMs: number;
  readonly groupWindowMs: number;
  /** Periodic mode also fsyncs in the background each time this many bytes were written since the last. */
  readonly segmentSizeBytes: number;
}

/**
 * Periodic mode fsyncs early, in the background, once an eighth of a segment is unsynced: the fsync
 * a segment switch must wait for (the previous segment is durable before the next gets a byte) then
 * has little left to write, instead of up to a whole segment (tens of milliseconds of stalled writes).
 */
const EARLY_SYNC_FRACTION = 8;

interface SyncRequest {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The IO side of the commit log: one loop that performs every write, fsync and segment switch, one
 * at a time. Each turn writes everything encoded since the previous turn (one writev per segment),
 * then fsyncs if the sync mode, a timer or a caller asks for it. Appends settle here: after the write
 * in `periodic` mode, after a covering fsync in `batch` and `group` modes. In periodic mode the timer's
 * fsync (and an early one, see EARLY_SYNC_FRACTION) runs in the background while writes go on, as
 * Cassandra's sync thread does: nobody waits for it. The first IO error fails every waiting append
 * and leaves the writer failed for good.
 */
export class CommitLogWriter {
  failure: SibylError | null = null;
  private fd: number | null = null;
  private fileSegment: Segment | null = null;
  private fileOffset = 0;
  private running: Promise<void> | null = null;
  private scheduled = false;
  private closing = false;
  /** Written batches whose appends wait for an fsync (`batch` and `group` modes). */
  private unsynced: WriteBatch[] = [];
  private syncRequests: SyncRequest[] = [];
  private closeRequests: SyncRequest[] = [];
  private bytesSinceSync = 0;
  private timerSyncDue = false;
  /** Periodic mode: the fsync running in the background, if any (awaited before its file closes). */
  private backgroundSync: Promise<void> | null = null;
  /** fsyncs started (every mode), for tests and operators. */
  syncCount = 0;
  private periodicTimer: NodeJS.Timeout | null = null;
  private groupTimer: NodeJS.Timeout | null = null;
  private readonly runBound = (): void => {
    this.scheduled = false;
    this.running = this.run();
  };

  constructor(
    private readonly queue: WriteQueue,
    private readonly options: WriterOptions,
    private readonly log: Logger,
  ) {
    if (options.sync === 'periodic') {
      // unref: a pending periodic fsync must not keep a finished process alive.
      this.periodicTimer = setInterval(() => this.onTimer(), options.syncPeriodMs).unref();
    }
  }

  /** Asks for a loop turn soon; appends of the current event-loop turn coalesce into it. */
  schedule(): void {
    if (this.running !== null || this.scheduled || this.failure !== null) return;
    this.scheduled = true;
    setImmediate(this.runBound);
  }

  /** Resolves after an fsync that started after everything encoded so far was written. */
  sync(): Promise<void> {
    return this.request(this.syncRequests);
  }

  /**
   * Writes and fsyncs everything encoded so far, then closes the file and stops the timers. Rejects
   * if that last write or fsync fails; a log that had failed before only releases its file.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.stopTimers();
    let closeFailure: unknown = null;
    if (this.failure === null) {
      try {
        return await this.request(this.closeRequests);
      } catch (error) {
        closeFailure = error;
      }
    }
    await this.running;
    try {
      await this.closeCurrentFile(false);
    } catch (error) {
      this.log.warn({ err: error }, 'closing a failed commit log segment failed');
    }
    if (closeFailure !== null) throw closeFailure;
  }

  private request(list: SyncRequest[]): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const done = new Promise<void>((resolve, reject) => list.push({ resolve, reject }));
    this.schedule();
    return done;
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.failure !== null) throw this.failure; // a background fsync failed
        const wrote = await this.writeQueued();
        if (this.backgroundSyncIsDue()) this.startBackgroundSync();
        if (this.syncIsDue()) {
          await this.syncNow();
        } else if (!wrote) {
          if (this.closeRequests.length > 0) await this.finishClose();
          break;
        } else if (this.options.sync === 'periodic') {
          // A synchronous write resolves its appends in microtasks whose callers append again at
          // once: looping here would never give the event loop back. One write per turn; the
          // finally block schedules the next.
          break;
        }
      }
    } catch (error) {
      if (error !== this.failure) this.fail(error);
    } finally {
      this.running = null;
      // Appends that arrived during the last await found the loop still running: pick them up.
      if (!this.queue.isEmpty() || this.syncRequests.length > 0 || this.closeRequests.length > 0) {
        this.schedule();
      }
    }
  }

  private syncIsDue(): boolean {
    if (this.syncRequests.length > 0) return true;
    switch (this.options.sync) {
      case 'batch':
        return this.unsynced.length > 0;
      case 'group':
        return this.timerSyncDue && this.unsynced.length > 0;
      case 'periodic':
        return false; // the timer's fsync runs in the background (backgroundSyncIsDue)
    }
  }

  private backgroundSyncIsDue(): boolean {
    if (this.options.sync !== 'periodic' || this.bytesSinceSync === 0) return false;
    return this.timerSyncDue || this.bytesSinceSync >= this.options.segmentSizeBytes / EARLY_SYNC_FRACTION;
  }

  /** Periodic mode: fsyncs what is written so far without holding back the writes that follow. */
  private startBackgroundSync(): void {
    if (this.backgroundSync !== null || this.fd === null) return;
    this.timerSyncDue = false;
    this.bytesSinceSync = 0;
    this.syncCount++;
    this.backgroundSync = fsyncFile(this.fd).then(
      () => {
        this.backgroundSync = null;
      },
      (error: unknown) => {
        this.backgroundSync = null;
        this.fail(error);
      },
    );
  }

  /** Writes every encoded batch: one positional writev per run of batches of the same segment. */
  private async writeQueued(): Promise<boolean> {
    const batches = this.queue.takeAll();
    let next = 0;
    try {
      while (next < batches.length) {
        const segment = batches[next]!.segment;
        let end = next + 1;
        while (end < batches.length && batches[end]!.segment === segment) end++;
        await this.useSegment(segment);
        await this.writeRun(batches.slice(next, end));
        next = end;
      }
    } catch (error) {
      const failure = this.failureFrom(error);
      for (let i = next; i < batches.length; i++) batches[i]!.rejectAll(failure);
      throw failure;
    }
    return batches.length > 0;
  }

  private async writeRun(run: WriteBatch[]): Promise<void> {
    assert(this.fd !== null, 'writing without an open segment file');
    assert(run[0]!.fileOffset === this.fileOffset, 'a write would leave a gap in the segment');
    const buffers = run.map((batch) => batch.bytes());
    const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    // Periodic mode acknowledges once the OS has the bytes (they survive a process crash, as
    // Cassandra's memory-mapped segments do): a synchronous write gets there without a thread-pool
    // round trip. Batch and group modes wait for an fsync anyway, so they write asynchronously.
    if (this.options.sync === 'periodic') writeAllAtSync(this.fd, buffers, this.fileOffset);
    else await writeAllAt(this.fd, buffers, this.fileOffset);
    this.fileOffset += bytes;
    this.bytesSinceSync += bytes;
    for (const batch of run) {
      this.queue.release(batch);
      if (this.options.sync === 'periodic') {
        batch.resolveAll();
      } else {
        this.unsynced.push(batch);
      }
    }
    if (this.options.sync === 'group') this.armGroupTimer();
  }

  /** Moves the writer to `segment`: fsyncs and closes the previous file, creates the new one. */
  private async useSegment(segment: Segment): Promise<void> {
    if (this.fileSegment === segment) return;
    assert(this.fileSegment === null || segment.id > this.fileSegment.id, 'segments switch out of order');
    // The previous segment is durable before the next gets a byte: only the last one can be torn.
    await this.closeCurrentFile(true);
    this.fd = await openFile(segment.path, 'wx');
    this.fileSegment = segment;
    this.fileOffset = 0;
    segment.onDisk = true;
    await fsyncDirectory(dirname(segment.path));
    this.log.debug({ file: segment.path }, 'commit log segment created');
  }

  private async closeCurrentFile(fsync: boolean): Promise<void> {
    const fd = this.fd;
    const segment = this.fileSegment;
    if (fd === null || segment === null) return;
    this.fd = null;
    this.fileSegment = null;
    try {
      // Never close a descriptor a background fsync still uses (it could be reused by another file).
      if (this.backgroundSync !== null) await this.backgroundSync;
      if (this.failure !== null && fsync) throw this.failure;
      if (fsync) {
        this.syncCount++;
        await fsyncFile(fd);
      }
    } finally {
      await closeFile(fd);
      segment.writerDone = true;
    }
  }

  private async syncNow(): Promise<void> {
    const batches = this.unsynced;
    const requests = this.syncRequests;
    this.unsynced = [];
    this.syncRequests = [];
    this.timerSyncDue = false;
    this.bytesSinceSync = 0;
    try {
      if (this.fd !== null) {
        this.syncCount++;
        await fsyncFile(this.fd);
      }
    } catch (error) {
      const failure = this.failureFrom(error);
      for (const batch of batches) batch.rejectAll(failure);
      for (const request of requests) request.reject(failure);
      throw failure;
    }
    for (const batch of batches) batch.resolveAll();
    for (const request of requests) request.resolve();
  }

  /** The last turn: fsyncs what is still unsynced, then closes the file. */
  private async finishClose(): Promise<void> {
    assert(this.queue.isEmpty(), 'closing with unwritten appends');
    await this.syncNow();
    const requests = this.closeRequests;
    this.closeRequests = [];
    try {
      await this.closeCurrentFile(false);
    } catch (error) {
      for (const request of requests) request.reject(this.failureFrom(error));
      throw error;
    }
    for (const request of requests) request.resolve();
  }

  private onTimer(): void {
    if (this.options.sync === 'periodic' && this.bytesSinceSync === 0) return;
    this.timerSyncDue = true;
    this.schedule();
  }

  /**
   * Group mode fsyncs one window after a write left appends waiting. The timer stays referenced:
   * it exists only while appends wait on it, and an unreferenced one would let a process exit with
   * those appends never settled.
   */
  private armGroupTimer(): void {
    // While closing, the final fsync covers what waits: no timer may outlive close().
    if (this.groupTimer !== null || this.unsynced.length === 0 || this.closing) return;
    this.groupTimer = setTimeout(() => {
      this.groupTimer = null;
      this.onTimer();
    }, this.options.groupWindowMs);
  }

  private stopTimers(): void {
    if (this.periodicTimer !== null) clearInterval(this.periodicTimer);
    if (this.groupTimer !== null) clearTimeout(this.groupTimer);
    this.periodicTimer = null;
    this.groupTimer = null;
  }

  private failureFrom(error: unknown): SibylError {
    if (error instanceof SibylError && error.code === 'COMMITLOG_FAILED') return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new SibylError('COMMITLOG_FAILED', `commit log write failed: ${detail}`, { cause: error });
  }

  /** Rejects everything still waiting; the log accepts nothing more. */
  private fail(error: unknown): void {
    const failure = this.failureFrom(error);
    if (this.failure === null) this.failure = failure;
    this.log.error({ err: error, file: this.fileSegment?.path }, 'commit log failed');
    this.stopTimers();
    this.queue.rejectAll(failure);
    for (const batch of this.unsynced) batch.rejectAll(failure);
    for (const request of [...this.syncRequests, ...this.closeRequests]) request.reject(failure);
    this.unsynced = [];
    this.syncRequests = [];
    this.closeRequests = [];
  }
}
