/**
 * Counter contexts (storage/counter-context.ts): the merge is commutative, associative and
 * idempotent (property tests over random shard sets), the higher clock wins (equal clocks: the
 * higher count), the value is the sum of the counts, and the encoding is checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CounterId, CounterShard } from '../../storage/counter-context.js';
import {
  contextTotal,
  counterIdFromHostId,
  decodeContext,
  encodeContext,
  findShard,
  formatCounterId,
  isValidContext,
  mergeContexts,
  SHARD_BYTES,
  singleShardContext,
} from '../../storage/counter-context.js';

/** A few counter ids, so random contexts share ids often (the interesting case for a merge). */
const IDS: CounterId[] = [1, 2, 3, 200, 201].map((n) =>
  counterIdFromHostId(`00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`),
);

const shardArb = fc.record({
  id: fc.integer({ min: 0, max: IDS.length - 1 }),
  clock: fc.bigInt({ min: 1n, max: 6n }),
  count: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
});

/** A random context: at most one shard per id. */
const contextArb = fc
  .uniqueArray(shardArb, { selector: (s) => s.id, maxLength: IDS.length })
  .map((shards) =>
    encodeContext(shards.map((s) => ({ counterId: IDS[s.id]!, clock: s.clock, count: s.count }))),
  );

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('counter context merge', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(contextArb, contextArb, (a, b) => {
        expect(hex(mergeContexts(a, b))).toBe(hex(mergeContexts(b, a)));
      }),
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(contextArb, contextArb, contextArb, (a, b, c) => {
        expect(hex(mergeContexts(mergeContexts(a, b), c))).toBe(hex(mergeContexts(a, mergeContexts(b, c))));
      }),
    );
  });

  it('is idempotent: a context merged with itself, or again with what it absorbed, is unchanged', () => {
    fc.assert(
      fc.property(contextArb, contextArb, (a, b) => {
        expect(hex(mergeContexts(a, a))).toBe(hex(a));
        const ab = mergeContexts(a, b);
        expect(hex(mergeContexts(ab, b))).toBe(hex(ab));
        expect(hex(mergeContexts(ab, a))).toBe(hex(ab));
      }),
    );
  });

  it('keeps every counter id, each with its winning shard, sorted and well formed', () => {
    fc.assert(
      fc.property(contextArb, contextArb, (a, b) => {
        const merged = mergeContexts(a, b);
        expect(isValidContext(merged)).toBe(true);
        const ids = new Set([...decodeContext(a), ...decodeContext(b)].map((s) => hex(s.counterId)));
        expect(decodeContext(merged).map((s) => hex(s.counterId))).toEqual([...ids].sort());
      }),
    );
  });

  it('the higher clock wins whatever its count; equal clocks keep the higher count', () => {
    const [x, y] = IDS as [CounterId, CounterId];
    const older = encodeContext([
      { counterId: x, clock: 3n, count: 100n },
      { counterId: y, clock: 2n, count: 5n },
    ]);
    const newer = encodeContext([
      { counterId: x, clock: 4n, count: 7n },
      { counterId: y, clock: 2n, count: 9n },
    ]);
    const merged = mergeContexts(older, newer);
    expect(findShard(merged, x)).toEqual({ clock: 4n, count: 7n });
    expect(findShard(merged, y)).toEqual({ clock: 2n, count: 9n });
    expect(contextTotal(merged)).toBe(16n);
  });

  it('returns one of its inputs when it already is the result (no copy)', () => {
    const [x, y] = IDS as [CounterId, CounterId];
    const a = encodeContext([
      { counterId: x, clock: 5n, count: 1n },
      { counterId: y, clock: 1n, count: 1n },
    ]);
    const b = singleShardContext(x, 4n, 10n);
    expect(mergeContexts(a, b)).toBe(a);
    expect(mergeContexts(b, a)).toBe(a);
  });
});

describe('counter context values', () => {
  it('reads as the sum of its counts, wrapping at 64 bits as a Java long', () => {
    fc.assert(
      fc.property(fc.uniqueArray(shardArb, { selector: (s) => s.id, maxLength: IDS.length }), (raw) => {
        const shards: CounterShard[] = raw.map((s) => ({
          counterId: IDS[s.id]!,
          clock: s.clock,
          count: s.count,
        }));
        const sum = shards.reduce((total, s) => total + s.count, 0n);
        expect(contextTotal(encodeContext(shards))).toBe(sum);
      }),
    );
    const max = 2n ** 63n - 1n;
    const context = encodeContext([
      { counterId: IDS[0]!, clock: 1n, count: max },
      { counterId: IDS[1]!, clock: 1n, count: 1n },
    ]);
    expect(contextTotal(context)).toBe(-(2n ** 63n));
  });

  it('encodes 32 bytes per shard sorted by counter id, and rejects malformed contexts', () => {
    const [x, y] = IDS as [CounterId, CounterId];
    const context = encodeContext([
      { counterId: y, clock: 2n, count: -3n },
      { counterId: x, clock: 1n, count: 4n },
    ]);
    expect(context.length).toBe(2 * SHARD_BYTES);
    expect(decodeContext(context).map((s) => formatCounterId(s.counterId))).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
    expect(isValidContext(context.subarray(0, 40))).toBe(false);
    const unsorted = Buffer.concat([context.subarray(32), context.subarray(0, 32)]);
    expect(isValidContext(unsorted)).toBe(false);
    const duplicate = Buffer.concat([context.subarray(0, 32), context.subarray(0, 32)]);
    expect(isValidContext(duplicate)).toBe(false);
    expect(() => counterIdFromHostId('not-a-uuid')).toThrow('invalid host id');
  });
});
