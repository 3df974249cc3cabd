import { assert } from '../common/errors.js';
import { compareTokens, MAX_TOKEN, MIN_TOKEN, type Token } from './token.js';

/*
 * Token ranges `(left, right]` on the Murmur3 ring, as Cassandra's `Range<Token>`.
 *
 * A range whose left is at or past its right wraps past MAX_TOKEN back to MIN_TOKEN, and `(t, t]` is
 * the whole ring. MIN_TOKEN is the ring's seam: as a right bound it means "to the end of the ring"
 * (so `(x, MIN]` holds every token above x, and MIN itself), which is why `(x, MIN]` does not count
 * as wrapping when unwrapped.
 *
 * Set operations work on spans of a straight line cut just after MIN_TOKEN: positions MIN+1 … MAX,
 * then MIN_TOKEN placed at MAX+1 (`END`). Every range becomes one or two spans `(lo, hi]` with
 * lo < hi on that line, where plain interval arithmetic is correct.
 */

/** Tokens on the ring: 2^64. */
export const RING_SIZE = 2n ** 64n;

/** MIN_TOKEN's position on the line the set operations use (see above). */
const END = MAX_TOKEN + 1n;

interface Span {
  readonly lo: bigint;
  readonly hi: bigint;
}

export class TokenRange {
  constructor(
    readonly left: Token,
    readonly right: Token,
  ) {}

  /** The whole ring, as `(token, token]`; `(MIN, MIN]` unless told otherwise. */
  static full(at: Token = MIN_TOKEN): TokenRange {
    return new TokenRange(at, at);
  }

  isFull(): boolean {
    return this.left === this.right;
  }

  /** True when the range crosses the seam and `unwrap` gives two pieces (Cassandra's isTrulyWrapAround). */
  wrapsAround(): boolean {
    return this.left >= this.right && this.right !== MIN_TOKEN;
  }

  /** Hot path (replica lookup): plain comparisons, no allocation. */
  contains(token: Token): boolean {
    if (this.left < this.right) return token > this.left && token <= this.right;
    return token > this.left || token <= this.right;
  }

  /** Every token of `other` is in this range. */
  containsRange(other: TokenRange): boolean {
    return subtractSpans(toSpans(other), toSpans(this)).length === 0;
  }

  intersects(other: TokenRange): boolean {
    return intersectSpans(toSpans(this), toSpans(other)).length > 0;
  }

  /** The tokens in both, as normalized non-wrapping ranges (empty when disjoint). */
  intersection(other: TokenRange): TokenRange[] {
    return intersectSpans(toSpans(this), toSpans(other)).map(fromSpan);
  }

  /** The tokens of this range not in `other`, as normalized non-wrapping ranges. */
  subtract(other: TokenRange): TokenRange[] {
    return subtractSpans(toSpans(this), toSpans(other)).map(fromSpan);
  }

  /** The tokens of this range not in any of `others`, as normalized non-wrapping ranges. */
  subtractAll(others: readonly TokenRange[]): TokenRange[] {
    return subtractSpans(toSpans(this), mergeSpans(others.flatMap(toSpans))).map(fromSpan);
  }

  /** One piece, or two when the range crosses the seam: `(left, MIN]` then `(MIN, right]`. */
  unwrap(): TokenRange[] {
    return toSpans(this).map(fromSpan);
  }

  /** Number of tokens in the range (2^64 for the whole ring). */
  size(): bigint {
    if (this.isFull()) return RING_SIZE;
    return modRing(this.right - this.left);
  }

  /** The share of the ring this range covers, in [0, 1]. */
  fraction(): number {
    return Number(this.size()) / Number(RING_SIZE);
  }

  /**
   * `pieces` contiguous ranges of (nearly) equal size covering this one, in ring order from left;
   * the first ends at left + size/pieces, the last at this range's right.
   */
  split(pieces: number): TokenRange[] {
    assert(Number.isInteger(pieces) && pieces >= 1, `split needs a positive piece count, got ${pieces}`);
    const size = this.size();
    assert(BigInt(pieces) <= size, `cannot split a range of ${size} tokens into ${pieces} pieces`);
    const result: TokenRange[] = [];
    let previous = this.left;
    for (let index = 1; index <= pieces; index++) {
      const next =
        index === pieces ? this.right : offsetToken(this.left, (size * BigInt(index)) / BigInt(pieces));
      result.push(new TokenRange(previous, next));
      previous = next;
    }
    return result;
  }

  equals(other: TokenRange): boolean {
    return this.left === other.left && this.right === other.right;
  }

  toString(): string {
    return `(${this.left},${this.right}]`;
  }
}

/** Orders by left bound, then right bound (the order `normalize` returns). */
export function compareRanges(a: TokenRange, b: TokenRange): number {
  return compareTokens(a.left, b.left) || compareTokens(a.right, b.right);
}

/**
 * The union of `ranges` as sorted, disjoint, non-adjacent, non-wrapping ranges (Cassandra's
 * `Range.normalize`): a piece crossing the seam comes out as `(MIN, r]` first and `(l, MIN]` last.
 * The whole ring normalizes to `[(MIN, MIN]]`.
 */
export function normalize(ranges: readonly TokenRange[]): TokenRange[] {
  return mergeSpans(ranges.flatMap(toSpans)).map(fromSpan);
}

/** Token sets equal (whatever the pieces). */
export function sameTokens(a: readonly TokenRange[], b: readonly TokenRange[]): boolean {
  const left = normalize(a);
  const right = normalize(b);
  return left.length === right.length && left.every((range, index) => range.equals(right[index]!));
}

/** Total tokens covered by `ranges`, overlaps counted once. */
export function totalSize(ranges: readonly TokenRange[]): bigint {
  return mergeSpans(ranges.flatMap(toSpans)).reduce((sum, span) => sum + (span.hi - span.lo), 0n);
}

/**
 * Whether `token` is in a list that `normalize` returned: a binary search, for lookups on every
 * write (pending ranges).
 */
export function normalizedContains(normalized: readonly TokenRange[], token: Token): boolean {
  const position = linear(token);
  let low = 0;
  let high = normalized.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const range = normalized[middle]!;
    if (position <= range.left) high = middle - 1;
    else if (position > linear(range.right)) low = middle + 1;
    else return true;
  }
  return false;
}

/** `token + offset` around the ring (modulo 2^64, back into the signed range). */
export function offsetToken(token: Token, offset: bigint): Token {
  return (modRing(token - MIN_TOKEN + offset) + MIN_TOKEN) as Token;
}

function modRing(value: bigint): bigint {
  const remainder = value % RING_SIZE;
  return remainder < 0n ? remainder + RING_SIZE : remainder;
}

function linear(token: Token): bigint {
  return token === MIN_TOKEN ? END : token;
}

function toSpans(range: TokenRange): Span[] {
  const hi = linear(range.right);
  if (range.left < hi) return [{ lo: range.left, hi }];
  // Crosses the seam (or is the whole ring `(t, t]`, t ≠ MIN): the top part, then the bottom part.
  return [
    { lo: MIN_TOKEN, hi },
    { lo: range.left, hi: END },
  ];
}

function fromSpan(span: Span): TokenRange {
  assert(span.lo < span.hi, `empty span (${span.lo}, ${span.hi}]`);
  return new TokenRange(span.lo as Token, (span.hi === END ? MIN_TOKEN : span.hi) as Token);
}

function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.lo <= last.hi) {
      if (span.hi > last.hi) merged[merged.length - 1] = { lo: last.lo, hi: span.hi };
    } else {
      merged.push(span);
    }
  }
  return merged;
}

function intersectSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const left = mergeSpans(a);
  const right = mergeSpans(b);
  const result: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left[i]!;
    const y = right[j]!;
    const lo = larger(x.lo, y.lo);
    const hi = smaller(x.hi, y.hi);
    if (lo < hi) result.push({ lo, hi });
    if (x.hi < y.hi) i++;
    else j++;
  }
  return result;
}

// Math.max and Math.min do not take bigints.
function larger(a: bigint, b: bigint): bigint {
  if (a > b) return a;
  return b;
}

function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

function subtractSpans(from: readonly Span[], remove: readonly Span[]): Span[] {
  const cuts = mergeSpans(remove);
  const result: Span[] = [];
  for (const span of mergeSpans(from)) {
    let lo = span.lo;
    for (const cut of cuts) {
      if (cut.hi <= lo || cut.lo >= span.hi) continue;
      if (cut.lo > lo) result.push({ lo, hi: cut.lo });
      lo = cut.hi;
      if (lo >= span.hi) break;
    }
    if (lo < span.hi) result.push({ lo, hi: span.hi });
  }
  return result;
}
