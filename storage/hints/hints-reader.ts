/**
 * Streams the hints of one complete file, verifying each record before serving it and applying the
 * torn-tail rule of docs/formats/hints.md ("Torn tail or corruption"): the file is read in chunks,
 * never whole; a defect ends the stream, as a torn tail or as corruption, and nothing after it is
 * ever served.
 */
import { crc32c } from '@node-rs/crc32';
import { assert, CorruptionError } from '../../common/errors.js';
import {
  BODY_FIXED_BYTES,
  crc32cOfUint32,
  decodeHintBody,
  decodeHintsHeader,
  HINTS_HEADER_BYTES,
  RECORD_HEADER_BYTES,
} from './format.js';
import { closeFile, fileSize, openFile, readFullyAt } from './fs-calls.js';

export interface HintRecord {
  readonly creationMs: number;
  readonly tableId: string;
  /**
   * The partition bytes: a view into a buffer the reader never reuses, so a caller may keep it (and
   * partitions decoded from it, which are views too).
   */
  readonly payload: Uint8Array;
  /** Offset of the record in the file. */
  readonly offset: number;
  /** Offset just after the record: where a replay that stops here resumes. */
  readonly endOffset: number;
}

/** How the stream ended: `null` while records remain. */
export type HintsReadOutcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'torn'; readonly offset: number; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly error: CorruptionError };

export interface HintsReaderOptions {
  /** The host and creation time the file name announces; the header must agree. */
  readonly hostId: string;
  readonly creationMs: number;
  /** Start at this record boundary (an earlier replay's stopping point); default: after the header. */
  readonly fromOffset?: number;
  /** Largest valid record (header + body); a longer valid length is corruption. */
  readonly maxRecordSizeBytes: number;
  /** Bytes read at once. */
  readonly chunkBytes: number;
}

export class HintsFileReader {
  outcome: HintsReadOutcome | null = null;
  private buffer = Buffer.alloc(0);
  /** File offset of `buffer[0]`. */
  private bufferStart = 0;
  private position: number;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly size: number,
    private readonly options: HintsReaderOptions,
  ) {
    this.position = options.fromOffset ?? HINTS_HEADER_BYTES;
  }

  /** Opens `path` and checks its header; a defect there is the outcome at once. */
  static async open(path: string, options: HintsReaderOptions): Promise<HintsFileReader> {
    assert(options.chunkBytes >= RECORD_HEADER_BYTES, 'read chunk smaller than a record header');
    const fd = await openFile(path, 'r');
    try {
      const reader = new HintsFileReader(path, fd, await fileSize(fd), options);
      await reader.checkHeader();
      return reader;
    } catch (error) {
      await closeFile(fd).catch(() => {});
      throw error;
    }
  }

  /** Bytes of the file. */
  get fileSizeBytes(): number {
    return this.size;
  }

  /** The next verified hint; null once the file ends (see `outcome`). */
  async next(): Promise<HintRecord | null> {
    if (this.outcome !== null) return null;
    const start = this.position;
    if (start === this.size) return this.finish({ kind: 'complete' });
    assert(start < this.size, 'hints reader went past the end of the file');
    if (this.size - start < RECORD_HEADER_BYTES) {
      return this.defect(start, 'record header extends past end of file', true);
    }
    await this.ensure(start, RECORD_HEADER_BYTES);
    const header = this.view(start, RECORD_HEADER_BYTES);
    const length = header.readUInt32BE(0);
    const lengthChecksum = header.readUInt32BE(4);
    if (crc32cOfUint32(length) !== lengthChecksum) {
      return this.defect(start, 'record length checksum mismatch', false);
    }
    if (length < BODY_FIXED_BYTES || RECORD_HEADER_BYTES + length > this.options.maxRecordSizeBytes) {
      return this.defect(start, `impossible record length ${length}`, false);
    }
    const end = start + RECORD_HEADER_BYTES + length;
    if (end > this.size) {
      return this.defect(start, `record of ${length} bytes extends past end of file`, true);
    }
    await this.ensure(start, RECORD_HEADER_BYTES + length);
    const checksum = this.view(start, RECORD_HEADER_BYTES).readUInt32BE(8);
    const body = this.view(start + RECORD_HEADER_BYTES, length);
    if (crc32c(body, lengthChecksum) !== checksum) {
      return this.defect(start, 'record checksum mismatch', await this.isZeroFrom(end));
    }
    const decoded = decodeHintBody(body);
    if ('problem' in decoded) return this.defect(start, decoded.problem, false);
    this.position = end;
    return { ...decoded, offset: start, endOffset: end };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeFile(this.fd);
  }

  private async checkHeader(): Promise<void> {
    if (this.size < HINTS_HEADER_BYTES) {
      await this.defect(0, 'file header extends past end of file', true);
      return;
    }
    await this.ensure(0, HINTS_HEADER_BYTES);
    const header = decodeHintsHeader(this.view(0, HINTS_HEADER_BYTES));
    if ('problem' in header) {
      await this.defect(0, `file header: ${header.problem}`, false);
    } else if (header.hostId !== this.options.hostId || header.creationMs !== this.options.creationMs) {
      const named = `${this.options.hostId} at ${this.options.creationMs}`;
      await this.defect(
        0,
        `file header names ${header.hostId} at ${header.creationMs}, file name ${named}`,
        false,
      );
    }
    assert(this.position >= HINTS_HEADER_BYTES, 'replay cannot start inside the file header');
  }

  /**
   * Makes file bytes [start, start + length) available in `buffer`. A new buffer is allocated each
   * time (never overwritten), so the views handed out stay valid.
   */
  private async ensure(start: number, length: number): Promise<void> {
    const bufferEnd = this.bufferStart + this.buffer.length;
    if (start >= this.bufferStart && start + length <= bufferEnd) return;
    const wanted = Math.min(Math.max(length, this.options.chunkBytes), this.size - start);
    assert(wanted >= length, 'reading past the end of the hints file');
    const next = Buffer.allocUnsafe(wanted);
    let filled = 0;
    if (start >= this.bufferStart && start < bufferEnd) {
      filled = this.buffer.copy(next, 0, start - this.bufferStart);
    }
    const read = await readFullyAt(this.fd, next, filled, wanted - filled, start + filled);
    if (filled + read < length) throw new Error(`hints file ${this.path} shrank while it was read`);
    this.buffer = next.subarray(0, filled + read);
    this.bufferStart = start;
  }

  private view(start: number, length: number): Buffer {
    const from = start - this.bufferStart;
    return this.buffer.subarray(from, from + length);
  }

  /** Are all bytes from `offset` to the end of the file zero (true when there are none)? */
  private async isZeroFrom(offset: number): Promise<boolean> {
    const scratch = Buffer.allocUnsafe(Math.min(this.options.chunkBytes, Math.max(1, this.size - offset)));
    for (let at = offset; at < this.size; ) {
      const read = await readFullyAt(this.fd, scratch, 0, Math.min(scratch.length, this.size - at), at);
      if (read === 0) break;
      for (let i = 0; i < read; i++) if (scratch[i] !== 0) return false;
      at += read;
    }
    return true;
  }

  /**
   * A defect at `offset`: a torn tail when it has the shape a crash leaves or only zero bytes follow
   * it, corruption otherwise.
   */
  private async defect(offset: number, reason: string, tornShape: boolean): Promise<null> {
    if (tornShape || (await this.isZeroFrom(offset))) return this.finish({ kind: 'torn', offset, reason });
    return this.finish({ kind: 'corrupt', error: new CorruptionError(this.path, offset, reason) });
  }

  private finish(outcome: HintsReadOutcome): null {
    this.outcome = outcome;
    return null;
  }
}
