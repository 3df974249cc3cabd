/**
 * Reads a chunked file (docs/formats/sstable.md "Chunked files"). Header, footer and offset table are
 * verified at open; every chunk's CRC32C and length before it is used or cached. Bad bytes become a
 * CorruptionError naming the file and offset, never data.
 */

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { uncompressSync } from 'lz4-napi';
import { assert, CorruptionError } from '../../common/errors.js';
import { allocateFileId, ChunkCache } from './chunk-cache.js';
import { CHUNKED_FOOTER_BYTES, CHUNKED_HEADER_BYTES } from './chunked-file-writer.js';
import {
  type ComponentCode,
  CompressionCode,
  checkFileHeader,
  MAGIC,
  MAX_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
  readU64,
} from './format.js';

interface Layout {
  readonly chunkSizeBytes: number;
  readonly compressed: boolean;
  readonly streamLength: number;
  /** chunkCount + 1 file offsets: chunk i is [offsets[i], offsets[i+1]), crc included. */
  readonly offsets: Float64Array;
}

export class ChunkedFileReader {
  readonly fileId = allocateFileId();
  readonly streamLength: number;
  readonly chunkSizeBytes: number;
  readonly chunkCount: number;
  /** Chunks asked for (cached or not) and chunks read from disk: tests prove misses touch no Data. */
  chunkAccesses = 0;
  chunkReads = 0;
  private readonly loading = new Map<number, Promise<Buffer>>();

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly cache: ChunkCache,
    private readonly layout: Layout,
  ) {
    this.streamLength = layout.streamLength;
    this.chunkSizeBytes = layout.chunkSizeBytes;
    this.chunkCount = layout.offsets.length - 1;
  }

  static async open(path: string, component: ComponentCode, cache: ChunkCache): Promise<ChunkedFileReader> {
    const handle = await open(path, 'r');
    try {
      const layout = await readLayout(handle, path, component);
      return new ChunkedFileReader(path, handle, cache, layout);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** A verified, decompressed chunk: from the cache, else read (and cached when `populateCache`). */
  chunkAt(index: number, populateCache = true): Buffer | Promise<Buffer> {
    this.chunkAccesses++;
    const cached = populateCache
      ? this.cache.get(ChunkCache.key(this.fileId, index))
      : this.cache.peek(ChunkCache.key(this.fileId, index));
    return cached ?? this.loadChunk(index, populateCache);
  }

  /**
   * Stream bytes [position, position + length) as a view into a cached chunk (do not mutate or keep
   * it), or undefined when they span chunks or the chunk is not cached. Lets hot reads stay synchronous.
   */
  cachedView(position: number, length: number): Buffer | undefined {
    const index = Math.floor(position / this.chunkSizeBytes);
    const inChunk = position - index * this.chunkSizeBytes;
    if (inChunk + length > this.chunkSizeBytes || position + length > this.streamLength) return undefined;
    const chunk = this.cache.get(ChunkCache.key(this.fileId, index), false);
    if (chunk === undefined) return undefined;
    this.chunkAccesses++;
    return chunk.subarray(inChunk, inChunk + length);
  }

  /**
   * Stream bytes [position, position + length) as a Buffer whose index 0 is `position`: a view into a
   * cached chunk when the range lies in one chunk (do not mutate or keep it), else a fresh copy.
   */
  async bytesAt(position: number, length: number): Promise<Buffer> {
    this.checkRange(position, length);
    const index = Math.floor(position / this.chunkSizeBytes);
    const inChunk = position - index * this.chunkSizeBytes;
    if (inChunk + length > this.chunkSizeBytes) return this.copyAt(position, length);
    const chunk = await this.chunkAt(index);
    return chunk.subarray(inChunk, inChunk + length);
  }

  /** Stream bytes [position, position + length) copied into a fresh Buffer the caller owns. */
  async copyAt(position: number, length: number, populateCache = true): Promise<Buffer> {
    this.checkRange(position, length);
    const out = Buffer.allocUnsafe(length);
    let copied = 0;
    for (let index = Math.floor(position / this.chunkSizeBytes); copied < length; index++) {
      const chunk = await this.chunkAt(index, populateCache);
      const from = copied === 0 ? position - index * this.chunkSizeBytes : 0;
      const take = Math.min(chunk.length - from, length - copied);
      chunk.copy(out, copied, from, from + take);
      copied += take;
    }
    return out;
  }

  checkRange(position: number, length: number): void {
    assert(position >= 0 && length >= 0, `bad range ${position}+${length}`);
    if (position + length > this.streamLength) {
      throw new CorruptionError(
        this.path,
        -1,
        `range ${position}+${length} beyond stream of ${this.streamLength}`,
      );
    }
  }

  /** Reads and verifies every chunk, bypassing the cache. */
  async verifyAll(): Promise<void> {
    await readLayout(this.handle, this.path, undefined);
    for (let index = 0; index < this.chunkCount; index++) await this.readChunk(index);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Loads a chunk once even when many reads miss it at the same time. */
  private loadChunk(index: number, populateCache: boolean): Promise<Buffer> {
    const inFlight = this.loading.get(index);
    if (inFlight !== undefined) return inFlight;
    const load = this.readChunk(index).then(
      (chunk) => {
        this.loading.delete(index);
        if (populateCache) this.cache.put(ChunkCache.key(this.fileId, index), chunk);
        return chunk;
      },
      (error: unknown) => {
        this.loading.delete(index);
        throw error;
      },
    );
    this.loading.set(index, load);
    return load;
  }

  /**
   * Positional read of one chunk through fs.promises (the libuv thread pool). fs.readSync was tried
   * (bench/sstable.ts, cold pass): no consistent gain on page-cached files, and a read that really goes
   * to disk would block the event loop for its whole latency. Hot reads never get here (cachedView).
   */
  private async readChunk(index: number): Promise<Buffer> {
    assert(index >= 0 && index < this.chunkCount, `chunk ${index} outside [0, ${this.chunkCount})`);
    const start = this.layout.offsets[index]!;
    const storedWithCrc = this.layout.offsets[index + 1]! - start;
    if (storedWithCrc > this.chunkSizeBytes + 4) {
      throw new CorruptionError(this.path, start, `chunk ${index} longer than the chunk size`);
    }
    const buffer = Buffer.allocUnsafe(storedWithCrc);
    this.chunkReads++;
    const { bytesRead } = await this.handle.read(buffer, 0, storedWithCrc, start);
    if (bytesRead !== storedWithCrc) {
      throw new CorruptionError(this.path, start + bytesRead, `chunk ${index} truncated`);
    }
    return this.decodeChunk(index, start, buffer);
  }

  private decodeChunk(index: number, start: number, buffer: Buffer): Buffer {
    const storedLength = buffer.length - 4;
    const stored = buffer.subarray(0, storedLength);
    if (crc32c(stored) !== buffer.readUInt32LE(storedLength)) {
      throw new CorruptionError(this.path, start, `chunk ${index} checksum mismatch`);
    }
    const rawLength = Math.min(this.chunkSizeBytes, this.streamLength - index * this.chunkSizeBytes);
    if (storedLength === rawLength) return stored;
    if (!this.layout.compressed || storedLength > rawLength) {
      throw new CorruptionError(
        this.path,
        start,
        `chunk ${index} stores ${storedLength} of ${rawLength} bytes`,
      );
    }
    let raw: Buffer;
    try {
      raw = uncompressSync(stored);
    } catch (error) {
      throw new CorruptionError(this.path, start, `chunk ${index} does not decompress: ${String(error)}`);
    }
    if (raw.length !== rawLength) {
      throw new CorruptionError(this.path, start, `chunk ${index} decompresses to ${raw.length} bytes`);
    }
    return raw;
  }
}

async function readExactly(handle: FileHandle, path: string, position: number, length: number) {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new CorruptionError(path, position + bytesRead, 'file truncated');
  return buffer;
}

/** Reads and checks header, footer and offset table (component unchecked when undefined). */
async function readLayout(handle: FileHandle, path: string, component: ComponentCode | undefined) {
  const fileSize = (await handle.stat()).size;
  if (fileSize < CHUNKED_HEADER_BYTES + CHUNKED_FOOTER_BYTES) {
    throw new CorruptionError(path, 0, `file of ${fileSize} bytes is shorter than header and footer`);
  }
  const header = await readExactly(handle, path, 0, CHUNKED_HEADER_BYTES);
  const flags = component === undefined ? header.readUInt8(7) : checkFileHeader(header, component, path);
  if (crc32c(header.subarray(0, 12)) !== header.readUInt32LE(12)) {
    throw new CorruptionError(path, 12, 'header checksum mismatch');
  }
  const chunkSizeBytes = header.readUInt32LE(8);
  if (chunkSizeBytes < MIN_CHUNK_BYTES || chunkSizeBytes > MAX_CHUNK_BYTES) {
    throw new CorruptionError(path, 8, `chunk size ${chunkSizeBytes} out of range`);
  }
  if (flags !== CompressionCode.none && flags !== CompressionCode.lz4) {
    throw new CorruptionError(path, 7, `unknown compression code ${flags}`);
  }
  const footerAt = fileSize - CHUNKED_FOOTER_BYTES;
  const footer = await readExactly(handle, path, footerAt, CHUNKED_FOOTER_BYTES);
  if (footer.readUInt32LE(28) !== MAGIC || crc32c(footer.subarray(0, 24)) !== footer.readUInt32LE(24)) {
    throw new CorruptionError(path, footerAt, 'bad footer (truncated or overwritten file?)');
  }
  const tablePosition = readU64(footer, 0);
  const streamLength = readU64(footer, 8);
  const chunkCount = footer.readUInt32LE(16);
  if (
    tablePosition + chunkCount * 8 !== footerAt ||
    chunkCount !== Math.ceil(streamLength / chunkSizeBytes)
  ) {
    throw new CorruptionError(path, footerAt, 'footer disagrees with file size or stream length');
  }
  const table = await readExactly(handle, path, tablePosition, chunkCount * 8);
  if (crc32c(table) !== footer.readUInt32LE(20)) {
    throw new CorruptionError(path, tablePosition, 'chunk offset table checksum mismatch');
  }
  const offsets = parseOffsets(table, chunkCount, tablePosition, path);
  return { chunkSizeBytes, compressed: flags === CompressionCode.lz4, streamLength, offsets };
}

function parseOffsets(table: Buffer, chunkCount: number, tablePosition: number, path: string) {
  const offsets = new Float64Array(chunkCount + 1);
  let previous = CHUNKED_HEADER_BYTES;
  for (let index = 0; index < chunkCount; index++) {
    const offset = readU64(table, index * 8);
    // Every chunk holds at least one byte plus its crc, in file order.
    if ((index === 0 && offset !== CHUNKED_HEADER_BYTES) || offset < previous || offset + 5 > tablePosition) {
      throw new CorruptionError(path, tablePosition + index * 8, `chunk offset ${offset} out of order`);
    }
    if (index > 0 && offset - previous < 5) {
      throw new CorruptionError(path, tablePosition + index * 8, `chunk ${index - 1} too short`);
    }
    offsets[index] = offset;
    previous = offset;
  }
  offsets[chunkCount] = tablePosition;
  if (chunkCount > 0 && tablePosition - previous < 5) {
    throw new CorruptionError(path, tablePosition, `chunk ${chunkCount - 1} too short`);
  }
  return offsets;
}

/**
 * Reads a stream front to back, keeping the current chunk, without filling the shared cache:
 * a compaction's scan must not evict the chunks that point reads keep hot.
 */
export class SequentialReader {
  private chunkIndex = -1;
  private chunk: Buffer | null = null;

  constructor(
    private readonly file: ChunkedFileReader,
    public position: number,
  ) {}

  /** The next `length` bytes: a view valid until the next call, or a fresh copy when `copy`. */
  async read(length: number, copy: boolean): Promise<Buffer> {
    this.file.checkRange(this.position, length);
    const size = this.file.chunkSizeBytes;
    const first = Math.floor(this.position / size);
    const inChunk = this.position - first * size;
    if (!copy && inChunk + length <= size) {
      const chunk = await this.load(first);
      this.position += length;
      return chunk.subarray(inChunk, inChunk + length);
    }
    const out = Buffer.allocUnsafe(length);
    for (let copied = 0; copied < length; ) {
      const index = Math.floor(this.position / size);
      const chunk = await this.load(index);
      const from = this.position - index * size;
      const take = Math.min(chunk.length - from, length - copied);
      chunk.copy(out, copied, from, from + take);
      copied += take;
      this.position += take;
    }
    return out;
  }

  private async load(index: number): Promise<Buffer> {
    if (index !== this.chunkIndex || this.chunk === null) {
      this.chunk = await this.file.chunkAt(index, false);
      this.chunkIndex = index;
    }
    return this.chunk;
  }
}
