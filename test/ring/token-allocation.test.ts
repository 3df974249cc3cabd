import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EndpointInfo } from '../../ring/endpoint.js';
import {
  createReplicationStrategy,
  effectiveOwnership,
  type ReplicationStrategy,
} from '../../ring/replication-strategy.js';
import { allocateTokens, evenlySpacedTokens, randomTokens } from '../../ring/token-allocation.js';
import { TokenMetadata } from '../../ring/token-metadata.js';
import { RING_SIZE } from '../../ring/token-range.js';
import { endpoint, seededRandom } from './ring-fixtures.js';

const NUM_TOKENS = 16;

function spread(shares: Iterable<number>): number {
  const values = [...shares];
  return Math.max(...values) / Math.min(...values);
}

/** Grows a cluster one node at a time, giving each ratio of max/min effective ownership from 3 nodes on. */
function growCluster(
  nodes: readonly EndpointInfo[],
  strategy: ReplicationStrategy,
  seed: number,
  choose: 'allocate' | 'random',
): { metadata: TokenMetadata; spreads: number[] } {
  const random = seededRandom(seed);
  let metadata = TokenMetadata.empty();
  const spreads: number[] = [];
  for (const node of nodes) {
    const tokens =
      choose === 'allocate'
        ? allocateTokens({ metadata, endpoint: node, numTokens: NUM_TOKENS, random, strategy })
        : randomTokens(NUM_TOKENS, random, metadata.sortedTokens);
    metadata = metadata.withEndpoint(node).updateNormalTokens(node.hostId, tokens);
    if (metadata.normalEndpoints().length >= 3)
      spreads.push(spread(effectiveOwnership(metadata, strategy).values()));
  }
  return { metadata, spreads };
}

const rf3 = createReplicationStrategy('ks', { class: 'NetworkTopologyStrategy', dc1: '3' });
const tenNodes = Array.from({ length: 10 }, (_, n) => endpoint(n + 1));

describe('allocateTokens', () => {
  it('gives the first node of a data center evenly spaced tokens from a random start', () => {
    const tokens = allocateTokens({
      metadata: TokenMetadata.empty(),
      endpoint: endpoint(1),
      numTokens: NUM_TOKENS,
      random: seededRandom(1),
    });
    expect(tokens).toHaveLength(NUM_TOKENS);
    const gaps = tokens.slice(1).map((at, index) => at - tokens[index]!);
    for (const gap of gaps) expect(gap === RING_SIZE / 16n || gap === RING_SIZE / 16n + 1n).toBe(true);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const run = (seed: number) =>
      growCluster(tenNodes.slice(0, 4), rf3, seed, 'allocate').metadata.sortedTokens;
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('keeps effective ownership (RF 3, 16 tokens) within 20% from 3 to 10 nodes, well below random tokens', () => {
    const allocated = growCluster(tenNodes, rf3, 11, 'allocate').spreads;
    expect(allocated).toHaveLength(8);
    for (const ratio of allocated) expect(ratio).toBeLessThan(1.2);
    const randomWorst = [1, 2, 3, 4, 5].map((seed) =>
      Math.max(...growCluster(tenNodes, rf3, seed, 'random').spreads),
    );
    const meanRandomWorst = randomWorst.reduce((sum, ratio) => sum + ratio, 0) / randomWorst.length;
    expect(Math.max(...allocated)).toBeLessThan(meanRandomWorst);
  });

  it('balances primary ownership too (RF 1)', () => {
    const rf1 = createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '1' });
    const { metadata } = growCluster(tenNodes.slice(0, 6), rf1, 3, 'allocate');
    expect(spread(metadata.ownership().values())).toBeLessThan(1.15);
  });

  it('balances across racks with NetworkTopologyStrategy once the racks are even', () => {
    // With 3 racks and RF 3 each rack holds one replica of everything: a rack with fewer nodes
    // makes them own more whatever the tokens, so only even rack sizes (3, 6, 9 nodes) are judged.
    const racked = Array.from({ length: 9 }, (_, n) => endpoint(n + 1, 'dc1', `rack${(n % 3) + 1}`));
    const { spreads } = growCluster(racked, rf3, 5, 'allocate');
    for (const nodes of [3, 6, 9]) expect(spreads[nodes - 3]).toBeLessThan(1.2);
  });

  it('starts a new data center evenly, leaving the other data center’s tokens alone', () => {
    const first = growCluster(tenNodes.slice(0, 3), rf3, 9, 'allocate').metadata;
    const newcomer = endpoint(20, 'dc2');
    const tokens = allocateTokens({
      metadata: first,
      endpoint: newcomer,
      numTokens: 8,
      random: seededRandom(2),
    });
    expect(tokens).toHaveLength(8);
    expect(tokens.some((at) => first.ownerOf(at) !== undefined)).toBe(false);
  });

  it('never returns a token already on the ring, nor twice the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        (nodes, numTokens, seed) => {
          const random = seededRandom(seed);
          let metadata = TokenMetadata.empty();
          for (let n = 1; n <= nodes; n++) {
            const info = endpoint(n);
            const tokens = allocateTokens({ metadata, endpoint: info, numTokens, random });
            expect(new Set(tokens).size).toBe(numTokens);
            for (const at of tokens) expect(metadata.ownerOf(at)).toBeUndefined();
            metadata = metadata.withEndpoint(info).updateNormalTokens(info.hostId, tokens);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('asserts for an endpoint that already owns tokens', () => {
    const { metadata } = growCluster(tenNodes.slice(0, 1), rf3, 1, 'allocate');
    expect(() =>
      allocateTokens({ metadata, endpoint: tenNodes[0]!, numTokens: 4, random: seededRandom(1) }),
    ).toThrow(/assertion failed/);
  });
});

describe('randomTokens and evenlySpacedTokens', () => {
  it('avoid taken tokens', () => {
    const taken = randomTokens(50, seededRandom(4));
    const more = randomTokens(50, seededRandom(4), taken);
    expect(more.some((at) => taken.includes(at))).toBe(false);
    const spaced = evenlySpacedTokens(4, seededRandom(4), evenlySpacedTokens(4, seededRandom(4)));
    expect(new Set(spaced).size).toBe(4);
  });
});
