/**
 * The v4 framing of collections, tuples and UDT values (spec section 6), for building values from
 * element bytes and taking them apart into cells. Elements are never decoded here.
 */
import type { ByteComparator } from '../types/index.js';
import { MarshalError } from '../types/index.js';

function int32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value);
  return out;
}

function readInt32(bytes: Uint8Array, offset: number): number {
  if (offset + 4 > bytes.length) throw new MarshalError('Not enough bytes to read a collection');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(offset);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** A list or set value from its elements (in the order given). */
export function collectionBytes(elements: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [int32(elements.length)];
  for (const e of elements) parts.push(int32(e.length), e);
  return concat(parts);
}

/** A map value from its entries (in the order given). */
export function mapBytes(entries: readonly (readonly [Uint8Array, Uint8Array])[]): Uint8Array {
  const parts: Uint8Array[] = [int32(entries.length)];
  for (const [k, v] of entries) parts.push(int32(k.length), k, int32(v.length), v);
  return concat(parts);
}

/** The elements of a list or set value (for maps: keys and values alternating). */
export function collectionElements(bytes: Uint8Array, perEntry: 1 | 2 = 1): Uint8Array[] {
  const count = readInt32(bytes, 0);
  const out: Uint8Array[] = [];
  let offset = 4;
  for (let i = 0; i < count * perEntry; i++) {
    const length = readInt32(bytes, offset);
    offset += 4;
    if (length < 0) throw new MarshalError('null is not supported inside collections');
    out.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return out;
}

export function mapEntries(bytes: Uint8Array): [Uint8Array, Uint8Array][] {
  const flat = collectionElements(bytes, 2);
  const out: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** A tuple or UDT value from its components (null components written as -1). */
export function componentsBytes(components: readonly (Uint8Array | null)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of components) {
    if (c === null) parts.push(int32(-1));
    else parts.push(int32(c.length), c);
  }
  return concat(parts);
}

export function splitComponentBytes(bytes: Uint8Array): (Uint8Array | null)[] {
  const out: (Uint8Array | null)[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = readInt32(bytes, offset);
    offset += 4;
    if (length < 0) {
      out.push(null);
      continue;
    }
    out.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return out;
}

/** Sorted by `compare`, without duplicates (the first of equal elements is kept). */
export function sortedUnique(values: readonly Uint8Array[], compare: ByteComparator): Uint8Array[] {
  const sorted = values.slice().sort(compare);
  return sorted.filter((v, i) => i === 0 || compare(sorted[i - 1]!, v) !== 0);
}

/** Map entries sorted by key; a later entry with an equal key replaces an earlier one. */
export function sortedEntries(
  entries: readonly (readonly [Uint8Array, Uint8Array])[],
  compare: ByteComparator,
): [Uint8Array, Uint8Array][] {
  const indexed = entries.map((e, i) => [e, i] as const);
  indexed.sort(([a, i], [b, j]) => compare(a[0], b[0]) || j - i);
  const out: [Uint8Array, Uint8Array][] = [];
  for (const [[k, v]] of indexed) {
    const last = out[out.length - 1];
    if (last && compare(last[0], k) === 0) continue;
    out.push([k, v]);
  }
  return out;
}

export function int32Bytes(value: number): Uint8Array {
  return int32(value);
}

export function int64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, value));
  return out;
}

export function readInt64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(0);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
