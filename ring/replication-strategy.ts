import { assert, SibylError } from '../common/errors.js';
import { nodeDefaults } from '../common/limits.js';
import type { HostId } from './endpoint.js';
import { firstTokenIndex, type RingView } from './ring-view.js';
import type { Token } from './token.js';
import type { TokenMetadata } from './token-metadata.js';
import { RING_SIZE } from './token-range.js';

/*
 * Where a keyspace's replicas live, as Cassandra's locator strategies: built from the replication
 * map stored in system_schema.keyspaces (`class` plus options). Placement is a pure function of the
 * ring; `naturalEndpoints` caches it per ring token for one metadata object at a time (metadata is
 * immutable, so a new ring is a new object and the cache starts over).
 */

export const LOCATOR_PACKAGE = 'org.apache.cassandra.locator.';

export type StrategyName = 'SimpleStrategy' | 'NetworkTopologyStrategy' | 'LocalStrategy';

export interface StrategyOptions {
  /**
   * Data centers the cluster knows. Given at DDL time, a data center not in it is refused (as
   * CREATE KEYSPACE does); left out when loading stored schema, which is trusted. Also what
   * `replication_factor` expands to for NetworkTopologyStrategy.
   */
  readonly dataCenters?: readonly string[];
  /** This node, the single replica of LocalStrategy (system keyspaces). */
  readonly localHostId?: HostId;
}

/** The replicas of one range and the number of ring tokens looked at to find them. */
export interface ReplicaWalk {
  readonly replicas: HostId[];
  /**
   * Tokens visited from the range's own, inclusive. A token inserted further along cannot change
   * these replicas (the token allocator relies on it to re-place only what a new token affects).
   */
  readonly tokensVisited: number;
}

export abstract class ReplicationStrategy {
  private cachedFor: TokenMetadata | undefined;
  private readonly cache = new Map<Token, readonly HostId[]>();

  protected constructor(
    readonly keyspace: string,
    readonly name: StrategyName,
  ) {}

  /** Full Java class name, as system_schema stores it. */
  get className(): string {
    return `${LOCATOR_PACKAGE}${this.name}`;
  }

  /** Replicas in the whole cluster. */
  abstract replicationFactor(): number;

  /** Replicas in one data center (SimpleStrategy ignores data centers: its whole factor). */
  abstract replicationFactorIn(dataCenter: string): number;

  /**
   * Replicas for the range ending at ring token `sortedTokens[index]`, primary first, in the order
   * Cassandra gives them (walking the ring clockwise), with how far the walk went.
   */
  abstract walk(ring: RingView, index: number): ReplicaWalk;

  /** Replicas for the range ending at ring token `sortedTokens[index]`, primary first. */
  replicasAt(ring: RingView, index: number): HostId[] {
    return this.walk(ring, index).replicas;
  }

  /** Replicas of `token` on `ring`, uncached. */
  calculateNaturalEndpoints(ring: RingView, token: Token): HostId[] {
    if (ring.sortedTokens.length === 0) return this.replicasOnEmptyRing();
    return this.replicasAt(ring, firstTokenIndex(ring.sortedTokens, token));
  }

  /** Replicas of `token`, primary first; cached per ring token for the latest metadata asked about. */
  naturalEndpoints(metadata: TokenMetadata, token: Token): readonly HostId[] {
    if (metadata.sortedTokens.length === 0) return this.replicasOnEmptyRing();
    if (this.cachedFor !== metadata) {
      this.cachedFor = metadata;
      this.cache.clear();
    }
    const index = firstTokenIndex(metadata.sortedTokens, token);
    const ringToken = metadata.sortedTokens[index]!;
    let replicas = this.cache.get(ringToken);
    if (replicas === undefined) {
      replicas = Object.freeze(this.replicasAt(metadata, index));
      this.cache.set(ringToken, replicas);
    }
    return replicas;
  }

  protected replicasOnEmptyRing(): HostId[] {
    return [];
  }
}

/** Walks the ring clockwise from the token's range, taking the first `replication_factor` distinct endpoints. */
export class SimpleStrategy extends ReplicationStrategy {
  constructor(
    keyspace: string,
    readonly factor: number,
  ) {
    super(keyspace, 'SimpleStrategy');
    assert(Number.isInteger(factor) && factor >= 0, `bad replication factor ${factor}`);
  }

  replicationFactor(): number {
    return this.factor;
  }

  replicationFactorIn(): number {
    return this.factor;
  }

  walk(ring: RingView, index: number): ReplicaWalk {
    const count = ring.owners.length;
    const replicas: HostId[] = [];
    let step = 0;
    for (; step < count && replicas.length < this.factor; step++) {
      const owner = ring.owners[(index + step) % count]!;
      if (!replicas.includes(owner)) replicas.push(owner);
    }
    return { replicas, tokensVisited: step };
  }
}

/** Progress of one data center while NetworkTopologyStrategy walks the ring. */
interface DataCenterFill {
  replicasLeft: number;
  rackRepeatsLeft: number;
  readonly racksSeen: Set<string>;
}

/**
 * Per data center, its factor of replicas, on distinct racks first. As Cassandra: while walking the
 * ring, an endpoint on a rack not yet used in its data center is taken; one on a rack already used
 * is taken only while the data center has fewer racks than its factor, and then only as many such
 * repeats as the shortfall (`factor - racks`), the first ones met. A data center with fewer endpoints
 * than its factor gets all of them.
 */
export class NetworkTopologyStrategy extends ReplicationStrategy {
  constructor(
    keyspace: string,
    readonly factors: ReadonlyMap<string, number>,
  ) {
    super(keyspace, 'NetworkTopologyStrategy');
    for (const [dc, factor] of factors)
      assert(Number.isInteger(factor) && factor >= 0, `bad factor for ${dc}`);
  }

  replicationFactor(): number {
    let total = 0;
    for (const factor of this.factors.values()) total += factor;
    return total;
  }

  replicationFactorIn(dataCenter: string): number {
    return this.factors.get(dataCenter) ?? 0;
  }

  dataCenters(): string[] {
    return [...this.factors.keys()];
  }

  walk(ring: RingView, index: number): ReplicaWalk {
    const fills = this.startFills(ring);
    let dataCentersLeft = fills.size;
    const count = ring.owners.length;
    const replicas: HostId[] = [];
    let step = 0;
    for (; step < count && dataCentersLeft > 0; step++) {
      const owner = ring.owners[(index + step) % count]!;
      const { dataCenter, rack } = ring.locationOf(owner);
      const fill = fills.get(dataCenter);
      if (fill === undefined || fill.replicasLeft === 0) continue;
      if (!fill.racksSeen.has(rack)) {
        // A new rack: its endpoint cannot have been taken before (an endpoint has one rack).
        fill.racksSeen.add(rack);
      } else if (fill.rackRepeatsLeft > 0 && !replicas.includes(owner)) {
        fill.rackRepeatsLeft--;
      } else {
        continue;
      }
      replicas.push(owner);
      fill.replicasLeft--;
      if (fill.replicasLeft === 0) dataCentersLeft--;
    }
    return { replicas, tokensVisited: step };
  }

  private startFills(ring: RingView): Map<string, DataCenterFill> {
    const topology = ring.topology();
    const fills = new Map<string, DataCenterFill>();
    for (const [dataCenter, factor] of this.factors) {
      const members = topology.get(dataCenter);
      if (factor <= 0 || members === undefined || members.endpointCount === 0) continue;
      fills.set(dataCenter, {
        replicasLeft: Math.min(factor, members.endpointCount),
        rackRepeatsLeft: factor - members.rackCount,
        racksSeen: new Set(),
      });
    }
    return fills;
  }
}

/** Data kept only on this node (system keyspaces): the local endpoint is the one replica. */
export class LocalStrategy extends ReplicationStrategy {
  constructor(
    keyspace: string,
    readonly localHostId: HostId,
  ) {
    super(keyspace, 'LocalStrategy');
  }

  replicationFactor(): number {
    return 1;
  }

  replicationFactorIn(): number {
    return 1;
  }

  walk(): ReplicaWalk {
    return { replicas: [this.localHostId], tokensVisited: 0 };
  }

  protected override replicasOnEmptyRing(): HostId[] {
    return [this.localHostId];
  }
}

/**
 * A keyspace's strategy from its replication map (`{class: 'SimpleStrategy', replication_factor:
 * '3'}`, or `{class: '…NetworkTopologyStrategy', dc1: '3', dc2: '2'}`). Bad options are a
 * `CONFIG_ERROR` with Cassandra's message.
 */
export function createReplicationStrategy(
  keyspace: string,
  replication: Readonly<Record<string, string>>,
  options: StrategyOptions = {},
): ReplicationStrategy {
  const given = replication.class;
  if (given === undefined) throw configError('Missing replication strategy class');
  const className = given.includes('.') ? given : `${LOCATOR_PACKAGE}${given}`;
  const rest = new Map(Object.entries(replication).filter(([key]) => key !== 'class'));
  switch (className) {
    case `${LOCATOR_PACKAGE}SimpleStrategy`:
      return simpleStrategy(keyspace, rest);
    case `${LOCATOR_PACKAGE}NetworkTopologyStrategy`:
      return networkTopologyStrategy(keyspace, rest, options.dataCenters);
    case `${LOCATOR_PACKAGE}LocalStrategy`:
      assert(options.localHostId !== undefined, 'LocalStrategy needs the local host ID');
      return new LocalStrategy(keyspace, options.localHostId);
    default:
      throw configError(`Unable to find replication strategy class '${className}'`);
  }
}

function simpleStrategy(keyspace: string, options: ReadonlyMap<string, string>): SimpleStrategy {
  for (const key of options.keys()) {
    if (key !== 'replication_factor') throw unrecognizedOption(key, 'SimpleStrategy', keyspace);
  }
  const factor = options.get('replication_factor');
  if (factor === undefined)
    throw configError('SimpleStrategy requires a replication_factor strategy option.');
  return new SimpleStrategy(keyspace, parseReplicationFactor(factor));
}

function networkTopologyStrategy(
  keyspace: string,
  options: ReadonlyMap<string, string>,
  knownDataCenters: readonly string[] | undefined,
): NetworkTopologyStrategy {
  const factors = new Map<string, number>();
  // `replication_factor` is shorthand for every known data center; an explicit one overrides it.
  const everywhere = options.get('replication_factor');
  if (everywhere !== undefined) {
    const factor = parseReplicationFactor(everywhere);
    for (const dc of knownDataCenters ?? [nodeDefaults.dataCenter]) factors.set(dc, factor);
  }
  for (const [dc, text] of options) {
    if (dc === 'replication_factor') continue;
    if (knownDataCenters !== undefined && !knownDataCenters.includes(dc)) {
      throw unrecognizedOption(dc, 'NetworkTopologyStrategy', keyspace);
    }
    factors.set(dc, parseReplicationFactor(text));
  }
  return new NetworkTopologyStrategy(keyspace, factors);
}

/** Cassandra's ReplicationFactor.fromString, without transient replicas (`3/1`), which Sibyl lacks. */
export function parseReplicationFactor(text: string): number {
  if (text.includes('/')) throw configError('Transient replication is not enabled on this node');
  if (!/^-?\d+$/.test(text.trim())) throw configError(`For input string: "${text}"`);
  const factor = Number(text.trim());
  if (factor < 0) throw configError(`Replication factor must be non-negative, found ${factor}`);
  if (!Number.isSafeInteger(factor) || factor > 2 ** 31 - 1) throw configError(`For input string: "${text}"`);
  return factor;
}

/**
 * The share of the ring each member holds a replica of under `strategy`, in [0, 1] per endpoint
 * (nodetool status KEYSPACE "Owns (effective)"): with RF 3 on 3 nodes, every node owns 1.
 */
export function effectiveOwnership(
  metadata: TokenMetadata,
  strategy: ReplicationStrategy,
): Map<HostId, number> {
  const sizes = new Map<HostId, bigint>();
  for (const endpoint of metadata.normalEndpoints()) sizes.set(endpoint, 0n);
  for (let index = 0; index < metadata.sortedTokens.length; index++) {
    const size = metadata.rangeAt(index).size();
    for (const replica of strategy.naturalEndpoints(metadata, metadata.sortedTokens[index]!)) {
      sizes.set(replica, (sizes.get(replica) ?? 0n) + size);
    }
  }
  return new Map([...sizes].map(([endpoint, size]) => [endpoint, Number(size) / Number(RING_SIZE)]));
}

function configError(message: string): SibylError {
  return new SibylError('CONFIG_ERROR', message);
}

function unrecognizedOption(option: string, strategy: string, keyspace: string): SibylError {
  return configError(
    `Unrecognized strategy option {${option}} passed to ${strategy} for keyspace ${keyspace}`,
  );
}
