/**
 * The bloom filter of an SSTable (docs/formats/sstable.md "Filter"): bits set from the partition
 * token by double hashing (Kirsch–Mitzenmacher), so one 64-bit token yields every probe.
 */
import { assert } from '../../common/errors.js';
import type { DecoratedKey } from '../model.js';
import { BodyReader, BodyWriter, ComponentCode, frameSmallFile, unframeSmallFile } from './format.js';
import { tokenHalves } from './keys.js';

const MAX_HASH_COUNT = 30;
const MAX_BIT_COUNT = 2 ** 32 - 1;

/** Murmur3's 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const halves = new Uint32Array(2);
const probe = new Uint32Array(2);

export class BloomFilter {
  private constructor(
    readonly hashCount: number,
    readonly bitCount: number,
    private readonly bits: Uint8Array,
  ) {
    assert(bits.length === Math.ceil(bitCount / 8), 'bloom filter bytes disagree with its bit count');
  }

  /** Sized for `expected` keys at `falsePositiveChance` (the formulas are in the format doc). */
  static forExpected(expected: number, falsePositiveChance: number): BloomFilter {
    assert(falsePositiveChance > 0 && falsePositiveChance < 1, 'fp chance must be in (0, 1)');
    const n = Math.max(1, expected);
    const ideal = Math.ceil((-n * Math.log(falsePositiveChance)) / (Math.LN2 * Math.LN2));
    const bitCount = Math.min(MAX_BIT_COUNT, Math.max(64, ideal));
    const hashCount = Math.min(MAX_HASH_COUNT, Math.max(1, Math.round((bitCount / n) * Math.LN2)));
    return new BloomFilter(hashCount, bitCount, new Uint8Array(Math.ceil(bitCount / 8)));
  }

  add(key: DecoratedKey): void {
    setProbes(key.token);
    const h1 = probe[0]!;
    const h2 = probe[1]!;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = (h1 + i * h2) % this.bitCount;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  mightContain(key: DecoratedKey): boolean {
    setProbes(key.token);
    const h1 = probe[0]!;
    const h2 = probe[1]!;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = (h1 + i * h2) % this.bitCount;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  get sizeBytes(): number {
    return this.bits.length;
  }

  /** filter_body := hash_count u32 | bit_count u64 | bits, framed as a small file. */
  serialize(): Buffer {
    const body = new BodyWriter();
    body.u32(this.hashCount);
    body.u64(this.bitCount);
    body.bytes(this.bits);
    return frameSmallFile(ComponentCode.Filter, body.finish());
  }

  static deserialize(file: Buffer, path: string): BloomFilter {
    const body = new BodyReader(unframeSmallFile(file, ComponentCode.Filter, path), path, 16);
    const hashCount = body.u32();
    const bitCount = body.u64();
    if (hashCount < 1 || hashCount > MAX_HASH_COUNT || bitCount < 64 || bitCount > MAX_BIT_COUNT) {
      throw body.corrupt(`bad filter parameters: ${hashCount} hashes, ${bitCount} bits`);
    }
    const bits = body.bytes(Math.ceil(bitCount / 8));
    body.end();
    return new BloomFilter(hashCount, bitCount, bits);
  }
}

/** Sets h1 and h2 of the format doc (both < 2^32, so h1 + i * h2 stays exact in a double). */
function setProbes(token: bigint): void {
  tokenHalves(token, halves);
  const lo = halves[0]!;
  const hi = halves[1]!;
  probe[0] = fmix32(lo ^ fmix32(hi));
  probe[1] = (fmix32(hi ^ fmix32(lo ^ 0x9e3779b9)) | 1) >>> 0;
}
