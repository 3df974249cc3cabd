/**
 * Cassandra's variable-length integers (its VIntCoding), used by the `duration` serialization:
 * an unsigned vint puts in its first byte as many leading 1 bits as there are extra bytes (0 to 8),
 * then the value big-endian; a signed vint is the unsigned vint of the zig-zag encoding.
 */

const UINT64_MASK = (1n << 64n) - 1n;

export function zigZagEncode(value: bigint): bigint {
  return ((value << 1n) ^ (value >> 63n)) & UINT64_MASK;
}

export function zigZagDecode(value: bigint): bigint {
  return (value >> 1n) ^ -(value & 1n);
}

/** Bytes taken by an unsigned vint (1 to 9). */
export function unsignedVIntSize(value: bigint): number {
  let size = 1;
  // Each extra byte carries 8 more bits but costs one bit of the first byte.
  while (size < 9 && value >= 1n << BigInt(7 * size)) size++;
  return size;
}

export function writeUnsignedVInt(value: bigint, out: number[]): void {
  const size = unsignedVIntSize(value);
  const extra = size - 1;
  const firstByteMarker = (0xff << (8 - extra)) & 0xff;
  const first = size === 9 ? 0xff : firstByteMarker | Number(value >> BigInt(8 * extra));
  out.push(first);
  for (let i = extra - 1; i >= 0; i--) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
}

export function writeVInt(value: bigint, out: number[]): void {
  writeUnsignedVInt(zigZagEncode(value), out);
}

/** Reads an unsigned vint at `offset`; returns the value and the offset after it, or undefined if short. */
export function readUnsignedVInt(
  bytes: Uint8Array,
  offset: number,
): { value: bigint; next: number } | undefined {
  const first = bytes[offset];
  if (first === undefined) return undefined;
  let extra = 0;
  while (extra < 8 && (first & (0x80 >> extra)) !== 0) extra++;
  if (offset + 1 + extra > bytes.length) return undefined;
  let value = BigInt(first & (0xff >> extra));
  for (let i = 1; i <= extra; i++) value = (value << 8n) | BigInt(bytes[offset + i]!);
  return { value, next: offset + 1 + extra };
}

export function readVInt(bytes: Uint8Array, offset: number): { value: bigint; next: number } | undefined {
  const read = readUnsignedVInt(bytes, offset);
  return read && { value: zigZagDecode(read.value), next: read.next };
}
