import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SibylError } from '../../common/errors.js';
import { MAX_COMPONENT_BYTES, serializePartitionKey, splitPartitionKey } from '../../ring/composite-key.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import vectorFile from '../testdata/murmur3-vectors.json' with { type: 'json' };

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function expectInvalid(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SibylError);
    expect((error as SibylError).code).toBe('INVALID_PARTITION_KEY');
    return;
  }
  expect.fail('expected INVALID_PARTITION_KEY');
}

describe('serializePartitionKey', () => {
  it('leaves a single-column key unchanged (same bytes, not a copy)', () => {
    const key = bytes(0, 0, 0, 1);
    expect(serializePartitionKey([key])).toBe(key);
  });

  it('writes length, bytes and a 0x00 end-of-component byte per column (CompositeType)', () => {
    const key = serializePartitionKey([bytes(0, 0, 0, 1), bytes(0x32)]);
    expect(Buffer.from(key).toString('hex')).toBe('000400000001' + '00' + '000132' + '00');
  });

  it('gives the tokens Cassandra printed for composite keys', () => {
    for (const vector of vectorFile.compositeVectors) {
      const components = vector.componentsHex.map((hex) => new Uint8Array(Buffer.from(hex, 'hex')));
      expect(getToken(serializePartitionKey(components)).toString(), vector.note).toBe(vector.token);
    }
  });

  it('accepts a component of exactly 65535 bytes and rejects 65536', () => {
    const largest = new Uint8Array(MAX_COMPONENT_BYTES);
    expect(serializePartitionKey([largest, bytes(1)]).length).toBe(MAX_COMPONENT_BYTES + 3 + 4);
    expectInvalid(() => serializePartitionKey([new Uint8Array(MAX_COMPONENT_BYTES + 1), bytes(1)]));
  });

  it('asserts at least one column', () => {
    expect(() => serializePartitionKey([])).toThrow(/assertion failed/);
  });
});

describe('splitPartitionKey', () => {
  it('is the inverse of serializePartitionKey', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        (components) => {
          const split = splitPartitionKey(serializePartitionKey(components), components.length);
          expect(split.map((part) => Array.from(part))).toEqual(components.map((part) => Array.from(part)));
        },
      ),
    );
  });

  it('returns a single-column key as its only component', () => {
    const key = bytes(9, 8, 7);
    expect(splitPartitionKey(key, 1)).toEqual([key]);
  });

  it('rejects a truncated length, an overrun, a bad end-of-component byte and a wrong count', () => {
    const good = serializePartitionKey([bytes(1, 2), bytes(3)]);
    expectInvalid(() => splitPartitionKey(good.subarray(0, good.length - 1), 2));
    expectInvalid(() => splitPartitionKey(bytes(0), 2));
    expectInvalid(() => splitPartitionKey(bytes(0, 5, 1, 2, 0), 2));
    const badEnd = Uint8Array.from(good);
    badEnd[4] = 1;
    expectInvalid(() => splitPartitionKey(badEnd, 2));
    expectInvalid(() => splitPartitionKey(good, 3));
    expectInvalid(() => splitPartitionKey(new Uint8Array(0), 2));
  });
});
