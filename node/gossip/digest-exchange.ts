/**
 * The comparisons of a gossip round, as Cassandra's `Gossiper.examineGossiper` and the ACK handler
 * make them. Pure: a map of what we know in, digests and states out.
 */
import {
  type EndpointAddress,
  type EndpointState,
  type Generation,
  maxVersion,
  stateNewerThan,
} from './endpoint-state.js';
import type { EndpointStateEntry, GossipDigest } from './gossip-messages.js';

export type EndpointStates = ReadonlyMap<EndpointAddress, EndpointState>;

export function digestOf(endpoint: EndpointAddress, state: EndpointState): GossipDigest {
  return { endpoint, generation: state.heartbeat.generation, maxVersion: maxVersion(state) };
}

export interface Examination {
  /** Digests to ask the SYN's sender for: send me `endpoint` above `maxVersion`. */
  readonly requests: GossipDigest[];
  /** States the SYN's sender lacks. */
  readonly states: EndpointStateEntry[];
}

/**
 * For each digest of a SYN: equal → nothing; the remote generation is newer, or we have never heard
 * of the endpoint → request everything (version 0); ours is newer → send all of ours; same
 * generation → request above our max version, or send above theirs. An empty list is a shadow-round
 * request, answered with everything we know.
 */
export function examineDigests(local: EndpointStates, digests: readonly GossipDigest[]): Examination {
  const requests: GossipDigest[] = [];
  const states: EndpointStateEntry[] = [];
  const send = (endpoint: EndpointAddress, aboveVersion: number): void => {
    const mine = local.get(endpoint);
    const newer = mine === undefined ? undefined : stateNewerThan(mine, aboveVersion);
    if (newer !== undefined) states.push({ endpoint, state: newer });
  };
  const toExamine =
    digests.length > 0
      ? digests
      : [...local.keys()].map((endpoint) => ({ endpoint, generation: 0 as Generation, maxVersion: 0 }));
  for (const digest of toExamine) {
    const mine = local.get(digest.endpoint);
    if (mine === undefined) {
      requests.push({ endpoint: digest.endpoint, generation: digest.generation, maxVersion: 0 });
      continue;
    }
    const localGeneration = mine.heartbeat.generation;
    const localMax = maxVersion(mine);
    if (digest.generation > localGeneration) {
      requests.push({ endpoint: digest.endpoint, generation: digest.generation, maxVersion: 0 });
    } else if (digest.generation < localGeneration) {
      send(digest.endpoint, 0);
    } else if (digest.maxVersion > localMax) {
      requests.push({ endpoint: digest.endpoint, generation: digest.generation, maxVersion: localMax });
    } else if (digest.maxVersion < localMax) {
      send(digest.endpoint, digest.maxVersion);
    }
  }
  return { requests, states };
}

/** The ACK2: for each digest the ACK asked for, our state above its version. */
export function statesRequested(
  local: EndpointStates,
  requests: readonly GossipDigest[],
): EndpointStateEntry[] {
  const states: EndpointStateEntry[] = [];
  for (const request of requests) {
    const mine = local.get(request.endpoint);
    const newer = mine === undefined ? undefined : stateNewerThan(mine, request.maxVersion);
    if (newer !== undefined) states.push({ endpoint: request.endpoint, state: newer });
  }
  return states;
}
