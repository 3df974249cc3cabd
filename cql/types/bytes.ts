import { MarshalError } from './marshal-error.js';

/** Byte helpers shared by the codecs and comparators; everything is big-endian (spec section 1). */

export const EMPTY = new Uint8Array(0);

export function int32At(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

export function int32Bytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = value >>> 24;
  out[1] = value >>> 16;
  out[2] = value >>> 8;
  out[3] = value;
  return out;
}

export function int64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value);
  return out;
}

export function int64At(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(offset);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Minimal two's complement (spec 6.23): 128 → 00 80, -1 → ff, -129 → ff 7f. */
export function varintBytes(value: bigint): Uint8Array {
  const negative = value < 0n;
  // A negative number's bytes are the complement of those of -value-1, which is non-negative.
  const magnitude = negative ? -value - 1n : value;
  let hex = magnitude.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const out = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (negative) for (let i = 0; i < out.length; i++) out[i] = ~out[i]! & 0xff;
  return out;
}

export function varintFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(
    `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`,
  );
  return bytes[0]! >= 0x80 ? unsigned - (1n << BigInt(8 * bytes.length)) : unsigned;
}

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A [bytes] value: int32 length (negative = null) then that many bytes (spec section 3). */
export function writeValue(value: Uint8Array | null): Uint8Array[] {
  return value === null ? [int32Bytes(-1)] : [int32Bytes(value.length), value];
}

/**
 * Splits a v4 collection (int32 count, then count [bytes]) into its element slices, `perEntry`
 * values per counted entry (2 for maps). Nulls inside collections are refused, as in CQL.
 */
export function splitCollection(
  bytes: Uint8Array,
  perEntry: 1 | 2,
  what: 'list' | 'set' | 'map',
): Uint8Array[] {
  if (bytes.length < 4) throw new MarshalError(`Not enough bytes to read a ${what}`);
  const count = int32At(bytes, 0);
  if (count < 0) throw new MarshalError(`The data cannot be deserialized as a ${what}`);
  const values: Uint8Array[] = [];
  let offset = 4;
  for (let i = 0; i < count * perEntry; i++) {
    if (offset + 4 > bytes.length) throw new MarshalError(`Not enough bytes to read a ${what}`);
    const length = int32At(bytes, offset);
    offset += 4;
    if (length < 0) throw new MarshalError('null is not supported inside collections');
    if (offset + length > bytes.length) throw new MarshalError(`Not enough bytes to read a ${what}`);
    values.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.length) throw new MarshalError(`Unexpected extraneous bytes after ${what} value`);
  return values;
}

/**
 * Splits a tuple or UDT value into at most `names.length` components (null for a null component);
 * fewer components than declared is allowed (fields added later), more is not.
 */
export function splitComponents(
  bytes: Uint8Array,
  names: readonly string[] | null,
  count: number,
): (Uint8Array | null)[] {
  const describe = (i: number) => (names === null ? `${i}th component` : `${i}th field ${names[i]}`);
  const values: (Uint8Array | null)[] = [];
  let offset = 0;
  for (let i = 0; i < count && offset < bytes.length; i++) {
    if (offset + 4 > bytes.length) throw new MarshalError(`Not enough bytes to read size of ${describe(i)}`);
    const length = int32At(bytes, offset);
    offset += 4;
    if (length < 0) {
      values.push(null);
      continue;
    }
    if (offset + length > bytes.length) throw new MarshalError(`Not enough bytes to read ${describe(i)}`);
    values.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.length) {
    throw new MarshalError(`Invalid remaining data after end of ${names === null ? 'tuple' : 'UDT'} value`);
  }
  return values;
}
