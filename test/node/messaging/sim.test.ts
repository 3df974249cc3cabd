/** The simulation seams: virtual time runs tasks in order and only when told; seeded randomness replays. */
import { describe, expect, it } from 'vitest';
import { FaultFilter, toPeerAddress, Verb } from '../../../node/messaging/index.js';
import { SeededRandom } from '../../../node/sim/random.js';
import { SimulatedScheduler } from '../../../node/sim/scheduler.js';

describe('SimulatedScheduler', () => {
  it('runs due tasks in time order, ties first-in first-out, and settles promises between them', async () => {
    const scheduler = new SimulatedScheduler(1_000);
    const order: string[] = [];
    scheduler.setTimeout(() => order.push('b@20'), 20);
    scheduler.setTimeout(() => {
      order.push('a@10');
      void Promise.resolve().then(() => order.push('a-continuation'));
    }, 10);
    scheduler.setTimeout(() => order.push('c@20'), 20);
    const cancelled = scheduler.setTimeout(() => order.push('never'), 15);
    scheduler.defer(() => order.push('deferred@0'));
    scheduler.clearTimeout(cancelled);
    await scheduler.advance(19);
    expect(order).toEqual(['deferred@0', 'a@10', 'a-continuation']);
    expect(scheduler.nowMs()).toBe(1_019);
    await scheduler.advance(1);
    expect(order.slice(3)).toEqual(['b@20', 'c@20']);
    await scheduler.runUntilIdle();
    expect(scheduler.pendingTasks).toBe(0);
  });
});

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 8 }, () => new SeededRandom(seed).next());
    expect(draw(1)).toEqual(draw(1));
    const a = new SeededRandom(1);
    const b = new SeededRandom(2);
    expect([a.next(), a.next()]).not.toEqual([b.next(), b.next()]);
    const values = Array.from({ length: 10_000 }, () => a.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((sum, value) => sum + value, 0) / values.length).toBeCloseTo(0.5, 1);
  });
});

describe('FaultFilter', () => {
  it('matches the first rule by direction, verb and peer, with a probability drawn from the seed', () => {
    const filter = new FaultFilter(new SeededRandom(3));
    const peer = toPeerAddress('10.0.0.2');
    filter.add({ verbs: ['READ_REQ'], peers: [peer], direction: 'inbound', action: 'drop' });
    filter.add({ verbs: ['READ_REQ'], action: 'delay', delayMs: 5 });
    expect(filter.decide('inbound', Verb.READ_REQ, peer)).toEqual({ action: 'drop' });
    expect(filter.decide('outbound', Verb.READ_REQ, peer)).toEqual({ action: 'delay', delayMs: 5 });
    expect(filter.decide('outbound', Verb.MUTATION_REQ, peer)).toEqual({ action: 'pass' });
    filter.clear();
    filter.add({ action: 'drop', probability: 0.5 });
    const drops = Array.from(
      { length: 1_000 },
      () => filter.decide('outbound', Verb.ECHO_REQ, peer).action === 'drop',
    );
    expect(drops.filter(Boolean).length).toBeGreaterThan(400);
    expect(drops.filter(Boolean).length).toBeLessThan(600);
  });

  it('refuses rules it cannot apply', () => {
    const filter = new FaultFilter(new SeededRandom(3));
    expect(() => filter.add({ verbs: ['NOPE' as never], action: 'drop' })).toThrow(/unknown verb/);
    expect(() => filter.add({ action: 'delay', delayMs: -1 })).toThrow(/delayMs/);
    expect(() => filter.add({ action: 'drop', probability: 2 })).toThrow(/probability/);
  });
});
