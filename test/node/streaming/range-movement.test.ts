/**
 * The pure side of joining and leaving: the ring a node's gossip states make as it goes BOOT →
 * NORMAL and LEAVING → LEFT (or is removed), the pending ranges each step gives, which ranges move
 * where and from whom (bootstrap, decommission and removenode plans), and the tokens a joining node
 * chooses.
 */
import { describe, expect, it } from 'vitest';
import { ringWithEndpoint } from '../../../node/cluster/ring-state.js';
import type { ApplicationStateName } from '../../../node/gossip/endpoint-state.js';
import { chooseTokens } from '../../../node/streaming/bootstrap-tokens.js';
import {
  bootstrapPlan,
  decommissionPlan,
  locationDistance,
  removalPlan,
} from '../../../node/streaming/range-plan.js';
import { type HostId, parseHostId } from '../../../ring/endpoint.js';
import { PendingRanges } from '../../../ring/pending-ranges.js';
import { createReplicationStrategy, effectiveOwnership } from '../../../ring/replication-strategy.js';
import { formatToken, type Token } from '../../../ring/token.js';
import { randomTokens } from '../../../ring/token-allocation.js';
import { TokenMetadata } from '../../../ring/token-metadata.js';
import { normalize, type TokenRange } from '../../../ring/token-range.js';
import { seededRandom } from '../../ring/ring-fixtures.js';
import { state } from '../gossip/gossip-fixtures.js';

const rf2 = createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '2' });
const keyspaces = [{ name: 'ks', strategy: rf2 }];
const id = (n: number) => parseHostId(`00000000-0000-4000-8000-00000000000${n}`);
const address = (n: number) => `10.0.0.${n}:7000`;
const t = (value: bigint | number) => BigInt(value) as Token;

/** Node n owns tokens n·10^18 − 4·10^18 and n·10^18 + 4·10^18 (two tokens each, interleaved). */
const tokensOf = (n: number): Token[] => [
  t(BigInt(n) * 10n ** 18n - 4n * 10n ** 18n),
  t(BigInt(n) * 10n ** 18n + 4n * 10n ** 18n),
];

function gossip(n: number, status: string, tokens = tokensOf(n)) {
  const values: Partial<Record<ApplicationStateName, string>> = {
    HOST_ID: id(n),
    DC: 'dc1',
    RACK: 'r1',
    TOKENS: tokens.map(formatToken).join(','),
    STATUS: status,
  };
  let version = 0;
  return state(
    1_700_000_000,
    10,
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [v, ++version]])),
  );
}

/** Three NORMAL members, as a node's cluster service folds their gossip. */
function threeNodes(): TokenMetadata {
  let ring = TokenMetadata.empty();
  for (const n of [1, 2, 3]) ring = ringWithEndpoint(ring, address(n), gossip(n, `NORMAL,${tokensOf(n)[0]}`));
  return ring;
}

/** Normalized ranges `hostId` replicates under rf2 on `ring`. */
function replicated(ring: TokenMetadata, hostId: HostId): TokenRange[] {
  const ranges: TokenRange[] = [];
  for (let index = 0; index < ring.sortedTokens.length; index++)
    if (rf2.replicasAt(ring, index).includes(hostId)) ranges.push(ring.rangeAt(index));
  return normalize(ranges);
}

const text = (ranges: readonly TokenRange[]) => ranges.map(String);

describe('a node going BOOT → NORMAL, as gossip reports it', () => {
  it('gains pending ranges while BOOT (exactly what it replicates once NORMAL) and none after', () => {
    const booting = ringWithEndpoint(threeNodes(), address(4), gossip(4, `BOOT,${tokensOf(4)[0]}`));
    expect(booting.isMember(id(4))).toBe(false);
    expect(booting.bootstrappingEndpoints().get(id(4))).toEqual(tokensOf(4));
    const pending = PendingRanges.calculate(booting, rf2);

    const normal = ringWithEndpoint(booting, address(4), gossip(4, `NORMAL,${tokensOf(4)[0]}`));
    expect(normal.isMember(id(4))).toBe(true);
    expect(text(pending.rangesOf(id(4)))).toEqual(text(replicated(normal, id(4))));
    expect(PendingRanges.calculate(normal, rf2).isEmpty()).toBe(true);
    // While BOOT, a write to a range it gains also goes to it; after, it is a natural replica.
    const inside = t(tokensOf(4)[0]! - 1n);
    expect(pending.endpointsFor(inside)).toEqual([id(4)]);
    expect(rf2.calculateNaturalEndpoints(normal, inside)).toContain(id(4));
  });
});

describe('a node going LEAVING → LEFT, and one removed', () => {
  it('gives its ranges, pending while it leaves, to the nodes that replicate them once it is gone', () => {
    const four = ringWithEndpoint(threeNodes(), address(4), gossip(4, `NORMAL,${tokensOf(4)[0]}`));
    const leaving = ringWithEndpoint(four, address(4), gossip(4, `LEAVING,${tokensOf(4)[0]}`));
    expect(leaving.isMember(id(4))).toBe(true);
    expect(leaving.isLeaving(id(4))).toBe(true);
    const pending = PendingRanges.calculate(leaving, rf2);
    const left = ringWithEndpoint(leaving, address(4), gossip(4, `LEFT,${tokensOf(4)[0]},1800000000000`));
    expect(left.endpoint(id(4))).toBeUndefined();
    // Each heir's pending ranges are what it replicates after the leave and did not before.
    for (const heir of [1, 2, 3].map(id)) {
      const gained = replicated(left, heir).flatMap((range) => range.subtractAll(replicated(four, heir)));
      expect(text(pending.rangesOf(heir))).toEqual(text(normalize(gained)));
    }
    // The decommission plan asks exactly those heirs for exactly those ranges, from the leaver.
    const plan = decommissionPlan(leaving, id(4), keyspaces);
    for (const heir of [1, 2, 3].map(id)) {
      const units = plan.get(heir) ?? [];
      expect(text(normalize(units.map((unit) => unit.range)))).toEqual(text(pending.rangesOf(heir)));
      for (const unit of units) expect(unit.sources).toEqual([id(4)]);
    }
  });

  it('keeps a node being removed on the ring as leaving, and drops it once removed', () => {
    const four = ringWithEndpoint(threeNodes(), address(4), gossip(4, 'shutdown,true'));
    expect(four.isMember(id(4))).toBe(true);
    const removing = ringWithEndpoint(four, address(4), gossip(4, `removing,${id(4)}`));
    expect(removing.isLeaving(id(4))).toBe(true);
    const removed = ringWithEndpoint(removing, address(4), gossip(4, `removed,${id(4)},1800000000000`));
    expect(removed.endpoint(id(4))).toBeUndefined();
  });
});

describe('whom a joining node streams from', () => {
  const ring = ringWithEndpoint(threeNodes(), address(4), gossip(4, `BOOT,${tokensOf(4)[0]}`));
  const plan = (options: { strict: boolean; alive?: (hostId: HostId) => boolean }) =>
    bootstrapPlan({
      ring,
      joining: id(4),
      tokens: tokensOf(4),
      keyspaces,
      isAlive: options.alive ?? (() => true),
      distance: () => 1,
      strict: options.strict,
    });

  it('covers every range it gains, from the replica that gives it up first', () => {
    const { units } = plan({ strict: true });
    const normal = ring.onlyTokenMap().updateNormalTokens(id(4), tokensOf(4));
    expect(text(normalize(units.map((unit) => unit.range)))).toEqual(text(replicated(normal, id(4))));
    for (const unit of units) {
      const before = rf2.calculateNaturalEndpoints(ring, unit.range.right);
      const after = rf2.calculateNaturalEndpoints(normal, unit.range.right);
      expect(unit.sources[0]).toBe(before.find((hostId) => !after.includes(hostId)));
      expect([...unit.sources].sort()).toEqual([...before].sort());
    }
  });

  it('refuses when the replica that gives a range up is down, unless consistent_rangemovement is off', () => {
    const { units } = plan({ strict: true });
    const giver = units[0]!.sources[0]!;
    expect(() => plan({ strict: true, alive: (hostId) => hostId !== giver })).toThrow(
      /A node required to move the data consistently is down \(10\.0\.0\.\d:7000\)/,
    );
    const relaxed = plan({ strict: false, alive: (hostId) => hostId !== giver });
    for (const unit of relaxed.units) expect(unit.sources).not.toContain(giver);
  });

  it('fails a range none of whose replicas is alive', () => {
    expect(() => plan({ strict: false, alive: () => false })).toThrow(
      /Unable to find sufficient sources for streaming range \(.*\] in keyspace ks/,
    );
  });
});

describe('removenode', () => {
  it('has each live gainer pull from the surviving replicas, nearest first, and skips RF 1', () => {
    const four = ringWithEndpoint(threeNodes(), address(4), gossip(4, `NORMAL,${tokensOf(4)[0]}`));
    const rf1 = createReplicationStrategy('solo', { class: 'SimpleStrategy', replication_factor: '1' });
    const { plan, deadGainers } = removalPlan({
      ring: four,
      removed: id(4),
      keyspaces: [...keyspaces, { name: 'solo', strategy: rf1 }],
      isAlive: (hostId) => hostId !== id(4),
      distance: (from, to) => locationDistance(four, from, to),
    });
    expect(deadGainers).toEqual([]);
    const after = four.removeEndpoint(id(4));
    for (const [gainer, units] of plan) {
      for (const unit of units) {
        expect(unit.keyspace).toBe('ks');
        expect(unit.sources).not.toContain(id(4));
        expect(unit.sources).not.toContain(gainer);
        expect(rf2.calculateNaturalEndpoints(after, unit.range.right)).toContain(gainer);
      }
    }
    expect(plan.size).toBeGreaterThan(0);
  });
});

describe('tokens of a joining node', () => {
  const rf3 = createReplicationStrategy('ks', { class: 'NetworkTopologyStrategy', datacenter1: '3' });
  const member = (n: number) => ({
    hostId: id(n),
    address: address(n),
    dataCenter: 'datacenter1',
    rack: 'rack1',
  });

  function grow(count: number, choose: (ring: TokenMetadata, n: number) => Token[]): TokenMetadata {
    let ring = TokenMetadata.empty();
    for (let n = 1; n <= count; n++)
      ring = ring.withEndpoint(member(n)).updateNormalTokens(id(n), choose(ring, n));
    return ring;
  }
  const allocated = (seed: number) => {
    const random = seededRandom(seed);
    return grow(
      6,
      (ring, n) =>
        chooseTokens({
          ring: ring.withEndpoint(member(n)),
          endpoint: member(n),
          numTokens: 8,
          initialTokens: [],
          localReplicationFactor: 3,
          random,
        }).tokens,
    );
  };
  const spread = (ring: TokenMetadata) => {
    const shares = [...effectiveOwnership(ring, rf3).values()];
    return Math.max(...shares) / Math.min(...shares);
  };

  it('are balanced for RF 3: ownership within 15 %, better than random tokens', () => {
    const balanced = allocated(7);
    const random = seededRandom(7);
    const drawn = grow(6, (ring) => randomTokens(8, random, ring.sortedTokens));
    expect(spread(balanced)).toBeLessThan(1.15);
    expect(spread(balanced)).toBeLessThan(spread(drawn));
  });

  it('are the same for the same seed', () => {
    expect(allocated(11).sortedTokens).toEqual(allocated(11).sortedTokens);
  });

  it('are initial_token when given, and never a token another node holds', () => {
    const ring = grow(1, () => [t(100), t(200)]).withEndpoint(member(2));
    const choice = {
      ring,
      endpoint: member(2),
      numTokens: 2,
      localReplicationFactor: 3,
      random: seededRandom(1),
    };
    expect(chooseTokens({ ...choice, initialTokens: [t(5), t(6)] })).toEqual({
      tokens: [5n, 6n],
      how: 'initial_token',
    });
    expect(() => chooseTokens({ ...choice, initialTokens: [t(100), t(7)] })).toThrow(
      'Bootstrapping to existing token 100 is not allowed (decommission/removenode the old node first).',
    );
  });
});
