/**
 * Where a coordinator writes a batch's batchlog (Cassandra's ReplicaPlans.filterBatchlogEndpoints
 * and forBatchlogWrite, the `random_remote` strategy). Pure: the topology, liveness and randomness
 * come in as parameters.
 *
 * - Candidates are the members of the coordinator's data center.
 * - A data center of one node: that node (the coordinator itself, which then keeps its own batchlog).
 * - Otherwise the coordinator and dead nodes are left out; of the rest, two nodes, from two
 *   different racks when there are several, preferring racks other than the coordinator's when at
 *   least two candidates live there; at random, so batchlogs spread over the data center.
 * - Nobody left: UnavailableError(TWO, required 2, alive 0), as Cassandra reports it; a batch at
 *   consistency ANY then keeps its batchlog on the coordinator instead.
 */
import { assert } from '../../common/errors.js';
import type { ConsistencyName } from '../../cql/errors.js';
import { UnavailableError } from '../../cql/errors.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { RandomSource } from '../sim/random.js';

/** A node that may hold batchlogs: its messaging address (`host:port`), DC and rack. */
export interface BatchlogCandidate {
  readonly address: string;
  readonly dataCenter: string;
  readonly rack: string;
}

export interface BatchlogTopology {
  /** The coordinator. */
  readonly local: BatchlogCandidate;
  /** Members of the ring (any DC; only the coordinator's DC is considered). */
  readonly endpoints: readonly BatchlogCandidate[];
  readonly isAlive: (address: string) => boolean;
}

/** The batchlog endpoints chosen for one batch and the consistency their write needs (all of them). */
export interface BatchlogWritePlan {
  readonly endpoints: readonly string[];
  /** ONE for a single endpoint, TWO for two (Cassandra's batchlog write consistency). */
  readonly consistency: ConsistencyName;
}

function shuffle<T>(items: T[], random: RandomSource): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Live candidates other than the coordinator, by rack, in first-seen order. */
function liveOthersByRack(
  topology: BatchlogTopology,
  members: readonly BatchlogCandidate[],
): Map<string, string[]> {
  const byRack = new Map<string, string[]>();
  for (const member of members) {
    if (member.address === topology.local.address || !topology.isAlive(member.address)) continue;
    const rack = byRack.get(member.rack);
    if (rack) rack.push(member.address);
    else byRack.set(member.rack, [member.address]);
  }
  return byRack;
}

/** The batchlog endpoints for a batch coordinated by `topology.local`: zero, one or two addresses. */
export function chooseBatchlogEndpoints(topology: BatchlogTopology, random: RandomSource): string[] {
  const seen = new Set<string>();
  const members = topology.endpoints.filter((e) => {
    if (e.dataCenter !== topology.local.dataCenter || seen.has(e.address)) return false;
    seen.add(e.address);
    return true;
  });
  if (members.length === 1) return [members[0]!.address];
  const byRack = liveOthersByRack(topology, members);
  const total = [...byRack.values()].reduce((sum, rack) => sum + rack.length, 0);
  if (total <= 2) return [...byRack.values()].flat();
  const localRack = byRack.get(topology.local.rack)?.length ?? 0;
  if (total - localRack >= 2) byRack.delete(topology.local.rack);
  if (byRack.size === 1) {
    const only = [...byRack.values()][0]!;
    return shuffle([...only], random).slice(0, 2);
  }
  const racks = [...byRack.keys()];
  if (racks.length > 2) shuffle(racks, random);
  const chosen = racks.slice(0, 2).map((rack) => {
    const members = byRack.get(rack)!;
    return members[Math.floor(random.next() * members.length)]!;
  });
  assert(chosen.length === 2 && chosen[0] !== chosen[1], 'two distinct batchlog endpoints');
  return chosen;
}

/**
 * The plan of a batchlog write: the chosen endpoints (the coordinator itself when none is available
 * and the batch is at ANY) and their consistency; UnavailableError when nobody can hold the batchlog.
 */
export function planBatchlogWrite(
  topology: BatchlogTopology,
  random: RandomSource,
  batchConsistency: ConsistencyName,
): BatchlogWritePlan {
  let endpoints = chooseBatchlogEndpoints(topology, random);
  if (endpoints.length === 0 && batchConsistency === 'ANY') endpoints = [topology.local.address];
  const consistency: ConsistencyName = endpoints.length === 1 ? 'ONE' : 'TWO';
  if (endpoints.length === 0) throw new UnavailableError(consistency, 2, 0);
  return { endpoints, consistency };
}

/** The ring's members as batchlog candidates (their gossip address, DC and rack). */
export function batchlogCandidates(ring: TokenMetadata): BatchlogCandidate[] {
  return ring.normalEndpoints().map((hostId) => {
    const info = ring.endpoint(hostId);
    assert(info !== undefined, `ring member ${hostId} has no endpoint info`);
    return { address: info.address, dataCenter: info.dataCenter, rack: info.rack };
  });
}
