import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getToken, tokenFromHashWords } from '../../ring/murmur3-partitioner.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import vectorFile from '../testdata/murmur3-vectors.json' with { type: 'json' };

// Both references are CommonJS without types for these entry points; describe what we call.
interface ReferenceMurmur3 {
  x64: { hash128(bytes: Uint8Array, seed?: number): string };
}
interface DriverMurmur3Tokenizer {
  hash(key: Uint8Array): { getValue(): { toString(): string } };
}
const require = createRequire(import.meta.url);
const reference = require('murmurhash3js-revisited') as ReferenceMurmur3;
const { Murmur3Tokenizer } = require('cassandra-driver/lib/tokenizer') as {
  Murmur3Tokenizer: new () => DriverMurmur3Tokenizer;
};
const driverTokenizer = new Murmur3Tokenizer();

/** h1 of the reference (C++-compatible) MurmurHash3 x64_128 as a signed 64-bit value. */
function referenceH1(key: Uint8Array): bigint {
  const hex = reference.x64.hash128(key, 0);
  return BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`));
}

function driverToken(key: Uint8Array): bigint {
  return BigInt(driverTokenizer.hash(Buffer.from(key)).getValue().toString());
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Keys where Cassandra and the reference agree: every tail byte (the last length % 16) is < 0x80. */
const keyWithAsciiTail = fc
  .tuple(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ max: 0x7f, maxLength: 15 }))
  .map(([head, tail]) => {
    const blocks = head.subarray(0, head.length - (head.length % 16));
    const key = new Uint8Array(blocks.length + tail.length);
    key.set(blocks);
    key.set(tail, blocks.length);
    return key;
  })
  .filter((key) => key.length > 0);

describe('Murmur3Partitioner.getToken', () => {
  it('matches every published Cassandra vector', () => {
    expect(vectorFile.vectors.length).toBeGreaterThan(50);
    for (const vector of vectorFile.vectors) {
      const token = getToken(fromHex(vector.keyHex));
      expect({ key: vector.keyHex, token: token.toString() }).toEqual({
        key: vector.keyHex,
        token: vector.token,
      });
    }
  });

  it('sign-extends tail bytes >= 0x80 (published vectors whose tail has such a byte)', () => {
    const signExtended = vectorFile.vectors.filter((vector) => {
      const key = fromHex(vector.keyHex);
      return key.subarray(key.length - (key.length % 16)).some((byte) => byte >= 0x80);
    });
    expect(signExtended.length).toBeGreaterThanOrEqual(15);
    for (const vector of signExtended) {
      const key = fromHex(vector.keyHex);
      expect(getToken(key).toString()).toBe(vector.token);
      // These are exactly the keys where the C++ reference would give another token.
      expect(referenceH1(key).toString()).not.toBe(vector.token);
    }
  });

  it('gives the empty key the minimum token', () => {
    expect(getToken(new Uint8Array(0))).toBe(MIN_TOKEN);
  });

  it('equals murmurhash3js-revisited h1 on keys whose tail bytes are < 0x80', () => {
    fc.assert(
      fc.property(keyWithAsciiTail, (key) => {
        expect(getToken(key)).toBe(referenceH1(key));
      }),
      { numRuns: 5_000 },
    );
  });

  it('equals the cassandra-driver Murmur3Tokenizer on arbitrary keys, tails >= 0x80 included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (key) => {
        expect(getToken(key)).toBe(driverToken(key));
      }),
      { numRuns: 5_000 },
    );
  });

  it('equals the driver for every length 1..64 with all-0xff and all-0x80 keys', () => {
    for (let length = 1; length <= 64; length++) {
      for (const fill of [0x80, 0xff, 0x7f, 0x00]) {
        const key = new Uint8Array(length).fill(fill);
        expect(getToken(key)).toBe(driverToken(key));
      }
    }
  });

  it('does not depend on the key view offset (Buffer slices of a larger pool)', () => {
    const backing = new Uint8Array(64).map((_, index) => (index * 37) & 0xff);
    const slice = backing.subarray(7, 7 + 21);
    expect(getToken(slice)).toBe(getToken(Uint8Array.from(slice)));
  });

  it('never returns the minimum token for a non-empty key and always stays in range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (key) => {
        const token: Token = getToken(key);
        expect(token).not.toBe(MIN_TOKEN);
        expect(token <= MAX_TOKEN).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('tokenFromHashWords', () => {
  it('moves a hash of Long.MIN_VALUE to MAX_TOKEN, as Murmur3Partitioner.normalize does', () => {
    expect(tokenFromHashWords(0x80000000 | 0, 0)).toBe(MAX_TOKEN);
  });

  it('joins the words as a signed 64-bit value', () => {
    expect(tokenFromHashWords(0x80000000 | 0, 1)).toBe(MIN_TOKEN + 1n);
    expect(tokenFromHashWords(-1, -1)).toBe(-1n);
    expect(tokenFromHashWords(0x7fffffff, -1)).toBe(MAX_TOKEN);
    expect(tokenFromHashWords(0, 0x80000000 | 0)).toBe(0x80000000n);
    expect(tokenFromHashWords(1, 0)).toBe(0x100000000n);
  });
});
