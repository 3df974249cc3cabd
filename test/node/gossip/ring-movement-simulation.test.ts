/**
 * Joining and leaving as a whole simulated cluster sees it: 20 gossipers (seeded, deterministic),
 * each folding what gossip tells it into its own ring (`ringWithEndpoint`, as the cluster service
 * does). A 21st node announces BOOT, then NORMAL; node 5 announces LEAVING, then LEFT. Within a
 * bounded number of rounds every node holds the same ring and computes the same pending ranges —
 * the joining node's future ranges while it boots, the heirs' while node 5 leaves — and none after.
 */
import { describe, expect, it } from 'vitest';
import { ringWithEndpoint } from '../../../node/cluster/ring-state.js';
import { statusValue } from '../../../node/gossip/application-values.js';
import { parseHostId } from '../../../ring/endpoint.js';
import { PendingRanges } from '../../../ring/pending-ranges.js';
import { createReplicationStrategy } from '../../../ring/replication-strategy.js';
import type { Token } from '../../../ring/token.js';
import { TokenMetadata } from '../../../ring/token-metadata.js';
import { normalize, type TokenRange } from '../../../ring/token-range.js';
import { nodeStates, range, SimulatedCluster, type SimulatedNode } from './simulated-cluster.js';

const rf3 = createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '3' });
const hostId = (n: number) => parseHostId(nodeStates(n).HOST_ID!);
const tokensOf = (n: number): Token[] => [
  (BigInt(n) * 1_000_000n) as Token,
  (BigInt(n) * 1_000_000n + 7n) as Token,
];
/** A change reaches everyone in about log2(N) rounds; twice that plus slack bounds it. */
const MAX_ROUNDS = 2 * Math.ceil(Math.log2(21)) + 4;

/** The ring a node's gossip gives it. */
function ringOf(node: SimulatedNode): TokenMetadata {
  let ring = TokenMetadata.empty();
  for (const [endpoint, state] of node.gossiper.endpointStates())
    ring = ringWithEndpoint(ring, endpoint, state);
  return ring;
}

/** What every running node computes: its ring's members, bootstrapping and leaving nodes, pending ranges. */
function views(cluster: SimulatedCluster): string[] {
  return cluster.running().map((node) => {
    const ring = ringOf(node);
    const pending = PendingRanges.calculate(ring, rf3);
    const pendingText = pending
      .endpoints()
      .sort()
      .map((endpoint) => `${endpoint}:${pending.rangesOf(endpoint).map(String).join(' ')}`);
    return JSON.stringify({
      members: [...ring.normalEndpoints()].sort(),
      booting: [...ring.bootstrappingEndpoints().keys()].sort(),
      leaving: [...ring.leavingEndpoints].sort(),
      pending: pendingText,
    });
  });
}

const agree = (cluster: SimulatedCluster) => new Set(views(cluster)).size === 1;

/** Normalized ranges `n` replicates under RF 3 on `ring`. */
function replicated(ring: TokenMetadata, n: number): TokenRange[] {
  const ranges: TokenRange[] = [];
  for (let index = 0; index < ring.sortedTokens.length; index++)
    if (rf3.replicasAt(ring, index).includes(hostId(n))) ranges.push(ring.rangeAt(index));
  return normalize(ranges);
}

const text = (ranges: readonly TokenRange[]) => ranges.map(String);

describe('ring movement over a simulated gossip network', () => {
  it('every node agrees on a join (BOOT → NORMAL) and a leave (LEAVING → LEFT) within bounded rounds', () => {
    const cluster = new SimulatedCluster(21, 3, 2026);
    cluster.node(21).startStates = { ...nodeStates(21), STATUS: statusValue.bootstrapping(tokensOf(21)) };
    for (const n of range(1, 20)) cluster.start(n);
    cluster.deliverAll();
    cluster.runUntil(() => cluster.converged(), 40);

    // node21 boots: everyone sees its bootstrap tokens and gives it the ranges it will replicate.
    cluster.start(21);
    cluster.runUntil(() => cluster.converged() && agree(cluster), MAX_ROUNDS);
    const booting = ringOf(cluster.node(1));
    expect(booting.bootstrappingEndpoints().get(hostId(21))).toEqual(tokensOf(21));
    const gains = PendingRanges.calculate(booting, rf3).rangesOf(hostId(21));
    expect(gains.length).toBeGreaterThan(0);

    cluster.node(21).gossiper.setApplicationState('STATUS', statusValue.normal(tokensOf(21)));
    cluster.runUntil(() => agree(cluster) && ringOf(cluster.node(1)).isMember(hostId(21)), MAX_ROUNDS);
    const joined = ringOf(cluster.node(1));
    expect(joined.normalEndpoints()).toHaveLength(21);
    expect(PendingRanges.calculate(joined, rf3).isEmpty()).toBe(true);
    expect(text(gains)).toEqual(text(replicated(joined, 21)));

    // node5 leaves: everyone marks it leaving and gives its ranges to the same heirs.
    cluster.node(5).gossiper.setApplicationState('STATUS', statusValue.leaving(tokensOf(5)));
    cluster.runUntil(() => agree(cluster) && ringOf(cluster.node(1)).isLeaving(hostId(5)), MAX_ROUNDS);
    const leaving = PendingRanges.calculate(ringOf(cluster.node(1)), rf3);
    expect(leaving.endpoints().length).toBeGreaterThan(0);
    expect(leaving.endpoints()).not.toContain(hostId(5));

    cluster
      .node(5)
      .gossiper.setApplicationState('STATUS', statusValue.left(tokensOf(5), cluster.nowMs + 3_600_000));
    cluster.runUntil(
      () => agree(cluster) && ringOf(cluster.node(1)).endpoint(hostId(5)) === undefined,
      MAX_ROUNDS,
    );
    const left = ringOf(cluster.node(1));
    expect(left.normalEndpoints()).toHaveLength(20);
    expect(PendingRanges.calculate(left, rf3).isEmpty()).toBe(true);
    // The heirs gained exactly what they replicate now and did not while node5 was a member.
    for (const heir of leaving.endpoints()) {
      const n = Number.parseInt(heir.slice(-12), 16);
      const gained = replicated(left, n).flatMap((r) => r.subtractAll(replicated(joined, n)));
      expect(text(leaving.rangesOf(heir))).toEqual(text(normalize(gained)));
    }
  });
});
