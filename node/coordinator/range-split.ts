/**
 * A range read's key range cut along the ring (pure): the pieces in (token, key) order, each inside
 * one ring range and so served by one set of replicas. Keys are ordered by signed token then bytes,
 * so the ring's wrapping range `(last, first]` is two pieces here, the first and the last, both with
 * the first ring token's replicas. A bound at "token t and above" is the key (t, empty bytes): no
 * partition key is empty, so it sorts before every key of token t.
 */
import type { Token } from '../../ring/token.js';
import { MAX_TOKEN } from '../../ring/token.js';
import type { DecoratedKey } from '../../storage/model.js';
import { compareKeys } from '../../storage/model.js';
import type { KeyBound, ScanRange } from '../../storage/table-store.js';

const EMPTY_KEY = new Uint8Array(0);

export interface RangePiece {
  readonly range: ScanRange;
  /** A token of the piece's ring range, whose natural replicas serve it; null on an empty ring. */
  readonly replicaToken: Token | null;
}

/** The pieces of `range` on a ring with `sortedTokens`, in order, empty ones left out. */
export function splitByRing(sortedTokens: readonly Token[], range: ScanRange): RangePiece[] {
  if (sortedTokens.length === 0) return [{ range, replicaToken: null }];
  const pieces: RangePiece[] = [];
  let lower: KeyBound | undefined; // the start of the ring
  for (let index = 0; index <= sortedTokens.length; index++) {
    const ringToken = index < sortedTokens.length ? sortedTokens[index]! : undefined;
    // The piece ending at ring token t holds tokens up to t; past the last ring token, up to the end.
    const upper =
      ringToken === undefined || ringToken === MAX_TOKEN ? undefined : startOfToken(ringToken + 1n);
    const replicaToken = ringToken ?? sortedTokens[0]!;
    const piece = intersect({ from: lower, to: upper }, range);
    if (piece) pieces.push({ range: piece, replicaToken });
    if (upper === undefined) break;
    lower = { key: upper.key, inclusive: true };
  }
  return pieces;
}

/** Every key of token `token` and above (as an exclusive upper bound: every key below `token`). */
function startOfToken(token: bigint): KeyBound {
  return { key: { token, key: EMPTY_KEY }, inclusive: false };
}

/** The keys in both (`afterClustering` kept when the piece starts where the range does); null if none. */
function intersect(piece: { from?: KeyBound; to?: KeyBound }, range: ScanRange): ScanRange | null {
  const from = laterStart(piece.from, range.from);
  const to = earlierEnd(piece.to, range.to);
  if (from && to) {
    const c = compareKeys(from.key, to.key);
    if (c > 0 || (c === 0 && !(from.inclusive && to.inclusive))) return null;
  }
  const result: { from?: KeyBound; to?: KeyBound; afterClustering?: ScanRange['afterClustering'] } = {};
  if (from) result.from = from;
  if (to) result.to = to;
  if (range.afterClustering && from === range.from) result.afterClustering = range.afterClustering;
  return result;
}

function laterStart(a: KeyBound | undefined, b: KeyBound | undefined): KeyBound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = compareKeys(a.key, b.key);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a; // the exclusive one starts later
}

function earlierEnd(a: KeyBound | undefined, b: KeyBound | undefined): KeyBound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = compareKeys(a.key, b.key);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a; // the exclusive one ends earlier
}

/** Whether `key` is at or before `bound` read as an upper bound (undefined: no bound). */
export function withinEnd(key: DecoratedKey, bound: KeyBound | undefined): boolean {
  if (bound === undefined) return true;
  const c = compareKeys(key, bound.key);
  return bound.inclusive ? c <= 0 : c < 0;
}
