/**
 * The internode frame (docs/formats/internode.md is the reference; keep the two in step):
 *
 *   frame  := length:u32 | header | body        (big-endian; length counts header + body)
 *   header := version:u8 | flags:u8 | verb:u16 | requestId:u32 | createdAtMs:u64 | timeoutMs:u32
 *             | sender:16 bytes (host id UUID)
 *   body   := msgpackr(payload)
 */
import { Packr, RESERVE_START_SPACE } from 'msgpackr';
import { assert } from '../../common/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import { MalformedFrameError, MessageTooLargeError } from './errors.js';

/** The version byte of every frame. Bump it for any incompatible change of header or body. */
export const MESSAGING_VERSION = 1;
export const LENGTH_BYTES = 4;
export const HEADER_BYTES = 36;
export const FRAME_PREFIX_BYTES = LENGTH_BYTES + HEADER_BYTES;

/** Header flags. NEVER RENUMBER; unknown bits are refused (they would mean a newer version). */
export const Flag = {
  /** The frame answers the request with the same id on this connection. */
  RESPONSE: 0x01,
  /** A response whose body is a FailurePayload. */
  FAILURE: 0x02,
  /** A request whose sender waits for a response (`request`, not `send`). */
  EXPECTS_RESPONSE: 0x04,
} as const;
const KNOWN_FLAGS = Flag.RESPONSE | Flag.FAILURE | Flag.EXPECTS_RESPONSE;

/**
 * Plain MessagePack maps, no record extension: records defined inline in every body halved
 * round-trip throughput (bench/messaging.ts), and shared structures would tie frames to the state of
 * a connection. Payloads are plain data: objects, arrays, strings, numbers, booleans, null,
 * Uint8Array (back as Buffer) and bigints (64-bit, back as bigint; tokens). A Map arrives as an
 * object and a Set as an array: send entries instead.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export interface FrameHeader {
  readonly flags: number;
  readonly verb: number;
  readonly requestId: number;
  readonly createdAtMs: number;
  readonly timeoutMs: number;
}

export interface DecodedFrame extends FrameHeader {
  readonly sender: Uint8Array;
  readonly body: Uint8Array;
}

/** One whole frame, ready for the socket. Fails with MESSAGE_TOO_LARGE past `maxFrameBytes`. */
export function encodeFrame(
  header: FrameHeader,
  sender: Uint8Array,
  payload: unknown,
  maxFrameBytes: number,
): Buffer {
  assert(sender.length === 16, 'sender host id is 16 bytes');
  // The body is packed behind room reserved for length and header: no copy of the body.
  const frame = packr.pack(payload ?? null, RESERVE_START_SPACE | FRAME_PREFIX_BYTES);
  if (frame.length > maxFrameBytes) throw new MessageTooLargeError(header.verb, frame.length, maxFrameBytes);
  frame.writeUInt32BE(frame.length - LENGTH_BYTES, 0);
  frame[4] = MESSAGING_VERSION;
  frame[5] = header.flags;
  frame.writeUInt16BE(header.verb, 6);
  frame.writeUInt32BE(header.requestId, 8);
  frame.writeUInt32BE(Math.floor(header.createdAtMs / 0x1_0000_0000), 12);
  frame.writeUInt32BE(header.createdAtMs >>> 0, 16);
  frame.writeUInt32BE(Math.min(header.timeoutMs, 0xffff_ffff), 20);
  frame.set(sender, 24);
  return frame;
}

export function decodePayload(body: Uint8Array): unknown {
  try {
    return packr.unpack(body);
  } catch (error) {
    throw new MalformedFrameError('body is not valid msgpack', { cause: error });
  }
}

/**
 * Cuts a byte stream into frames. Whole frames inside a chunk are handed out as views (no copy);
 * only a frame split across chunks is gathered, once, when its last byte arrives.
 */
export class FrameDecoder {
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  /** Bytes the gathered parts must reach before anything can be decoded. */
  private needed = LENGTH_BYTES;

  constructor(private readonly maxFrameBytes: number) {}

  /** Calls `onFrame` for each whole frame; throws MalformedFrameError (the stream is then unusable). */
  push(chunk: Uint8Array, onFrame: (frame: DecodedFrame) => void): void {
    let buffer: Buffer;
    if (this.parts.length === 0) {
      buffer = asBuffer(chunk);
    } else {
      this.parts.push(chunk);
      this.partsBytes += chunk.length;
      if (this.partsBytes < this.needed) return;
      buffer = Buffer.concat(this.parts, this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
    }
    let offset = 0;
    while (buffer.length - offset >= LENGTH_BYTES) {
      const frameBytes = this.frameLength(buffer, offset);
      if (buffer.length - offset < frameBytes) break;
      onFrame(decodeHeader(buffer.subarray(offset, offset + frameBytes)));
      offset += frameBytes;
    }
    this.keepRemainder(buffer.subarray(offset));
  }

  /** Bytes buffered towards an incomplete frame. */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  private frameLength(buffer: Buffer, offset: number): number {
    const frameBytes = LENGTH_BYTES + buffer.readUInt32BE(offset);
    if (frameBytes > this.maxFrameBytes) {
      throw new MalformedFrameError(
        `frame of ${frameBytes} bytes exceeds the limit of ${this.maxFrameBytes}`,
      );
    }
    if (frameBytes < FRAME_PREFIX_BYTES)
      throw new MalformedFrameError(`frame of ${frameBytes} bytes is too short`);
    return frameBytes;
  }

  private keepRemainder(remainder: Buffer): void {
    this.needed = LENGTH_BYTES;
    if (remainder.length === 0) return;
    // Copy: the remainder may be a view of a large chunk we would otherwise keep alive.
    this.parts = [Buffer.from(remainder)];
    this.partsBytes = remainder.length;
    if (remainder.length >= LENGTH_BYTES) this.needed = this.frameLength(remainder, 0);
  }
}

function decodeHeader(frame: Buffer): DecodedFrame {
  const version = frame[4];
  if (version !== MESSAGING_VERSION) {
    throw new MalformedFrameError(
      `messaging version ${version} is not supported (this node speaks ${MESSAGING_VERSION})`,
    );
  }
  const flags = frame[5]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new MalformedFrameError(`unknown flags 0x${flags.toString(16)}`);
  return {
    flags,
    verb: frame.readUInt16BE(6),
    requestId: frame.readUInt32BE(8),
    createdAtMs: frame.readUInt32BE(12) * 0x1_0000_0000 + frame.readUInt32BE(16),
    timeoutMs: frame.readUInt32BE(20),
    sender: frame.subarray(24, 40),
    body: frame.subarray(FRAME_PREFIX_BYTES),
  };
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

/** A host id as the 16 bytes of its UUID. */
export function hostIdToBytes(hostId: HostId): Uint8Array {
  const bytes = Buffer.from(hostId.replaceAll('-', ''), 'hex');
  assert(bytes.length === 16, 'a host id is a UUID');
  return bytes;
}

export function hostIdFromBytes(bytes: Uint8Array): HostId {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as HostId;
}
