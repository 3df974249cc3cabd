/**
 * Key comparison without allocation. Tokens are split once per lookup into two 32-bit halves, so
 * scanning index entries compares plain numbers instead of creating a bigint per entry.
 */
import { endianness } from 'node:os';
import { assert } from '../../common/errors.js';
import type { DecoratedKey } from '../model.js';

assert(endianness() === 'LE', 'the token split below assumes a little-endian host');
const scratch = new BigInt64Array(1);
const scratchSigned = new Int32Array(scratch.buffer);
const scratchUnsigned = new Uint32Array(scratch.buffer);

/** A key prepared for comparisons against encoded entries: `hi` signed, `lo` unsigned. */
export interface SearchKey {
  readonly hi: number;
  readonly lo: number;
  readonly key: Uint8Array;
}

export function searchKey(key: DecoratedKey): SearchKey {
  scratch[0] = key.token;
  return { hi: scratchSigned[1]!, lo: scratchUnsigned[0]!, key: key.key };
}

/** The two unsigned 32-bit halves of a token, for hashing. Writes into `out` to avoid allocation. */
export function tokenHalves(token: bigint, out: Uint32Array): void {
  scratch[0] = token;
  out[0] = scratchUnsigned[0]!;
  out[1] = scratchUnsigned[1]!;
}

export function compareSearchKeys(a: SearchKey, b: SearchKey): number {
  if (a.hi !== b.hi) return a.hi < b.hi ? -1 : 1;
  if (a.lo !== b.lo) return a.lo < b.lo ? -1 : 1;
  return Buffer.compare(a.key, b.key);
}

/**
 * Compares the encoded key at `offset` (token i64 | key_length u16 | key) with `search`.
 * Returns <0, 0, >0 as the encoded key sorts before, equal to, or after `search`.
 */
export function compareEncodedKey(bytes: Buffer, offset: number, search: SearchKey): number {
  const hi = bytes.readInt32LE(offset + 4);
  if (hi !== search.hi) return hi < search.hi ? -1 : 1;
  const lo = bytes.readUInt32LE(offset);
  if (lo !== search.lo) return lo < search.lo ? -1 : 1;
  const start = offset + 10;
  const end = start + bytes.readUInt16LE(offset + 8);
  return bytes.compare(search.key, 0, search.key.length, start, end);
}

/** Decodes the key at `offset` (copying the key bytes). */
export function decodeKey(bytes: Buffer, offset: number): DecoratedKey {
  const length = bytes.readUInt16LE(offset + 8);
  const start = offset + 10;
  return {
    token: bytes.readBigInt64LE(offset),
    key: Uint8Array.prototype.slice.call(bytes, start, start + length),
  };
}

/** Encodes token i64 | key_length u16 | key at `offset`; returns the offset after it. */
export function encodeKey(out: Buffer, offset: number, key: DecoratedKey): number {
  out.writeBigInt64LE(key.token, offset);
  out.writeUInt16LE(key.key.length, offset + 8);
  out.set(key.key, offset + 10);
  return offset + 10 + key.key.length;
}
