import { MarshalError } from './marshal-error.js';

/**
 * UUID text ↔ bytes, and version 1 (time-based) UUIDs as CQL's `timeuuid` uses them. The clock and
 * the random part are always given by the caller (STYLE.md §3): nothing here reads the time.
 */

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch. */
const UUID_EPOCH_OFFSET = 0x01b21dd213814000n;
const TICKS_PER_MS = 10_000n;

export function isUuidString(text: string): boolean {
  return UUID_PATTERN.test(text);
}

export function uuidToBytes(text: string): Uint8Array {
  if (!UUID_PATTERN.test(text)) throw new MarshalError(`Unable to make UUID from '${text}'`);
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

export function uuidFromBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidVersion(bytes: Uint8Array): number {
  return (bytes[6]! >> 4) & 0x0f;
}

/** The 60-bit timestamp (100-ns ticks since 1582-10-15) of a version 1 UUID. */
export function timeuuidTicks(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timeLow = BigInt(view.getUint32(0));
  const timeMid = BigInt(view.getUint16(4));
  const timeHigh = BigInt(view.getUint16(6) & 0x0fff);
  return (timeHigh << 48n) | (timeMid << 32n) | timeLow;
}

function timeuuidFromTicks(ticks: bigint, clockSeqAndNode: Uint8Array): Uint8Array {
  if (clockSeqAndNode.length !== 8) throw new MarshalError('clock sequence and node must be 8 bytes');
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Number(ticks & 0xffffffffn));
  view.setUint16(4, Number((ticks >> 32n) & 0xffffn));
  view.setUint16(6, Number((ticks >> 48n) & 0x0fffn) | 0x1000);
  bytes.set(clockSeqAndNode, 8);
  return bytes;
}

function ticksOfMs(ms: number, extraTicks: number): bigint {
  if (!Number.isSafeInteger(ms) || !Number.isInteger(extraTicks) || extraTicks < 0 || extraTicks > 9999) {
    throw new MarshalError(`invalid time for a timeuuid: ${ms} ms + ${extraTicks} ticks`);
  }
  const ticks = BigInt(ms) * TICKS_PER_MS + BigInt(extraTicks) + UUID_EPOCH_OFFSET;
  if (ticks < 0n || ticks >= 1n << 60n) throw new MarshalError(`time ${ms} ms is out of the timeuuid range`);
  return ticks;
}

/**
 * A version 1 UUID for `ms` (plus `extraTicks` 100-ns ticks, 0..9999, to order UUIDs made in the
 * same millisecond). `clockSeqAndNode` is the caller's 8 random or node bytes; its variant bits are
 * set to RFC 4122's `10`.
 */
export function timeuuidFromMs(ms: number, clockSeqAndNode: Uint8Array, extraTicks = 0): string {
  const tail = Uint8Array.from(clockSeqAndNode);
  tail[0] = (tail[0]! & 0x3f) | 0x80;
  return uuidFromBytes(timeuuidFromTicks(ticksOfMs(ms, extraTicks), tail));
}

/** Milliseconds since the epoch of a version 1 UUID (Cassandra's toTimestamp / dateOf). */
export function timeuuidToMs(uuid: string | Uint8Array): number {
  const bytes = typeof uuid === 'string' ? uuidToBytes(uuid) : uuid;
  if (uuidVersion(bytes) !== 1) throw new MarshalError('Invalid version for TimeUUID type.');
  const ticks = timeuuidTicks(bytes) - UUID_EPOCH_OFFSET;
  // Floor division: ticks before 1970 round towards the earlier millisecond.
  const ms = ticks >= 0n ? ticks / TICKS_PER_MS : -((-ticks + TICKS_PER_MS - 1n) / TICKS_PER_MS);
  return Number(ms);
}

// Cassandra compares the last 8 bytes of timeuuids as signed bytes, so 0x80.. is the smallest and
// 0x7f.. the largest: these bound every timeuuid of a millisecond (its minTimeuuid / maxTimeuuid).
const MIN_CLOCK_SEQ_AND_NODE = new Uint8Array(8).fill(0x80);
const MAX_CLOCK_SEQ_AND_NODE = new Uint8Array(8).fill(0x7f);

export function minTimeuuid(ms: number): string {
  return uuidFromBytes(timeuuidFromTicks(ticksOfMs(ms, 0), MIN_CLOCK_SEQ_AND_NODE));
}

export function maxTimeuuid(ms: number): string {
  return uuidFromBytes(timeuuidFromTicks(ticksOfMs(ms, 9999), MAX_CLOCK_SEQ_AND_NODE));
}
