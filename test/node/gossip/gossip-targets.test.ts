import { describe, expect, it } from 'vitest';
import { chooseGossipTargets } from '../../../node/gossip/gossip-targets.js';
import { address, scriptedRandom, seededRandom } from './gossip-fixtures.js';

const [a, b, c, d] = [address(11), address(12), address(13), address(14)];
const [s1, s2] = [address(1), address(2)];

describe('chooseGossipTargets', () => {
  it('with nobody live, gossips to a random seed only', () => {
    const random = scriptedRandom([0.9]);
    expect(
      chooseGossipTargets({ live: [], unreachable: [], seeds: [s1, s2], unreachableCount: 0 }, random),
    ).toEqual([s2]);
    expect(random.used()).toBe(1);
  });

  it('a live peer, then a seed with probability seeds / (live + unreachable)', () => {
    const candidates = { live: [a, b, c], unreachable: [], seeds: [s1, s2], unreachableCount: 0 };
    // live index 0.5 → b; seed draw 0.66 ≤ 2/3 → seed index 0.1 → s1
    expect(chooseGossipTargets(candidates, scriptedRandom([0.5, 0.66, 0.1]))).toEqual([b, s1]);
    // seed draw 0.67 > 2/3 → no seed
    expect(chooseGossipTargets(candidates, scriptedRandom([0.5, 0.67]))).toEqual([b]);
  });

  it('an unreachable peer with probability unreachable / (live + 1)', () => {
    const candidates = { live: [a, b, c], unreachable: [d], seeds: [], unreachableCount: 2 };
    expect(chooseGossipTargets(candidates, scriptedRandom([0, 0.49]))).toEqual([a, d]);
    expect(chooseGossipTargets(candidates, scriptedRandom([0, 0.5]))).toEqual([a]);
  });

  it('skips the seed when the live peer was a seed and enough peers are live', () => {
    const random = scriptedRandom([0]);
    expect(
      chooseGossipTargets(
        { live: [s1, s2, a], unreachable: [], seeds: [s1, s2], unreachableCount: 0 },
        random,
      ),
    ).toEqual([s1]);
    expect(random.used()).toBe(1);
  });

  it('still adds a seed when fewer peers are live than there are seeds, without repeating a target', () => {
    const targets = chooseGossipTargets(
      { live: [s1], unreachable: [], seeds: [s1, s2], unreachableCount: 0 },
      scriptedRandom([0, 0]),
    );
    expect(targets).toEqual([s1]);
    expect(
      chooseGossipTargets(
        { live: [s1], unreachable: [], seeds: [s1, s2], unreachableCount: 0 },
        scriptedRandom([0, 0.9]),
      ),
    ).toEqual([s1, s2]);
  });

  it('over many rounds, reaches an unreachable peer in about unreachable / (live + 1) of them', () => {
    const random = seededRandom(3);
    const candidates = { live: [a, b, c], unreachable: [d], seeds: [], unreachableCount: 1 };
    let hits = 0;
    for (let round = 0; round < 20_000; round++)
      if (chooseGossipTargets(candidates, random).includes(d)) hits++;
    expect(hits / 20_000).toBeCloseTo(0.25, 1);
  });
});
