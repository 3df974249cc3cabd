/**
 * Which replicas a request involves: natural replicas of a token from the keyspace's strategy over the
 * current ring, pending ones (joining or taking over a range) for writes, liveness from gossip, and
 * the order reads try them in. Strategies and pending ranges are cached per keyspace and ring (the
 * ring is immutable: a new ring object is a new version, and the caches follow it).
 */

import type { KeyspaceMetadata } from '../../cql/schema/index.js';
import type { HostId } from '../../ring/endpoint.js';
import type { PendingRanges } from '../../ring/pending-ranges.js';
import { PendingRanges as Pending } from '../../ring/pending-ranges.js';
import type { ReplicationStrategy } from '../../ring/replication-strategy.js';
import { createReplicationStrategy } from '../../ring/replication-strategy.js';
import type { Token } from '../../ring/token.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { ReplicationFactors } from './consistency.js';
import { replicationFactorsOf } from './consistency.js';
import type { EndpointScores } from './latency.js';

/** What the coordinator reads of the cluster: the ring and who is alive (gossip's ClusterView is one). */
export interface ClusterState {
  readonly ring: TokenMetadata;
  /** By messaging address (`ip:port`), as the ring's endpoints carry it. */
  isAlive(endpoint: string): boolean;
}

/** A keyspace's placement on one ring. */
export interface KeyspaceReplication {
  readonly strategy: ReplicationStrategy;
  readonly factors: ReplicationFactors;
  /** True for LocalStrategy keyspaces (system ones): the local engine alone serves them. */
  readonly local: boolean;
}

interface CachedReplication extends KeyspaceReplication {
  /** The replication map it was built from (a keyspace ALTERed to another map is rebuilt). */
  source: Readonly<Record<string, string>>;
  pendingRing: TokenMetadata | undefined;
  pending: PendingRanges;
}

/** Who this node is, before it has an identity: nobody any ring names. */
const NO_HOST = '00000000-0000-0000-0000-000000000000' as HostId;

export class ReplicaPlanner {
  private readonly keyspaces = new Map<string, CachedReplication>();
  private hostId: HostId = NO_HOST;
  private dataCenter = '';

  constructor(private readonly scores: EndpointScores) {}

  /** This node's host id (the local replica) and data center (LOCAL_* levels count it). */
  identify(hostId: HostId, dataCenter: string): void {
    this.hostId = hostId;
    this.dataCenter = dataCenter;
    this.keyspaces.clear(); // LocalStrategy places its one replica on this host id
  }

  get localHostId(): HostId {
    return this.hostId;
  }

  get localDataCenter(): string {
    return this.dataCenter;
  }

  replication(keyspace: KeyspaceMetadata): KeyspaceReplication {
    return this.cached(keyspace);
  }

  /** Natural replicas of `token`, primary first. */
  natural(replication: KeyspaceReplication, ring: TokenMetadata, token: bigint): readonly HostId[] {
    return replication.strategy.naturalEndpoints(ring, token as Token);
  }

  /** Pending replicas of `token` not already natural ones: they receive writes, never serve reads. */
  pending(
    keyspace: KeyspaceMetadata,
    ring: TokenMetadata,
    token: bigint,
    natural: readonly HostId[],
  ): HostId[] {
    const cached = this.cached(keyspace);
    if (cached.pendingRing !== ring) {
      cached.pending = Pending.calculate(ring, cached.strategy);
      cached.pendingRing = ring;
    }
    if (cached.pending.isEmpty()) return [];
    return cached.pending.endpointsFor(token as Token).filter((endpoint) => !natural.includes(endpoint));
  }

  /** The local node is always alive; a peer as gossip says (unknown to the ring: not alive). */
  isAlive(cluster: ClusterState, endpoint: HostId): boolean {
    if (endpoint === this.localHostId) return true;
    const info = cluster.ring.endpoint(endpoint);
    return info !== undefined && cluster.isAlive(info.address);
  }

  dataCenterOf(ring: TokenMetadata, endpoint: HostId): string {
    if (endpoint === this.localHostId) return this.localDataCenter;
    return ring.endpoint(endpoint)?.dataCenter ?? '';
  }

  /**
   * Replicas in the order reads try them: this node first when it is one, then its data center, then
   * the others; within each, the lower latency score first (ties keep ring order, primary first).
   */
  sortForRead(ring: TokenMetadata, replicas: readonly HostId[]): HostId[] {
    const rank = (endpoint: HostId): number => {
      if (endpoint === this.localHostId) return 0;
      return this.dataCenterOf(ring, endpoint) === this.localDataCenter ? 1 : 2;
    };
    return replicas
      .map((endpoint, index) => ({
        endpoint,
        index,
        rank: rank(endpoint),
        score: this.scores.score(endpoint),
      }))
      .sort((a, b) => a.rank - b.rank || a.score - b.score || a.index - b.index)
      .map(({ endpoint }) => endpoint);
  }

  private cached(keyspace: KeyspaceMetadata): CachedReplication {
    const known = this.keyspaces.get(keyspace.name);
    if (known !== undefined && sameReplication(known.source, keyspace.replication)) return known;
    const strategy = createReplicationStrategy(keyspace.name, keyspace.replication, {
      localHostId: this.localHostId,
    });
    const entry: CachedReplication = {
      strategy,
      factors: replicationFactorsOf(strategy),
      local: strategy.name === 'LocalStrategy',
      source: keyspace.replication,
      pendingRing: undefined,
      pending: Pending.empty(),
    };
    this.keyspaces.set(keyspace.name, entry);
    return entry;
  }
}

function sameReplication(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
