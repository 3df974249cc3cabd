/**
 * What the coordinator learns from response times: a score per endpoint (an exponentially weighted
 * moving average, Cassandra's dynamic snitch in spirit) to prefer fast replicas for reads, and a
 * small reservoir of recent replica response times per table whose percentile decides when a read
 * speculates (speculative_retry '99p'). Pure: times are passed in.
 */
import { assert } from '../../common/errors.js';
import type { HostId } from '../../ring/endpoint.js';

/** Response-time scores per endpoint; lower is better, an endpoint never measured scores 0. */
export class EndpointScores {
  private readonly scores = new Map<HostId, number>();

  constructor(private readonly alpha: number) {
    assert(alpha > 0 && alpha <= 1, `EWMA weight ${alpha} must be within (0, 1]`);
  }

  record(endpoint: HostId, latencyMs: number): void {
    const sample = Math.max(0, latencyMs);
    const previous = this.scores.get(endpoint);
    this.scores.set(endpoint, previous === undefined ? sample : previous + this.alpha * (sample - previous));
  }

  score(endpoint: HostId): number {
    return this.scores.get(endpoint) ?? 0;
  }

  forget(endpoint: HostId): void {
    this.scores.delete(endpoint);
  }
}

/**
 * The last `capacity` samples of one table's replica response times (a ring buffer). A percentile
 * sorts a copy, at most once per `capacity / 8` new samples: cheap on the read path, fresh enough.
 */
export class LatencyReservoir {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  private sorted: Float64Array | null = null;
  private sinceSort = 0;

  constructor(private readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 8, `reservoir capacity ${capacity} must be >= 8`);
    this.samples = new Float64Array(capacity);
  }

  record(latencyMs: number): void {
    this.samples[this.next] = Math.max(0, latencyMs);
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.sinceSort++;
  }

  get size(): number {
    return this.count;
  }

  /** The `percentile` (0–100] of the kept samples; undefined without samples. */
  percentile(percentile: number): number | undefined {
    if (this.count === 0) return undefined;
    if (this.sorted === null || this.sinceSort >= Math.max(1, this.capacity / 8)) {
      this.sorted = this.samples.slice(0, this.count).sort();
      this.sinceSort = 0;
    }
    const sorted = this.sorted;
    const rank = Math.ceil((percentile / 100) * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
  }
}

/** A table's speculative_retry, parsed from its canonical text (`99p`, `50ms`, `ALWAYS`, `NONE`). */
export type SpeculativeRetry =
  | { readonly kind: 'percentile'; readonly percentile: number }
  | { readonly kind: 'fixed'; readonly delayMs: number }
  | { readonly kind: 'always' }
  | { readonly kind: 'never' };

const DEFAULT_RETRY: SpeculativeRetry = { kind: 'percentile', percentile: 99 };
const parsedRetries = new Map<string, SpeculativeRetry>();

/** Table options validate the text at DDL time; anything else here is read as the default, 99p. */
export function parseSpeculativeRetry(text: string): SpeculativeRetry {
  let parsed = parsedRetries.get(text);
  if (parsed) return parsed;
  const upper = text.trim().toUpperCase();
  const percentile = /^(\d+(?:\.\d+)?)(?:P|PERCENTILE)$/.exec(upper);
  const fixed = /^(\d+(?:\.\d+)?)MS$/.exec(upper);
  if (upper === 'ALWAYS') parsed = { kind: 'always' };
  else if (upper === 'NONE' || upper === 'NEVER') parsed = { kind: 'never' };
  else if (percentile) parsed = { kind: 'percentile', percentile: Number(percentile[1]) };
  else if (fixed) parsed = { kind: 'fixed', delayMs: Number(fixed[1]) };
  else parsed = DEFAULT_RETRY;
  parsedRetries.set(text, parsed);
  return parsed;
}

/**
 * How long a read waits for a contacted replica before asking one more, or undefined when it never
 * speculates (NONE, and ALWAYS, which contacts the extra replica from the start). A percentile
 * without enough samples yet waits half the read timeout (Cassandra's initial sampled latency).
 */
export function speculationDelayMs(
  retry: SpeculativeRetry,
  latencies: LatencyReservoir,
  minSamples: number,
  readTimeoutMs: number,
): number | undefined {
  switch (retry.kind) {
    case 'never':
    case 'always':
      return undefined;
    case 'fixed':
      return Math.min(retry.delayMs, readTimeoutMs);
    case 'percentile': {
      if (latencies.size < minSamples) return readTimeoutMs / 2;
      return Math.min(latencies.percentile(retry.percentile) ?? readTimeoutMs / 2, readTimeoutMs);
    }
  }
}
