/**
 * A counter context: the value of a counter cell, as Cassandra's CounterContext (global shards
 * only). One shard per replica that ever counted for the cell, sorted by counter id:
 *
 * ```
 * context := shard*                         -- sorted by counterId (unsigned bytes), no duplicates
 * shard   := counterId:16 bytes clock:i64 count:i64   (big-endian; 32 bytes)
 * ```
 *
 * A replica's counter id is its host id. Only the replica that owns a shard ever changes it, each
 * time with a higher clock, so merging two contexts keeps per counter id the shard with the higher
 * clock (on equal clocks, the higher count, as Cassandra does to heal a shard that should not
 * exist). That merge is commutative, associative and idempotent: replicas converge whatever order
 * they see shards in, and a shard applied twice (a replayed hint, a repeated repair) counts once.
 * The value read is the sum of the counts. Pure functions over bytes (docs/formats/partition.md).
 */
import { assert } from '../common/errors.js';

/** A replica's counter id: the 16 bytes of its host id. */
export type CounterId = Uint8Array & { readonly __brand: 'CounterId' };

export const COUNTER_ID_BYTES = 16;
/** Bytes of one shard: counter id, clock, count. */
export const SHARD_BYTES = 32;

const CLOCK_OFFSET = 16;
const COUNT_OFFSET = 24;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CounterShard {
  readonly counterId: CounterId;
  readonly clock: bigint;
  readonly count: bigint;
}

/** The counter id of a host, from its host id (a uuid as text). */
export function counterIdFromHostId(hostId: string): CounterId {
  if (!UUID_TEXT.test(hostId)) throw new Error(`invalid host id for a counter id: ${hostId}`);
  return Buffer.from(hostId.replaceAll('-', ''), 'hex') as Uint8Array as CounterId;
}

/** A counter id as uuid text (for tools and logs). */
export function formatCounterId(id: Uint8Array): string {
  const hex = Buffer.from(id).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `context` is well formed: whole shards, counter ids strictly ascending. */
export function isValidContext(context: Uint8Array): boolean {
  if (context.length % SHARD_BYTES !== 0) return false;
  for (let offset = SHARD_BYTES; offset < context.length; offset += SHARD_BYTES) {
    if (compareIds(context, offset - SHARD_BYTES, context, offset) >= 0) return false;
  }
  return true;
}

/** A context holding `shards` (any order; one shard per counter id). */
export function encodeContext(shards: readonly CounterShard[]): Uint8Array {
  const sorted = [...shards].sort((a, b) => Buffer.compare(a.counterId, b.counterId));
  const out = Buffer.alloc(sorted.length * SHARD_BYTES);
  sorted.forEach((shard, i) => {
    assert(shard.counterId.length === COUNTER_ID_BYTES, 'a counter id is 16 bytes');
    const offset = i * SHARD_BYTES;
    out.set(shard.counterId, offset);
    out.writeBigInt64BE(shard.clock, offset + CLOCK_OFFSET);
    out.writeBigInt64BE(shard.count, offset + COUNT_OFFSET);
  });
  assert(isValidContext(out), 'a counter context holds one shard per counter id');
  return out;
}

/** The context of one shard: what a leader replica writes for an increment. */
export function singleShardContext(counterId: CounterId, clock: bigint, count: bigint): Uint8Array {
  return encodeContext([{ counterId, clock, count }]);
}

/** The shards of a context, in counter id order. */
export function decodeContext(context: Uint8Array): CounterShard[] {
  const view = viewOf(context);
  const shards: CounterShard[] = [];
  for (let offset = 0; offset < context.length; offset += SHARD_BYTES) {
    shards.push({
      counterId: context.slice(offset, offset + COUNTER_ID_BYTES) as CounterId,
      clock: view.getBigInt64(offset + CLOCK_OFFSET),
      count: view.getBigInt64(offset + COUNT_OFFSET),
    });
  }
  return shards;
}

/** The counter's value: the sum of its shards' counts (wrapping at 64 bits, as Java's long). */
export function contextTotal(context: Uint8Array): bigint {
  const view = viewOf(context);
  let total = 0n;
  for (let offset = 0; offset < context.length; offset += SHARD_BYTES) {
    total += view.getBigInt64(offset + COUNT_OFFSET);
  }
  return BigInt.asIntN(64, total);
}

/** The shard of `counterId` in `context`, or null. */
export function findShard(
  context: Uint8Array,
  counterId: CounterId,
): { clock: bigint; count: bigint } | null {
  for (let offset = 0; offset < context.length; offset += SHARD_BYTES) {
    const c = compareIds(context, offset, counterId, 0);
    if (c > 0) return null;
    if (c === 0) {
      const view = viewOf(context);
      return {
        clock: view.getBigInt64(offset + CLOCK_OFFSET),
        count: view.getBigInt64(offset + COUNT_OFFSET),
      };
    }
  }
  return null;
}

/**
 * Merges two contexts: every counter id of either, with the shard of the higher clock (equal
 * clocks: the higher count). Returns `a` or `b` itself when it already is the result (no copy).
 */
export function mergeContexts(a: Uint8Array, b: Uint8Array): Uint8Array {
  const va = viewOf(a);
  const vb = viewOf(b);
  // First pass: is one side the result already? (The common case: a replica seeing its own shard
  // again, or a newer version of every shard the other side has.)
  let allFromA = true;
  let allFromB = true;
  let shards = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareIds(a, i, b, j);
    shards++;
    if (c < 0) {
      allFromB = false;
      i += SHARD_BYTES;
    } else if (c > 0) {
      allFromA = false;
      j += SHARD_BYTES;
    } else {
      const w = compareShardStates(va, i, vb, j);
      if (w < 0) allFromA = false;
      else if (w > 0) allFromB = false;
      i += SHARD_BYTES;
      j += SHARD_BYTES;
    }
  }
  if (i < a.length) allFromB = false;
  if (j < b.length) allFromA = false;
  if (allFromA) return a;
  if (allFromB) return b;
  shards += (a.length - i + b.length - j) / SHARD_BYTES;
  return buildMerged(a, va, b, vb, shards);
}

function buildMerged(a: Uint8Array, va: DataView, b: Uint8Array, vb: DataView, shards: number): Uint8Array {
  const out = Buffer.allocUnsafe(shards * SHARD_BYTES);
  let o = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareIds(a, i, b, j);
    if (c < 0) {
      out.set(a.subarray(i, i + SHARD_BYTES), o);
      i += SHARD_BYTES;
    } else if (c > 0) {
      out.set(b.subarray(j, j + SHARD_BYTES), o);
      j += SHARD_BYTES;
    } else {
      const fromA = compareShardStates(va, i, vb, j) >= 0;
      out.set(fromA ? a.subarray(i, i + SHARD_BYTES) : b.subarray(j, j + SHARD_BYTES), o);
      i += SHARD_BYTES;
      j += SHARD_BYTES;
    }
    o += SHARD_BYTES;
  }
  if (i < a.length) {
    out.set(a.subarray(i), o);
    o += a.length - i;
  }
  if (j < b.length) {
    out.set(b.subarray(j), o);
    o += b.length - j;
  }
  assert(o === out.length, 'merged counter context has the size counted');
  return out;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Unsigned byte order of the 16-byte counter ids at `i` in `a` and `j` in `b`. */
function compareIds(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  for (let k = 0; k < COUNTER_ID_BYTES; k++) {
    const d = a[i + k]! - b[j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Which of two shards of one counter id wins: > 0 the first, < 0 the second, 0 identical. */
function compareShardStates(va: DataView, i: number, vb: DataView, j: number): number {
  return (
    compareInt64(va, i + CLOCK_OFFSET, vb, j + CLOCK_OFFSET) ||
    compareInt64(va, i + COUNT_OFFSET, vb, j + COUNT_OFFSET)
  );
}

/** Signed 64-bit comparison without BigInt: the signed high words, then the unsigned low words. */
function compareInt64(va: DataView, i: number, vb: DataView, j: number): number {
  const high = va.getInt32(i) - vb.getInt32(j);
  if (high !== 0) return high;
  return va.getUint32(i + 4) - vb.getUint32(j + 4);
}
