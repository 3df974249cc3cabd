import type { HostId } from './endpoint.js';
import type { ReplicationStrategy } from './replication-strategy.js';
import type { Token } from './token.js';
import type { TokenMetadata } from './token-metadata.js';
import { normalize, normalizedContains, type TokenRange } from './token-range.js';

/**
 * Ranges that endpoints are about to gain for one keyspace while the ring changes: a joining node's
 * future ranges, and the new owners of a leaving node's ranges. Writes go to the natural replicas
 * plus these pending ones, so no write is lost whichever way the change ends (Cassandra's
 * PendingRangeMaps, computed as TokenMetadata.calculatePendingRanges does).
 */
export class PendingRanges {
  /** Normalized (sorted, disjoint, non-wrapping) per endpoint, for binary search. */
  private readonly byEndpoint: ReadonlyMap<HostId, readonly TokenRange[]>;

  private constructor(byEndpoint: Map<HostId, TokenRange[]>) {
    const normalized = new Map<HostId, readonly TokenRange[]>();
    for (const [endpoint, ranges] of byEndpoint) normalized.set(endpoint, normalize(ranges));
    this.byEndpoint = normalized;
  }

  static empty(): PendingRanges {
    return new PendingRanges(new Map());
  }

  /**
   * Pending ranges of `strategy` given the joining and leaving endpoints of `metadata`:
   * - leaving: for each range a leaving endpoint replicates now, the endpoints that replicate it once
   *   every leaving endpoint has gone, and not now, gain it;
   * - joining: each joining endpoint, put alone on the ring that remains after the leaves, gains the
   *   ranges it would replicate there.
   */
  static calculate(metadata: TokenMetadata, strategy: ReplicationStrategy): PendingRanges {
    const pending = new Map<HostId, TokenRange[]>();
    const add = (endpoint: HostId, range: TokenRange): void => {
      const ranges = pending.get(endpoint) ?? [];
      ranges.push(range);
      pending.set(endpoint, ranges);
    };
    const bootstrapping = metadata.bootstrappingEndpoints();
    if (metadata.leavingEndpoints.size === 0 && bootstrapping.size === 0) return PendingRanges.empty();

    const allLeft = metadata.afterAllLeft();
    for (let index = 0; index < metadata.sortedTokens.length; index++) {
      const token = metadata.sortedTokens[index]!;
      const current = strategy.calculateNaturalEndpoints(metadata, token);
      if (!current.some((endpoint) => metadata.isLeaving(endpoint))) continue;
      // Ring boundaries after the leaves are a subset of today's, so one lookup covers the range.
      for (const endpoint of strategy.calculateNaturalEndpoints(allLeft, token)) {
        if (!current.includes(endpoint)) add(endpoint, metadata.rangeAt(index));
      }
    }

    for (const [joining, tokens] of bootstrapping) {
      const withJoining = allLeft.updateNormalTokens(joining, tokens);
      for (let index = 0; index < withJoining.sortedTokens.length; index++) {
        const replicas = strategy.calculateNaturalEndpoints(withJoining, withJoining.sortedTokens[index]!);
        if (replicas.includes(joining)) add(joining, withJoining.rangeAt(index));
      }
    }
    return new PendingRanges(pending);
  }

  isEmpty(): boolean {
    return this.byEndpoint.size === 0;
  }

  /** Normalized pending ranges of one endpoint (empty when none). */
  rangesOf(endpoint: HostId): readonly TokenRange[] {
    return this.byEndpoint.get(endpoint) ?? [];
  }

  endpoints(): HostId[] {
    return [...this.byEndpoint.keys()];
  }

  /** Endpoints that must also receive writes for `token` (in addition to its natural replicas). */
  endpointsFor(token: Token): HostId[] {
    const result: HostId[] = [];
    for (const [endpoint, ranges] of this.byEndpoint) {
      if (normalizedContains(ranges, token)) result.push(endpoint);
    }
    return result;
  }
}

/** Natural replicas of `token` followed by pending ones not already among them: where a write goes. */
export function writeEndpoints(
  metadata: TokenMetadata,
  strategy: ReplicationStrategy,
  pending: PendingRanges,
  token: Token,
): HostId[] {
  const natural = strategy.naturalEndpoints(metadata, token);
  const result = [...natural];
  for (const endpoint of pending.endpointsFor(token)) if (!result.includes(endpoint)) result.push(endpoint);
  return result;
}
