/**
 * Frame body compression (spec 5), chosen by STARTUP's COMPRESSION option. Only bodies are
 * compressed, and STARTUP itself never is.
 * - lz4: a 4-byte big-endian uncompressed length, then one raw LZ4 block (as Cassandra and the
 *   drivers do). lz4-napi's compressSync/uncompressSync use the same block but with the length
 *   prefix little-endian (lz4_flex's size-prepended format), so the prefix is swapped.
 * - snappy: one raw Snappy block, which starts with its uncompressed length as a varint.
 * The declared uncompressed length is checked against the frame limit before anything is allocated,
 * and the output length against the declaration, so a hostile body cannot inflate memory.
 */
import { compressSync as lz4Compress, uncompressSync as lz4Uncompress } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { ProtocolError } from './protocol-error.js';

export type CompressionName = 'lz4' | 'snappy';

export interface FrameCompressor {
  readonly name: CompressionName;
  compress(body: Uint8Array): Uint8Array;
  /** Throws ProtocolError on corrupt input or an uncompressed size above `maxBytes`. */
  decompress(body: Uint8Array, maxBytes: number): Uint8Array;
}

/** As SUPPORTED lists them. */
export const SUPPORTED_COMPRESSIONS: readonly CompressionName[] = ['snappy', 'lz4'];

export const lz4Compressor: FrameCompressor = {
  name: 'lz4',
  compress(body) {
    const out = lz4Compress(asBuffer(body));
    out.writeUInt32BE(body.length, 0);
    return out;
  },
  decompress(body, maxBytes) {
    if (body.length < 4) throw new ProtocolError('Truncated lz4 frame body');
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const length = view.getUint32(0);
    checkSize(length, maxBytes);
    if (length === 0) return new Uint8Array(0);
    const input = Buffer.from(body);
    input.writeUInt32LE(length, 0);
    const out = callNative('lz4', () => lz4Uncompress(input));
    if (out.length !== length) {
      throw new ProtocolError(`Corrupt lz4 frame body: ${out.length} bytes, ${length} declared`);
    }
    return out;
  },
};

export const snappyCompressor: FrameCompressor = {
  name: 'snappy',
  compress(body) {
    return snappyCompress(body);
  },
  decompress(body, maxBytes) {
    checkSize(snappyDeclaredLength(body), maxBytes);
    const out = callNative('snappy', () => snappyUncompress(body, { asBuffer: true }));
    if (typeof out === 'string') throw new Error('assertion failed: snappy returned a string');
    return out;
  },
};

/** The compressor STARTUP's COMPRESSION option names; Cassandra's message for an unknown one. */
export function compressorFor(name: string): FrameCompressor {
  switch (name.toLowerCase()) {
    case 'lz4':
      return lz4Compressor;
    case 'snappy':
      return snappyCompressor;
    default:
      throw new ProtocolError(`Unknown compression algorithm: ${name}`);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkSize(length: number, maxBytes: number): void {
  if (length > maxBytes) {
    throw new ProtocolError(`Decompressed frame body of ${length} bytes exceeds the limit of ${maxBytes}`);
  }
}

/** Snappy's preamble: the uncompressed length as a little-endian base-128 varint (at most 32 bits). */
function snappyDeclaredLength(body: Uint8Array): number {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    const byte = body[i];
    if (byte === undefined) break;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return length;
  }
  throw new ProtocolError('Corrupt snappy frame body: bad length preamble');
}

function callNative<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (cause) {
    throw new ProtocolError(`Corrupt ${name} frame body: ${(cause as Error).message}`, { cause });
  }
}
