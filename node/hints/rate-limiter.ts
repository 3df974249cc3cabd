/**
 * A byte-rate limiter that decides and does not wait (STYLE.md §2): `reserve` returns how long the
 * caller must wait before sending. Each reservation starts where the previous one's time ends, so
 * from the first reservation at t0, the bytes whose wait has elapsed by time t never exceed
 * rate × (t − t0) plus the last reservation. There is no stored burst: an idle limiter does not save
 * up permits.
 */
import { assert } from '../../common/errors.js';

export class RateLimiter {
  private nextFreeMs = Number.NEGATIVE_INFINITY;

  constructor(private bytesPerSecond: number) {
    assert(bytesPerSecond > 0, 'a rate must be positive (Infinity: unlimited)');
  }

  get rate(): number {
    return this.bytesPerSecond;
  }

  setRate(bytesPerSecond: number): void {
    assert(bytesPerSecond > 0, 'a rate must be positive (Infinity: unlimited)');
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Reserves `bytes` at `nowMs`; returns the milliseconds to wait before sending them (0: at once). */
  reserve(bytes: number, nowMs: number): number {
    assert(bytes >= 0, 'reserving a negative amount');
    if (this.bytesPerSecond === Number.POSITIVE_INFINITY) return 0;
    const startMs = Math.max(nowMs, this.nextFreeMs);
    this.nextFreeMs = startMs + (bytes * 1000) / this.bytesPerSecond;
    return startMs - nowMs;
  }
}
