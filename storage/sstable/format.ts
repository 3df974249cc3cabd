/**
 * Constants and shared framing of the SSTable format. The format is documented in
 * docs/formats/sstable.md; keep the two in step (and bump FORMAT_VERSION on any change).
 */
import { crc32c } from '@node-rs/crc32';
import { assert, CorruptionError } from '../../common/errors.js';

export const FORMAT_VERSION = 1;
/** "SBYL" as bytes, read as a little-endian u32. */
export const MAGIC = 0x4c594253;
export const FILE_HEADER_BYTES = 8;

/** Component codes: persisted in every file header — never renumber. */
export const ComponentCode = {
  Data: 1,
  Index: 2,
  Summary: 3,
  Filter: 4,
  Statistics: 5,
} as const;
export type ComponentCode = (typeof ComponentCode)[keyof typeof ComponentCode];

/** Compression codes: persisted in chunked file headers — never renumber. */
export const CompressionCode = { none: 0, lz4: 1 } as const;
export type CompressionName = keyof typeof CompressionCode;

export const MAX_KEY_BYTES = 0xffff;
export const MAX_PARTITION_BYTES = 0xffffffff;
export const MIN_CHUNK_BYTES = 32;
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** token i64 | key_length u16 | key | partition_length u32 (docs: data_entry). */
export const DATA_ENTRY_FIXED_BYTES = 14;
/** token i64 | key_length u16 | key | data_position u64 | partition_length u32 (docs: index_entry). */
export const INDEX_ENTRY_FIXED_BYTES = 22;

export function writeFileHeader(out: Buffer, component: ComponentCode, flags: number): void {
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt16LE(FORMAT_VERSION, 4);
  out.writeUInt8(component, 6);
  out.writeUInt8(flags, 7);
}

/** Checks magic, version and component of a file header; returns its flags byte. */
export function checkFileHeader(bytes: Buffer, component: ComponentCode, file: string): number {
  if (bytes.length < FILE_HEADER_BYTES) throw new CorruptionError(file, 0, 'file shorter than its header');
  if (bytes.readUInt32LE(0) !== MAGIC) throw new CorruptionError(file, 0, 'bad magic');
  const version = bytes.readUInt16LE(4);
  if (version !== FORMAT_VERSION) {
    throw new CorruptionError(file, 4, `unsupported format version ${version}`);
  }
  const actual = bytes.readUInt8(6);
  if (actual !== component) {
    throw new CorruptionError(file, 6, `component code ${actual}, expected ${component}`);
  }
  return bytes.readUInt8(7);
}

/** small_file := file_header | body_length u64 | body | crc u32. */
export function frameSmallFile(component: ComponentCode, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FILE_HEADER_BYTES + 8 + body.length + 4);
  writeFileHeader(out, component, 0);
  writeU64(out, body.length, FILE_HEADER_BYTES);
  body.copy(out, FILE_HEADER_BYTES + 8);
  const crcAt = out.length - 4;
  out.writeUInt32LE(crc32c(out.subarray(0, crcAt)), crcAt);
  return out;
}

/** Verifies a small file whole and returns its body (a view into `bytes`). */
export function unframeSmallFile(bytes: Buffer, component: ComponentCode, file: string): Buffer {
  checkFileHeader(bytes, component, file);
  if (bytes.length < FILE_HEADER_BYTES + 12) throw new CorruptionError(file, 0, 'file too short');
  const crcAt = bytes.length - 4;
  if (crc32c(bytes.subarray(0, crcAt)) !== bytes.readUInt32LE(crcAt)) {
    throw new CorruptionError(file, crcAt, 'checksum mismatch');
  }
  const bodyLength = readU64(bytes, FILE_HEADER_BYTES);
  if (FILE_HEADER_BYTES + 8 + bodyLength + 4 !== bytes.length) {
    throw new CorruptionError(file, FILE_HEADER_BYTES, `body length ${bodyLength} disagrees with file size`);
  }
  return bytes.subarray(FILE_HEADER_BYTES + 8, crcAt);
}

/** u64 values in the format stay below 2^53 (asserted on write, checked on read). */
export function writeU64(out: Buffer, value: number, offset: number): void {
  assert(Number.isSafeInteger(value) && value >= 0, `u64 out of range: ${value}`);
  out.writeUInt32LE(value % 0x100000000, offset);
  out.writeUInt32LE(Math.floor(value / 0x100000000), offset + 4);
}

/** Reads a u64 as a number; a value ≥ 2^53 yields NaN-free garbage that callers' range checks reject. */
export function readU64(bytes: Buffer, offset: number): number {
  return bytes.readUInt32LE(offset) + bytes.readUInt32LE(offset + 4) * 0x100000000;
}

/** A buffer-backed reader of a small component's body; every overrun is a CorruptionError. */
export class BodyReader {
  private position = 0;
  constructor(
    private readonly body: Buffer,
    private readonly file: string,
    private readonly baseOffset: number,
  ) {}

  private need(bytes: number): number {
    const at = this.position;
    if (at + bytes > this.body.length) {
      throw new CorruptionError(this.file, this.baseOffset + at, `body ends inside a ${bytes}-byte field`);
    }
    this.position += bytes;
    return at;
  }
  u16(): number {
    return this.body.readUInt16LE(this.need(2));
  }
  u32(): number {
    return this.body.readUInt32LE(this.need(4));
  }
  i32(): number {
    return this.body.readInt32LE(this.need(4));
  }
  u64(): number {
    return readU64(this.body, this.need(8));
  }
  i64(): bigint {
    return this.body.readBigInt64LE(this.need(8));
  }
  /** A copy, so the caller may keep it after the file buffer is dropped. */
  bytes(length: number): Uint8Array {
    const at = this.need(length);
    return Uint8Array.prototype.slice.call(this.body, at, at + length);
  }
  end(): void {
    if (this.position !== this.body.length) {
      throw new CorruptionError(this.file, this.baseOffset + this.position, 'trailing bytes in body');
    }
  }
  corrupt(detail: string): CorruptionError {
    return new CorruptionError(this.file, this.baseOffset + this.position, detail);
  }
}

/** A growable byte buffer for building small component bodies. */
export class BodyWriter {
  private buffer = Buffer.allocUnsafe(256);
  private length = 0;

  /** Reserves `bytes` (growing the buffer) and returns their offset: call before reading `buffer`. */
  private room(bytes: number): number {
    if (this.length + bytes > this.buffer.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
      this.buffer.copy(next, 0, 0, this.length);
      this.buffer = next;
    }
    const at = this.length;
    this.length += bytes;
    return at;
  }
  u16(value: number): void {
    const at = this.room(2);
    this.buffer.writeUInt16LE(value, at);
  }
  u32(value: number): void {
    const at = this.room(4);
    this.buffer.writeUInt32LE(value, at);
  }
  i32(value: number): void {
    const at = this.room(4);
    this.buffer.writeInt32LE(value, at);
  }
  u64(value: number): void {
    const at = this.room(8);
    writeU64(this.buffer, value, at);
  }
  i64(value: bigint): void {
    const at = this.room(8);
    this.buffer.writeBigInt64LE(value, at);
  }
  bytes(value: Uint8Array): void {
    const at = this.room(value.length);
    this.buffer.set(value, at);
  }
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
