/** Shared builders for the ring tests: host IDs, seeded randomness, rings of endpoints. */
import type { EndpointInfo, HostId } from '../../ring/endpoint.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import type { TokenRandomSource } from '../../ring/token-allocation.js';
import { TokenMetadata } from '../../ring/token-metadata.js';

export const token = (value: bigint | number): Token => BigInt(value) as Token;

/** A valid host ID whose last digits are `n` (so test output stays readable). */
export function hostId(n: number): HostId {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` as HostId;
}

export function endpoint(n: number, dataCenter = 'dc1', rack = 'rack1'): EndpointInfo {
  return { hostId: hostId(n), address: `127.0.0.${n}`, dataCenter, rack };
}

/** mulberry32: a tiny seeded generator, so a failing seed replays. */
export function seededRandom(seed: number): TokenRandomSource & { next(): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next,
    bytes(length: number): Uint8Array {
      const bytes = new Uint8Array(length);
      for (let index = 0; index < length; index++) bytes[index] = next() & 0xff;
      return bytes;
    },
  };
}

export interface RingMember {
  readonly info: EndpointInfo;
  readonly tokens: readonly Token[];
}

export function ringOf(members: readonly RingMember[]): TokenMetadata {
  let metadata = TokenMetadata.empty();
  for (const { info, tokens } of members)
    metadata = metadata.withEndpoint(info).updateNormalTokens(info.hostId, tokens);
  return metadata;
}

/** Tokens near both ends of the ring and around zero: where wrap-around bugs live. */
export const INTERESTING_TOKENS: readonly Token[] = [
  MIN_TOKEN,
  token(MIN_TOKEN + 1n),
  token(MIN_TOKEN + 2n),
  token(-3),
  token(-2),
  token(-1),
  token(0),
  token(1),
  token(2),
  token(3),
  token(MAX_TOKEN - 2n),
  token(MAX_TOKEN - 1n),
  MAX_TOKEN,
];
