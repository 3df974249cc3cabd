/**
 * Commit log byte layout: constants and codecs. The format is specified in docs/formats/commitlog.md;
 * change that document first, and never renumber a persisted code.
 */
import { crc32c } from '@node-rs/crc32';
import { assert } from '../../common/errors.js';

/** Persisted: "SBCL" at the start of every segment. Never renumber. */
export const SEGMENT_MAGIC = 0x5342434c;
/** Persisted in the segment header and the file name. Never renumber; add a new version instead. */
export const FORMAT_VERSION = 1;

/** magic u32 | version u16 | reserved u16 | segmentId u64 | headerChecksum u32. */
export const SEGMENT_HEADER_BYTES = 20;
/** length u32 | lengthChecksum u32 | checksum u32. */
export const RECORD_HEADER_BYTES = 12;
/** tableIdLength u16. */
export const TABLE_ID_LENGTH_BYTES = 2;
export const MAX_TABLE_ID_BYTES = 0xffff;
/** Segment ids are stored as u64 but kept below 2^53 so they stay exact JS numbers. */
export const MAX_SEGMENT_ID = Number.MAX_SAFE_INTEGER;

const FILE_NAME = /^CommitLog-(\d+)-(\d+)\.log$/;
const TWO_POW_32 = 0x1_0000_0000;

export function segmentFileName(segmentId: number, version = FORMAT_VERSION): string {
  return `CommitLog-${version}-${segmentId}.log`;
}

/** Parses a segment file name; null for files that are not segments. */
export function parseSegmentFileName(name: string): { version: number; segmentId: number } | null {
  const match = FILE_NAME.exec(name);
  if (match === null) return null;
  const version = Number(match[1]);
  const segmentId = Number(match[2]);
  if (!Number.isSafeInteger(segmentId) || !Number.isSafeInteger(version)) return null;
  return { version, segmentId };
}

/** Writes the segment header at `offset` of `target`; returns the offset after it. */
export function encodeSegmentHeader(target: Buffer, offset: number, segmentId: number): number {
  assert(Number.isSafeInteger(segmentId) && segmentId >= 0, `segment id ${segmentId} is not a u53`);
  assert(target.length - offset >= SEGMENT_HEADER_BYTES, 'segment header does not fit in buffer');
  target.writeUInt32BE(SEGMENT_MAGIC, offset);
  target.writeUInt16BE(FORMAT_VERSION, offset + 4);
  target.writeUInt16BE(0, offset + 6);
  target.writeUInt32BE(Math.floor(segmentId / TWO_POW_32), offset + 8);
  target.writeUInt32BE(segmentId % TWO_POW_32, offset + 12);
  const checksum = crc32c(target.subarray(offset, offset + 16));
  target.writeUInt32BE(checksum, offset + 16);
  return offset + SEGMENT_HEADER_BYTES;
}

export type SegmentHeaderProblem = 'bad magic' | 'unsupported version' | 'bad header checksum';

/** Decodes a segment header (the caller guarantees SEGMENT_HEADER_BYTES are present). */
export function decodeSegmentHeader(
  source: Buffer,
): { segmentId: number; version: number } | { problem: SegmentHeaderProblem } {
  assert(source.length >= SEGMENT_HEADER_BYTES, 'segment header is incomplete');
  if (crc32c(source.subarray(0, 16)) !== source.readUInt32BE(16)) return { problem: 'bad header checksum' };
  if (source.readUInt32BE(0) !== SEGMENT_MAGIC) return { problem: 'bad magic' };
  const version = source.readUInt16BE(4);
  if (version !== FORMAT_VERSION) return { problem: 'unsupported version' };
  const segmentId = source.readUInt32BE(8) * TWO_POW_32 + source.readUInt32BE(12);
  return { segmentId, version };
}

/** Encoded size of a record carrying `tableIdBytes` and `payloadBytes`. */
export function recordSize(tableIdBytes: number, payloadBytes: number): number {
  return RECORD_HEADER_BYTES + TABLE_ID_LENGTH_BYTES + tableIdBytes + payloadBytes;
}

/**
 * Encodes one record at `offset` of `target` (which must have room for it); returns the offset after
 * it. The body checksum continues the length checksum, so it covers length and body in one pass.
 */
export function encodeRecord(target: Buffer, offset: number, tableId: Buffer, payload: Uint8Array): number {
  const bodyLength = TABLE_ID_LENGTH_BYTES + tableId.length + payload.length;
  const bodyStart = offset + RECORD_HEADER_BYTES;
  const end = bodyStart + bodyLength;
  assert(end <= target.length, 'record does not fit in buffer');
  target.writeUInt32BE(bodyLength, offset);
  const lengthChecksum = crc32cOfUint32(bodyLength);
  target.writeUInt32BE(lengthChecksum, offset + 4);
  target.writeUInt16BE(tableId.length, bodyStart);
  tableId.copy(target, bodyStart + TABLE_ID_LENGTH_BYTES);
  target.set(payload, bodyStart + TABLE_ID_LENGTH_BYTES + tableId.length);
  target.writeUInt32BE(crc32c(target.subarray(bodyStart, end), lengthChecksum), offset + 8);
  return end;
}

/** CRC-32C (reflected polynomial 0x82F63B78) of each byte value, for crc32cOfUint32. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * crc32c of a u32's 4 big-endian bytes, in JS: the length checksum of every record, where a native
 * call plus a subarray would cost more than the 4 table steps. Equal to crc32c() (tested).
 */
export function crc32cOfUint32(value: number): number {
  let c = 0xffffffff;
  for (let shift = 24; shift >= 0; shift -= 8) {
    c = CRC32C_TABLE[(c ^ (value >>> shift)) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
