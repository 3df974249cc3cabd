import { describe, expect, it } from 'vitest';
import { digestOf, examineDigests, statesRequested } from '../../../node/gossip/digest-exchange.js';
import type { EndpointAddress, EndpointState } from '../../../node/gossip/endpoint-state.js';
import type { GossipDigest } from '../../../node/gossip/gossip-messages.js';
import { address, gen, state } from './gossip-fixtures.js';

const [a, b, c, d] = [address(1), address(2), address(3), address(4)];
const digest = (endpoint: EndpointAddress, generation: number, maxVersion: number): GossipDigest => ({
  endpoint,
  generation: gen(generation),
  maxVersion,
});

const local = new Map<EndpointAddress, EndpointState>([
  [a, state(100, 10, { STATUS: ['NORMAL,1', 2], SCHEMA: ['s1', 8] })],
  [b, state(200, 4, { STATUS: ['NORMAL,2', 3] })],
  [c, state(300, 6)],
]);

describe('digestOf', () => {
  it('carries the generation and the highest version of heartbeat and states', () => {
    expect(digestOf(a, local.get(a)!)).toEqual(digest(a, 100, 10));
    expect(digestOf(a, state(100, 1, { SCHEMA: ['x', 9] }))).toEqual(digest(a, 100, 9));
  });
});

describe('examineDigests (examineGossiper)', () => {
  it('EqualDigestsNeedNothing', () => {
    expect(examineDigests(local, [digest(a, 100, 10), digest(b, 200, 4)])).toEqual({
      requests: [],
      states: [],
    });
  });

  it('UnknownEndpointIsRequestedWhole', () => {
    expect(examineDigests(local, [digest(d, 50, 7)]).requests).toEqual([digest(d, 50, 0)]);
  });

  it('NewerRemoteGenerationIsRequestedWhole', () => {
    expect(examineDigests(local, [digest(a, 101, 1)])).toEqual({ requests: [digest(a, 101, 0)], states: [] });
  });

  it('OlderRemoteGenerationIsSentEverything', () => {
    expect(examineDigests(local, [digest(a, 99, 500)])).toEqual({
      requests: [],
      states: [{ endpoint: a, state: local.get(a)! }],
    });
  });

  it('SameGenerationHigherRemoteVersionIsRequestedAboveOurs', () => {
    expect(examineDigests(local, [digest(b, 200, 9)]).requests).toEqual([digest(b, 200, 4)]);
  });

  it('SameGenerationLowerRemoteVersionIsSentWhatIsAboveTheirs', () => {
    expect(examineDigests(local, [digest(a, 100, 5)]).states).toEqual([
      { endpoint: a, state: state(100, 10, { SCHEMA: ['s1', 8] }) },
    ]);
  });

  it('EmptyDigestListIsAShadowRequestAnsweredWithEverything', () => {
    const { requests, states } = examineDigests(local, []);
    expect(requests).toEqual([]);
    expect(states).toEqual([...local].map(([endpoint, full]) => ({ endpoint, state: full })));
  });

  it('a mixed SYN: requests and states side by side, in digest order', () => {
    const result = examineDigests(local, [digest(c, 300, 2), digest(d, 1, 1), digest(b, 200, 5)]);
    expect(result.requests).toEqual([digest(d, 1, 0), digest(b, 200, 4)]);
    expect(result.states).toEqual([{ endpoint: c, state: state(300, 6) }]);
  });
});

describe('statesRequested (the ACK2)', () => {
  it('answers each request with our state above its version, skipping what we lack or have nothing newer of', () => {
    expect(statesRequested(local, [digest(a, 100, 9), digest(d, 1, 0), digest(c, 300, 6)])).toEqual([
      { endpoint: a, state: state(100, 10) },
    ]);
  });
});
