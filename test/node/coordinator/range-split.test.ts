/**
 * A range read's key range cut along the ring, pure: pieces in key order, each inside one ring range
 * (the wrapping range twice: first and last), bounds intersected with the range asked for.
 */
import { describe, expect, it } from 'vitest';
import { splitByRing, withinEnd } from '../../../node/coordinator/range-split.js';
import type { Token } from '../../../ring/token.js';
import { MAX_TOKEN } from '../../../ring/token.js';
import type { KeyBound } from '../../../storage/table-store.js';

const t = (n: number) => BigInt(n) as Token;
const EMPTY = new Uint8Array(0);
const startOf = (n: number, inclusive: boolean): KeyBound => ({
  key: { token: BigInt(n), key: EMPTY },
  inclusive,
});
const ring = [t(-100), t(0), t(100)];

describe('splitByRing', () => {
  it('cuts the whole key space into one piece per ring range, plus the wrap-around tail', () => {
    const pieces = splitByRing(ring, {});
    expect(pieces.map((p) => p.replicaToken)).toEqual([t(-100), t(0), t(100), t(-100)]);
    expect(pieces[0]!.range).toEqual({ to: startOf(-99, false) });
    expect(pieces[1]!.range).toEqual({ from: startOf(-99, true), to: startOf(1, false) });
    expect(pieces[3]!.range).toEqual({ from: startOf(101, true) });
  });

  it('keeps a key of a ring token in the range that token ends', () => {
    const [first, second] = splitByRing(ring, {});
    const keyAt = { token: -100n, key: new Uint8Array([1]) };
    expect(withinEnd(keyAt, first!.range.to)).toBe(true);
    expect(withinEnd({ token: -99n, key: new Uint8Array([1]) }, first!.range.to)).toBe(false);
    expect(second!.range.from).toEqual(startOf(-99, true));
  });

  it('intersects with the range asked for, dropping empty pieces', () => {
    const pieces = splitByRing(ring, { from: startOf(10, true), to: startOf(150, false) });
    expect(pieces.map((p) => p.replicaToken)).toEqual([t(100), t(-100)]);
    expect(pieces[0]!.range).toEqual({ from: startOf(10, true), to: startOf(101, false) });
    expect(pieces[1]!.range).toEqual({ from: startOf(101, true), to: startOf(150, false) });
    expect(splitByRing(ring, { from: startOf(5, true), to: startOf(5, false) })).toEqual([]);
  });

  it('keeps afterClustering on the piece where the range starts only', () => {
    const from = { key: { token: 50n, key: new Uint8Array([7]) }, inclusive: true };
    const pieces = splitByRing(ring, { from, afterClustering: [new Uint8Array([1])] });
    expect(pieces[0]!.range.afterClustering).toEqual([new Uint8Array([1])]);
    expect(pieces[1]!.range.afterClustering).toBeUndefined();
  });

  it('handles a ring token at the maximum and an empty ring', () => {
    expect(splitByRing([t(0), MAX_TOKEN], {}).map((p) => p.replicaToken)).toEqual([t(0), MAX_TOKEN]);
    expect(splitByRing([], {})).toEqual([{ range: {}, replicaToken: null }]);
  });
});
