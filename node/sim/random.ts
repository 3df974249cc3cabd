/**
 * Randomness, injected (STYLE.md §3): production draws from the OS, simulations from a seeded
 * generator so a failing seed replays the same run.
 */
import { randomBytes } from 'node:crypto';

export interface RandomSource {
  /** A float in [0, 1). */
  next(): number;
  /** `length` random bytes (the shape `ring/` token allocation takes). */
  bytes(length: number): Uint8Array;
}

/** The OS's randomness, for production wiring only. */
export const systemRandom: RandomSource = {
  next: () => randomBytes(4).readUInt32BE(0) / 0x1_0000_0000,
  bytes: (length) => new Uint8Array(randomBytes(length)),
};

/**
 * A small, fast, seeded generator (sfc32: 128 bits of state, passes the usual statistical suites),
 * good for simulation and jitter, not for secrets.
 */
export class SeededRandom implements RandomSource {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed >>> 0;
    // Mix the seed through the state so nearby seeds give unrelated streams.
    for (let round = 0; round < 12; round++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** An integer in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let index = 0; index < length; index++) out[index] = this.nextUint32() >>> 24;
    return out;
  }

  /** An independent generator derived from this one (one per simulated node or link). */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32());
  }
}
