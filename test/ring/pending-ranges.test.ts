import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingRanges, writeEndpoints } from '../../ring/pending-ranges.js';
import { createReplicationStrategy, type ReplicationStrategy } from '../../ring/replication-strategy.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import { offsetToken } from '../../ring/token-range.js';
import { endpoint, hostId, type RingMember, ringOf, token } from './ring-fixtures.js';

const simple = (factor: number) =>
  createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: `${factor}` });

const fourNodes = () =>
  ringOf([
    { info: endpoint(1), tokens: [token(100)] },
    { info: endpoint(2), tokens: [token(200)] },
    { info: endpoint(3), tokens: [token(300)] },
    { info: endpoint(4), tokens: [token(400)] },
  ]);

describe('PendingRanges, named cases', () => {
  it('is empty while nothing joins or leaves', () => {
    expect(PendingRanges.calculate(fourNodes(), simple(3)).isEmpty()).toBe(true);
  });

  it('a joining node gains the ranges it will replicate (RF 1: its own primary range)', () => {
    const ring = fourNodes()
      .withEndpoint(endpoint(5))
      .addBootstrapTokens(hostId(5), [token(150)]);
    const pending = PendingRanges.calculate(ring, simple(1));
    expect(pending.rangesOf(hostId(5)).map(String)).toEqual(['(100,150]']);
    expect(pending.endpointsFor(token(120))).toEqual([hostId(5)]);
    expect(pending.endpointsFor(token(160))).toEqual([]);
    expect(writeEndpoints(ring, simple(1), pending, token(120))).toEqual([hostId(2), hostId(5)]);
  });

  it('a joining node with RF 3 gains the ranges of the two nodes before it as well', () => {
    const ring = fourNodes()
      .withEndpoint(endpoint(5))
      .addBootstrapTokens(hostId(5), [token(150)]);
    const pending = PendingRanges.calculate(ring, simple(3));
    expect(pending.rangesOf(hostId(5)).map(String)).toEqual([`(${MIN_TOKEN},150]`, `(300,${MIN_TOKEN}]`]);
  });

  it('a leaving node’s ranges go to the next nodes that will replicate them', () => {
    const ring = fourNodes().addLeavingEndpoint(hostId(2));
    const pending = PendingRanges.calculate(ring, simple(2));
    // Node 2 replicates (400,100] (with 1) and (100,200] (with 3); node 3 and node 4 take over.
    expect(pending.rangesOf(hostId(3)).map(String)).toEqual([`(${MIN_TOKEN},100]`, `(400,${MIN_TOKEN}]`]);
    expect(pending.rangesOf(hostId(4)).map(String)).toEqual(['(100,200]']);
    expect(pending.rangesOf(hostId(1))).toEqual([]);
  });
});

/** Every token where placement can change: each ring or bootstrap token and its neighbours. */
function probes(metadata: TokenMetadata): Token[] {
  const bounds = [...metadata.sortedTokens, ...metadata.bootstrapTokens.keys(), MIN_TOKEN, MAX_TOKEN];
  return bounds.flatMap((at) => [offsetToken(at, -1n), at, offsetToken(at, 1n)]);
}

const smallToken = fc
  .oneof(fc.bigInt(-40n, 40n), fc.constantFrom(MIN_TOKEN, MAX_TOKEN))
  .map((value) => value as Token);

const clusterArbitrary = fc.record({
  tokens: fc.uniqueArray(smallToken, { minLength: 4, maxLength: 16 }),
  nodeCount: fc.integer({ min: 2, max: 5 }),
  racks: fc.array(fc.constantFrom('r1', 'r2', 'r3'), { minLength: 6, maxLength: 6 }),
  useRacks: fc.boolean(),
  factor: fc.integer({ min: 1, max: 4 }),
});

type ClusterSpec = typeof clusterArbitrary extends fc.Arbitrary<infer Value> ? Value : never;

function buildCluster(spec: ClusterSpec): {
  members: RingMember[];
  joiningTokens: Token[];
  strategy: ReplicationStrategy;
} {
  const { tokens, nodeCount, racks, useRacks, factor } = spec;
  // The last (nodeCount + 1)-th share of tokens is the joining node's.
  const members = Array.from({ length: nodeCount }, (_, n) => ({
    info: endpoint(n + 1, 'dc1', racks[n]!),
    tokens: tokens.filter((_, index) => index % (nodeCount + 1) === n) as Token[],
  })).filter((member) => member.tokens.length > 0);
  const joiningTokens = tokens.filter((_, index) => index % (nodeCount + 1) === nodeCount) as Token[];
  const strategy = useRacks
    ? createReplicationStrategy('ks', { class: 'NetworkTopologyStrategy', dc1: `${factor}` })
    : simple(factor);
  return { members, joiningTokens, strategy };
}

describe('PendingRanges against placement before and after', () => {
  it('a joining node is pending exactly where it will be a natural replica', () => {
    fc.assert(
      fc.property(clusterArbitrary, (spec) => {
        const { members, joiningTokens, strategy } = buildCluster(spec);
        fc.pre(members.length > 0 && joiningTokens.length > 0);
        const joiner = endpoint(9, 'dc1', spec.racks[5]!);
        const ring = ringOf(members).withEndpoint(joiner).addBootstrapTokens(joiner.hostId, joiningTokens);
        const joined = ring.updateNormalTokens(joiner.hostId, joiningTokens);
        const pending = PendingRanges.calculate(ring, strategy);
        for (const probe of probes(ring)) {
          const willReplicate = strategy.calculateNaturalEndpoints(joined, probe).includes(joiner.hostId);
          expect(pending.endpointsFor(probe), `token ${probe}`).toEqual(willReplicate ? [joiner.hostId] : []);
        }
      }),
    );
  });

  it('leaving: the endpoints gaining a token are its replicas afterwards that are not replicas now', () => {
    fc.assert(
      fc.property(clusterArbitrary, fc.integer({ min: 0, max: 4 }), (spec, leaverIndex) => {
        const { members, strategy } = buildCluster(spec);
        fc.pre(members.length > 1);
        const leaver = members[leaverIndex % members.length]!.info.hostId;
        const ring = ringOf(members).addLeavingEndpoint(leaver);
        const after = ring.afterAllLeft();
        const pending = PendingRanges.calculate(ring, strategy);
        for (const probe of probes(ring)) {
          const now = strategy.calculateNaturalEndpoints(ring, probe);
          const later = strategy
            .calculateNaturalEndpoints(after, probe)
            .filter((host) => !now.includes(host));
          expect(new Set(pending.endpointsFor(probe)), `token ${probe}`).toEqual(new Set(later));
        }
      }),
    );
  });
});
