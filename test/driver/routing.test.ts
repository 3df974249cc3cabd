/** Token-aware routing as pure code: ring lookup, replica walks, query plans, routing keys. */
import { describe, expect, it } from 'vitest';
import { CqlTypes, serialize } from '../../cql/types/index.js';
import { roundRobinPlan, tokenAwarePlan } from '../../driver/load-balancing.js';
import { explicitRoutingKey, routingKeyOf, tokenOfRoutingKey } from '../../driver/routing-key.js';
import {
  buildTokenRing,
  ownerIndex,
  primaryOwner,
  type RingHost,
  replicasOf,
  replicationFromMap,
} from '../../driver/token-ring.js';
import { serializePartitionKey } from '../../ring/composite-key.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import { type Token, toToken } from '../../ring/token.js';

const t = (n: number | bigint): Token => toToken(BigInt(n));

/** Three hosts, two vnodes each: A owns (…,-100] and (0,100]; B (-100,-50], (100,200]; C (-50,0], (200,…). */
const hosts: RingHost[] = [
  { endpoint: 'A', dataCenter: 'dc1', tokens: [t(-100), t(100)] },
  { endpoint: 'B', dataCenter: 'dc1', tokens: [t(-50), t(200)] },
  { endpoint: 'C', dataCenter: 'dc2', tokens: [t(0), t(300)] },
];
const ring = buildTokenRing(hosts);

describe('token ring lookup', () => {
  it('sorts every vnode token with its owner', () => {
    expect(ring.tokens).toEqual([-100n, -50n, 0n, 100n, 200n, 300n]);
    expect(ring.owners).toEqual(['A', 'B', 'C', 'A', 'B', 'C']);
  });

  it('gives a token to the host with the smallest ring token >= it (range (previous, token])', () => {
    expect(primaryOwner(ring, t(-100))).toBe('A');
    expect(primaryOwner(ring, t(-99))).toBe('B');
    expect(primaryOwner(ring, t(-50))).toBe('B');
    expect(primaryOwner(ring, t(1))).toBe('A');
    expect(primaryOwner(ring, t(150))).toBe('B');
    expect(primaryOwner(ring, t(300))).toBe('C');
  });

  it('wraps past the largest token to the first one', () => {
    expect(ownerIndex(ring, t(301))).toBe(0);
    expect(primaryOwner(ring, t(2n ** 63n - 1n))).toBe('A');
    expect(primaryOwner(ring, t(-(2n ** 63n)))).toBe('A');
  });

  it('has no owner on an empty ring', () => {
    expect(primaryOwner(buildTokenRing([]), t(5))).toBeUndefined();
    expect(replicasOf(buildTokenRing([]), t(5), { kind: 'simple', replicationFactor: 3 })).toEqual([]);
  });
});

describe('replicas of a token', () => {
  it('walks the ring clockwise skipping hosts already chosen (SimpleStrategy)', () => {
    const simple = (n: number) => ({ kind: 'simple', replicationFactor: n }) as const;
    expect(replicasOf(ring, t(150), simple(1))).toEqual(['B']);
    expect(replicasOf(ring, t(150), simple(2))).toEqual(['B', 'C']);
    expect(replicasOf(ring, t(150), simple(3))).toEqual(['B', 'C', 'A']);
    // More replicas than hosts: every host once.
    expect(replicasOf(ring, t(150), simple(5))).toEqual(['B', 'C', 'A']);
  });

  it('fills each data center to its factor (NetworkTopologyStrategy)', () => {
    const nts = replicationFromMap(
      new Map([
        ['class', 'org.apache.cassandra.locator.NetworkTopologyStrategy'],
        ['dc1', '2'],
        ['dc2', '1'],
        ['dc9', '3'],
      ]),
    );
    expect(replicasOf(ring, t(250), nts)).toEqual(['C', 'A', 'B']);
    const dc1Only = replicationFromMap(
      new Map([
        ['class', 'NetworkTopologyStrategy'],
        ['dc1', '1'],
      ]),
    );
    expect(replicasOf(ring, t(250), dc1Only)).toEqual(['A']);
  });

  it('reads replication maps as system_schema.keyspaces stores them', () => {
    expect(
      replicationFromMap(
        new Map([
          ['class', 'org.apache.cassandra.locator.SimpleStrategy'],
          ['replication_factor', '3'],
        ]),
      ),
    ).toEqual({
      kind: 'simple',
      replicationFactor: 3,
    });
    expect(replicationFromMap(new Map([['class', 'org.apache.cassandra.locator.LocalStrategy']]))).toEqual({
      kind: 'other',
    });
    expect(replicasOf(ring, t(150), { kind: 'other' })).toEqual(['B']);
  });
});

describe('query plans', () => {
  const planHosts = [
    { key: 'A', dataCenter: 'dc1', up: true },
    { key: 'B', dataCenter: 'dc1', up: true },
    { key: 'C', dataCenter: 'dc2', up: true },
    { key: 'D', dataCenter: 'dc1', up: false },
    { key: 'E', dataCenter: 'dc1', up: true },
  ];

  it('round-robins over the live hosts of the local data center only', () => {
    expect(roundRobinPlan(planHosts, 'dc1', 0)).toEqual(['A', 'B', 'E']);
    expect(roundRobinPlan(planHosts, 'dc1', 1)).toEqual(['B', 'E', 'A']);
    expect(roundRobinPlan(planHosts, 'dc1', 5)).toEqual(['E', 'A', 'B']);
    expect(roundRobinPlan(planHosts, 'dc3', 0)).toEqual([]);
  });

  it('puts the usable replicas first, rotated, then the rest of the child plan', () => {
    const child = ['A', 'B', 'E'];
    expect(tokenAwarePlan(child, ['E', 'B'], 0)).toEqual(['E', 'B', 'A']);
    expect(tokenAwarePlan(child, ['E', 'B'], 1)).toEqual(['B', 'E', 'A']);
    // Replicas that are down or remote (not in the child plan) are skipped.
    expect(tokenAwarePlan(child, ['C', 'D', 'B'], 0)).toEqual(['B', 'A', 'E']);
    expect(tokenAwarePlan(child, ['C'], 0)).toEqual(child);
  });
});

describe('routing keys', () => {
  const one = serialize(CqlTypes.int, 1);
  const name = serialize(CqlTypes.text, 'ada');

  it('uses a single partition-key value as is', () => {
    const key = routingKeyOf([name, one], [1]);
    expect(key).toEqual(one);
    expect(tokenOfRoutingKey(key!)).toBe(getToken(one));
  });

  it('serializes several columns as CompositeType, in partition-key order', () => {
    const key = routingKeyOf([name, one], [1, 0]);
    expect(key).toEqual(serializePartitionKey([one, name]));
    expect(explicitRoutingKey([one, name])).toEqual(key);
  });

  it('gives no key when a partition-key value is missing, null or unset', () => {
    expect(routingKeyOf([one], [])).toBeUndefined();
    expect(routingKeyOf([null, one], [0])).toBeUndefined();
    expect(routingKeyOf([one], [1])).toBeUndefined();
  });

  it('matches a published Cassandra token (int key 1 → -4069959284402364209)', () => {
    expect(tokenOfRoutingKey(routingKeyOf([one], [0])!)).toBe(-4069959284402364209n);
  });
});
