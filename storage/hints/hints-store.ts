/**
 * The hints directory (docs/formats/hints.md): per target host, a series of append-only files. Hints
 * are encoded into per-file buffers at once (no system call per hint); one IO loop writes everything
 * buffered since its previous turn with one positional writev per file, off the event loop, rolls
 * files at `maxFileSizeBytes`, fsyncs every `flushPeriodMs`, when a file is closed and on `close()`.
 * Replay reads complete files only (`closeWriter` first) through `HintsFileReader`.
 *
 * Storage knows nothing of the network or of liveness: which hints to keep, when to replay and what
 * to do with each is node/hints/'s business.
 */
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { assert, SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  CORRUPT_SUFFIX,
  encodeHintRecord,
  encodeHintsHeader,
  HINTS_FORMAT_VERSION,
  HINTS_HEADER_BYTES,
  hintRecordSize,
  hintsFileName,
  isHostIdText,
  MAX_TABLE_ID_BYTES,
  parseHintsFileName,
} from './format.js';
import {
  closeFile,
  fsyncDirectory,
  fsyncFile,
  listDirectory,
  makeDirectory,
  openFile,
  removeFile,
  renameFile,
  statFile,
  writeAllAt,
} from './fs-calls.js';
import { HintsFileReader } from './hints-reader.js';

export interface HintsStoreOptions {
  /** max_hints_file_size: a file is rolled before a record would take it past this. */
  readonly maxFileSizeBytes: number;
  /** hints_flush_period: fsync interval of written bytes. */
  readonly flushPeriodMs: number;
  /** Largest record (header + body) written or accepted when read. */
  readonly maxRecordSizeBytes: number;
  /** Encoded bytes buffered and not yet written; past it `append` answers `overloaded`. */
  readonly maxBufferedBytes: number;
  /** Bytes read at once during replay. */
  readonly readChunkBytes: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What `append` did with a hint: anything but `appended` means it was not stored. */
export type AppendResult = 'appended' | 'overloaded' | 'too-large' | 'store-failed' | 'closed';

/** writing: takes appends; closing: its last bytes are being written; complete: replayable. */
export type HintsFileState = 'writing' | 'closing' | 'complete' | 'corrupt';

export interface HintsFileInfo {
  readonly hostId: string;
  readonly creationMs: number;
  readonly path: string;
  /** Bytes of the file, buffered ones included. */
  readonly sizeBytes: number;
  readonly state: HintsFileState;
  /** Where replay of this file resumes: after the header, or where an earlier replay stopped. */
  readonly dispatchOffset: number;
}

/** One host's line of `nodetool listpendinghints` (Cassandra's PendingHintsInfo). */
export interface PendingHintsInfo {
  readonly hostId: string;
  readonly totalFiles: number;
  /** Creation time (ms) of the host's oldest and newest files; null when only corrupt files remain. */
  readonly oldestCreationMs: number | null;
  readonly newestCreationMs: number | null;
  readonly totalSizeBytes: number;
  readonly corruptedFiles: number;
  readonly corruptedFilesSizeBytes: number;
}

/** Write buffers are allocated in pieces of at least this size. */
const WRITE_CHUNK_BYTES = 256 * 1024;

class HintsFile implements HintsFileInfo {
  state: HintsFileState;
  dispatchOffset = HINTS_HEADER_BYTES;
  fd: number | null = null;
  /** The file exists (it was created, or found at start). */
  onDisk: boolean;
  /** Bytes handed to the OS. */
  writtenBytes = 0;
  unsynced = false;
  private pending: Buffer[] = [];
  private tail: Buffer | null = null;
  private tailLength = 0;
  private tailTaken = 0;
  private closedWaiters: Array<() => void> = [];

  constructor(
    readonly hostId: string,
    readonly creationMs: number,
    public path: string,
    public sizeBytes: number,
    state: HintsFileState,
  ) {
    this.state = state;
    this.onDisk = state !== 'writing';
  }

  /** Room for `bytes` encoded bytes at the end of the buffered data. */
  reserve(bytes: number): { buffer: Buffer; offset: number } {
    let tail = this.tail;
    if (tail === null || tail.length - this.tailLength < bytes) {
      if (tail !== null && this.tailLength > this.tailTaken) {
        this.pending.push(tail.subarray(this.tailTaken, this.tailLength));
      }
      tail = Buffer.allocUnsafe(Math.max(WRITE_CHUNK_BYTES, bytes));
      this.tail = tail;
      this.tailLength = 0;
      this.tailTaken = 0;
    }
    const offset = this.tailLength;
    this.tailLength += bytes;
    return { buffer: tail, offset };
  }

  /** Everything buffered since the last call, in order; later appends continue after it. */
  takePending(): Buffer[] {
    const taken = this.pending;
    this.pending = [];
    if (this.tail !== null && this.tailLength > this.tailTaken) {
      taken.push(this.tail.subarray(this.tailTaken, this.tailLength));
      this.tailTaken = this.tailLength;
    }
    return taken;
  }

  hasPending(): boolean {
    return this.pending.length > 0 || this.tailLength > this.tailTaken;
  }

  /** Drops buffered bytes (after a failure); returns how many. */
  discardPending(): number {
    const bytes = this.takePending().reduce((sum, buffer) => sum + buffer.length, 0);
    this.tail = null;
    return bytes;
  }

  whenComplete(): Promise<void> {
    if (this.state !== 'writing' && this.state !== 'closing') return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  markComplete(): void {
    this.state = 'complete';
    this.tail = null;
    for (const resolve of this.closedWaiters.splice(0)) resolve();
  }
}

class HostHints {
  /** Every file but the corrupt ones, in creation order; the writing one (if any) last. */
  readonly files: HintsFile[] = [];
  readonly corrupt: HintsFile[] = [];
  writing: HintsFile | null = null;
  lastCreationMs = -1;

  constructor(readonly hostId: string) {}
}

/** IO counters: how many hints shared each system call. */
export interface HintsStoreStats {
  /** Positional writev calls (one per dirty file per IO turn). */
  writes: number;
  bytesWritten: number;
  fsyncs: number;
}

export class HintsStore {
  readonly stats: HintsStoreStats = { writes: 0, bytesWritten: 0, fsyncs: 0 };
  private readonly hosts = new Map<string, HostHints>();
  /** Files with buffered bytes or waiting to be closed, in the order they became so. */
  private readonly dirty = new Set<HintsFile>();
  private bufferedBytes = 0;
  private running: Promise<void> | null = null;
  private scheduled = false;
  private syncDue = false;
  private syncWaiters: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout;
  private failure: Error | null = null;
  private closed = false;
  private readonly runBound = (): void => {
    this.scheduled = false;
    this.running = this.run();
  };

  private constructor(
    readonly directory: string,
    readonly options: HintsStoreOptions,
  ) {
    assert(options.maxFileSizeBytes >= HINTS_HEADER_BYTES + options.maxRecordSizeBytes, 'file too small');
    // unref: a pending periodic fsync must not keep a finished process alive.
    this.timer = setInterval(() => this.onFlushPeriod(), options.flushPeriodMs).unref();
  }

  /** Opens (creating it if needed) the hints directory and catalogues the files in it. */
  static async open(directory: string, options: HintsStoreOptions): Promise<HintsStore> {
    if (options.maxFileSizeBytes < HINTS_HEADER_BYTES + options.maxRecordSizeBytes) {
      throw new SibylError(
        'HINTS_INVALID_OPTIONS',
        `max_hints_file_size (${options.maxFileSizeBytes} bytes) cannot hold a hint of ${options.maxRecordSizeBytes} bytes`,
      );
    }
    await makeDirectory(directory, { recursive: true });
    const store = new HintsStore(directory, options);
    await store.catalogue();
    return store;
  }

  /** The error that failed the store (it stores nothing more), or null. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Bytes encoded and not yet written. */
  get bufferedHintBytes(): number {
    return this.bufferedBytes;
  }

  /**
   * Buffers one hint for `hostId` (written on the next IO turn). Synchronous and never blocking; a
   * hint that is not `appended` was not stored.
   */
  append(hostId: string, tableId: string, creationMs: number, payload: Uint8Array): AppendResult {
    if (this.closed) return 'closed';
    if (this.failure !== null) return 'store-failed';
    assert(isHostIdText(hostId), `hint target ${hostId} is not a lower-case host id`);
    const tableIdBytes = Buffer.from(tableId, 'utf8');
    const size = hintRecordSize(tableIdBytes.length, payload.length);
    if (tableIdBytes.length > MAX_TABLE_ID_BYTES || size > this.options.maxRecordSizeBytes)
      return 'too-large';
    if (this.bufferedBytes + size > this.options.maxBufferedBytes) return 'overloaded';
    const host = this.host(hostId);
    let file = host.writing;
    if (file === null || file.sizeBytes + size > this.options.maxFileSizeBytes) file = this.startFile(host);
    const { buffer, offset } = file.reserve(size);
    encodeHintRecord(buffer, offset, creationMs, tableIdBytes, payload);
    file.sizeBytes += size;
    this.bufferedBytes += size;
    this.dirty.add(file);
    this.schedule();
    return 'appended';
  }

  /**
   * Closes the file `hostId`'s hints are appended to (written, fsynced, closed); the next hint starts
   * a new file. Resolves when every file of the host is complete: replay reads complete files only.
   */
  async closeWriter(hostId: string): Promise<void> {
    const host = this.hosts.get(hostId);
    if (host === undefined) return;
    this.stopWriting(host);
    await Promise.all(host.files.map((file) => file.whenComplete()));
  }

  /** The host's complete files, oldest first: what replay may read now. */
  completeFiles(hostId: string): HintsFileInfo[] {
    return (this.hosts.get(hostId)?.files ?? []).filter((file) => file.state === 'complete');
  }

  /** Every file of the host, the corrupt ones included (for tests and tools). */
  files(hostId: string): HintsFileInfo[] {
    const host = this.hosts.get(hostId);
    return host === undefined ? [] : [...host.files, ...host.corrupt];
  }

  /** Hosts with hints to replay (in any file but a corrupt one). */
  hostsWithHints(): string[] {
    return [...this.hosts.values()].filter((host) => host.files.length > 0).map((host) => host.hostId);
  }

  hasHints(hostId: string): boolean {
    return (this.hosts.get(hostId)?.files.length ?? 0) > 0;
  }

  /** Per host with files: what `nodetool listpendinghints` shows. */
  pendingHints(): PendingHintsInfo[] {
    const result: PendingHintsInfo[] = [];
    for (const host of this.hosts.values()) {
      if (host.files.length === 0 && host.corrupt.length === 0) continue;
      const size = (files: HintsFile[]) => files.reduce((sum, file) => sum + file.sizeBytes, 0);
      result.push({
        hostId: host.hostId,
        totalFiles: host.files.length,
        oldestCreationMs: host.files[0]?.creationMs ?? null,
        newestCreationMs: host.files.at(-1)?.creationMs ?? null,
        totalSizeBytes: size(host.files),
        corruptedFiles: host.corrupt.length,
        corruptedFilesSizeBytes: size(host.corrupt),
      });
    }
    return result.sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
  }

  /** Opens a complete file for replay from where its replay stopped last. */
  openReader(info: HintsFileInfo): Promise<HintsFileReader> {
    const file = this.own(info);
    assert(file.state === 'complete', `hints file ${file.path} is not complete`);
    return HintsFileReader.open(file.path, {
      hostId: file.hostId,
      creationMs: file.creationMs,
      fromOffset: file.dispatchOffset,
      maxRecordSizeBytes: this.options.maxRecordSizeBytes,
      chunkBytes: this.options.readChunkBytes,
    });
  }

  /** Records that replay of `info` got as far as `offset` (a record boundary). */
  markDispatched(info: HintsFileInfo, offset: number): void {
    const file = this.own(info);
    assert(offset >= file.dispatchOffset && offset <= file.sizeBytes, 'dispatch offset out of the file');
    file.dispatchOffset = offset;
  }

  /** Deletes a fully replayed (or truncated) file. */
  async deleteFile(info: HintsFileInfo): Promise<void> {
    const file = this.own(info);
    assert(file.state === 'complete' || file.state === 'corrupt', 'deleting a file still being written');
    const host = this.host(file.hostId);
    const list = file.state === 'corrupt' ? host.corrupt : host.files;
    list.splice(list.indexOf(file), 1);
    await removeFile(file.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Sets a file found corrupt aside (`….hints.corrupt`): never replayed, kept for inspection. */
  async markCorrupt(info: HintsFileInfo): Promise<void> {
    const file = this.own(info);
    assert(file.state === 'complete', 'only a complete file can be found corrupt');
    const host = this.host(file.hostId);
    const target = `${file.path}${CORRUPT_SUFFIX}`;
    await renameFile(file.path, target);
    host.files.splice(host.files.indexOf(file), 1);
    file.path = target;
    file.state = 'corrupt';
    host.corrupt.push(file);
  }

  /** Deletes every hint of `hostId`, or of every host: corrupt files too (nodetool truncatehints). */
  async truncate(hostId?: string): Promise<void> {
    const hosts = hostId === undefined ? [...this.hosts.values()] : [this.hosts.get(hostId)];
    for (const host of hosts) {
      if (host === undefined) continue;
      await this.closeWriter(host.hostId);
      for (const file of [...host.files, ...host.corrupt]) await this.deleteFile(file);
    }
  }

  /** Resolves once everything appended before the call is written and fsynced. */
  sync(): Promise<void> {
    if (this.failure !== null) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.syncWaiters.push(resolve));
    this.syncDue = true;
    this.schedule();
    return done;
  }

  /** Writes, fsyncs and closes every file; later appends answer `closed`. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.timer);
      for (const host of this.hosts.values()) this.stopWriting(host);
    }
    await this.sync();
    await this.running;
  }

  private async catalogue(): Promise<void> {
    for (const name of await listDirectory(this.directory)) {
      const parsed = parseHintsFileName(name);
      if (parsed === null) continue;
      const path = join(this.directory, name);
      if (parsed.version !== HINTS_FORMAT_VERSION) {
        this.options.log.warn({ file: path }, `hints file of format version ${parsed.version} left alone`);
        continue;
      }
      const { size } = await statFile(path);
      const host = this.host(parsed.hostId);
      const file = new HintsFile(
        parsed.hostId,
        parsed.creationMs,
        path,
        size,
        parsed.corrupt ? 'corrupt' : 'complete',
      );
      (parsed.corrupt ? host.corrupt : host.files).push(file);
      host.lastCreationMs = Math.max(host.lastCreationMs, parsed.creationMs);
    }
    for (const host of this.hosts.values()) host.files.sort((a, b) => a.creationMs - b.creationMs);
  }

  private host(hostId: string): HostHints {
    let host = this.hosts.get(hostId);
    if (host === undefined) {
      host = new HostHints(hostId);
      this.hosts.set(hostId, host);
    }
    return host;
  }

  private own(info: HintsFileInfo): HintsFile {
    assert(info instanceof HintsFile, 'not a file of this hints store');
    return info;
  }

  /** A new file for `host` (the current one is closed first); its header is its first bytes. */
  private startFile(host: HostHints): HintsFile {
    this.stopWriting(host);
    const creationMs = Math.max(this.options.clock.nowMs(), host.lastCreationMs + 1);
    host.lastCreationMs = creationMs;
    const path = join(this.directory, hintsFileName(host.hostId, creationMs));
    const file = new HintsFile(host.hostId, creationMs, path, HINTS_HEADER_BYTES, 'writing');
    const { buffer, offset } = file.reserve(HINTS_HEADER_BYTES);
    encodeHintsHeader(host.hostId, creationMs).copy(buffer, offset);
    this.bufferedBytes += HINTS_HEADER_BYTES;
    host.files.push(file);
    host.writing = file;
    return file;
  }

  private stopWriting(host: HostHints): void {
    const file = host.writing;
    if (file === null) return;
    host.writing = null;
    file.state = 'closing';
    this.dirty.add(file);
    this.schedule();
  }

  private schedule(): void {
    if (this.running !== null || this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.runBound);
  }

  private onFlushPeriod(): void {
    if (!this.anyUnsynced()) return;
    this.syncDue = true;
    this.schedule();
  }

  /**
   * The IO loop: writes (and closes) dirty files, then fsyncs when due; one call at a time. A sync
   * waiter is settled by the first turn that starts after it registered, which writes every hint
   * appended before it.
   */
  private async run(): Promise<void> {
    try {
      while (this.failure === null && (this.dirty.size > 0 || this.syncDue)) {
        const waiters = this.syncWaiters;
        const syncDue = this.syncDue;
        this.syncWaiters = [];
        this.syncDue = false;
        const files = [...this.dirty];
        this.dirty.clear();
        for (const file of files) await this.writeFile(file);
        if (syncDue) await this.syncWriting();
        for (const resolve of waiters) resolve();
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.running = null;
      if (this.failure === null && (this.dirty.size > 0 || this.syncDue)) this.schedule();
    }
  }

  private async writeFile(file: HintsFile): Promise<void> {
    const buffers = file.takePending();
    if (buffers.length > 0) {
      if (file.fd === null) {
        assert(file.writtenBytes === 0, 'reopening a hints file');
        file.fd = await openFile(file.path, 'wx');
        file.onDisk = true;
        await fsyncDirectory(this.directory);
      }
      const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
      await writeAllAt(file.fd, buffers, file.writtenBytes);
      this.stats.writes++;
      this.stats.bytesWritten += bytes;
      file.writtenBytes += bytes;
      this.bufferedBytes -= bytes;
      file.unsynced = true;
    }
    if (file.state === 'closing' && !file.hasPending()) {
      const fd = file.fd;
      file.fd = null;
      if (fd !== null) {
        try {
          if (file.unsynced) {
            await fsyncFile(fd);
            this.stats.fsyncs++;
          }
        } finally {
          await closeFile(fd);
        }
      }
      file.unsynced = false;
      assert(file.writtenBytes === file.sizeBytes, 'a closed hints file lost buffered bytes');
      file.markComplete();
    }
  }

  /** Fsyncs the files being appended to (closed files were fsynced when they were closed). */
  private async syncWriting(): Promise<void> {
    for (const host of this.hosts.values()) {
      const file = host.writing;
      if (file?.fd != null && file.unsynced) {
        file.unsynced = false;
        await fsyncFile(file.fd);
        this.stats.fsyncs++;
      }
    }
  }

  private anyUnsynced(): boolean {
    for (const host of this.hosts.values()) if (host.writing?.unsynced) return true;
    return false;
  }

  /**
   * A write, fsync or create failed: nothing more is stored. What reached the files stays and is
   * replayed (the reader handles a short last record); buffered bytes are dropped; waiters resolve.
   */
  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.options.log.error(
      { err: error, directory: this.directory },
      'writing hints failed; hints are no longer stored',
    );
    for (const host of this.hosts.values()) {
      host.writing = null;
      for (const file of [...host.files]) {
        if (file.state !== 'writing' && file.state !== 'closing') continue;
        this.bufferedBytes -= file.discardPending();
        if (file.fd !== null) void closeFile(file.fd).catch(() => {});
        file.fd = null;
        file.sizeBytes = file.writtenBytes;
        if (!file.onDisk) host.files.splice(host.files.indexOf(file), 1);
        file.markComplete();
      }
    }
    this.dirty.clear();
    this.syncDue = false;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}
