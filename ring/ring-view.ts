import type { EndpointLocation, HostId } from './endpoint.js';
import type { Token } from './token.js';

/**
 * What a replication strategy needs to place replicas: the sorted ring with each token's owner, and
 * where each owner sits. `TokenMetadata` is one; the token allocator builds light ones to try
 * candidate tokens without copying a whole metadata each time.
 */
export interface RingView {
  /** Ring tokens, ascending. */
  readonly sortedTokens: readonly Token[];
  /** `owners[i]` owns `sortedTokens[i]`. */
  readonly owners: readonly HostId[];
  /** Location of an endpoint that owns tokens; asserts for an unknown one. */
  locationOf(endpoint: HostId): EndpointLocation;
  /** Per data center, the endpoints owning tokens there and their racks (NetworkTopologyStrategy). */
  topology(): DataCenterTopology;
}

export interface DataCenterMembers {
  readonly endpointCount: number;
  readonly rackCount: number;
}

export type DataCenterTopology = ReadonlyMap<string, DataCenterMembers>;

/** Counts endpoints and racks per data center over the distinct owners of a ring. */
export function buildTopology(
  owners: Iterable<HostId>,
  locationOf: (endpoint: HostId) => EndpointLocation,
): DataCenterTopology {
  const endpoints = new Map<string, Set<HostId>>();
  const racks = new Map<string, Set<string>>();
  for (const owner of owners) {
    const { dataCenter, rack } = locationOf(owner);
    let dcEndpoints = endpoints.get(dataCenter);
    let dcRacks = racks.get(dataCenter);
    if (dcEndpoints === undefined || dcRacks === undefined) {
      dcEndpoints = new Set();
      dcRacks = new Set();
      endpoints.set(dataCenter, dcEndpoints);
      racks.set(dataCenter, dcRacks);
    }
    dcEndpoints.add(owner);
    dcRacks.add(rack);
  }
  const topology = new Map<string, DataCenterMembers>();
  for (const [dataCenter, members] of endpoints) {
    topology.set(dataCenter, { endpointCount: members.size, rackCount: racks.get(dataCenter)?.size ?? 0 });
  }
  return topology;
}

/**
 * Index of the first ring token at or after `token`, wrapping to 0 past the last (Cassandra's
 * TokenMetadata.firstTokenIndex): the token whose primary range holds `token`.
 */
export function firstTokenIndex(sortedTokens: readonly Token[], token: Token): number {
  let low = 0;
  let high = sortedTokens.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sortedTokens[middle]! < token) low = middle + 1;
    else high = middle;
  }
  return low === sortedTokens.length ? 0 : low;
}
