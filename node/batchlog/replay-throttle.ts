/**
 * The batchlog replay throttle (batchlog_replay_throttle): bytes per second, shared out over the
 * ring as Cassandra's BatchlogManager.setRate does (every node may be replaying towards the same
 * replicas). Like Guava's RateLimiter, which Cassandra uses: an acquisition waits until what was
 * acquired before it is paid for, then pushes the next free instant further by its own cost (so
 * after a pause the first batch goes at once). Pure: the caller gives the time and performs the wait.
 * Unlike Cassandra, which acquires after sending a batch, the replay acquires before: each batch is
 * sent only once the bytes before it are paid for.
 */
import { assert } from '../../common/errors.js';
import { KiB } from '../../common/limits.js';

/**
 * Bytes per second one node may replay; null when unthrottled. As Cassandra: the throttle in whole
 * KiB is divided by the ring's endpoint count in whole KiB, and a share of 0 KiB means unthrottled.
 */
export function replayRateBytesPerSecond(
  throttleBytesPerSecond: number,
  endpointCount: number,
): number | null {
  assert(endpointCount >= 1, 'a rate is set only for a ring with endpoints');
  const shareKiB = Math.floor(Math.floor(throttleBytesPerSecond / KiB) / endpointCount);
  return shareKiB === 0 ? null : shareKiB * KiB;
}

export class ReplayThrottle {
  private nextFreeMs = Number.NEGATIVE_INFINITY;
  private rateBytesPerSecond: number | null = null;

  /** Changes the rate; what is already owed stays owed. */
  setRate(rateBytesPerSecond: number | null): void {
    assert(rateBytesPerSecond === null || rateBytesPerSecond > 0, 'a replay rate is positive or null');
    this.rateBytesPerSecond = rateBytesPerSecond;
  }

  get rate(): number | null {
    return this.rateBytesPerSecond;
  }

  /** Charges `bytes` at `nowMs`; returns how long the caller must wait before going on (ms). */
  acquire(bytes: number, nowMs: number): number {
    assert(bytes >= 0, 'bytes acquired are not negative');
    if (this.rateBytesPerSecond === null) return 0;
    const waitMs = Math.max(0, this.nextFreeMs - nowMs);
    this.nextFreeMs = Math.max(nowMs, this.nextFreeMs) + (bytes * 1000) / this.rateBytesPerSecond;
    return waitMs;
  }
}
