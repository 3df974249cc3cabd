import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import {
  compareRanges,
  normalize,
  normalizedContains,
  offsetToken,
  RING_SIZE,
  sameTokens,
  TokenRange,
  totalSize,
} from '../../ring/token-range.js';
import { INTERESTING_TOKENS, token } from './ring-fixtures.js';

/*
 * The model: a range (l, r] is the tokens met walking clockwise from l (exclusive) to r
 * (inclusive), MIN following MAX; (t, t] is the whole ring. Ranges are drawn from a small set of
 * tokens, and membership is checked on those tokens and their neighbours: a set of such ranges can
 * only change membership at a bound, so these probes see every difference.
 */
function clockwise(from: Token, to: Token): bigint {
  const distance = (((to - from) % RING_SIZE) + RING_SIZE) % RING_SIZE;
  return distance === 0n ? RING_SIZE : distance;
}

function modelContains(range: TokenRange, point: Token): boolean {
  return clockwise(range.left, point) <= clockwise(range.left, range.right);
}

const PROBES: readonly Token[] = [
  ...new Set(INTERESTING_TOKENS.flatMap((at) => [offsetToken(at, -1n), at, offsetToken(at, 1n)])),
].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

const inAny = (ranges: readonly TokenRange[], point: Token): boolean => ranges.some((r) => r.contains(point));

const anyToken = fc.constantFrom(...INTERESTING_TOKENS);
const anyRange = fc.tuple(anyToken, anyToken).map(([left, right]) => new TokenRange(left, right));
const RUNS = { numRuns: 500 };

/** Sorted by left, disjoint, not touching, none crossing the seam. */
function expectNormalized(ranges: readonly TokenRange[]): void {
  for (const range of ranges) expect(range.wrapsAround(), `${range} wraps`).toBe(false);
  for (let index = 1; index < ranges.length; index++) {
    const previous = ranges[index - 1]!;
    expect(
      previous.right !== MIN_TOKEN && previous.right < ranges[index]!.left,
      `${previous} then ${ranges[index]}`,
    ).toBe(true);
  }
}

describe('TokenRange, named cases', () => {
  it('(t, t] is the whole ring for any t, MIN and MAX included', () => {
    for (const at of [MIN_TOKEN, token(0), MAX_TOKEN]) {
      const full = TokenRange.full(at);
      expect(full.isFull()).toBe(true);
      expect(full.size()).toBe(RING_SIZE);
      for (const point of PROBES) expect(full.contains(point)).toBe(true);
    }
  });

  it('a range that wraps holds the tokens above left and up to right', () => {
    const range = new TokenRange(token(10), token(-10));
    expect(range.wrapsAround()).toBe(true);
    expect(range.contains(MAX_TOKEN)).toBe(true);
    expect(range.contains(MIN_TOKEN)).toBe(true);
    expect(range.contains(token(-10))).toBe(true);
    expect(range.contains(token(0))).toBe(false);
    expect(range.contains(token(10))).toBe(false);
    expect(range.unwrap().map(String)).toEqual([`(${MIN_TOKEN},-10]`, `(10,${MIN_TOKEN}]`]);
    expect(range.size()).toBe(RING_SIZE - 20n);
  });

  it('(x, MIN] runs to the end of the ring, holds MIN and does not wrap', () => {
    const range = new TokenRange(token(5), MIN_TOKEN);
    expect(range.wrapsAround()).toBe(false);
    expect(range.contains(MIN_TOKEN)).toBe(true);
    expect(range.contains(MAX_TOKEN)).toBe(true);
    expect(range.contains(token(5))).toBe(false);
    expect(range.unwrap()).toEqual([range]);
    expect(new TokenRange(MAX_TOKEN, MIN_TOKEN).size()).toBe(1n);
  });

  it('(MIN, x] does not hold MIN, the key of the empty partition key', () => {
    expect(new TokenRange(MIN_TOKEN, token(0)).contains(MIN_TOKEN)).toBe(false);
  });

  it('subtracting the middle of a range leaves its two ends', () => {
    const pieces = new TokenRange(token(0), token(100)).subtract(new TokenRange(token(10), token(20)));
    expect(pieces.map(String)).toEqual(['(0,10]', '(20,100]']);
  });

  it('two ranges wrapping the seam intersect in two pieces', () => {
    const a = new TokenRange(token(50), token(10));
    const b = new TokenRange(token(60), token(20));
    expect(a.intersection(b).map(String)).toEqual([`(${MIN_TOKEN},10]`, `(60,${MIN_TOKEN}]`]);
  });

  it('normalize merges touching ranges and gives the whole ring as (MIN, MIN]', () => {
    expect(
      normalize([new TokenRange(token(0), token(5)), new TokenRange(token(5), token(9))]).map(String),
    ).toEqual(['(0,9]']);
    expect(normalize([new TokenRange(token(0), token(5)), new TokenRange(token(5), token(0))])).toEqual([
      TokenRange.full(),
    ]);
  });

  it('splits the whole ring into equal quarters starting at its left bound', () => {
    const quarters = TokenRange.full().split(4);
    expect(quarters.map(String)).toEqual([
      `(${MIN_TOKEN},${-(2n ** 62n)}]`,
      `(${-(2n ** 62n)},0]`,
      `(0,${2n ** 62n}]`,
      `(${2n ** 62n},${MIN_TOKEN}]`,
    ]);
    expect(quarters.every((piece) => piece.size() === RING_SIZE / 4n)).toBe(true);
  });

  it('asserts when asked for more pieces than tokens', () => {
    expect(() => new TokenRange(token(0), token(2)).split(3)).toThrow(/assertion failed/);
  });

  it('orders by left then right', () => {
    const sorted = [
      new TokenRange(token(2), token(1)),
      new TokenRange(token(1), token(3)),
      new TokenRange(token(1), token(2)),
    ]
      .sort(compareRanges)
      .map(String);
    expect(sorted).toEqual(['(1,2]', '(1,3]', '(2,1]']);
  });
});

describe('TokenRange against the model', () => {
  it('contains', () => {
    fc.assert(
      fc.property(anyRange, (range) => {
        for (const point of PROBES)
          expect(range.contains(point), `${point} in ${range}`).toBe(modelContains(range, point));
      }),
      RUNS,
    );
  });

  it('unwrap gives non-wrapping pieces with the same tokens', () => {
    fc.assert(
      fc.property(anyRange, (range) => {
        const pieces = range.unwrap();
        // Not merged: the whole ring (t, t] stays two touching pieces, as Cassandra unwraps it.
        for (const piece of pieces) expect(piece.wrapsAround()).toBe(false);
        for (const point of PROBES) expect(inAny(pieces, point)).toBe(modelContains(range, point));
        expect(pieces.reduce((sum, piece) => sum + piece.size(), 0n)).toBe(range.size());
      }),
      RUNS,
    );
  });

  it('intersection, intersects and subtract', () => {
    fc.assert(
      fc.property(anyRange, anyRange, (a, b) => {
        const both = a.intersection(b);
        const onlyA = a.subtract(b);
        expectNormalized(both);
        expectNormalized(onlyA);
        let someInBoth = false;
        for (const point of PROBES) {
          const inA = modelContains(a, point);
          const inB = modelContains(b, point);
          someInBoth ||= inA && inB;
          expect(inAny(both, point), `${point} in ${a} ∩ ${b}`).toBe(inA && inB);
          expect(inAny(onlyA, point), `${point} in ${a} - ${b}`).toBe(inA && !inB);
        }
        expect(a.intersects(b)).toBe(someInBoth);
        expect(b.intersects(a)).toBe(someInBoth);
        expect(totalSize(both) + totalSize(onlyA)).toBe(a.size());
      }),
      RUNS,
    );
  });

  it('containsRange is the subset relation', () => {
    fc.assert(
      fc.property(anyRange, anyRange, (a, b) => {
        const subset = PROBES.every((point) => !modelContains(b, point) || modelContains(a, point));
        expect(a.containsRange(b), `${b} within ${a}`).toBe(subset);
      }),
      RUNS,
    );
  });

  it('normalize keeps the union and binary search over it agrees', () => {
    fc.assert(
      fc.property(fc.array(anyRange, { maxLength: 6 }), (ranges) => {
        const normalized = normalize(ranges);
        expectNormalized(normalized);
        for (const point of PROBES) {
          const expected = ranges.some((range) => modelContains(range, point));
          expect(inAny(normalized, point)).toBe(expected);
          expect(normalizedContains(normalized, point), `${point} in ${normalized.join(' ')}`).toBe(expected);
        }
        expect(sameTokens(normalized, ranges)).toBe(true);
      }),
      RUNS,
    );
  });

  it('subtractAll removes every range given', () => {
    fc.assert(
      fc.property(anyRange, fc.array(anyRange, { maxLength: 4 }), (range, others) => {
        const rest = range.subtractAll(others);
        for (const point of PROBES) {
          const expected =
            modelContains(range, point) && !others.some((other) => modelContains(other, point));
          expect(inAny(rest, point)).toBe(expected);
        }
      }),
      RUNS,
    );
  });

  it('split covers the range with contiguous pieces of sizes within one token', () => {
    const anyBigToken = fc.bigInt(MIN_TOKEN, MAX_TOKEN).map((value) => value as Token);
    fc.assert(
      fc.property(
        fc.oneof(anyToken, anyBigToken),
        fc.oneof(anyToken, anyBigToken),
        fc.integer({ min: 1, max: 9 }),
        (left, right, count) => {
          const range = new TokenRange(left, right);
          fc.pre(range.size() >= BigInt(count));
          const pieces = range.split(count);
          expect(pieces).toHaveLength(count);
          expect(pieces[0]!.left).toBe(left);
          expect(pieces[count - 1]!.right).toBe(right);
          for (let index = 1; index < count; index++)
            expect(pieces[index]!.left).toBe(pieces[index - 1]!.right);
          const sizes = pieces.map((piece) => piece.size());
          expect(sizes.reduce((sum, size) => sum + size, 0n)).toBe(range.size());
          // Sizes are bigints (Math.min/max refuse them): all within one token of the first.
          for (const size of sizes) expect(size - sizes[0]! <= 1n && sizes[0]! - size <= 1n).toBe(true);
          for (const piece of pieces) expect(range.containsRange(piece)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
