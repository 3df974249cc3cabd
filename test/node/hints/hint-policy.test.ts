/** The pure decisions of hinted handoff: the hint window, gc_grace expiry, the throttle and its limiter. */
import { describe, expect, it } from 'vitest';
import { replayBytesPerSecond, replayDecision, withinHintWindow } from '../../../node/hints/hint-policy.js';
import { RateLimiter } from '../../../node/hints/rate-limiter.js';

describe('hint policy', () => {
  it('keeps hints for live replicas and for replicas down at most max_hint_window', () => {
    expect(withinHintWindow(undefined, 10_000, 1_000)).toBe(true);
    expect(withinHintWindow(9_000, 10_000, 1_000)).toBe(true);
    expect(withinHintWindow(8_999, 10_000, 1_000)).toBe(false);
  });

  it('replays a hint only while creation + gc_grace_seconds is in the future; unknown tables drop', () => {
    expect(replayDecision(0, 10, 9_999)).toBe('deliver');
    expect(replayDecision(0, 10, 10_000)).toBe('expired');
    expect(replayDecision(0, 0, 0)).toBe('expired');
    expect(replayDecision(0, undefined, 0)).toBe('unknown-table');
  });

  it('divides hinted_handoff_throttle by the other nodes; 0 is unthrottled', () => {
    expect(replayBytesPerSecond(1024 * 1024, 5)).toBe(256 * 1024);
    expect(replayBytesPerSecond(1024, 1)).toBe(1024);
    expect(replayBytesPerSecond(0, 3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('RateLimiter', () => {
  it('spaces reservations so bytes released by time t never exceed rate × t plus the last one', () => {
    const limiter = new RateLimiter(1_000);
    let now = 0;
    let released = 0;
    for (let i = 0; i < 100; i++) {
      const wait = limiter.reserve(300, now);
      now += wait;
      released += 300;
      expect(released).toBeLessThanOrEqual(now + 300);
    }
    expect(now).toBe(99 * 300);
  });

  it('does not save up permits while idle, and never waits when unlimited', () => {
    const limiter = new RateLimiter(1_000);
    expect(limiter.reserve(500, 0)).toBe(0);
    expect(limiter.reserve(500, 10_000)).toBe(0);
    expect(limiter.reserve(500, 10_000)).toBe(500);
    const unlimited = new RateLimiter(Number.POSITIVE_INFINITY);
    expect(unlimited.reserve(1e9, 0)).toBe(0);
    expect(unlimited.reserve(1e9, 0)).toBe(0);
  });
});
