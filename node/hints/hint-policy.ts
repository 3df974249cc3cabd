/**
 * The decisions of hinted handoff, pure (STYLE.md §2): whether a hint is kept, whether a stored
 * hint is replayed, and the replay rate towards one replica. node/hints/hints-service.ts performs
 * them.
 */

/** Why a hint was not stored or not replayed (a metrics label; stable). */
export type HintDropReason =
  /** hinted_handoff_enabled is false (or handoff was disabled at run time). */
  | 'disabled'
  /** The replica has been down longer than max_hint_window. */
  | 'window-expired'
  /** More hint bytes wait to be written than the hints buffer holds. */
  | 'overloaded'
  /** The hint is larger than the largest record a hints file takes. */
  | 'too-large'
  /** Writing hints failed earlier; the store takes nothing more. */
  | 'store-failed'
  /** The hints service is closed. */
  | 'closed'
  /** At replay: older than its table's gc_grace_seconds (replaying it could resurrect deleted data). */
  | 'expired'
  /** At replay: its table no longer exists. */
  | 'unknown-table';

export const HINT_DROP_REASONS: readonly HintDropReason[] = [
  'disabled',
  'window-expired',
  'overloaded',
  'too-large',
  'store-failed',
  'closed',
  'expired',
  'unknown-table',
];

/**
 * Cassandra's `StorageProxy.shouldHint`: a hint is kept unless its replica has been down longer than
 * max_hint_window. `downSinceMs` is when the replica was marked down, undefined while it is up (a
 * replica that timed out but is alive gets hints).
 */
export function withinHintWindow(
  downSinceMs: number | undefined,
  nowMs: number,
  maxHintWindowMs: number,
): boolean {
  return downSinceMs === undefined || nowMs - downSinceMs <= maxHintWindowMs;
}

export type ReplayDecision = 'deliver' | 'expired' | 'unknown-table';

/**
 * Cassandra's `Hint.isLive`: a hint is replayed only while creation + gc_grace_seconds is in the
 * future; past it the tombstones it might need to lose to may be purged already. A table that no
 * longer exists (undefined grace) drops its hints.
 */
export function replayDecision(
  creationMs: number,
  gcGraceSeconds: number | undefined,
  nowMs: number,
): ReplayDecision {
  if (gcGraceSeconds === undefined) return 'unknown-table';
  return creationMs + gcGraceSeconds * 1000 > nowMs ? 'deliver' : 'expired';
}

/**
 * The replay rate towards one replica: hinted_handoff_throttle divided by the number of other nodes
 * in the ring, as Cassandra does (CASSANDRA-5272: every node replays to a returning replica at once,
 * and the aim is to bound what that replica receives). 0 means unthrottled (Infinity).
 */
export function replayBytesPerSecond(throttleBytesPerSecond: number, endpointCount: number): number {
  if (throttleBytesPerSecond <= 0) return Number.POSITIVE_INFINITY;
  return throttleBytesPerSecond / Math.max(1, endpointCount - 1);
}
