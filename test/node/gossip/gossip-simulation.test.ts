/**
 * Twenty gossipers in one process over a deterministic queue (simulated-cluster.ts): convergence,
 * kill and restart, partition and heal, clean shutdown. Every run is a seed; a failure replays.
 */
import { describe, expect, it } from 'vitest';
import type { GossipEvent } from '../../../node/gossip/gossip-events.js';
import { address } from './gossip-fixtures.js';
import { range, SimulatedCluster } from './simulated-cluster.js';

const N = 20;
const SEEDS = 3;
const LOG2_N = Math.log2(N);
const everyone = range(1, N);
const except = (n: number): number[] => everyone.filter((other) => other !== n);

function convergedCluster(seed: number): SimulatedCluster {
  const cluster = new SimulatedCluster(N, SEEDS, seed);
  cluster.startAll();
  cluster.runUntil(() => cluster.converged(), 50);
  return cluster;
}

function eventsAbout(
  cluster: SimulatedCluster,
  observer: number,
  subject: number,
  sinceMs = 0,
): GossipEvent[] {
  return cluster
    .node(observer)
    .events.filter(
      ({ atMs, event }) => atMs >= sinceMs && 'endpoint' in event && event.endpoint === address(subject),
    )
    .map(({ event }) => event);
}

describe('gossip convergence (20 nodes, 3 seeds)', () => {
  it('a cold start converges within 2·log2(N) + 6 rounds: every node knows every node, alive', () => {
    const bound = Math.floor(2 * LOG2_N) + 6;
    for (let seed = 1; seed <= 10; seed++) {
      const cluster = new SimulatedCluster(N, SEEDS, seed);
      cluster.startAll();
      expect(
        cluster.runUntil(() => cluster.converged(), 50),
        `seed ${seed}`,
      ).toBeLessThanOrEqual(bound);
    }
  });

  it('a state change reaches every node within 2·log2(N) rounds', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const cluster = convergedCluster(seed);
      cluster.node(13).gossiper.setApplicationState('SCHEMA', '22222222-2222-2222-2222-222222222222');
      expect(cluster.converged()).toBe(false);
      const rounds = cluster.runUntil(() => cluster.converged(), 50);
      expect(rounds, `seed ${seed}`).toBeLessThanOrEqual(Math.floor(2 * LOG2_N));
    }
  });

  it('is deterministic for a seed: the same events in the same order', () => {
    const run = (seed: number) => {
      const cluster = convergedCluster(seed);
      for (let round = 0; round < 10; round++) cluster.round();
      return JSON.stringify(everyone.map((n) => cluster.node(n).events));
    };
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });

  it('never convicts a node that keeps gossiping (5 minutes of steady state)', () => {
    const cluster = convergedCluster(21);
    const since = cluster.nowMs;
    for (let round = 0; round < 300; round++) cluster.round();
    const deaths = everyone.flatMap((n) =>
      cluster.node(n).events.filter(({ atMs, event }) => atMs >= since && event.type === 'dead'),
    );
    expect(deaths).toEqual([]);
    expect(cluster.converged()).toBe(true);
  });
});

describe('failure and return', () => {
  it('a killed node is convicted by every peer (Cassandra arithmetic: 18.4 mean intervals of silence)', () => {
    for (const seed of [1, 2, 3]) {
      const cluster = convergedCluster(seed);
      for (let round = 0; round < 30; round++) cluster.round();
      cluster.kill(7);
      const killedAtMs = cluster.nowMs;
      const rounds = cluster.runUntil(() => cluster.seesDown(except(7), [7]), 60);
      // phi = 0.434 × silence / mean > 8 needs 18.4 mean intervals (~1 s each) after the last news.
      expect(rounds, `seed ${seed}`).toBeGreaterThanOrEqual(17);
      expect(rounds, `seed ${seed}`).toBeLessThanOrEqual(35);
      for (const observer of except(7)) {
        const deaths = eventsAbout(cluster, observer, 7, killedAtMs).filter((event) => event.type === 'dead');
        expect(deaths).toEqual([{ type: 'dead', endpoint: address(7), reason: 'convicted' }]);
      }
      // Nobody else was convicted meanwhile.
      expect(cluster.seesUp(except(7), except(7))).toBe(true);
    }
  });

  it('a restarted node (new generation) replaces its old state everywhere and is alive within a few rounds', () => {
    const cluster = convergedCluster(4);
    cluster.kill(7);
    cluster.runUntil(() => cluster.seesDown(except(7), [7]), 60);
    const oldGeneration = cluster.node(7).gossiper.endpointState(address(7))!.heartbeat.generation;
    const restartedAtMs = cluster.nowMs;
    cluster.restart(7);
    const rounds = cluster.runUntil(() => cluster.converged(), 30);
    expect(rounds).toBeLessThanOrEqual(Math.floor(2 * LOG2_N) + 3);
    const newGeneration = cluster.node(7).gossiper.endpointState(address(7))!.heartbeat.generation;
    expect(newGeneration).toBeGreaterThan(oldGeneration);
    for (const observer of except(7)) {
      expect(cluster.node(observer).gossiper.endpointState(address(7))!.heartbeat.generation).toBe(
        newGeneration,
      );
      const types = eventsAbout(cluster, observer, 7, restartedAtMs).map((event) => event.type);
      expect(types.slice(0, 2)).toEqual(['restarted', 'joined']);
      expect(types).toContain('alive');
    }
  });

  it('the restarted node learnt the cluster in its shadow round before announcing itself', () => {
    const cluster = convergedCluster(8);
    cluster.kill(12);
    cluster.round();
    cluster.restart(12);
    cluster.deliverAll();
    const shadow = cluster.node(12).events.filter(({ event }) => event.type === 'shadow-round-complete');
    const last = shadow.at(-1)?.event;
    expect(last?.type === 'shadow-round-complete' && last.states.size).toBe(N);
  });

  it('a node restarted before it was convicted is seen restarted, never dead', () => {
    const cluster = convergedCluster(9);
    const since = cluster.nowMs;
    cluster.kill(3);
    for (let round = 0; round < 3; round++) cluster.round();
    cluster.restart(3);
    cluster.runUntil(() => cluster.converged(), 30);
    for (let round = 0; round < 30; round++) cluster.round();
    for (const observer of except(3)) {
      const types = eventsAbout(cluster, observer, 3, since).map((event) => event.type);
      expect(types).toContain('restarted');
      expect(types).not.toContain('dead');
    }
  });
});

describe('partition', () => {
  const left = range(1, 10);
  const right = range(11, 20);
  const side = (endpoint: string): boolean => left.includes(Number(endpoint.split('.').at(-1)));

  it('each half convicts the other and keeps its own alive; healing brings everyone back', () => {
    for (const seed of [1, 2]) {
      const cluster = convergedCluster(seed);
      for (let round = 0; round < 30; round++) cluster.round();
      cluster.blocked = (from, to) => side(from) !== side(to);
      const ownHalvesAlive = (): void => {
        expect(cluster.seesUp(left, left) && cluster.seesUp(right, right)).toBe(true);
      };
      const split = cluster.runUntil(
        () => cluster.seesDown(left, right) && cluster.seesDown(right, left),
        60,
        ownHalvesAlive,
      );
      expect(split, `seed ${seed}`).toBeLessThanOrEqual(40);
      for (let round = 0; round < 20; round++) cluster.round();
      expect(cluster.seesDown(left, right) && cluster.seesDown(right, left)).toBe(true);

      cluster.blocked = () => false;
      const healed = cluster.runUntil(() => cluster.converged(), 20);
      expect(healed, `seed ${seed}`).toBeLessThanOrEqual(5);
      const since = cluster.nowMs;
      for (let round = 0; round < 60; round++) cluster.round();
      const deaths = everyone.flatMap((n) =>
        cluster.node(n).events.filter(({ atMs, event }) => atMs >= since && event.type === 'dead'),
      );
      expect(deaths, 'no flapping after the heal').toEqual([]);
    }
  });
});

describe('clean shutdown', () => {
  it('is seen as down at once by every peer, stays down, and a restart brings it back', () => {
    const cluster = convergedCluster(11);
    const since = cluster.nowMs;
    cluster.shutdown(9);
    cluster.deliverAll();
    expect(cluster.seesDown(except(9), [9])).toBe(true);
    for (const observer of except(9)) {
      expect(eventsAbout(cluster, observer, 9, since).filter((event) => event.type === 'dead')).toEqual([
        { type: 'dead', endpoint: address(9), reason: 'shutdown' },
      ]);
      expect(cluster.node(observer).gossiper.endpointState(address(9))!.states.STATUS?.value).toBe(
        'shutdown,true',
      );
    }
    for (let round = 0; round < 40; round++) cluster.round();
    expect(cluster.seesDown(except(9), [9])).toBe(true);
    expect(
      except(9).flatMap((observer) =>
        eventsAbout(cluster, observer, 9, since).filter((event) => event.type === 'alive'),
      ),
    ).toEqual([]);

    cluster.restart(9);
    cluster.runUntil(() => cluster.converged(), 20);
    expect(cluster.node(1).gossiper.endpointState(address(9))!.states.STATUS?.value).toMatch(/^NORMAL,/);
  });
});
