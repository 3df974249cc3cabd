/**
 * Hints file byte layout: constants and codecs. The format is specified in docs/formats/hints.md;
 * change that document first, and never renumber a persisted code. The record framing and its
 * checksums are the commit log's (storage/commitlog/format.ts).
 */
import { crc32c } from '@node-rs/crc32';
import { assert } from '../../common/errors.js';
import { crc32cOfUint32, RECORD_HEADER_BYTES } from '../commitlog/format.js';

export { RECORD_HEADER_BYTES };

/** Persisted: "SBHT" at the start of every hints file. Never renumber. */
export const HINTS_MAGIC = 0x53424854;
/** Persisted in the file header and the file name. Never renumber; add a new version instead. */
export const HINTS_FORMAT_VERSION = 1;

/** magic u32 | version u16 | reserved u16 | hostId 16 | creationMs u64 | headerChecksum u32. */
export const HINTS_HEADER_BYTES = 36;
/** creationMs u64 | tableIdLength u16: the fixed part of a record body. */
export const BODY_FIXED_BYTES = 10;
export const MAX_TABLE_ID_BYTES = 0xffff;
/** Suffix of a file set aside after corruption was found in it. */
export const CORRUPT_SUFFIX = '.corrupt';

const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID = new RegExp(`^${UUID_PATTERN}$`);
const FILE_NAME = new RegExp(`^(${UUID_PATTERN})-(\\d+)-(\\d+)\\.hints(\\.corrupt)?$`);
const TWO_POW_32 = 0x1_0000_0000;

export function isHostIdText(text: string): boolean {
  return UUID.test(text);
}

export function hintsFileName(hostId: string, creationMs: number, version = HINTS_FORMAT_VERSION): string {
  return `${hostId}-${creationMs}-${version}.hints`;
}

export interface ParsedHintsFileName {
  readonly hostId: string;
  readonly creationMs: number;
  readonly version: number;
  readonly corrupt: boolean;
}

/** Parses a hints file name (a `.corrupt` one included); null for other files. */
export function parseHintsFileName(name: string): ParsedHintsFileName | null {
  const match = FILE_NAME.exec(name);
  if (match === null) return null;
  const creationMs = Number(match[2]);
  const version = Number(match[3]);
  if (!Number.isSafeInteger(creationMs) || !Number.isSafeInteger(version)) return null;
  return { hostId: match[1]!, creationMs, version, corrupt: match[4] !== undefined };
}

function writeUint64(target: Buffer, offset: number, value: number): void {
  target.writeUInt32BE(Math.floor(value / TWO_POW_32), offset);
  target.writeUInt32BE(value % TWO_POW_32, offset + 4);
}

function readUint64(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * TWO_POW_32 + source.readUInt32BE(offset + 4);
}

/** The header of a new file of `hostId` created at `creationMs`. */
export function encodeHintsHeader(hostId: string, creationMs: number): Buffer {
  assert(isHostIdText(hostId), `host id ${hostId} is not a lower-case uuid`);
  assert(Number.isSafeInteger(creationMs) && creationMs >= 0, `creation time ${creationMs} is not a u53`);
  const header = Buffer.alloc(HINTS_HEADER_BYTES);
  header.writeUInt32BE(HINTS_MAGIC, 0);
  header.writeUInt16BE(HINTS_FORMAT_VERSION, 4);
  header.writeUInt16BE(0, 6);
  Buffer.from(hostId.replaceAll('-', ''), 'hex').copy(header, 8);
  writeUint64(header, 24, creationMs);
  header.writeUInt32BE(crc32c(header.subarray(0, 32)), 32);
  return header;
}

export type HintsHeaderProblem = 'bad header checksum' | 'bad magic' | 'unsupported version';

/** Decodes a file header (the caller guarantees HINTS_HEADER_BYTES are present). */
export function decodeHintsHeader(
  source: Buffer,
): { hostId: string; creationMs: number } | { problem: HintsHeaderProblem } {
  assert(source.length >= HINTS_HEADER_BYTES, 'hints file header is incomplete');
  if (crc32c(source.subarray(0, 32)) !== source.readUInt32BE(32)) return { problem: 'bad header checksum' };
  if (source.readUInt32BE(0) !== HINTS_MAGIC) return { problem: 'bad magic' };
  if (source.readUInt16BE(4) !== HINTS_FORMAT_VERSION) return { problem: 'unsupported version' };
  const hex = source.toString('hex', 8, 24);
  const hostId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { hostId, creationMs: readUint64(source, 24) };
}

/** Encoded size of a hint record carrying `tableIdBytes` and `payloadBytes`. */
export function hintRecordSize(tableIdBytes: number, payloadBytes: number): number {
  return RECORD_HEADER_BYTES + BODY_FIXED_BYTES + tableIdBytes + payloadBytes;
}

/**
 * Encodes one hint record at `offset` of `target` (which must have room for it); returns the offset
 * after it. `tableId` is the table id's UTF-8 bytes.
 */
export function encodeHintRecord(
  target: Buffer,
  offset: number,
  creationMs: number,
  tableId: Buffer,
  payload: Uint8Array,
): number {
  const bodyLength = BODY_FIXED_BYTES + tableId.length + payload.length;
  const bodyStart = offset + RECORD_HEADER_BYTES;
  const end = bodyStart + bodyLength;
  assert(end <= target.length, 'hint record does not fit in buffer');
  assert(tableId.length <= MAX_TABLE_ID_BYTES, 'table id too long');
  target.writeUInt32BE(bodyLength, offset);
  const lengthChecksum = crc32cOfUint32(bodyLength);
  target.writeUInt32BE(lengthChecksum, offset + 4);
  writeUint64(target, bodyStart, creationMs);
  target.writeUInt16BE(tableId.length, bodyStart + 8);
  tableId.copy(target, bodyStart + BODY_FIXED_BYTES);
  target.set(payload, bodyStart + BODY_FIXED_BYTES + tableId.length);
  target.writeUInt32BE(crc32c(target.subarray(bodyStart, end), lengthChecksum), offset + 8);
  return end;
}

/** The fields of a record body whose checksum has been verified. */
export function decodeHintBody(
  body: Buffer,
): { creationMs: number; tableId: string; payload: Buffer } | { problem: string } {
  const tableIdLength = body.readUInt16BE(8);
  const payloadStart = BODY_FIXED_BYTES + tableIdLength;
  if (payloadStart > body.length) return { problem: `table id of ${tableIdLength} bytes exceeds record` };
  return {
    creationMs: readUint64(body, 0),
    tableId: body.toString('utf8', BODY_FIXED_BYTES, payloadStart),
    payload: body.subarray(payloadStart),
  };
}

export { crc32cOfUint32 };
