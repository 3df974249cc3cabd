/**
 * Writes a chunked file (docs/formats/sstable.md "Chunked files"): the logical stream is cut into
 * fixed chunks, each stored (maybe LZ4-compressed) with its CRC32C; an offset table and a footer
 * close the file. Serves both Data and Index.
 */

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { compressSync } from 'lz4-napi';
import { assert } from '../../common/errors.js';
import { MAX_CHUNKS_PER_FILE } from './chunk-cache.js';
import {
  type ComponentCode,
  CompressionCode,
  type CompressionName,
  MAGIC,
  MAX_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
  writeFileHeader,
  writeU64,
} from './format.js';

export const CHUNKED_HEADER_BYTES = 16;
export const CHUNKED_FOOTER_BYTES = 32;
/** Sealed chunks are written to the file once this many bytes are waiting: few, large writes. */
const FLUSH_THRESHOLD_BYTES = 1024 * 1024;

export interface ChunkedFileOptions {
  readonly chunkSizeBytes: number;
  readonly compression: CompressionName;
}

export class ChunkedFileWriter {
  private chunk: Buffer;
  private chunkFill = 0;
  private readonly chunkOffsets: number[] = [];
  /** Sealed, not yet written buffers, and the file offset where the first of them goes. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingFileOffset = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly options: ChunkedFileOptions,
    component: ComponentCode,
  ) {
    this.chunk = Buffer.allocUnsafe(options.chunkSizeBytes);
    const header = Buffer.alloc(CHUNKED_HEADER_BYTES);
    writeFileHeader(header, component, CompressionCode[options.compression]);
    header.writeUInt32LE(options.chunkSizeBytes, 8);
    header.writeUInt32LE(crc32c(header.subarray(0, 12)), 12);
    this.queue(header);
  }

  static async create(path: string, component: ComponentCode, options: ChunkedFileOptions) {
    assert(
      options.chunkSizeBytes >= MIN_CHUNK_BYTES && options.chunkSizeBytes <= MAX_CHUNK_BYTES,
      `chunk size ${options.chunkSizeBytes} outside [${MIN_CHUNK_BYTES}, ${MAX_CHUNK_BYTES}]`,
    );
    const handle = await open(path, 'wx');
    return new ChunkedFileWriter(path, handle, options, component);
  }

  /** The stream offset the next written byte will have. */
  get streamPosition(): number {
    return this.chunkOffsets.length * this.options.chunkSizeBytes + this.chunkFill;
  }

  /** Appends to the stream (copies `bytes`). Call `flushIfFull` afterwards to bound memory. */
  write(bytes: Uint8Array): void {
    assert(!this.closed, 'write after finish/abort');
    let from = 0;
    while (from < bytes.length) {
      const room = this.chunk.length - this.chunkFill;
      const take = Math.min(room, bytes.length - from);
      this.chunk.set(bytes.subarray(from, from + take), this.chunkFill);
      this.chunkFill += take;
      from += take;
      if (this.chunkFill === this.chunk.length) this.sealChunk();
    }
  }

  /** Writes sealed chunks once enough have accumulated. */
  async flushIfFull(): Promise<void> {
    if (this.pendingBytes >= FLUSH_THRESHOLD_BYTES) await this.flush();
  }

  /** Seals the last chunk, writes the offset table and footer, fsyncs and closes. Returns the file size. */
  async finish(): Promise<number> {
    assert(!this.closed, 'finish twice');
    const streamLength = this.streamPosition;
    if (this.chunkFill > 0) this.sealChunk();
    const tablePosition = this.pendingFileOffset + this.pendingBytes;
    const table = Buffer.allocUnsafe(this.chunkOffsets.length * 8);
    this.chunkOffsets.forEach((offset, index) => {
      writeU64(table, offset, index * 8);
    });
    const footer = Buffer.allocUnsafe(CHUNKED_FOOTER_BYTES);
    writeU64(footer, tablePosition, 0);
    writeU64(footer, streamLength, 8);
    footer.writeUInt32LE(this.chunkOffsets.length, 16);
    footer.writeUInt32LE(crc32c(table), 20);
    footer.writeUInt32LE(crc32c(footer.subarray(0, 24)), 24);
    footer.writeUInt32LE(MAGIC, 28);
    this.queue(table);
    this.queue(footer);
    await this.flush();
    await this.handle.sync();
    await this.close();
    const fileSize = tablePosition + table.length + footer.length;
    assert(this.pendingFileOffset === fileSize, 'written bytes disagree with the computed file size');
    return fileSize;
  }

  /** Closes the file without finishing it (the caller removes it). */
  async abort(): Promise<void> {
    if (!this.closed) await this.close();
  }

  private async close(): Promise<void> {
    this.closed = true;
    await this.handle.close();
  }

  private sealChunk(): void {
    assert(this.chunkFill > 0, 'sealing an empty chunk');
    assert(this.chunkOffsets.length < MAX_CHUNKS_PER_FILE, 'too many chunks in one file');
    const raw = this.chunk.subarray(0, this.chunkFill);
    let stored: Buffer = raw;
    if (this.options.compression === 'lz4') {
      const compressed = compressSync(raw);
      // Kept raw unless strictly smaller: the reader tells the two apart by length (see docs).
      if (compressed.length < raw.length) stored = compressed;
    }
    if (stored === raw) this.chunk = Buffer.allocUnsafe(this.options.chunkSizeBytes);
    this.chunkOffsets.push(this.pendingFileOffset + this.pendingBytes);
    const crc = Buffer.allocUnsafe(4);
    crc.writeUInt32LE(crc32c(stored), 0);
    this.queue(stored);
    this.queue(crc);
    this.chunkFill = 0;
  }

  private queue(buffer: Buffer): void {
    this.pending.push(buffer);
    this.pendingBytes += buffer.length;
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buffers = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    // Advance before awaiting so offsets of chunks sealed meanwhile stay right.
    const at = this.pendingFileOffset;
    this.pendingFileOffset += bytes;
    const { bytesWritten } = await this.handle.writev(buffers, at);
    assert(bytesWritten === bytes, `short write to ${this.path}: ${bytesWritten} of ${bytes}`);
  }
}
