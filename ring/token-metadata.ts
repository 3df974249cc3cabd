import { assert, SibylError } from '../common/errors.js';
import type { EndpointInfo, EndpointLocation, HostId } from './endpoint.js';
import { buildTopology, type DataCenterTopology, firstTokenIndex, type RingView } from './ring-view.js';
import { compareTokens, type Token } from './token.js';
import { RING_SIZE, TokenRange } from './token-range.js';

interface State {
  readonly endpoints: ReadonlyMap<HostId, EndpointInfo>;
  /** Tokens of NORMAL members: the ring that natural replicas are placed on. */
  readonly normalTokens: ReadonlyMap<Token, HostId>;
  /** Tokens announced by joining endpoints, not yet on the ring (they gain pending ranges). */
  readonly bootstrapTokens: ReadonlyMap<Token, HostId>;
  /** Members still on the ring that are leaving (their ranges move: pending ranges). */
  readonly leaving: ReadonlySet<HostId>;
  readonly version: number;
}

/**
 * Who owns which tokens, as Cassandra's TokenMetadata, but immutable: every change returns a new
 * metadata with `version` + 1, so a reader (a coordinator mid-request, a strategy's cache) holds a
 * consistent ring without locks, and a cache keyed by the metadata object is never stale.
 *
 * Endpoints are registered with their location first (`withEndpoint`, from gossip HOST_ID, DC, RACK),
 * then given tokens as NORMAL members, or as bootstrap tokens while they join.
 */
export class TokenMetadata implements RingView {
  readonly sortedTokens: readonly Token[];
  readonly owners: readonly HostId[];
  private topologyMemo: DataCenterTopology | undefined;

  private constructor(private readonly state: State) {
    this.sortedTokens = [...state.normalTokens.keys()].sort(compareTokens);
    this.owners = this.sortedTokens.map((token) => state.normalTokens.get(token)!);
  }

  static empty(): TokenMetadata {
    return new TokenMetadata({
      endpoints: new Map(),
      normalTokens: new Map(),
      bootstrapTokens: new Map(),
      leaving: new Set(),
      version: 0,
    });
  }

  /** Bumped by every change (Cassandra's ring version). */
  get version(): number {
    return this.state.version;
  }

  // ---- endpoints ----

  endpoint(hostId: HostId): EndpointInfo | undefined {
    return this.state.endpoints.get(hostId);
  }

  /** Every registered endpoint, with or without tokens. */
  allEndpoints(): EndpointInfo[] {
    return [...this.state.endpoints.values()];
  }

  endpointByAddress(address: string): EndpointInfo | undefined {
    for (const info of this.state.endpoints.values()) if (info.address === address) return info;
    return undefined;
  }

  /** Endpoints owning tokens on the ring (NORMAL or LEAVING), in ring order of first appearance. */
  normalEndpoints(): HostId[] {
    return [...new Set(this.owners)];
  }

  isMember(hostId: HostId): boolean {
    return this.owners.includes(hostId);
  }

  locationOf(hostId: HostId): EndpointLocation {
    const info = this.state.endpoints.get(hostId);
    assert(info !== undefined, `endpoint ${hostId} is not registered in the token metadata`);
    return info;
  }

  topology(): DataCenterTopology {
    this.topologyMemo ??= buildTopology(new Set(this.owners), (owner) => this.locationOf(owner));
    return this.topologyMemo;
  }

  // ---- tokens ----

  ownerOf(token: Token): HostId | undefined {
    return this.state.normalTokens.get(token);
  }

  tokensOf(hostId: HostId): Token[] {
    return this.sortedTokens.filter((_, index) => this.owners[index] === hostId);
  }

  /** Index in `sortedTokens` of the ring token whose primary range holds `token`; -1 on an empty ring. */
  firstTokenIndex(token: Token): number {
    return this.sortedTokens.length === 0 ? -1 : firstTokenIndex(this.sortedTokens, token);
  }

  /** The ring token whose primary range holds `token` (Cassandra's TokenMetadata.firstToken). */
  firstToken(token: Token): Token {
    const index = this.firstTokenIndex(token);
    assert(index >= 0, 'firstToken on an empty ring');
    return this.sortedTokens[index]!;
  }

  /** `(previous ring token, ring token]` of the ring token at `index`; the whole ring for a single token. */
  rangeAt(index: number): TokenRange {
    const count = this.sortedTokens.length;
    assert(index >= 0 && index < count, `ring index ${index} out of [0, ${count})`);
    return new TokenRange(this.sortedTokens[(index - 1 + count) % count]!, this.sortedTokens[index]!);
  }

  /** The primary range holding `token`; for a ring token, the range it ends (Cassandra's getPrimaryRangeFor). */
  primaryRangeFor(token: Token): TokenRange {
    const index = this.firstTokenIndex(token);
    assert(index >= 0, 'primaryRangeFor on an empty ring');
    return this.rangeAt(index);
  }

  /** The ranges an endpoint owns as primary, in ring order (one per token). */
  primaryRangesOf(hostId: HostId): TokenRange[] {
    const ranges: TokenRange[] = [];
    for (let index = 0; index < this.owners.length; index++) {
      if (this.owners[index] === hostId) ranges.push(this.rangeAt(index));
    }
    return ranges;
  }

  /**
   * The share of the ring each member owns as primary, in [0, 1] (nodetool status "Owns" without a
   * keyspace). Per-keyspace (effective) ownership is `effectiveOwnership` in replication-strategy.ts.
   */
  ownership(): Map<HostId, number> {
    const sizes = new Map<HostId, bigint>();
    for (let index = 0; index < this.owners.length; index++) {
      const owner = this.owners[index]!;
      sizes.set(owner, (sizes.get(owner) ?? 0n) + this.rangeAt(index).size());
    }
    return new Map([...sizes].map(([owner, size]) => [owner, Number(size) / Number(RING_SIZE)]));
  }

  // ---- joining and leaving ----

  get bootstrapTokens(): ReadonlyMap<Token, HostId> {
    return this.state.bootstrapTokens;
  }

  /** Joining endpoints with their announced tokens (ascending). */
  bootstrappingEndpoints(): Map<HostId, Token[]> {
    const result = new Map<HostId, Token[]>();
    for (const [token, hostId] of this.state.bootstrapTokens) {
      const tokens = result.get(hostId) ?? [];
      tokens.push(token);
      result.set(hostId, tokens);
    }
    for (const tokens of result.values()) tokens.sort(compareTokens);
    return result;
  }

  get leavingEndpoints(): ReadonlySet<HostId> {
    return this.state.leaving;
  }

  isLeaving(hostId: HostId): boolean {
    return this.state.leaving.has(hostId);
  }

  // ---- changes (each returns a new metadata) ----

  /** Registers an endpoint or updates its address and location (gossip HOST_ID, DC, RACK). */
  withEndpoint(info: EndpointInfo): TokenMetadata {
    const endpoints = new Map(this.state.endpoints);
    endpoints.set(info.hostId, { ...info });
    return this.next({ endpoints });
  }

  /**
   * Makes `tokens` the endpoint's NORMAL tokens (it joined, or gossip says so): replaces its old
   * tokens, ends its bootstrap and its leaving. A token another endpoint held changes owner, as in
   * Cassandra, where gossip has already settled which of the two claims wins.
   */
  updateNormalTokens(hostId: HostId, tokens: readonly Token[]): TokenMetadata {
    assert(this.state.endpoints.has(hostId), `endpoint ${hostId} must be registered before taking tokens`);
    assert(tokens.length > 0, `endpoint ${hostId} needs at least one token`);
    const normalTokens = withoutOwner(this.state.normalTokens, hostId);
    for (const token of tokens) normalTokens.set(token, hostId);
    const bootstrapTokens = withoutOwner(this.state.bootstrapTokens, hostId);
    for (const token of tokens) bootstrapTokens.delete(token);
    const leaving = new Set(this.state.leaving);
    leaving.delete(hostId);
    return this.next({ normalTokens, bootstrapTokens, leaving });
  }

  /** Records the tokens a joining endpoint announced; a token someone else holds is a collision. */
  addBootstrapTokens(hostId: HostId, tokens: readonly Token[]): TokenMetadata {
    assert(this.state.endpoints.has(hostId), `endpoint ${hostId} must be registered before bootstrapping`);
    assert(tokens.length > 0, `endpoint ${hostId} needs at least one token to bootstrap`);
    for (const token of tokens) {
      const holder = this.state.bootstrapTokens.get(token) ?? this.state.normalTokens.get(token);
      if (holder !== undefined && holder !== hostId) {
        throw new SibylError(
          'TOKEN_COLLISION',
          `Bootstrap Token collision between ${this.describe(holder)} and ${this.describe(hostId)} (token ${token})`,
        );
      }
    }
    const bootstrapTokens = withoutOwner(this.state.bootstrapTokens, hostId);
    for (const token of tokens) bootstrapTokens.set(token, hostId);
    return this.next({ bootstrapTokens });
  }

  removeBootstrapTokens(hostId: HostId): TokenMetadata {
    return this.next({ bootstrapTokens: withoutOwner(this.state.bootstrapTokens, hostId) });
  }

  /** Marks a member as leaving (decommission): it stays on the ring until it is removed. */
  addLeavingEndpoint(hostId: HostId): TokenMetadata {
    assert(this.isMember(hostId), `only a member owning tokens can leave, not ${hostId}`);
    const leaving = new Set(this.state.leaving);
    leaving.add(hostId);
    return this.next({ leaving });
  }

  /** Forgets an endpoint entirely: its tokens, bootstrap, leaving state and location. */
  removeEndpoint(hostId: HostId): TokenMetadata {
    const endpoints = new Map(this.state.endpoints);
    endpoints.delete(hostId);
    const leaving = new Set(this.state.leaving);
    leaving.delete(hostId);
    return this.next({
      endpoints,
      normalTokens: withoutOwner(this.state.normalTokens, hostId),
      bootstrapTokens: withoutOwner(this.state.bootstrapTokens, hostId),
      leaving,
    });
  }

  /** The ring once every leaving member has gone (Cassandra's cloneAfterAllLeft), without bootstraps. */
  afterAllLeft(): TokenMetadata {
    let result = this.next({ bootstrapTokens: new Map(), leaving: new Set() });
    for (const hostId of this.state.leaving) {
      result = result.next({ normalTokens: withoutOwner(result.state.normalTokens, hostId) });
    }
    return result;
  }

  /** Same tokens and endpoints, without joining or leaving state (Cassandra's cloneOnlyTokenMap). */
  onlyTokenMap(): TokenMetadata {
    return this.next({ bootstrapTokens: new Map(), leaving: new Set() });
  }

  private next(change: Partial<Omit<State, 'version'>>): TokenMetadata {
    return new TokenMetadata({ ...this.state, ...change, version: this.state.version + 1 });
  }

  private describe(hostId: HostId): string {
    return this.state.endpoints.get(hostId)?.address ?? hostId;
  }
}

function withoutOwner(tokens: ReadonlyMap<Token, HostId>, hostId: HostId): Map<Token, HostId> {
  const result = new Map<Token, HostId>();
  for (const [token, owner] of tokens) if (owner !== hostId) result.set(token, owner);
  return result;
}
