/**
 * Exponential reconnection backoff (the DataStax ExponentialReconnectionPolicy without jitter, so
 * the schedule is deterministic): base, 2×base, 4×base, … capped at `maxDelayMs`. Pure.
 */
import { assert } from '../common/errors.js';

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Delay before reconnection attempt number `attempt` (0-based). */
export function reconnectDelayMs(attempt: number, options: BackoffOptions): number {
  assert(Number.isInteger(attempt) && attempt >= 0, 'attempt is a non-negative integer');
  assert(options.baseDelayMs > 0 && options.maxDelayMs >= options.baseDelayMs, 'sane backoff bounds');
  // 2^attempt overflows nothing useful past ~60; by then the cap has long been reached.
  const factor = 2 ** Math.min(attempt, 60);
  return Math.min(options.baseDelayMs * factor, options.maxDelayMs);
}
