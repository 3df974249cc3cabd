/** Shared builders for the gossip tests: addresses, seeded randomness, endpoint states. */
import {
  type ApplicationStateName,
  type EndpointAddress,
  type EndpointState,
  endpointAddress,
  type Generation,
} from '../../../node/gossip/endpoint-state.js';
import type { RandomSource } from '../../../node/gossip/gossip-targets.js';

export const address = (n: number): EndpointAddress => endpointAddress(`10.0.0.${n}`);

export const gen = (seconds: number): Generation => seconds as Generation;

/** mulberry32: a tiny seeded generator, so a failing seed replays. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    },
  };
}

/** A random source that returns the given values in turn (then 0.5), for exact target choices. */
export function scriptedRandom(values: readonly number[]): RandomSource & { readonly used: () => number } {
  let index = 0;
  return {
    next: () => values[index++] ?? 0.5,
    used: () => index,
  };
}

/** `state(1700, 5, { STATUS: ['NORMAL,1', 3] })`: generation, heartbeat version, states with versions. */
export function state(
  generation: number,
  heartbeatVersion: number,
  states: Partial<Record<ApplicationStateName, readonly [string, number]>> = {},
): EndpointState {
  return {
    heartbeat: { generation: gen(generation), version: heartbeatVersion },
    states: Object.fromEntries(
      Object.entries(states).map(([name, [value, version]]) => [name, { value, version }]),
    ),
  };
}
