/**
 * The token ring as the driver knows it (from system.local / system.peers `tokens`) and the
 * replicas of a token under a keyspace's replication. Pure: token-aware routing asks it, tests feed
 * it fake hosts. A token belongs to the host with the smallest ring token ≥ it (Cassandra's range
 * (previous, token]), wrapping past the largest to the first.
 *
 * NetworkTopologyStrategy is followed per data center but without racks: Cassandra prefers distinct
 * racks first, so with several racks the replica order here may differ from the server's. A wrong
 * guess costs one hop (the coordinator forwards), never a wrong answer.
 */
import { assert } from '../common/errors.js';
import { compareTokens, type Token } from '../ring/token.js';

export interface RingHost {
  /** `address:port`, the host's identity in the driver. */
  readonly endpoint: string;
  readonly dataCenter: string;
  readonly tokens: readonly Token[];
}

export interface TokenRing {
  /** Every host token, ascending. */
  readonly tokens: readonly Token[];
  /** `owners[i]` is the endpoint holding `tokens[i]`. */
  readonly owners: readonly string[];
  readonly dataCenterOf: ReadonlyMap<string, string>;
}

export type Replication =
  | { readonly kind: 'simple'; readonly replicationFactor: number }
  | { readonly kind: 'network'; readonly factors: ReadonlyMap<string, number> }
  /** LocalStrategy, EverywhereStrategy and unknown classes: route to the primary owner only. */
  | { readonly kind: 'other' };

export function buildTokenRing(hosts: readonly RingHost[]): TokenRing {
  const entries: { token: Token; endpoint: string }[] = [];
  const dataCenterOf = new Map<string, string>();
  for (const host of hosts) {
    dataCenterOf.set(host.endpoint, host.dataCenter);
    for (const token of host.tokens) entries.push({ token, endpoint: host.endpoint });
  }
  entries.sort((a, b) => compareTokens(a.token, b.token));
  return {
    tokens: entries.map((e) => e.token),
    owners: entries.map((e) => e.endpoint),
    dataCenterOf,
  };
}

/** Index in `ring.tokens` of the token owning `token` (binary search, wrapping); -1 on an empty ring. */
export function ownerIndex(ring: TokenRing, token: Token): number {
  const { tokens } = ring;
  if (tokens.length === 0) return -1;
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (tokens[middle]! < token) low = middle + 1;
    else high = middle;
  }
  const index = low === tokens.length ? 0 : low;
  assert(index >= 0 && index < tokens.length, 'owner index inside the ring');
  return index;
}

export function primaryOwner(ring: TokenRing, token: Token): string | undefined {
  const index = ownerIndex(ring, token);
  return index < 0 ? undefined : ring.owners[index];
}

/** The replicas of `token`, primary first, walking the ring clockwise as the strategy does. */
export function replicasOf(ring: TokenRing, token: Token, replication: Replication): string[] {
  const start = ownerIndex(ring, token);
  if (start < 0) return [];
  const wanted = wantedPerDataCenter(ring, replication);
  const replicas: string[] = [];
  const taken = new Map<string, number>();
  let remaining = [...wanted.values()].reduce((sum, n) => sum + n, 0);
  for (let step = 0; step < ring.tokens.length && remaining > 0; step++) {
    const endpoint = ring.owners[(start + step) % ring.tokens.length]!;
    if (replicas.includes(endpoint)) continue;
    // A simple strategy counts every host in one pseudo data center ('').
    const dataCenter = replication.kind === 'network' ? (ring.dataCenterOf.get(endpoint) ?? '') : '';
    const need = wanted.get(dataCenter) ?? 0;
    const have = taken.get(dataCenter) ?? 0;
    if (have >= need) continue;
    replicas.push(endpoint);
    taken.set(dataCenter, have + 1);
    remaining--;
  }
  return replicas;
}

function wantedPerDataCenter(ring: TokenRing, replication: Replication): Map<string, number> {
  switch (replication.kind) {
    case 'simple':
      return new Map([['', replication.replicationFactor]]);
    case 'network': {
      // A data center without hosts can never be filled; leave it out so the walk can stop early.
      const present = new Set(ring.dataCenterOf.values());
      return new Map([...replication.factors].filter(([dc]) => present.has(dc)));
    }
    case 'other':
      return new Map([['', 1]]);
  }
}

/** The replication of a `system_schema.keyspaces` row's `replication` map. */
export function replicationFromMap(map: ReadonlyMap<string, string>): Replication {
  const className = map.get('class') ?? '';
  const shortName = className.slice(className.lastIndexOf('.') + 1);
  if (shortName === 'SimpleStrategy') {
    const factor = Number.parseInt(map.get('replication_factor') ?? '1', 10);
    return { kind: 'simple', replicationFactor: Number.isFinite(factor) && factor > 0 ? factor : 1 };
  }
  if (shortName === 'NetworkTopologyStrategy') {
    const factors = new Map<string, number>();
    for (const [key, value] of map) {
      // Values may be '3' or Cassandra 4's transient form '3/1' (full/transient); full replicas count.
      const factor = Number.parseInt(value, 10);
      if (key !== 'class' && Number.isFinite(factor) && factor > 0) factors.set(key, factor);
    }
    return { kind: 'network', factors };
  }
  return { kind: 'other' };
}
