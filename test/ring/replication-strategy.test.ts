import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostId } from '../../ring/endpoint.js';
import {
  createReplicationStrategy,
  effectiveOwnership,
  LocalStrategy,
  NetworkTopologyStrategy,
  SimpleStrategy,
} from '../../ring/replication-strategy.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import { TokenMetadata } from '../../ring/token-metadata.js';
import { endpoint, hostId, type RingMember, ringOf, token } from './ring-fixtures.js';

const simple = (factor: number) =>
  createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: `${factor}` });
const nts = (factors: Record<string, string>) =>
  createReplicationStrategy('ks', { class: 'NetworkTopologyStrategy', ...factors });

/** One token per node, node n at token n*10, in the given data centers and racks. */
function singleTokenRing(layout: readonly [dc: string, rack: string][]): TokenMetadata {
  return ringOf(
    layout.map(([dc, rack], index) => ({
      info: endpoint(index + 1, dc, rack),
      tokens: [token((index + 1) * 10)],
    })),
  );
}

const ids = (...numbers: number[]): HostId[] => numbers.map(hostId);

describe('SimpleStrategy', () => {
  const ring = singleTokenRing([
    ['dc1', 'r1'],
    ['dc1', 'r1'],
    ['dc1', 'r1'],
    ['dc1', 'r1'],
  ]);

  it('takes the owner of the token’s range, then the next endpoints clockwise', () => {
    expect(simple(3).naturalEndpoints(ring, token(15))).toEqual(ids(2, 3, 4));
    expect(simple(3).naturalEndpoints(ring, token(20))).toEqual(ids(2, 3, 4));
  });

  it('wraps past the largest token to the smallest', () => {
    expect(simple(3).naturalEndpoints(ring, token(35))).toEqual(ids(4, 1, 2));
    expect(simple(2).naturalEndpoints(ring, MAX_TOKEN)).toEqual(ids(1, 2));
    expect(simple(2).naturalEndpoints(ring, MIN_TOKEN)).toEqual(ids(1, 2));
  });

  it('gives every endpoint when the factor exceeds the cluster', () => {
    expect(simple(7).naturalEndpoints(ring, token(0))).toEqual(ids(1, 2, 3, 4));
  });

  it('skips endpoints already taken (vnodes)', () => {
    const vnodes = ringOf([
      { info: endpoint(1), tokens: [token(10), token(20)] },
      { info: endpoint(2), tokens: [token(30), token(40)] },
      { info: endpoint(3), tokens: [token(50)] },
    ]);
    expect(simple(2).naturalEndpoints(vnodes, token(5))).toEqual(ids(1, 2));
    expect(simple(3).naturalEndpoints(vnodes, token(35))).toEqual(ids(2, 3, 1));
  });

  it('has no replicas on an empty ring', () => {
    expect(simple(3).naturalEndpoints(TokenMetadata.empty(), token(1))).toEqual([]);
  });
});

describe('NetworkTopologyStrategy', () => {
  it('puts replicas on distinct racks first', () => {
    const ring = singleTokenRing([
      ['dc1', 'r1'],
      ['dc1', 'r1'],
      ['dc1', 'r2'],
      ['dc1', 'r2'],
      ['dc1', 'r3'],
      ['dc1', 'r3'],
    ]);
    expect(nts({ dc1: '3' }).naturalEndpoints(ring, token(5))).toEqual(ids(1, 3, 5));
    expect(nts({ dc1: '3' }).naturalEndpoints(ring, token(15))).toEqual(ids(2, 3, 5));
  });

  it('with fewer racks than replicas, repeats racks with the first endpoints met, as Cassandra', () => {
    const ring = singleTokenRing([
      ['dc1', 'r1'],
      ['dc1', 'r1'],
      ['dc1', 'r2'],
      ['dc1', 'r2'],
    ]);
    // Factor 3 on 2 racks allows one repeat: node 2 (rack r1 again) is taken before node 3 (r2).
    expect(nts({ dc1: '3' }).naturalEndpoints(ring, token(5))).toEqual(ids(1, 2, 3));
    expect(nts({ dc1: '3' }).naturalEndpoints(ring, token(15))).toEqual(ids(2, 3, 4));
    // Factor 2 on 2 racks allows none: node 2 is passed over.
    expect(nts({ dc1: '2' }).naturalEndpoints(ring, token(5))).toEqual(ids(1, 3));
  });

  it('fills each data center with its own factor, in ring order across data centers', () => {
    const ring = singleTokenRing([
      ['dc1', 'r1'],
      ['dc2', 'r1'],
      ['dc1', 'r1'],
      ['dc2', 'r1'],
      ['dc1', 'r1'],
    ]);
    expect(nts({ dc1: '2', dc2: '1' }).naturalEndpoints(ring, token(5))).toEqual(ids(1, 2, 3));
    expect(nts({ dc1: '2', dc2: '1' }).naturalEndpoints(ring, token(25))).toEqual(ids(3, 4, 5));
    expect(nts({ dc2: '5' }).naturalEndpoints(ring, token(5))).toEqual(ids(2, 4));
    expect(nts({ dc1: '1', dc9: '3' }).naturalEndpoints(ring, token(45))).toEqual(ids(5));
    expect(nts({ dc1: '0' }).naturalEndpoints(ring, token(5))).toEqual([]);
  });

  it('reports factors per data center and in total', () => {
    const strategy = nts({ dc1: '3', dc2: '2' });
    expect(strategy.replicationFactor()).toBe(5);
    expect(strategy.replicationFactorIn('dc2')).toBe(2);
    expect(strategy.replicationFactorIn('dc3')).toBe(0);
  });

  it('places per data center min(factor, endpoints) distinct replicas on min(factor, racks) racks', () => {
    const layout = fc.array(fc.tuple(fc.constantFrom('dc1', 'dc2'), fc.constantFrom('r1', 'r2', 'r3')), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        layout,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.bigInt(MIN_TOKEN, MAX_TOKEN),
        (nodes, tokensPerNode, dc1Factor, dc2Factor, probe) => {
          const members: RingMember[] = nodes.map(([dc, rack], index) => ({
            info: endpoint(index + 1, dc, rack),
            tokens: Array.from({ length: tokensPerNode }, (_, k) =>
              token(BigInt(k * 1000 + index * 7 - 500)),
            ),
          }));
          const ring = ringOf(members);
          const strategy = nts({ dc1: `${dc1Factor}`, dc2: `${dc2Factor}` });
          const replicas = strategy.naturalEndpoints(ring, probe as Token);
          expect(new Set(replicas).size).toBe(replicas.length);
          for (const [dc, factor] of [
            ['dc1', dc1Factor],
            ['dc2', dc2Factor],
          ] as const) {
            const inDc = members.filter((member) => member.info.dataCenter === dc);
            const racks = new Set(inDc.map((member) => member.info.rack));
            const chosen = replicas.filter((replica) => ring.locationOf(replica).dataCenter === dc);
            expect(chosen.length).toBe(Math.min(factor, inDc.length));
            expect(new Set(chosen.map((replica) => ring.locationOf(replica).rack)).size).toBe(
              Math.min(factor, racks.size),
            );
          }
        },
      ),
    );
  });
});

describe('SimpleStrategy properties', () => {
  it('gives min(factor, endpoints) distinct replicas, the primary owner first', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt(MIN_TOKEN, MAX_TOKEN), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.bigInt(MIN_TOKEN, MAX_TOKEN),
        (tokens, nodeCount, factor, probe) => {
          const ring = ringOf(
            Array.from({ length: nodeCount }, (_, n) => ({
              info: endpoint(n + 1),
              tokens: tokens.filter((_, index) => index % nodeCount === n) as Token[],
            })).filter((member) => member.tokens.length > 0),
          );
          const replicas = simple(factor).naturalEndpoints(ring, probe as Token);
          expect(replicas.length).toBe(Math.min(factor, ring.normalEndpoints().length));
          expect(new Set(replicas).size).toBe(replicas.length);
          expect(replicas[0]).toBe(ring.ownerOf(ring.firstToken(probe as Token)));
        },
      ),
    );
  });
});

describe('the endpoint cache', () => {
  it('agrees with the uncached placement and follows a new ring', () => {
    const strategy = simple(2);
    const ring = singleTokenRing([
      ['dc1', 'r1'],
      ['dc1', 'r1'],
      ['dc1', 'r1'],
    ]);
    for (const at of [5, 10, 11, 25, 31]) {
      expect(strategy.naturalEndpoints(ring, token(at))).toEqual(
        strategy.calculateNaturalEndpoints(ring, token(at)),
      );
    }
    expect(Object.isFrozen(strategy.naturalEndpoints(ring, token(5)))).toBe(true);
    const moved = ring.updateNormalTokens(hostId(1), [token(25)]);
    expect(strategy.naturalEndpoints(moved, token(5))).toEqual(ids(2, 1));
    expect(strategy.naturalEndpoints(ring, token(5))).toEqual(ids(1, 2));
  });
});

describe('effectiveOwnership', () => {
  const ring = ringOf([
    { info: endpoint(1, 'dc1', 'r1'), tokens: [token(-5000), token(100)] },
    { info: endpoint(2, 'dc1', 'r2'), tokens: [token(0)] },
    { info: endpoint(3, 'dc1', 'r1'), tokens: [token(3000)] },
    { info: endpoint(4, 'dc2', 'r1'), tokens: [token(50)] },
  ]);

  it('is 1 for every node when each holds a replica of everything', () => {
    const owned = effectiveOwnership(ring, nts({ dc1: '3', dc2: '1' }));
    for (const share of owned.values()) expect(share).toBeCloseTo(1, 9);
  });

  it('sums to the factor per data center', () => {
    const owned = effectiveOwnership(ring, nts({ dc1: '2', dc2: '1' }));
    expect(
      (owned.get(hostId(1)) ?? 0) + (owned.get(hostId(2)) ?? 0) + (owned.get(hostId(3)) ?? 0),
    ).toBeCloseTo(2, 9);
    expect(owned.get(hostId(4))).toBeCloseTo(1, 9);
  });

  it('with factor 1 is the primary ownership', () => {
    const owned = effectiveOwnership(ring, simple(1));
    for (const [host, share] of ring.ownership()) expect(owned.get(host)).toBeCloseTo(share, 12);
  });
});

describe('createReplicationStrategy', () => {
  const configError = (message: string) => expect.objectContaining({ code: 'CONFIG_ERROR', message });

  it('builds each strategy from its stored replication map, short or full class name', () => {
    expect(simple(3)).toBeInstanceOf(SimpleStrategy);
    const full = createReplicationStrategy('ks', {
      class: 'org.apache.cassandra.locator.NetworkTopologyStrategy',
      dc1: '3',
    });
    expect(full).toBeInstanceOf(NetworkTopologyStrategy);
    expect(full.className).toBe('org.apache.cassandra.locator.NetworkTopologyStrategy');
    const local = createReplicationStrategy('system', { class: 'LocalStrategy' }, { localHostId: hostId(7) });
    expect(local).toBeInstanceOf(LocalStrategy);
    expect(local.naturalEndpoints(TokenMetadata.empty(), token(1))).toEqual(ids(7));
  });

  it('expands replication_factor to the known data centers for NetworkTopologyStrategy', () => {
    const strategy = createReplicationStrategy(
      'ks',
      { class: 'NetworkTopologyStrategy', replication_factor: '2', dc2: '1' },
      { dataCenters: ['dc1', 'dc2'] },
    ) as NetworkTopologyStrategy;
    expect(Object.fromEntries(strategy.factors)).toEqual({ dc1: 2, dc2: 1 });
  });

  it('refuses bad options with Cassandra’s messages', () => {
    expect(() => createReplicationStrategy('ks', {})).toThrow(
      configError('Missing replication strategy class'),
    );
    expect(() => createReplicationStrategy('ks', { class: 'FancyStrategy' })).toThrow(
      configError("Unable to find replication strategy class 'org.apache.cassandra.locator.FancyStrategy'"),
    );
    expect(() => createReplicationStrategy('ks', { class: 'SimpleStrategy' })).toThrow(
      configError('SimpleStrategy requires a replication_factor strategy option.'),
    );
    expect(() =>
      createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '3', dc1: '1' }),
    ).toThrow(configError('Unrecognized strategy option {dc1} passed to SimpleStrategy for keyspace ks'));
    expect(() => simple(Number.NaN)).toThrow(configError('For input string: "NaN"'));
    expect(() => simple(-1)).toThrow(configError('Replication factor must be non-negative, found -1'));
    expect(() => nts({ dc1: '3/1' })).toThrow(
      configError('Transient replication is not enabled on this node'),
    );
    expect(() =>
      createReplicationStrategy(
        'ks',
        { class: 'NetworkTopologyStrategy', dc9: '1' },
        { dataCenters: ['dc1'] },
      ),
    ).toThrow(
      configError('Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace ks'),
    );
  });

  it('trusts stored data centers it does not know yet when not told which exist', () => {
    expect(nts({ dc9: '1' }).replicationFactorIn('dc9')).toBe(1);
  });
});
