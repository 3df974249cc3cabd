/**
 * The phi accrual failure detector as Cassandra implements it (`gms/FailureDetector.java`):
 * inter-arrival times of an endpoint's heartbeats in a bounded window, and
 * phi = PHI_FACTOR × (time since the last arrival) / (mean interval), the exponential-distribution
 * form. An endpoint is convicted when phi exceeds `phi_convict_threshold`.
 *
 * Time is a parameter (ms): nothing here reads a clock.
 */
import { assert } from '../../common/errors.js';
import type { EndpointAddress } from './endpoint-state.js';
import { gossipDefaults } from './gossip-defaults.js';

/**
 * Cassandra keeps this factor (1 / ln 10 = log10 e) only so that phi_convict_threshold keeps the
 * scale users tuned it on; its phi is compared after multiplying by it.
 */
export const PHI_FACTOR = 1 / Math.LN10;

export interface FailureDetectorOptions {
  /** Intervals remembered per endpoint (Cassandra's SAMPLE_SIZE). */
  readonly sampleSize: number;
  /** The first interval recorded, before any is measured: 2 × gossip interval (fd_initial_value_ms). */
  readonly initialIntervalMs: number;
  /** Longer intervals are not recorded (fd_max_interval_ms), so a partition does not teach patience. */
  readonly maxIntervalMs: number;
  readonly phiConvictThreshold: number;
  /**
   * The share of phi_convict_threshold that convicts an endpoint whose storage port refused a
   * connection since its last arrival (see `refused`): 0.5 turns Cassandra's ~18 s into ~9 s.
   */
  readonly refusedThresholdRatio: number;
  /** A gap this long between interpretations means we were paused, not them (max_local_pause_in_ms). */
  readonly maxLocalPauseMs: number;
}

export function failureDetectorOptions(
  overrides: Partial<FailureDetectorOptions> = {},
): FailureDetectorOptions {
  const options: FailureDetectorOptions = {
    sampleSize: gossipDefaults.failureDetectorSampleSize,
    initialIntervalMs: gossipDefaults.gossipIntervalMs * 2,
    maxIntervalMs: gossipDefaults.gossipIntervalMs * 2,
    phiConvictThreshold: gossipDefaults.phiConvictThreshold,
    refusedThresholdRatio: gossipDefaults.refusedThresholdRatio,
    maxLocalPauseMs: gossipDefaults.maxLocalPauseMs,
    ...overrides,
  };
  assert(options.sampleSize >= 1, 'failure detector sample size must be at least 1');
  assert(options.initialIntervalMs > 0, 'failure detector initial interval must be positive');
  assert(options.phiConvictThreshold > 0, 'phi_convict_threshold must be positive');
  assert(
    options.refusedThresholdRatio > 0 && options.refusedThresholdRatio <= 1,
    'the refused-connection threshold ratio must be in (0, 1]',
  );
  return options;
}

/** One endpoint's recent heartbeat inter-arrival times (Cassandra's `ArrivalWindow`). */
export class ArrivalWindow {
  private readonly intervals: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;
  private lastArrivalMs: number | undefined;
  /** A connection to the endpoint was refused after its last arrival (see FailureDetector.refused). */
  refusedSinceArrival = false;

  constructor(private readonly options: FailureDetectorOptions) {
    this.intervals = new Float64Array(options.sampleSize);
  }

  add(nowMs: number): void {
    this.refusedSinceArrival = false;
    if (this.lastArrivalMs === undefined) {
      // No measured interval yet: err high (a late conviction corrects itself, flapping does not).
      this.record(this.options.initialIntervalMs);
    } else {
      const interval = nowMs - this.lastArrivalMs;
      if (interval <= this.options.maxIntervalMs) this.record(interval);
    }
    this.lastArrivalMs = nowMs;
  }

  private record(interval: number): void {
    if (this.count === this.intervals.length) this.sum -= this.intervals[this.next]!;
    else this.count += 1;
    this.intervals[this.next] = interval;
    this.sum += interval;
    this.next = (this.next + 1) % this.intervals.length;
    assert(this.count <= this.intervals.length, 'arrival window overfilled');
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  size(): number {
    return this.count;
  }

  lastArrival(): number | undefined {
    return this.lastArrivalMs;
  }

  /** phi on the scale of phi_convict_threshold (Cassandra's `PHI_FACTOR * ArrivalWindow.phi`). */
  phi(nowMs: number): number {
    const mean = this.mean();
    assert(this.lastArrivalMs !== undefined && mean > 0, 'phi asked of an empty arrival window');
    return (PHI_FACTOR * Math.max(0, nowMs - this.lastArrivalMs)) / mean;
  }
}

export class FailureDetector {
  private readonly windows = new Map<EndpointAddress, ArrivalWindow>();
  private lastInterpretMs: number | undefined;
  private lastPauseMs: number | undefined;

  constructor(readonly options: FailureDetectorOptions = failureDetectorOptions()) {}

  /** A heartbeat of `endpoint` arrived (gossip brought a newer heartbeat version or generation). */
  report(endpoint: EndpointAddress, nowMs: number): void {
    let window = this.windows.get(endpoint);
    if (window === undefined) {
      window = new ArrivalWindow(this.options);
      this.windows.set(endpoint, window);
    }
    window.add(nowMs);
  }

  /**
   * A connection to `endpoint`'s storage port was refused: nothing listens there, so its process is
   * gone (a `kill -9` closes its sockets at once), which a slow network or a long pause never looks
   * like. Until its next arrival it is convicted at `refusedThresholdRatio` × the threshold. This is
   * Sibyl's, not Cassandra's (whose detector sees gossip arrivals only): it brings the conviction of
   * a killed process from ~18 s to ~10 s at phi_convict_threshold 8 while a silent partition still
   * takes the full threshold.
   */
  refused(endpoint: EndpointAddress): void {
    const window = this.windows.get(endpoint);
    if (window !== undefined) window.refusedSinceArrival = true;
  }

  phi(endpoint: EndpointAddress, nowMs: number): number | undefined {
    return this.windows.get(endpoint)?.phi(nowMs);
  }

  window(endpoint: EndpointAddress): ArrivalWindow | undefined {
    return this.windows.get(endpoint);
  }

  /**
   * The endpoints of `endpoints` to convict now. After a local pause (a gap between two calls longer
   * than `maxLocalPauseMs`, e.g. a long GC or a suspended VM) nobody is convicted for that long:
   * the silence was ours.
   */
  interpret(endpoints: Iterable<EndpointAddress>, nowMs: number): EndpointAddress[] {
    const sinceLast = this.lastInterpretMs === undefined ? 0 : nowMs - this.lastInterpretMs;
    this.lastInterpretMs = nowMs;
    if (sinceLast > this.options.maxLocalPauseMs) {
      this.lastPauseMs = nowMs;
      return [];
    }
    if (this.lastPauseMs !== undefined && nowMs - this.lastPauseMs < this.options.maxLocalPauseMs) return [];
    const convicted: EndpointAddress[] = [];
    for (const endpoint of endpoints) {
      const window = this.windows.get(endpoint);
      if (window === undefined) continue;
      const { phiConvictThreshold, refusedThresholdRatio } = this.options;
      const threshold = window.refusedSinceArrival
        ? phiConvictThreshold * refusedThresholdRatio
        : phiConvictThreshold;
      if (window.phi(nowMs) > threshold) convicted.push(endpoint);
    }
    return convicted;
  }

  /** Forgets the intervals (a restarted endpoint relearns them; an evicted one needs none). */
  remove(endpoint: EndpointAddress): void {
    this.windows.delete(endpoint);
  }
}
