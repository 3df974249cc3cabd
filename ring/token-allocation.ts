import { assert } from '../common/errors.js';
import type { EndpointInfo, EndpointLocation, HostId } from './endpoint.js';
import {
  NetworkTopologyStrategy,
  type ReplicationStrategy,
  type ReplicaWalk,
} from './replication-strategy.js';
import { buildTopology, type DataCenterTopology, firstTokenIndex, type RingView } from './ring-view.js';
import { compareTokens, MIN_TOKEN, type Token } from './token.js';
import type { TokenMetadata } from './token-metadata.js';
import { offsetToken, RING_SIZE } from './token-range.js';

/*
 * Tokens for a node that joins, chosen to balance ownership rather than drawn at random (random
 * vnodes leave some nodes owning twice what others do). The idea is Cassandra's allocator's
 * (allocate_tokens_for_local_replication_factor): judge a token by the *replicated* ownership it
 * produces, for the replication the data center uses, not just by the primary range it cuts.
 *
 * Here it is a greedy search: each token in turn is placed where it most lowers the sum of squares
 * of every endpoint's replicated ownership (for a fixed total, the most even spread). Candidates
 * are points a quarter, half and three quarters into each range the new node does not own yet.
 * The first node of a data center has nothing to balance against: its tokens are evenly spaced from
 * a random offset, the one use of the injected random source.
 */

/** The random source the node injects (the same shape node/ uses for identities). */
export interface TokenRandomSource {
  bytes(length: number): Uint8Array;
}

export interface AllocationRequest {
  /** The ring as it is (NORMAL tokens); the new endpoint need not be registered in it. */
  readonly metadata: TokenMetadata;
  readonly endpoint: EndpointInfo;
  /** num_tokens. */
  readonly numTokens: number;
  readonly random: TokenRandomSource;
  /**
   * The replication to balance for. Default: 3 replicas in the endpoint's data center (Cassandra's
   * allocate_tokens_for_local_replication_factor default).
   */
  readonly strategy?: ReplicationStrategy;
}

/** Points tried inside each candidate range, as fractions of its size. */
const CANDIDATE_FRACTIONS = [0.25, 0.5, 0.75];
/**
 * On large rings only the largest ranges are tried: each try re-evaluates the whole ring, and a
 * balanced token rarely lands in a small range.
 */
const MAX_CANDIDATE_RANGES = 128;
const DEFAULT_LOCAL_REPLICATION_FACTOR = 3;
/** Passes of re-placing each new token once all are placed (see `refine`). */
const REFINEMENT_PASSES = 2;

export function allocateTokens(request: AllocationRequest): Token[] {
  const { metadata, endpoint, numTokens } = request;
  assert(Number.isInteger(numTokens) && numTokens >= 1, `num_tokens must be positive, got ${numTokens}`);
  assert(!metadata.isMember(endpoint.hostId), `endpoint ${endpoint.hostId} already owns tokens`);
  const strategy =
    request.strategy ??
    new NetworkTopologyStrategy('system', new Map([[endpoint.dataCenter, DEFAULT_LOCAL_REPLICATION_FACTOR]]));
  const peersInDataCenter = metadata.owners.some(
    (owner) => metadata.locationOf(owner).dataCenter === endpoint.dataCenter,
  );
  if (!peersInDataCenter) return evenlySpacedTokens(numTokens, request.random, metadata.sortedTokens);

  const locate = (hostId: HostId): EndpointLocation =>
    hostId === endpoint.hostId ? endpoint : metadata.locationOf(hostId);
  const topology = buildTopology(new Set([...metadata.owners, endpoint.hostId]), locate);
  let ring = new ScratchRing([...metadata.sortedTokens], [...metadata.owners], locate, topology);
  const chosen: Token[] = [];
  for (let round = 0; round < numTokens; round++) {
    const best = bestCandidate(ring, endpoint.hostId, strategy);
    assert(best !== undefined, 'no room on the ring for another token');
    ring = ring.withToken(best.token, endpoint.hostId);
    chosen.push(best.token);
  }
  for (let pass = 0; pass < REFINEMENT_PASSES; pass++) ring = refine(ring, endpoint.hostId, strategy);
  return ring.sortedTokens.filter((_, index) => ring.owners[index] === endpoint.hostId);
}

/**
 * Greedy placement is myopic: an early token was placed before the later ones existed. Each pass
 * takes each of the newcomer's tokens off the ring in turn and puts it back where it now does most
 * good, if that beats where it was.
 */
function refine(ring: ScratchRing, newcomer: HostId, strategy: ReplicationStrategy): ScratchRing {
  const own = ring.sortedTokens.filter((_, index) => ring.owners[index] === newcomer);
  for (const token of own) {
    const currentCost = evaluate(ring, strategy).cost;
    const without = ring.withoutToken(token);
    const best = bestCandidate(without, newcomer, strategy);
    if (best !== undefined && best.cost < currentCost) ring = without.withToken(best.token, newcomer);
  }
  return ring;
}

/**
 * `count` tokens drawn uniformly at random (Cassandra without an allocator), avoiding `taken`.
 * Kept as the baseline the allocator is measured against, and for callers that want it.
 */
export function randomTokens(
  count: number,
  random: TokenRandomSource,
  taken: readonly Token[] = [],
): Token[] {
  const used = new Set<Token>(taken);
  const result: Token[] = [];
  while (result.length < count) {
    const token = randomToken(random);
    // MIN_TOKEN is owned by no key but the empty one; Cassandra never picks it either.
    if (token === MIN_TOKEN || used.has(token)) continue;
    used.add(token);
    result.push(token);
  }
  return result.sort(compareTokens);
}

/** `count` tokens 2^64/count apart from a random start, skipping past any already taken. */
export function evenlySpacedTokens(
  count: number,
  random: TokenRandomSource,
  taken: readonly Token[] = [],
): Token[] {
  const used = new Set<Token>(taken);
  const start = randomToken(random);
  const result: Token[] = [];
  for (let index = 0; index < count; index++) {
    let token = offsetToken(start, (RING_SIZE * BigInt(index)) / BigInt(count));
    while (token === MIN_TOKEN || used.has(token)) token = offsetToken(token, 1n);
    used.add(token);
    result.push(token);
  }
  return result.sort(compareTokens);
}

function randomToken(random: TokenRandomSource): Token {
  const bytes = random.bytes(8);
  assert(bytes.length >= 8, 'the random source returned fewer bytes than asked');
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0) as Token;
}

/** The candidate token whose insertion gives the most even ownership, with that cost. */
function bestCandidate(
  ring: ScratchRing,
  newcomer: HostId,
  strategy: ReplicationStrategy,
): { token: Token; cost: number } | undefined {
  const base = evaluate(ring, strategy);
  let best: { token: Token; cost: number } | undefined;
  for (const index of candidateRanges(ring, newcomer)) {
    const left = ring.sortedTokens[(index - 1 + ring.sortedTokens.length) % ring.sortedTokens.length]!;
    const size = ring.rangeSize(index);
    for (const fraction of CANDIDATE_FRACTIONS) {
      const offset = BigInt(Math.floor(Number(size) * fraction));
      if (offset <= 0n || offset >= size) continue;
      const token = offsetToken(left, offset);
      if (token === MIN_TOKEN) continue;
      const cost = costWithToken(ring, base, index, token, newcomer, strategy);
      if (best === undefined || cost < best.cost) best = { token, cost };
    }
  }
  return best;
}

/** Indexes of ranges worth splitting: not the newcomer's own, at least 2 tokens wide, largest first. */
function candidateRanges(ring: ScratchRing, newcomer: HostId): number[] {
  const indexes: number[] = [];
  for (let index = 0; index < ring.owners.length; index++) {
    if (ring.owners[index] !== newcomer && ring.rangeSize(index) >= 2n) indexes.push(index);
  }
  if (indexes.length <= MAX_CANDIDATE_RANGES) return indexes;
  const sizes = indexes.map((index) => ({ index, size: ring.rangeSize(index) }));
  sizes.sort((a, b) => (a.size > b.size ? -1 : a.size < b.size ? 1 : a.index - b.index));
  return sizes.slice(0, MAX_CANDIDATE_RANGES).map(({ index }) => index);
}

/** A ring's ownership, kept to price candidate tokens by difference. */
interface Evaluation {
  /** Share of the ring of each range (by index). */
  readonly shares: readonly number[];
  readonly walks: readonly ReplicaWalk[];
  readonly replicated: ReadonlyMap<HostId, number>;
  readonly primary: ReadonlyMap<HostId, number>;
  readonly cost: number;
}

/**
 * Sum over endpoints of the squares of their replicated ownership and of their primary ownership
 * (fractions of the ring). The primary term decides while the data center has no more endpoints
 * than replicas, where every endpoint replicates everything and the replicated term cannot tell
 * candidates apart; evenly cut primary ranges also leave later joins good ranges to split.
 */
function evaluate(ring: ScratchRing, strategy: ReplicationStrategy): Evaluation {
  const shares: number[] = [];
  const walks: ReplicaWalk[] = [];
  const replicated = new Map<HostId, number>();
  const primary = new Map<HostId, number>();
  for (let index = 0; index < ring.owners.length; index++) {
    const share = ring.rangeShare(index);
    const walk = strategy.walk(ring, index);
    shares.push(share);
    walks.push(walk);
    addTo(primary, ring.owners[index]!, share);
    for (const replica of walk.replicas) addTo(replicated, replica, share);
  }
  return { shares, walks, replicated, primary, cost: sumOfSquares(replicated) + sumOfSquares(primary) };
}

/**
 * The cost of `ring` plus `token` (in range `index`), from `base` by difference: only the range the
 * token splits and the ranges whose replica walk reached it can change (see ReplicaWalk).
 */
function costWithToken(
  ring: ScratchRing,
  base: Evaluation,
  index: number,
  token: Token,
  newcomer: HostId,
  strategy: ReplicationStrategy,
): number {
  const count = ring.sortedTokens.length;
  const insertAt = index === 0 && token > ring.sortedTokens[count - 1]! ? count : index;
  const next = ring.withToken(token, newcomer);
  const nextIndex = (at: number): number => (at < insertAt ? at : at + 1);
  const replicated = new Map<HostId, number>();
  const primary = new Map<HostId, number>();
  const adjust = (changed: Map<HostId, number>, from: ReadonlyMap<HostId, number>, who: HostId, by: number) =>
    changed.set(who, (changed.get(who) ?? from.get(who) ?? 0) + by);

  const share = base.shares[index]!;
  const cutShare =
    Number(offsetDistance(ring.sortedTokens[(index - 1 + count) % count]!, token)) / RING_FLOAT;
  adjust(primary, base.primary, ring.owners[index]!, -cutShare);
  adjust(primary, base.primary, newcomer, cutShare);
  for (const replica of strategy.replicasAt(next, insertAt))
    adjust(replicated, base.replicated, replica, cutShare);
  for (let distance = 0; distance < count; distance++) {
    const at = (index - distance + count) % count;
    const walk = base.walks[at]!;
    if (distance > 0 && distance >= walk.tokensVisited) continue;
    const kept = at === index ? share - cutShare : base.shares[at]!;
    for (const replica of walk.replicas) adjust(replicated, base.replicated, replica, -base.shares[at]!);
    for (const replica of strategy.replicasAt(next, nextIndex(at)))
      adjust(replicated, base.replicated, replica, kept);
  }
  let cost = base.cost;
  for (const [who, value] of replicated) cost += value * value - (base.replicated.get(who) ?? 0) ** 2;
  for (const [who, value] of primary) cost += value * value - (base.primary.get(who) ?? 0) ** 2;
  return cost;
}

const RING_FLOAT = Number(RING_SIZE);

/** Tokens from `from` (exclusive) clockwise to `to` (inclusive). */
function offsetDistance(from: Token, to: Token): bigint {
  const distance = to - from;
  return distance > 0n ? distance : distance + RING_SIZE;
}

function addTo(totals: Map<HostId, number>, who: HostId, amount: number): void {
  totals.set(who, (totals.get(who) ?? 0) + amount);
}

function sumOfSquares(values: ReadonlyMap<HostId, number>): number {
  let sum = 0;
  for (const value of values.values()) sum += value * value;
  return sum;
}

/** A ring under construction: arrays only, copied per candidate (cheap next to placing replicas). */
class ScratchRing implements RingView {
  constructor(
    readonly sortedTokens: readonly Token[],
    readonly owners: readonly HostId[],
    private readonly locate: (hostId: HostId) => EndpointLocation,
    private readonly members: DataCenterTopology,
  ) {}

  locationOf(hostId: HostId): EndpointLocation {
    return this.locate(hostId);
  }

  topology(): DataCenterTopology {
    return this.members;
  }

  /** Share of the ring of the range ending at `sortedTokens[index]`. */
  rangeShare(index: number): number {
    return Number(this.rangeSize(index)) / RING_FLOAT;
  }

  /** Tokens in the range ending at `sortedTokens[index]` (the whole ring for a single token). */
  rangeSize(index: number): bigint {
    const count = this.sortedTokens.length;
    if (count === 1) return RING_SIZE;
    const right = this.sortedTokens[index]!;
    const left = this.sortedTokens[(index - 1 + count) % count]!;
    const size = right - left;
    return size > 0n ? size : size + RING_SIZE;
  }

  withoutToken(token: Token): ScratchRing {
    const index = this.sortedTokens.indexOf(token);
    assert(index >= 0, `token ${token} is not on the ring`);
    const tokens = this.sortedTokens.filter((_, at) => at !== index);
    const owners = this.owners.filter((_, at) => at !== index);
    return new ScratchRing(tokens, owners, this.locate, this.members);
  }

  withToken(token: Token, owner: HostId): ScratchRing {
    const count = this.sortedTokens.length;
    let position = count === 0 ? 0 : firstTokenIndex(this.sortedTokens, token);
    if (count > 0 && this.sortedTokens[count - 1]! < token) position = count;
    assert(this.sortedTokens[position] !== token, `token ${token} is already on the ring`);
    const tokens = [...this.sortedTokens];
    const owners = [...this.owners];
    tokens.splice(position, 0, token);
    owners.splice(position, 0, owner);
    return new ScratchRing(tokens, owners, this.locate, this.members);
  }
}
