/**
 * The frame header (spec 2): version (direction bit 0x80 + version), flags, stream id, opcode and
 * body length. v1/v2 headers were 8 bytes with a one-byte stream id; they are parsed only so such a
 * client can be told which versions are supported, in a header it can read.
 */
import { assert } from '../../common/errors.js';
import { HEADER_LENGTH, LEGACY_HEADER_LENGTH, RESPONSE_VERSION_BIT } from './constants.js';

export interface FrameHeader {
  /** The protocol version (the version byte without the direction bit). */
  readonly version: number;
  readonly isResponse: boolean;
  readonly flags: number;
  /** int16 (int8 before v3); negative ids are server-initiated (EVENT uses -1). */
  readonly streamId: number;
  readonly opcode: number;
  readonly bodyLength: number;
}

export interface Frame {
  readonly header: FrameHeader;
  /** As received: still compressed when the header has the compression flag. */
  readonly body: Uint8Array;
}

/** The header length announced by a frame's first byte. */
export function headerLengthOf(versionByte: number): number {
  return (versionByte & ~RESPONSE_VERSION_BIT) < 3 ? LEGACY_HEADER_LENGTH : HEADER_LENGTH;
}

/** Parses a header; the caller guarantees `headerLengthOf(bytes[offset])` bytes are there. */
export function readFrameHeader(bytes: Uint8Array, offset = 0): FrameHeader {
  // Byte arithmetic rather than a DataView: a header is read for every frame received.
  const versionByte = bytes[offset]!;
  const version = versionByte & ~RESPONSE_VERSION_BIT;
  const isResponse = (versionByte & RESPONSE_VERSION_BIT) !== 0;
  const flags = bytes[offset + 1]!;
  if (version < 3) {
    return {
      version,
      isResponse,
      flags,
      streamId: (bytes[offset + 2]! << 24) >> 24,
      opcode: bytes[offset + 3]!,
      bodyLength: int32At(bytes, offset + 4),
    };
  }
  return {
    version,
    isResponse,
    flags,
    streamId: ((bytes[offset + 2]! << 24) >> 16) | bytes[offset + 3]!,
    opcode: bytes[offset + 4]!,
    bodyLength: int32At(bytes, offset + 5),
  };
}

function int32At(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

/** Writes `header` at `offset` of `target` (which has room for it); returns the header length. */
export function writeFrameHeader(target: Uint8Array, offset: number, header: FrameHeader): number {
  const view = new DataView(target.buffer, target.byteOffset + offset);
  const length = header.version < 3 ? LEGACY_HEADER_LENGTH : HEADER_LENGTH;
  assert(target.length - offset >= length, 'room for the frame header');
  view.setUint8(0, (header.version & 0x7f) | (header.isResponse ? RESPONSE_VERSION_BIT : 0));
  view.setUint8(1, header.flags);
  if (length === LEGACY_HEADER_LENGTH) {
    view.setInt8(2, header.streamId);
    view.setUint8(3, header.opcode);
    view.setInt32(4, header.bodyLength);
  } else {
    view.setInt16(2, header.streamId);
    view.setUint8(4, header.opcode);
    view.setInt32(5, header.bodyLength);
  }
  return length;
}

/**
 * Writes a v3+ header at `offset` from its fields, without building a header object: the hot path
 * of every frame a connection sends.
 */
export function writeFrameHeaderFields(
  target: Buffer,
  offset: number,
  header: Omit<FrameHeader, 'bodyLength'>,
  bodyLength: number,
): void {
  assert(target.length - offset >= HEADER_LENGTH, 'room for the frame header');
  target[offset] = (header.version & 0x7f) | (header.isResponse ? RESPONSE_VERSION_BIT : 0);
  target[offset + 1] = header.flags;
  target.writeInt16BE(header.streamId, offset + 2);
  target[offset + 4] = header.opcode;
  target.writeInt32BE(bodyLength, offset + 5);
}

/** A whole frame (header + body) as one buffer. */
export function encodeFrame(header: Omit<FrameHeader, 'bodyLength'>, body: Uint8Array): Buffer {
  const full: FrameHeader = { ...header, bodyLength: body.length };
  const out = Buffer.allocUnsafe(headerLengthOf(header.version) + body.length);
  const length = writeFrameHeader(out, 0, full);
  out.set(body, length);
  return out;
}
