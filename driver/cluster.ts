/**
 * What the client knows of the cluster and how it uses it: the hosts (from the control
 * connection), one pool per host of the local data center, the token ring and keyspace
 * replication, and the query plans built from them. It applies server events: STATUS_CHANGE marks
 * hosts up or down, topology refreshes add and remove hosts, SCHEMA_CHANGE forgets prepared statements.
 */

import { logger } from '../common/logger.js';
import type { SchemaChange } from '../cql/protocol/index.js';
import type { Token } from '../ring/token.js';
import { type Connection, type ConnectionOptions, type Endpoint, endpointKey } from './connection.js';
import type { ClusterHost, ControlListener } from './control-connection.js';
import { ConnectionError } from './errors.js';
import { Host } from './host.js';
import { HostPool } from './host-pool.js';
import { roundRobinPlan, tokenAwarePlan } from './load-balancing.js';
import type { PreparedCache } from './prepared-cache.js';
import type { BackoffOptions } from './reconnection-policy.js';
import type { PoolLookup } from './request-execution.js';
import { buildTokenRing, ownerIndex, type Replication, replicasOf, type TokenRing } from './token-ring.js';

const log = logger('driver');

/** The replication of a keyspace the client does not know: route to the primary owner. */
const PRIMARY_ONLY: Replication = { kind: 'other' };

export interface ClusterOptions {
  readonly localDataCenter: string;
  readonly connection: ConnectionOptions;
  readonly connectionsPerHost: number;
  readonly backoff: BackoffOptions;
  readonly keyspace: () => string | undefined;
  readonly prepared: PreparedCache;
}

export class Cluster implements ControlListener, PoolLookup {
  private readonly hostsByKey = new Map<string, Host>();
  private readonly pools = new Map<string, HostPool>();
  private ring: TokenRing = buildTokenRing([]);
  private replication = new Map<string, Replication>();
  /**
   * Replicas by owner index, per replication, for the current ring: a request's replicas depend
   * only on which ring token owns its token, so each is computed once instead of per request.
   */
  private replicaCache = new Map<Replication, (readonly string[] | undefined)[]>();
  private counter = 0;
  /** The hosts of the local data center (up or down), kept with `hostsByKey` for per-request plans. */
  private localHosts: readonly Host[] = [];
  /** system.local.data_center of the host the control connection is on. */
  controlDataCenter: string | undefined;

  constructor(private readonly options: ClusterOptions) {}

  get hosts(): readonly Host[] {
    return [...this.hostsByKey.values()];
  }

  /** The plan for one request: token-aware when the token is known, round-robin otherwise. */
  queryPlan(token: Token | undefined, keyspace: string | undefined): string[] {
    const counter = this.counter++;
    // Wrap well before 2^53 so the counter stays an exact integer forever.
    if (this.counter >= 0x7fffffff) this.counter = 0;
    const child = roundRobinPlan(this.localHosts, this.options.localDataCenter, counter);
    // One host (or none) to try: no replica order can change that.
    if (token === undefined || child.length <= 1) return child;
    return tokenAwarePlan(child, this.replicas(token, keyspace), counter);
  }

  /**
   * Whether a request's token can change its plan: not with one live local host (a single-node
   * cluster), where the client need not compute the routing key and token of every request.
   */
  routesByToken(): boolean {
    let live = 0;
    for (const host of this.localHosts) if (host.up && ++live > 1) return true;
    return false;
  }

  replicas(token: Token, keyspace: string | undefined): readonly string[] {
    const replication = (keyspace !== undefined ? this.replication.get(keyspace) : undefined) ?? PRIMARY_ONLY;
    const index = ownerIndex(this.ring, token);
    if (index < 0) return [];
    let byOwner = this.replicaCache.get(replication);
    if (byOwner === undefined) {
      byOwner = [];
      this.replicaCache.set(replication, byOwner);
    }
    let replicas = byOwner[index];
    if (replicas === undefined) {
      replicas = replicasOf(this.ring, token, replication);
      byOwner[index] = replicas;
    }
    return replicas;
  }

  tryBorrow(hostKey: string): Connection | undefined {
    return this.pools.get(hostKey)?.tryBorrow();
  }

  async borrow(hostKey: string): Promise<Connection> {
    const pool = this.pools.get(hostKey);
    if (pool === undefined)
      throw new ConnectionError(hostKey, 'host is not in the local data center or is gone', false);
    return pool.borrow();
  }

  /** Opens the pools of the local data center's live hosts (connect() waits for them). */
  async warmUp(): Promise<void> {
    await Promise.all([...this.pools.values()].filter((p) => p.host.up).map((p) => p.fill()));
  }

  shutdown(): void {
    for (const pool of this.pools.values()) pool.shutdown();
    this.pools.clear();
    // A later connect() rebuilds everything from the control connection.
    this.hostsByKey.clear();
    this.localHosts = [];
    this.ring = buildTokenRing([]);
    this.replicaCache = new Map();
  }

  hostsChanged(local: ClusterHost, peers: readonly ClusterHost[]): void {
    this.controlDataCenter = local.info.dataCenter;
    const seen = new Set<string>();
    for (const { endpoint, info } of [local, ...peers]) {
      const host = this.upsert(endpoint, info);
      seen.add(host.key);
    }
    for (const key of [...this.hostsByKey.keys()]) {
      if (seen.has(key)) continue;
      log.info({ host: key }, 'host removed from the cluster');
      this.hostsByKey.delete(key);
      this.pools.get(key)?.shutdown();
      this.pools.delete(key);
    }
    this.localHosts = this.hosts.filter((h) => h.dataCenter === this.options.localDataCenter);
    this.ring = buildTokenRing(
      this.hosts.map((h) => ({ endpoint: h.key, dataCenter: h.dataCenter, tokens: h.info.tokens })),
    );
    this.replicaCache = new Map();
  }

  replications(byKeyspace: ReadonlyMap<string, Replication>): void {
    this.replication = new Map(byKeyspace);
    this.replicaCache = new Map();
  }

  statusChange(address: string, up: boolean): void {
    for (const host of this.hosts) {
      if (host.endpoint.host !== address) continue;
      const pool = this.pools.get(host.key);
      if (up) {
        if (!host.up) pool?.reconnectNow();
      } else if (pool === undefined || pool.openConnections === 0) {
        // Our own open connections are the better witness: a DOWN from a peer's gossip while we
        // still talk to the host is ignored (as the DataStax driver does).
        host.up = false;
      }
    }
  }

  schemaChange(change: SchemaChange): void {
    const table = change.target === 'TABLE' ? change.name : undefined;
    const dropped = this.options.prepared.invalidate(change.keyspace, table);
    if (dropped > 0)
      log.debug({ keyspace: change.keyspace, table, dropped }, 'prepared statements forgotten');
  }

  candidates(): readonly Endpoint[] {
    return this.hosts.filter((h) => h.up).map((h) => h.endpoint);
  }

  private upsert(endpoint: Endpoint, info: Host['info']): Host {
    const existing = this.hostsByKey.get(endpointKey(endpoint));
    if (existing !== undefined) {
      existing.info = info;
      return existing;
    }
    const host = new Host(endpoint, info);
    this.hostsByKey.set(host.key, host);
    if (info.dataCenter === this.options.localDataCenter) {
      this.pools.set(host.key, new HostPool(host, { ...this.options, onStateChange: onStateChange }));
    }
    log.debug({ host: host.key, dataCenter: info.dataCenter }, 'host added');
    return host;
  }
}

function onStateChange(host: Host, up: boolean): void {
  log.info({ host: host.key, up }, 'host state changed');
}
