/**
 * Cuts a byte stream (TCP chunks of any size) into frames. Bytes are kept as the chunks they came
 * in; a body inside one chunk is returned as a view of it (no copy), a body spanning chunks is
 * copied once into its own buffer, so the cost stays linear in the bytes received however the stream
 * is split. A body longer than the limit is reported at its header, without waiting for it, and
 * then skipped as it arrives, so a hostile length never makes the decoder buffer it.
 */
import { assert } from '../../common/errors.js';
import { MAX_FRAME_BODY_BYTES } from './constants.js';
import { type Frame, type FrameHeader, headerLengthOf, readFrameHeader } from './frame.js';
import { unsupportedVersionMessage } from './negotiation.js';
import { ProtocolError } from './protocol-error.js';

export interface FrameDecoderOptions {
  /** Longest body accepted (default and cap: 256 MiB, spec 2.5). */
  readonly maxFrameBodyBytes?: number;
  /**
   * Versions this side speaks. A header of another version is reported at once (the server answers
   * it with `unsupportedVersionResponse`) and decoding stops: what follows may not be frames at all.
   */
  readonly acceptVersion?: (version: number) => boolean;
}

export type DecodedItem =
  | { readonly kind: 'frame'; readonly frame: Frame }
  /** `fatal`: the stream cannot be decoded further (unsupported version, negative length). */
  | {
      readonly kind: 'error';
      readonly header: FrameHeader;
      readonly error: ProtocolError;
      readonly fatal: boolean;
    };

export class FrameDecoder {
  private readonly maxBodyBytes: number;
  private readonly acceptVersion: ((version: number) => boolean) | undefined;
  private chunks: Uint8Array[] = [];
  /** Index of the first chunk still holding unread bytes, and the read offset inside it. */
  private head = 0;
  private headOffset = 0;
  private buffered = 0;
  private header: FrameHeader | undefined;
  private discarding = 0;
  private stopped = false;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxBodyBytes = Math.min(options.maxFrameBodyBytes ?? MAX_FRAME_BODY_BYTES, MAX_FRAME_BODY_BYTES);
    assert(this.maxBodyBytes >= 0, 'frame limit is not negative');
    this.acceptVersion = options.acceptVersion;
  }

  /** Bytes received and not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Feeds one chunk; returns the frames (and frame errors) it completes, in order. */
  push(chunk: Uint8Array): DecodedItem[] {
    const items: DecodedItem[] = [];
    if (this.stopped) return items;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    while (this.step(items)) {
      // Each step consumes a header, a body or skipped bytes; it returns false when it needs more.
    }
    this.compact();
    return items;
  }

  private step(items: DecodedItem[]): boolean {
    if (this.stopped) return false;
    if (this.discarding > 0) {
      const count = Math.min(this.discarding, this.buffered);
      this.skip(count);
      this.discarding -= count;
      return this.discarding === 0;
    }
    if (this.header === undefined) return this.readHeader(items);
    const header = this.header;
    if (this.buffered < header.bodyLength) return false;
    this.header = undefined;
    items.push({ kind: 'frame', frame: { header, body: this.take(header.bodyLength) } });
    return true;
  }

  private readHeader(items: DecodedItem[]): boolean {
    const first = this.peekByte();
    if (first === undefined) return false;
    const length = headerLengthOf(first);
    if (this.buffered < length) return false;
    const header = readFrameHeader(this.take(length));
    if (this.acceptVersion !== undefined && !this.acceptVersion(header.version)) {
      const error = new ProtocolError(unsupportedVersionMessage(header.version));
      return this.stop(items, header, error);
    }
    if (header.bodyLength < 0) {
      return this.stop(items, header, new ProtocolError(`Invalid frame body length ${header.bodyLength}`));
    }
    if (header.bodyLength > this.maxBodyBytes) {
      const error = new ProtocolError(
        `Request is too big: length ${header.bodyLength} exceeds maximum allowed length ${this.maxBodyBytes}.`,
      );
      items.push({ kind: 'error', header, error, fatal: false });
      this.discarding = header.bodyLength;
      return true;
    }
    this.header = header;
    return true;
  }

  private stop(items: DecodedItem[], header: FrameHeader, error: ProtocolError): false {
    items.push({ kind: 'error', header, error, fatal: true });
    this.stopped = true;
    this.chunks = [];
    this.head = 0;
    this.headOffset = 0;
    this.buffered = 0;
    return false;
  }

  private peekByte(): number | undefined {
    return this.buffered === 0 ? undefined : this.chunks[this.head]![this.headOffset];
  }

  /** The next `count` buffered bytes: a view when they lie in one chunk, else one copy. */
  private take(count: number): Uint8Array {
    assert(count <= this.buffered, 'take only what is buffered');
    const chunk = this.chunks[this.head];
    if (chunk !== undefined && chunk.length - this.headOffset >= count) {
      const view = chunk.subarray(this.headOffset, this.headOffset + count);
      this.advance(count);
      return view;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const current = this.chunks[this.head]!;
      const part = Math.min(count - filled, current.length - this.headOffset);
      out.set(current.subarray(this.headOffset, this.headOffset + part), filled);
      filled += part;
      this.advance(part);
    }
    return out;
  }

  private skip(count: number): void {
    let left = count;
    while (left > 0) {
      const current = this.chunks[this.head]!;
      const part = Math.min(left, current.length - this.headOffset);
      this.advance(part);
      left -= part;
    }
  }

  /** Moves the read position within the current chunk, dropping it once it is used up. */
  private advance(count: number): void {
    this.headOffset += count;
    this.buffered -= count;
    const chunk = this.chunks[this.head]!;
    assert(this.headOffset <= chunk.length, 'read position stays inside its chunk');
    if (this.headOffset === chunk.length) {
      this.head++;
      this.headOffset = 0;
    }
  }

  /** Forgets consumed chunks, so the list holds only unread ones (no shift per chunk). */
  private compact(): void {
    if (this.head === 0) return;
    this.chunks = this.chunks.slice(this.head);
    this.head = 0;
  }
}
