/**
 * Whom to gossip with this round (Cassandra's `GossipTask.run`): a random live peer; an unreachable
 * one with probability unreachable / (live + 1), to notice its return; and a seed when the live peer
 * was not one or fewer peers are live than there are seeds, so that groups of nodes that each know
 * only some seeds still meet. Pure: the random source is a parameter.
 */
import type { EndpointAddress } from './endpoint-state.js';

/** Doubles in [0, 1): seeded in simulations, the OS in production (node/sim/random.ts fits this shape). */
export interface RandomSource {
  next(): number;
}

export function pickRandom<T>(items: readonly T[], random: RandomSource): T | undefined {
  if (items.length <= 1) return items[0];
  return items[Math.floor(random.next() * items.length)];
}

export interface TargetCandidates {
  readonly live: readonly EndpointAddress[];
  /** Unreachable endpoints not in a dead state (LEFT, removed...). */
  readonly unreachable: readonly EndpointAddress[];
  /** Seeds other than ourselves. */
  readonly seeds: readonly EndpointAddress[];
  /** How many endpoints are unreachable in all (dead states included), for the seed probability. */
  readonly unreachableCount: number;
}

/** The endpoints to send this round's SYN to, without repeats, in the order chosen. */
export function chooseGossipTargets(candidates: TargetCandidates, random: RandomSource): EndpointAddress[] {
  const targets: EndpointAddress[] = [];
  const add = (endpoint: EndpointAddress | undefined): void => {
    if (endpoint !== undefined && !targets.includes(endpoint)) targets.push(endpoint);
  };
  const { live, unreachable, seeds, unreachableCount } = candidates;
  const livePeer = pickRandom(live, random);
  add(livePeer);
  const gossipedToSeed = livePeer !== undefined && seeds.includes(livePeer);
  if (unreachableCount > 0 && random.next() < unreachableCount / (live.length + 1)) {
    add(pickRandom(unreachable, random));
  }
  if (seeds.length > 0 && (!gossipedToSeed || live.length < seeds.length)) {
    if (live.length === 0) {
      add(pickRandom(seeds, random));
    } else if (random.next() <= seeds.length / (live.length + unreachableCount)) {
      add(pickRandom(seeds, random));
    }
  }
  return targets;
}
