import { describe, expect, it } from 'vitest';
import { statusValue } from '../../../node/gossip/application-values.js';
import type { EndpointAddress, EndpointState } from '../../../node/gossip/endpoint-state.js';
import type { GossipEffect, GossipEvent } from '../../../node/gossip/gossip-events.js';
import type { GossipMessage } from '../../../node/gossip/gossip-messages.js';
import { Gossiper, type GossiperConfig } from '../../../node/gossip/gossiper.js';
import type { Token } from '../../../ring/token.js';
import { address, gen, seededRandom, state } from './gossip-fixtures.js';
import { CLUSTER, PARTITIONER } from './simulated-cluster.js';

const T0 = 1_700_000_000_000;
const [a, b, c] = [address(1), address(2), address(3)];

function gossiper(self: EndpointAddress, overrides: Partial<GossiperConfig> = {}): Gossiper {
  return new Gossiper(
    { address: self, clusterName: CLUSTER, partitioner: PARTITIONER, seeds: [a], ...overrides },
    seededRandom(Number(self.split('.').at(-1))),
  );
}

const sends = (effects: readonly GossipEffect[]): { to: EndpointAddress; message: GossipMessage }[] =>
  effects.flatMap((effect) => (effect.kind === 'send' ? [{ to: effect.to, message: effect.message }] : []));
const events = (effects: readonly GossipEffect[]): GossipEvent[] =>
  effects.flatMap((effect) => (effect.kind === 'event' ? [effect.event] : []));

/** Delivers `effects` (and what they cause) between the given gossipers until nothing is left. */
function exchange(
  nodes: readonly Gossiper[],
  from: Gossiper,
  effects: readonly GossipEffect[],
  nowMs: number,
): GossipEffect[] {
  const all: GossipEffect[] = [...effects];
  const queue = sends(effects).map((send) => ({ from: from.address, ...send }));
  while (queue.length > 0) {
    const { from: sender, to, message } = queue.shift()!;
    const target = nodes.find((node) => node.address === to);
    if (target === undefined) continue;
    const caused = target.receive(sender, message, nowMs);
    all.push(...caused);
    queue.push(...sends(caused).map((send) => ({ from: to, ...send })));
  }
  return all;
}

describe('a gossip round between two nodes', () => {
  it('SYN → ACK → ACK2 as Cassandra: the seed learns the newcomer, then echoes it before calling it alive', () => {
    const seed = gossiper(a);
    const newcomer = gossiper(b);
    seed.start(T0, { states: { STATUS: 'NORMAL,1' } });
    newcomer.start(T0, { states: { STATUS: 'NORMAL,2' } });

    const tick = newcomer.tick(T0);
    const [syn] = sends(tick);
    expect(syn).toEqual({
      to: a,
      message: {
        type: 'GOSSIP_DIGEST_SYN',
        clusterName: CLUSTER,
        partitioner: PARTITIONER,
        digests: [{ endpoint: b, generation: gen(T0 / 1000), maxVersion: 2 }],
      },
    });

    const ack = seed.receive(b, syn!.message, T0);
    expect(sends(ack)).toEqual([
      {
        to: b,
        message: {
          type: 'GOSSIP_DIGEST_ACK',
          digests: [{ endpoint: b, generation: gen(T0 / 1000), maxVersion: 0 }],
          states: [],
        },
      },
    ]);

    const ack2 = newcomer.receive(a, sends(ack)[0]!.message, T0);
    expect(sends(ack2)).toEqual([
      {
        to: a,
        message: { type: 'GOSSIP_DIGEST_ACK2', states: [{ endpoint: b, state: newcomer.endpointState(b)! }] },
      },
    ]);

    const applied = seed.receive(b, sends(ack2)[0]!.message, T0);
    expect(events(applied).map((event) => event.type)).toEqual(['joined', 'state-change']);
    expect(sends(applied)).toEqual([{ to: b, message: { type: 'ECHO_REQ' } }]);
    expect(seed.isAlive(b)).toBe(false);

    const reply = newcomer.receive(a, { type: 'ECHO_REQ' }, T0);
    expect(sends(reply)).toEqual([{ to: a, message: { type: 'ECHO_RSP' } }]);
    expect(events(seed.receive(b, { type: 'ECHO_RSP' }, T0))).toEqual([{ type: 'alive', endpoint: b }]);
    expect(seed.liveEndpoints()).toEqual([b]);

    // Next round the seed gossips to its live peer, and the newcomer learns the seed.
    exchange([seed, newcomer], seed, seed.tick(T0 + 1000), T0 + 1000);
    expect(newcomer.endpointState(a)?.states.STATUS?.value).toBe('NORMAL,1');
    expect(newcomer.isAlive(a)).toBe(true);
  });

  it('a newer heartbeat version is reported to the failure detector, whoever relays it', () => {
    const [seed, one, two] = [gossiper(a), gossiper(b), gossiper(c)];
    for (const node of [seed, one, two]) node.start(T0, { states: {} });
    for (let second = 0; second < 5; second++) {
      for (const node of [one, two, seed])
        exchange([seed, one, two], node, node.tick(T0 + second * 1000), T0 + second * 1000);
    }
    expect(seed.phi(c, T0 + 5000)).toBeLessThan(1);
    expect(one.phi(c, T0 + 5000)).toBeLessThan(1);
  });

  it('an ACK carrying states before our first SYN is a leftover of the shadow round and is ignored', () => {
    const node = gossiper(b);
    node.start(T0, { states: {} });
    const effects = node.receive(
      a,
      { type: 'GOSSIP_DIGEST_ACK', digests: [], states: [{ endpoint: a, state: state(5, 1) }] },
      T0,
    );
    expect(effects).toEqual([]);
    expect(node.endpointState(a)).toBeUndefined();
  });
});

describe('rejections', () => {
  it('a SYN from another cluster is rejected with CLUSTER_NAME_MISMATCH and not answered', () => {
    const node = gossiper(a);
    node.start(T0, { states: {} });
    const effects = node.receive(
      b,
      { type: 'GOSSIP_DIGEST_SYN', clusterName: 'Other', partitioner: PARTITIONER, digests: [] },
      T0,
    );
    expect(sends(effects)).toEqual([]);
    expect(events(effects)).toEqual([
      {
        type: 'rejected',
        from: b,
        code: 'CLUSTER_NAME_MISMATCH',
        message: `ClusterName mismatch from ${b} Other!=${CLUSTER}`,
      },
    ]);
  });

  it('a SYN with another partitioner is rejected with PARTITIONER_MISMATCH', () => {
    const node = gossiper(a);
    node.start(T0, { states: {} });
    const effects = node.receive(
      b,
      { type: 'GOSSIP_DIGEST_SYN', clusterName: CLUSTER, partitioner: 'RandomPartitioner', digests: [] },
      T0,
    );
    expect(events(effects).map((event) => event.type === 'rejected' && event.code)).toEqual([
      'PARTITIONER_MISMATCH',
    ]);
  });

  it('a generation more than a year ahead of our clock is refused (INVALID_GENERATION)', () => {
    const node = gossiper(a);
    node.start(T0, { states: {} });
    const far = state(T0 / 1000 + 2 * 365 * 86_400, 1);
    const effects = node.receive(
      b,
      { type: 'GOSSIP_DIGEST_ACK2', states: [{ endpoint: b, state: far }] },
      T0,
    );
    expect(events(effects).map((event) => event.type === 'rejected' && event.code)).toEqual([
      'INVALID_GENERATION',
    ]);
    expect(node.endpointState(b)).toBeUndefined();
  });

  it('a message that is not gossip is reported, not thrown', () => {
    const node = gossiper(a);
    node.start(T0, { states: {} });
    const effects = node.receive(b, { type: 'NOPE' } as unknown as GossipMessage, T0);
    expect(events(effects).map((event) => event.type === 'rejected' && event.code)).toEqual([
      'UNKNOWN_GOSSIP_MESSAGE',
    ]);
  });
});

describe('restarts, shutdown, eviction', () => {
  const running = (): Gossiper => {
    const node = gossiper(a);
    node.start(T0, { states: {} });
    node.receive(
      b,
      {
        type: 'GOSSIP_DIGEST_ACK2',
        states: [{ endpoint: b, state: state(1000, 5, { STATUS: ['NORMAL,2', 1] }) }],
      },
      T0,
    );
    node.receive(b, { type: 'ECHO_RSP' }, T0);
    return node;
  };

  it('a higher generation replaces the old state: restarted, joined, then each state', () => {
    const node = running();
    const newer = state(1001, 1, { STATUS: ['NORMAL,2', 1] });
    const effects = node.receive(
      b,
      { type: 'GOSSIP_DIGEST_ACK2', states: [{ endpoint: b, state: newer }] },
      T0 + 1000,
    );
    expect(events(effects).map((event) => event.type)).toEqual(['restarted', 'joined', 'state-change']);
    expect(node.endpointState(b)).toEqual(newer);
    expect(node.isAlive(b)).toBe(true);
  });

  it('GOSSIP_SHUTDOWN marks the sender down at once, and same-generation gossip does not revive it', () => {
    const node = running();
    const final: EndpointState = state(1000, 6, { STATUS: ['shutdown,true', 7], RPC_READY: ['false', 8] });
    const effects = node.receive(b, { type: 'GOSSIP_SHUTDOWN', state: final }, T0 + 1000);
    expect(events(effects).at(-1)).toEqual({ type: 'dead', endpoint: b, reason: 'shutdown' });
    expect(node.isAlive(b)).toBe(false);
    const later = node.receive(
      b,
      { type: 'GOSSIP_DIGEST_ACK2', states: [{ endpoint: b, state: final }] },
      T0 + 2000,
    );
    expect(sends(later)).toEqual([]);
    expect(node.receive(b, { type: 'ECHO_RSP' }, T0 + 2000)).toEqual([]);
    expect(node.isAlive(b)).toBe(false);
  });

  it('announceShutdown sets STATUS shutdown and tells live peers only; a bootstrapping node leaves silently', () => {
    const node = running();
    const effects = node.announceShutdown(T0 + 1000);
    expect(node.endpointState(a)?.states.STATUS?.value).toBe('shutdown,true');
    expect(node.endpointState(a)?.states.RPC_READY?.value).toBe('false');
    expect(sends(effects)).toEqual([
      { to: b, message: { type: 'GOSSIP_SHUTDOWN', state: node.endpointState(a) } },
    ]);
    expect(node.phase).toBe('stopped');
    expect(node.tick(T0 + 2000)).toEqual([]);

    const booting = gossiper(c);
    booting.start(T0, { states: { STATUS: statusValue.bootstrapping([5n as Token]) } });
    expect(booting.announceShutdown(T0)).toEqual([]);
  });

  it('an evicted endpoint is quarantined: its gossip is ignored for 60 s, then accepted again', () => {
    const node = running();
    expect(events(node.evict(b, T0))).toEqual([{ type: 'removed', endpoint: b }]);
    const gossip = { type: 'GOSSIP_DIGEST_ACK2', states: [{ endpoint: b, state: state(1000, 9) }] } as const;
    expect(node.receive(b, gossip, T0 + 30_000)).toEqual([]);
    expect(node.isQuarantined(b)).toBe(true);
    node.tick(T0 + 60_001);
    expect(node.isQuarantined(b)).toBe(false);
    expect(events(node.receive(b, gossip, T0 + 61_000)).map((event) => event.type)).toContain('joined');
  });

  it('a LEFT endpoint is dead at once and evicted when its expiry passes', () => {
    const node = gossiper(a);
    node.start(T0, { states: {} });
    const left = state(1000, 3, { STATUS: [statusValue.left([9n as Token], T0 + 10_000), 2] });
    const effects = node.receive(
      c,
      { type: 'GOSSIP_DIGEST_ACK2', states: [{ endpoint: c, state: left }] },
      T0,
    );
    expect(events(effects).at(-1)).toEqual({ type: 'dead', endpoint: c, reason: 'dead-state' });
    expect(sends(effects)).toEqual([]);
    node.tick(T0 + 5_000);
    expect(node.endpointState(c)).toBeDefined();
    expect(events(node.tick(T0 + 11_000))).toContainEqual({ type: 'removed', endpoint: c });
    expect(node.endpointState(c)).toBeUndefined();
  });
});

describe('shadow round', () => {
  it('asks the seeds with an empty SYN and completes with what a running seed knows', () => {
    const seed = gossiper(a);
    seed.start(T0, { states: { HOST_ID: '00000000-0000-4000-8000-000000000001' } });
    const starting = gossiper(b);
    const effects = starting.startShadowRound(T0);
    expect(starting.phase).toBe('shadow');
    expect(sends(effects)).toEqual([
      {
        to: a,
        message: { type: 'GOSSIP_DIGEST_SYN', clusterName: CLUSTER, partitioner: PARTITIONER, digests: [] },
      },
    ]);
    const all = exchange([seed, starting], starting, effects, T0);
    const complete = events(all).find((event) => event.type === 'shadow-round-complete');
    expect(complete).toEqual({
      type: 'shadow-round-complete',
      states: new Map([[a, seed.endpointState(a)]]),
    });
    expect(starting.phase).toBe('idle');
    // The seed learnt nothing about the newcomer from a shadow request.
    expect(seed.endpointState(b)).toBeUndefined();
  });

  it('completes empty when every seed is in its shadow round too (a new cluster)', () => {
    const [one, two, three] = [a, b, c].map((self) => gossiper(self, { seeds: [a, b] }));
    const all = exchange([one!, two!, three!], three!, three!.startShadowRound(T0), T0);
    // Seeds not yet in their shadow round ignore it.
    expect(events(all)).toEqual([]);
    one!.startShadowRound(T0);
    two!.startShadowRound(T0);
    const resent = exchange([one!, two!, three!], three!, three!.tick(T0 + 5000), T0 + 5000);
    expect(events(resent).filter((event) => event.type === 'shadow-round-complete')).toEqual([
      { type: 'shadow-round-complete', states: new Map() },
    ]);
  });

  it('a seed alone completes at once; a non-seed that hears nobody fails after ring delay', () => {
    const lonely = gossiper(a, { seeds: [a] });
    expect(events(lonely.startShadowRound(T0))).toEqual([
      { type: 'shadow-round-complete', states: new Map() },
    ]);

    const orphan = gossiper(b);
    orphan.startShadowRound(T0);
    expect(sends(orphan.tick(T0 + 4000))).toEqual([]);
    expect(sends(orphan.tick(T0 + 5000))).toHaveLength(1);
    expect(events(orphan.tick(T0 + 30_001))).toEqual([
      { type: 'shadow-round-failed', code: 'UNABLE_TO_GOSSIP', message: 'Unable to gossip with any peers' },
    ]);
    expect(orphan.phase).toBe('idle');
  });
});
