/**
 * The IO shell around the pure gossiper: a 1 s timer calls `tick`, the gossip verbs feed `receive`,
 * and the effects that come back are performed — sends over messaging, events to the ring, to
 * `system.peers`, to native protocol clients and to schema propagation. One per running node;
 * `startNode` creates it before the native server listens: RPC_READY turns true (and the bound
 * native port is gossiped) once the node has joined the ring and serves clients. Joining and
 * leaving (node/streaming/) change our STATUS through `announceStatus`.
 */
import type { Clock } from '../../common/clock.js';
import { SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { ProtocolEvent } from '../../cql/protocol/index.js';
import type { QueryProcessor } from '../../cql/query-processor.js';
import type { HostId } from '../../ring/endpoint.js';
import { parseHostId } from '../../ring/endpoint.js';
import type { Token } from '../../ring/token.js';
import { parseToken } from '../../ring/token.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { ResolvedNodeConfig } from '../config.js';
import { applicationValue, formatTokens, statusKind, statusValue } from '../gossip/application-values.js';
import type { ApplicationStateName, EndpointAddress, EndpointState } from '../gossip/endpoint-state.js';
import { endpointAddress, generation } from '../gossip/endpoint-state.js';
import { gossipDefaults } from '../gossip/gossip-defaults.js';
import type { GossipEffect, GossipEvent } from '../gossip/gossip-events.js';
import type { RandomSource } from '../gossip/gossip-targets.js';
import { Gossiper } from '../gossip/gossiper.js';
import { describeSchemaVersions, schemaVersions } from '../gossip/schema-agreement.js';
import type { NodeIdentity } from '../local-info.js';
import { PARTITIONER } from '../local-info.js';
import { formatPeerAddress, MessagingService, TcpTransport, toPeerAddress } from '../messaging/index.js';
import { ClientEventNotifier } from './client-events.js';
import { GossipVerbs } from './gossip-verbs.js';
import { directoryBytes, localApplicationStates } from './local-gossip-state.js';
import { nativeAddressOf, PeersTable } from './peers-table.js';
import { initialRing, RING_STATES, ringWithEndpoint } from './ring-state.js';
import { SchemaSync } from './schema-sync.js';

/** LOAD is re-measured this often (Cassandra's LoadBroadcaster: every minute). */
const LOAD_INTERVAL_MS = 60_000;

/** How the node enters gossip: as a NORMAL member with its tokens, or joining (no STATUS yet). */
export type GossipEntry = 'normal' | 'joining';

/** Our STATUS as node/streaming/ moves it (Cassandra's VersionedValue factory methods). */
export type LocalStatus =
  | { readonly kind: 'BOOT' | 'NORMAL' | 'LEAVING'; readonly tokens: readonly Token[] }
  | { readonly kind: 'LEFT'; readonly tokens: readonly Token[]; readonly expiresAtMs: number };

export interface ClusterServiceDeps {
  readonly config: ResolvedNodeConfig;
  /** Read when gossip starts (the tokens may be chosen between the shadow round and then). */
  readonly identity: { readonly current: NodeIdentity };
  /**
   * Called after the shadow round with the ring the seeds described (ourselves registered, without
   * tokens unless we have some): chooses tokens if needed and says how we enter gossip. Without
   * it, a node with tokens enters as NORMAL.
   */
  readonly prepareJoin?: (seedRing: TokenMetadata) => Promise<GossipEntry>;
  readonly processor: QueryProcessor;
  /** Listening already: its address is our gossip endpoint. */
  readonly messaging: MessagingService;
  /** This start's gossip generation (`nextGossipGeneration`). */
  readonly generation: number;
  /** The native port bound (peers tell clients to use it). */
  readonly nativePort: number;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Pushes an event to the native connections that registered for it. */
  readonly onClientEvent: (event: ProtocolEvent) => void;
  readonly log: Logger;
}

/** What the rest of the node (and tests, and later the admin endpoint) may read of the cluster. */
export interface ClusterView {
  /** Our gossip endpoint, `listen_address:storage_port`. */
  readonly endpoint: string;
  /** The ring as gossip describes it (ourselves included). */
  readonly ring: TokenMetadata;
  liveEndpoints(): string[];
  unreachableEndpoints(): string[];
  isAlive(endpoint: string): boolean;
  /** Schema version → endpoints holding it, plus UNREACHABLE (nodetool describecluster). */
  schemaVersions(): Record<string, string[]>;
  /** Every endpoint gossip knows, ourselves included: heartbeat and application states (gossipinfo). */
  endpointStates(): ReadonlyMap<string, EndpointState>;
  /** Gossip runs: after the shadow round, until close (nodetool info "Gossip active"). */
  readonly gossipActive: boolean;
}

export class ClusterService implements ClusterView {
  readonly endpoint: EndpointAddress;
  private currentRing: TokenMetadata;
  private readonly gossiper: Gossiper;
  private readonly verbs: GossipVerbs;
  private readonly peers: PeersTable;
  private readonly notifier: ClientEventNotifier;
  private readonly schemaSync: SchemaSync;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribeSchema: (() => void) | undefined;
  private shadowWaiter:
    | {
        resolve: (states: ReadonlyMap<EndpointAddress, EndpointState>) => void;
        reject: (error: Error) => void;
      }
    | undefined;
  private readonly downListeners = new Set<(endpoint: string) => void>();
  private readonly upListeners = new Set<(endpoint: string) => void>();
  private readonly removedListeners = new Set<(hostId: HostId) => void>();
  private publishedSchema: string | undefined;
  private closed = false;

  private constructor(private readonly deps: ClusterServiceDeps) {
    const { config, identity, messaging, log } = deps;
    this.endpoint = endpointAddress(messaging.address);
    const seeds = config.seeds.map((seed) => endpointAddress(toPeerAddress(seed, config.storagePort)));
    this.gossiper = new Gossiper(
      {
        address: this.endpoint,
        clusterName: config.clusterName,
        partitioner: PARTITIONER,
        seeds,
        failureDetector: { phiConvictThreshold: config.phiConvictThreshold },
      },
      deps.random,
    );
    this.currentRing = initialRing(
      identity.current.hostId,
      this.endpoint,
      { dataCenter: config.dc, rack: config.rack },
      [], // our tokens join the ring when gossip starts (NORMAL) or when we announce them
    );
    this.verbs = new GossipVerbs(
      messaging,
      this.gossiper,
      deps.clock,
      (effects) => this.perform(effects),
      log,
    );
    this.peers = new PeersTable(
      deps.processor,
      (endpoint) => this.gossiper.endpointState(endpoint as EndpointAddress),
      deps.nativePort,
      () => deps.clock.nowMs(),
      log,
    );
    this.notifier = new ClientEventNotifier(deps.onClientEvent);
    this.schemaSync = new SchemaSync(deps.processor.schema, messaging, this.gossiper, log);
  }

  /**
   * Joins the cluster: clears stale peers rows, runs the shadow round against the seeds (at once for
   * a seed alone; UNABLE_TO_GOSSIP when no seed answers within ring delay), then gossips our state.
   */
  static async start(deps: ClusterServiceDeps): Promise<ClusterService> {
    const service = new ClusterService(deps);
    try {
      await service.peers.clear();
      service.startTimers();
      const seedStates = await service.shadowRound();
      const entry = await service.prepareJoin(seedStates);
      await service.startGossip(entry);
    } catch (error) {
      await service.close({ announce: false });
      throw error;
    }
    return service;
  }

  get ring(): TokenMetadata {
    return this.currentRing;
  }

  liveEndpoints(): string[] {
    return this.gossiper.liveEndpoints();
  }

  unreachableEndpoints(): string[] {
    return this.gossiper.unreachableEndpoints();
  }

  isAlive(endpoint: string): boolean {
    return this.gossiper.isAlive(endpoint as EndpointAddress);
  }

  schemaVersions(): Record<string, string[]> {
    const versions = schemaVersions(this.gossiper.endpointStates(), (e) => this.gossiper.isAlive(e));
    return describeSchemaVersions(versions);
  }

  endpointStates(): ReadonlyMap<string, EndpointState> {
    return this.gossiper.endpointStates();
  }

  get gossipActive(): boolean {
    return !this.closed && this.gossiper.phase === 'running';
  }

  /**
   * Leaves gossip: a clean shutdown is announced to live peers (they mark us DOWN at once), queued
   * messages are written, then messaging closes. Idempotent.
   */
  async close(options: { announce?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribeSchema?.();
    this.shadowWaiter?.reject(new SibylError('NODE_CLOSED', 'node closed during the gossip shadow round'));
    if (options.announce !== false) this.perform(this.gossiper.announceShutdown(this.deps.clock.nowMs()));
    this.verbs.close();
    await this.schemaSync.close();
    await this.peers.drain();
    await this.deps.messaging.close();
  }

  private startTimers(): void {
    const gossip = setInterval(() => this.tick(), gossipDefaults.gossipIntervalMs);
    const load = setInterval(() => void this.publishLoad(), LOAD_INTERVAL_MS);
    // Timers must not keep a process alive that has nothing else to do (tests, embedded nodes).
    gossip.unref();
    load.unref();
    this.timers.push(gossip, load);
  }

  private shadowRound(): Promise<ReadonlyMap<EndpointAddress, EndpointState>> {
    return new Promise((resolve, reject) => {
      this.shadowWaiter = { resolve, reject };
      this.perform(this.gossiper.startShadowRound(this.deps.clock.nowMs()));
    });
  }

  /** The seeds' view of the ring, for token allocation and the decision to bootstrap. */
  private async prepareJoin(seedStates: ReadonlyMap<EndpointAddress, EndpointState>): Promise<GossipEntry> {
    let seedRing = this.currentRing;
    for (const [endpoint, state] of seedStates) {
      if (endpoint === this.endpoint) continue; // our own state of a previous life
      try {
        seedRing = ringWithEndpoint(seedRing, endpoint, state);
      } catch (error) {
        this.deps.log.warn({ err: error, endpoint }, 'seed gossip state not applied to the ring');
      }
    }
    const entry = this.deps.prepareJoin
      ? await this.deps.prepareJoin(seedRing)
      : this.deps.identity.current.tokens.length > 0
        ? 'normal'
        : 'joining';
    if (this.closed) throw new SibylError('NODE_CLOSED', 'node closed while joining the cluster');
    return entry;
  }

  private async startGossip(entry: GossipEntry): Promise<void> {
    const { config, processor, clock } = this.deps;
    const identity = this.deps.identity.current;
    const loadBytes = await directoryBytes(config.dataDir);
    if (this.closed) throw new SibylError('NODE_CLOSED', 'node closed while joining the cluster');
    const states = localApplicationStates({
      config,
      identity,
      schemaVersion: processor.schema.schema.version,
      nativePort: this.deps.nativePort,
      loadBytes,
      joined: entry === 'normal',
      rpcReady: false,
    });
    if (entry === 'normal') {
      const tokens = identity.tokens.map(parseToken);
      this.currentRing = this.currentRing.updateNormalTokens(parseHostId(identity.hostId), tokens);
    }
    this.publishedSchema = states.SCHEMA;
    this.perform(
      this.gossiper.start(clock.nowMs(), { generation: generation(this.deps.generation), states }),
    );
    this.unsubscribeSchema = processor.schema.schema.onChange(() => this.schemaChanged());
    this.deps.log.info(
      { endpoint: this.endpoint, seeds: config.seeds, generation: this.deps.generation, entry },
      'gossip started',
    );
  }

  // ---- what joining and leaving (node/streaming/) do through gossip ----

  /**
   * Announces our STATUS (and TOKENS with it) and moves our own entry of the ring accordingly:
   * BOOT gives bootstrap tokens, NORMAL makes us a member, LEAVING marks us leaving, LEFT removes us.
   */
  announceStatus(status: LocalStatus): void {
    if (this.closed || this.gossiper.phase !== 'running') {
      throw new SibylError('GOSSIP_NOT_RUNNING', `cannot announce ${status.kind}: gossip is not running`);
    }
    const value = localStatusValue(status);
    this.gossiper.setApplicationState('TOKENS', formatTokens(status.tokens));
    this.gossiper.setApplicationState('STATUS', value);
    this.updateRing(this.endpoint);
    this.deps.log.info({ status: value.split(',')[0] }, 'local status announced');
  }

  /** The native server serves clients: gossip the port it bound and RPC_READY true. */
  nativeTransportReady(nativePort: number): void {
    const address = this.deps.config.broadcastRpcAddress;
    this.setLocalState('NATIVE_ADDRESS_AND_PORT', applicationValue.nativeAddressAndPort(address, nativePort));
    this.setLocalState('RPC_READY', applicationValue.rpcReady(true));
  }

  /** Calls `listener` with each endpoint gossip marks DOWN (convicted, shut down, left); returns the unsubscribe. */
  onEndpointDown(listener: (endpoint: string) => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  /** Calls `listener` with each endpoint gossip marks UP again; returns the unsubscribe. */
  onEndpointUp(listener: (endpoint: string) => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /** Calls `listener` with the host id of each member that leaves the ring (decommissioned, removed). */
  onEndpointRemoved(listener: (hostId: HostId) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /** When gossip marked `endpoint` down (ms), undefined while it is up or unknown. */
  downSinceMs(endpoint: string): number | undefined {
    return this.gossiper.unreachableSince(endpoint as EndpointAddress);
  }

  /** The generation an endpoint gossips under (removenode checks it did not restart meanwhile). */
  generationOf(endpoint: string): number | undefined {
    return this.gossiper.endpointState(endpoint as EndpointAddress)?.heartbeat.generation;
  }

  /** Live endpoints that are ring members all gossip our schema version (at least one besides us). */
  inSchemaAgreementWithMembers(): boolean {
    const ours = this.deps.processor.schema.schema.version;
    let others = 0;
    for (const endpoint of this.gossiper.liveEndpoints()) {
      const info = this.currentRing.endpointByAddress(endpoint);
      if (info === undefined || !this.currentRing.isMember(info.hostId)) continue;
      if (this.gossiper.endpointState(endpoint)?.states.SCHEMA?.value !== ours) return false;
      others++;
    }
    return others > 0;
  }

  /**
   * removenode's announcements on behalf of a dead endpoint (Cassandra's advertiseRemoving and
   * advertiseTokenRemoved): STATUS `removing,<host id>`, then `removed,<host id>,<expiry>`, each
   * under a forced newer generation so that the endpoint's own last state loses everywhere.
   */
  advertiseRemoval(
    endpoint: string,
    status: { readonly kind: 'removing' | 'removed'; readonly hostId: HostId },
  ): void {
    if (this.closed || this.gossiper.phase !== 'running') {
      throw new SibylError('GOSSIP_NOT_RUNNING', `cannot advertise ${status.kind}: gossip is not running`);
    }
    const nowMs = this.deps.clock.nowMs();
    const value =
      status.kind === 'removing'
        ? statusValue.removing(status.hostId)
        : statusValue.removed(status.hostId, nowMs + this.deps.config.streaming.deadStateExpiryMs);
    this.perform(this.gossiper.advertiseOnBehalf(endpoint as EndpointAddress, { STATUS: value }, nowMs));
  }

  private tick(): void {
    if (this.closed) return;
    this.perform(this.gossiper.tick(this.deps.clock.nowMs()));
    this.schemaSync.maybePull();
  }

  /** Our schema changed (local DDL or a merge): gossip the new version and push to peers behind. */
  private schemaChanged(): void {
    const version = this.deps.processor.schema.schema.version;
    if (this.closed || version === this.publishedSchema) return;
    this.publishedSchema = version;
    this.setLocalState('SCHEMA', version);
    this.schemaSync.pushSoon();
  }

  private async publishLoad(): Promise<void> {
    const bytes = await directoryBytes(this.deps.config.dataDir);
    this.setLocalState('LOAD', applicationValue.load(bytes));
  }

  private setLocalState(name: ApplicationStateName, value: string): void {
    if (!this.closed && this.gossiper.phase === 'running') this.gossiper.setApplicationState(name, value);
  }

  /** Performs what the gossiper returned: sends first, then events, in order. */
  private perform(effects: readonly GossipEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'send') this.verbs.send(effect.to, effect.message);
      else this.onEvent(effect.event);
    }
  }

  private onEvent(event: GossipEvent): void {
    switch (event.type) {
      case 'joined':
      case 'removed':
        this.endpointChanged(event.endpoint, undefined);
        break;
      case 'state-change':
        this.endpointChanged(event.endpoint, event.name);
        break;
      case 'alive':
      case 'dead': {
        const change = event.type === 'alive' ? 'UP' : 'DOWN';
        const reason = event.type === 'dead' ? event.reason : undefined;
        this.deps.log.info({ endpoint: event.endpoint, reason }, `peer is now ${change}`);
        this.peers.afterWrite(() => this.notifier.status(event.endpoint, change));
        this.bootstrapLiveness(event.endpoint, event.type === 'alive');
        if (event.type === 'alive') {
          this.schemaSync.maybePull();
          for (const listener of this.upListeners) listener(event.endpoint);
        } else for (const listener of this.downListeners) listener(event.endpoint);
        break;
      }
      case 'restarted':
        this.deps.log.info({ endpoint: event.endpoint }, 'peer restarted');
        break;
      case 'shadow-round-complete':
        this.shadowWaiter?.resolve(event.states);
        this.shadowWaiter = undefined;
        break;
      case 'shadow-round-failed':
        this.shadowWaiter?.reject(new SibylError(event.code, event.message));
        this.shadowWaiter = undefined;
        break;
      case 'rejected':
        this.deps.log.warn({ from: event.from, code: event.code }, event.message);
        break;
    }
  }

  /** Ring, peers rows and topology events follow each change of an endpoint's state. */
  private endpointChanged(endpoint: EndpointAddress, name: ApplicationStateName | undefined): void {
    const state = this.gossiper.endpointState(endpoint);
    if (state) this.notifier.learnAddress(endpoint, nativeAddressOf(state, this.deps.nativePort));
    if (name === undefined || name === 'RPC_READY') {
      const value = state?.states.RPC_READY?.value;
      const ready = value === undefined ? undefined : value === 'true';
      this.peers.afterWrite(() => this.notifier.rpcReadyChanged(endpoint, ready, this.isAlive(endpoint)));
    }
    if (name === undefined || RING_STATES.has(name)) this.updateRing(endpoint);
    this.peers.touch(endpoint);
    if (name === 'SCHEMA') this.schemaSync.maybePull();
  }

  /**
   * A joining endpoint counts (its bootstrap tokens make pending ranges) only while it is alive: one
   * whose bootstrap failed or was killed stops announcing, and nothing else would take it off
   * (Cassandra evicts such "fat clients" after a timeout).
   */
  private bootstrapLiveness(endpoint: EndpointAddress, alive: boolean): void {
    if (statusKind(this.gossiper.endpointState(endpoint)) !== 'BOOT') return;
    const info = this.currentRing.endpointByAddress(endpoint);
    if (!alive && info !== undefined) this.currentRing = this.currentRing.removeBootstrapTokens(info.hostId);
    if (alive) this.updateRing(endpoint);
  }

  private updateRing(endpoint: EndpointAddress): void {
    const before = this.currentRing;
    try {
      this.currentRing = ringWithEndpoint(before, endpoint, this.gossiper.endpointState(endpoint));
    } catch (error) {
      this.deps.log.warn({ err: error, endpoint }, 'gossip state not applied to the ring');
      return;
    }
    if (endpoint === this.endpoint) return; // clients learn about this node from system.local
    const member = (ring: TokenMetadata) => {
      const info = ring.endpointByAddress(endpoint);
      return info !== undefined && ring.isMember(info.hostId);
    };
    const was = member(before);
    const is = member(this.currentRing);
    if (!was && is) this.peers.afterWrite(() => this.notifier.joined(endpoint));
    if (was && !is) {
      this.peers.afterWrite(() => this.notifier.removed(endpoint));
      const gone = before.endpointByAddress(endpoint)!.hostId;
      if (this.currentRing.endpoint(gone) === undefined || !this.currentRing.isMember(gone))
        for (const listener of this.removedListeners) listener(gone);
    }
  }
}

function localStatusValue(status: LocalStatus): string {
  switch (status.kind) {
    case 'BOOT':
      return statusValue.bootstrapping(status.tokens);
    case 'NORMAL':
      return statusValue.normal(status.tokens);
    case 'LEAVING':
      return statusValue.leaving(status.tokens);
    case 'LEFT':
      return statusValue.left(status.tokens, status.expiresAtMs);
  }
}

/**
 * Starts the internode messaging a node's cluster side runs on: `listen_address:storage_port` over
 * TCP. A node that names no seeds and was given no storage port is a cluster of one: if 7000 is
 * taken (another node or test on this host) it listens on a free port instead, with a warning,
 * rather than refusing to start. Anyone else fails on a busy port, as Cassandra does.
 */
export async function startClusterMessaging(
  config: ResolvedNodeConfig,
  identity: { readonly hostId: string },
  log: Logger,
  options: { readonly freePortIfBusy: boolean },
): Promise<MessagingService> {
  const start = (port: number) =>
    MessagingService.start({
      transport: new TcpTransport(),
      hostId: parseHostId(identity.hostId),
      listenAddress: formatPeerAddress(config.listenAddress, port),
      // Verb timeouts (and when a replica drops an expired request) follow the *_request_timeout settings.
      options: {
        writeRequestTimeoutMs: config.coordinator.writeRequestTimeoutMs,
        counterWriteRequestTimeoutMs: config.coordinator.counterWriteRequestTimeoutMs,
        readRequestTimeoutMs: config.coordinator.readRequestTimeoutMs,
        rangeRequestTimeoutMs: config.coordinator.rangeRequestTimeoutMs,
        truncateRequestTimeoutMs: config.coordinator.truncateRequestTimeoutMs,
      },
      log,
    });
  try {
    return await start(config.storagePort);
  } catch (error) {
    if (!options.freePortIfBusy || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    log.warn({ port: config.storagePort }, 'storage port in use; a node without seeds takes a free one');
    return start(0);
  }
}
