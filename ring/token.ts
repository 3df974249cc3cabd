import { SibylError } from '../common/errors.js';

/**
 * A position on the Murmur3 ring: a signed 64-bit integer, as Cassandra's `LongToken`.
 * Branded so that a plain bigint (a timestamp, a count) is never taken for a token by mistake.
 */
export type Token = bigint & { readonly __brand: 'Token' };

/** Long.MIN_VALUE: the ring's minimum, owned by no key except the empty one (Murmur3Partitioner). */
export const MIN_TOKEN = -(2n ** 63n) as Token;
/** Long.MAX_VALUE: also where a hash of Long.MIN_VALUE is moved to, so MIN_TOKEN stays free. */
export const MAX_TOKEN = (2n ** 63n - 1n) as Token;

export function isToken(value: bigint): value is Token {
  return value >= MIN_TOKEN && value <= MAX_TOKEN;
}

/** Brands a bigint already known to be in range; a value out of range is a bug, not an input error. */
export function toToken(value: bigint): Token {
  if (!isToken(value)) throw new Error(`assertion failed: ${value} is outside the signed 64-bit token range`);
  return value;
}

export function compareTokens(a: Token, b: Token): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function tokensEqual(a: Token, b: Token): boolean {
  return a === b;
}

export function minToken(a: Token, b: Token): Token {
  return a <= b ? a : b;
}

export function maxToken(a: Token, b: Token): Token {
  return a >= b ? a : b;
}

/** Cassandra prints a Murmur3 token as its signed decimal value (`token()`, nodetool ring). */
export function formatToken(token: Token): string {
  return token.toString();
}

const DECIMAL = /^-?[0-9]{1,19}$/;

/**
 * Parses a token as Cassandra prints it. Text comes from users and peers (cqlsh, nodetool,
 * gossip TOKENS), so a bad value is an operating error with a code, not an assertion.
 */
export function parseToken(text: string): Token {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) {
    throw new SibylError('INVALID_TOKEN', `invalid token '${text}': expected a signed 64-bit decimal`);
  }
  const value = BigInt(trimmed);
  if (!isToken(value)) {
    throw new SibylError('INVALID_TOKEN', `invalid token '${text}': outside [${MIN_TOKEN}, ${MAX_TOKEN}]`);
  }
  return value;
}
