import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SibylError } from '../../common/errors.js';
import {
  compareTokens,
  formatToken,
  isToken,
  MAX_TOKEN,
  MIN_TOKEN,
  maxToken,
  minToken,
  parseToken,
  tokensEqual,
  toToken,
} from '../../ring/token.js';

const anyToken = fc.bigInt({ min: MIN_TOKEN, max: MAX_TOKEN }).map(toToken);

describe('Token', () => {
  it('spans the signed 64-bit range, as Cassandra LongToken', () => {
    expect(MIN_TOKEN).toBe(-9223372036854775808n);
    expect(MAX_TOKEN).toBe(9223372036854775807n);
    expect(isToken(MIN_TOKEN - 1n)).toBe(false);
    expect(isToken(MAX_TOKEN + 1n)).toBe(false);
  });

  it('formats as the signed decimal Cassandra prints', () => {
    expect(formatToken(MIN_TOKEN)).toBe('-9223372036854775808');
    expect(formatToken(toToken(-4069959284402364209n))).toBe('-4069959284402364209');
    expect(formatToken(MAX_TOKEN)).toBe('9223372036854775807');
  });

  it('parses what it formats (round trip over the whole range)', () => {
    fc.assert(
      fc.property(anyToken, (token) => {
        expect(parseToken(formatToken(token))).toBe(token);
      }),
    );
  });

  it('rejects text that is not a signed 64-bit decimal with INVALID_TOKEN', () => {
    for (const bad of [
      '',
      'abc',
      '1.5',
      '0x10',
      '9223372036854775808',
      '-9223372036854775809',
      '1e3',
      '--1',
    ]) {
      expect(() => parseToken(bad), bad).toThrow(SibylError);
      try {
        parseToken(bad);
      } catch (error) {
        expect((error as SibylError).code).toBe('INVALID_TOKEN');
      }
    }
  });

  it('toToken asserts the range (a bug, not an input error)', () => {
    expect(() => toToken(MAX_TOKEN + 1n)).toThrow(/assertion failed/);
  });

  it('compares as signed integers and orders consistently with min/max', () => {
    fc.assert(
      fc.property(anyToken, anyToken, (a, b) => {
        const order = compareTokens(a, b);
        expect(Math.sign(order)).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(compareTokens(b, a) === -order).toBe(true); // antisymmetric (=== treats -0 and 0 alike)
        expect(tokensEqual(a, b)).toBe(order === 0);
        expect(minToken(a, b) <= maxToken(a, b)).toBe(true);
      }),
    );
    expect(compareTokens(MIN_TOKEN, MAX_TOKEN)).toBe(-1);
  });
});
