/**
 * One running node: opens the log, the storage engine and the query processor, starts internode
 * messaging, writes its `system.local` row, joins the cluster by gossip (node/cluster/) — a new
 * node bootstraps there, streaming the ranges it takes (node/streaming/) — and only then serves
 * the native protocol, as Cassandra starts its native transport once the node has joined.
 * `close()` works in the reverse order: shutdown announced to peers, no new connections, in-flight
 * requests answered, memtables flushed, commit log synced. The CLI (`sibyl node start`) and the
 * driver's embedded mode start nodes through `startNode` alone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { QueryProcessor } from '../cql/query-processor.js';
import { parseHostId } from '../ring/endpoint.js';
import { StorageEngine } from '../storage/storage-engine.js';
import type { AdminEndpoint } from './admin/index.js';
import { startAdminEndpoint } from './admin/index.js';
import type { ClusterView } from './cluster/cluster-service.js';
import { ClusterService, startClusterMessaging } from './cluster/cluster-service.js';
import type { NodeConfig, ResolvedNodeConfig } from './config.js';
import { NodeConfigError, resolveConfig } from './config.js';
import { Coordinator } from './coordinator/coordinator.js';
import type { DataServices } from './data-services.js';
import { startDataServices } from './data-services.js';
import {
  DECOMMISSIONED_MESSAGE,
  LocalIdentity,
  nextGossipGeneration,
  trackSchemaVersion,
  writeSystemLocal,
} from './local-info.js';
import type { MessagingService } from './messaging/index.js';
import { splitHostPort } from './messaging/transport.js';
import { NativeServer } from './native-server.js';
import type { NodeLog } from './node-logging.js';
import { openNodeLog } from './node-logging.js';
import type { DecommissionOptions } from './streaming/decommission.js';
import type { OperationMode } from './streaming/membership-context.js';
import { RingMembership } from './streaming/ring-membership.js';
import type { StreamSessionInfo } from './streaming/stream-sessions.js';
import { streamingRoutes } from './streaming/streaming-routes.js';
import { StreamingService } from './streaming/streaming-service.js';

/** What a node takes from outside (STYLE.md §3); tests may pass their own. */
export interface NodeDeps {
  readonly clock?: Clock;
  readonly randomBytes?: (length: number) => Uint8Array;
  readonly randomUuid?: () => string;
}

export interface SibylNode {
  readonly config: ResolvedNodeConfig;
  readonly processor: QueryProcessor;
  readonly hostId: string;
  readonly tokens: readonly string[];
  /** The address the native server listens on. */
  readonly address: string;
  /** The native port, the one actually bound (useful with `nativePort: 0`). */
  readonly port: number;
  /** Membership, liveness, ring and schema versions as this node's gossip sees them. */
  readonly cluster: ClusterView;
  /** The admin endpoint's HTTP port, the one actually bound (`adminPort: 0`, or 7199 taken). */
  readonly adminPort: number;
  /** This node's storage engine (tests write replicas' data directly into it). */
  readonly engine: StorageEngine;
  /** Cassandra's operation mode: STARTING, JOINING, NORMAL, LEAVING, DECOMMISSIONED. */
  readonly operationMode: OperationMode;
  /**
   * nodetool decommission: streams this node's ranges to their next owners, leaves the ring and
   * stops serving; the process stays up, DECOMMISSIONED, until `close()`. Refused (Cassandra's
   * messages) when a keyspace would keep fewer nodes than its replication factor, unless `force`.
   */
  decommission(options?: DecommissionOptions): Promise<void>;
  /** nodetool removenode HOSTID: re-replicates a dead node's ranges from the survivors and removes it. */
  removeNode(hostId: string): Promise<void>;
  /** nodetool removenode status. */
  removalStatus(): string;
  /** Stream sessions under way and recently finished (nodetool netstats). */
  streams(): StreamSessionInfo[];
  /** Drains and stops the node; resolves once its data is flushed. Idempotent. */
  close(): Promise<void>;
}

export async function startNode(config: NodeConfig, deps: NodeDeps = {}): Promise<SibylNode> {
  const resolved = resolveConfig(config);
  const clock = deps.clock ?? systemClock;
  const startedAtMs = clock.nowMs();
  const random = deps.randomBytes ?? ((n: number) => randomBytes(n));
  const uuid = deps.randomUuid ?? (() => randomUUID());
  const nodeLog = await openNodeLog({
    dataDir: resolved.dataDir,
    level: resolved.logLevel,
    toFile: resolved.logToFile,
    toStdout: resolved.logToStdout,
  });
  const log = nodeLog.logger.child({ component: 'node' });
  log.info({ dataDir: resolved.dataDir, cluster: resolved.clusterName }, 'starting node');
  let engine: StorageEngine | undefined;
  let messaging: MessagingService | undefined;
  let server: NativeServer | undefined;
  let cluster: ClusterService | undefined;
  let streaming: StreamingService | undefined;
  let membership: RingMembership | undefined;
  let services: DataServices | undefined;
  try {
    engine = await StorageEngine.open({ dataDir: resolved.dataDir, options: resolved.storage, clock });
    const identity = await loadIdentity(resolved, uuid, log);
    // CQL reads and writes go through the coordinator: replicas, consistency levels, read repair.
    const coordinator = new Coordinator({
      engine,
      options: resolved.coordinator,
      log: nodeLog.logger.child({ component: 'coordinator' }),
    });
    const processor = await QueryProcessor.open(engine, {
      store: coordinator,
      clock,
      random,
      randomUuid: uuid,
      datacenters: [resolved.dc],
      // The local store leads this node's counter updates under its host id (storage/counters.ts).
      hostId: identity.hostId,
    });
    coordinator.attachSchema(processor.schema.schema);
    messaging = await startClusterMessaging(
      resolved,
      identity,
      nodeLog.logger.child({ component: 'messaging' }),
      // A cluster of one started without a storage port must not fail because 7000 is taken.
      { freePortIfBusy: config.storagePort === undefined && resolved.seeds.length === 0 },
    );
    // Replica verbs are answered from now on (a joining node already receives its pending writes).
    coordinator.serveReplicas(messaging);
    const generation = await writeLocalRow(processor, resolved, identity, messaging, clock);
    const schemaTracker = trackSchemaVersion(processor, log);
    const localAddress = messaging.address;
    const streamingLog = nodeLog.logger.child({ component: 'streaming' });
    streaming = new StreamingService({
      messaging,
      engine,
      schema: () => processor.schema.schema,
      options: resolved.streaming,
      localAddress,
      isAlive: (endpoint) => cluster?.isAlive(endpoint) ?? false,
      onEndpointDown: (listener) => cluster?.onEndpointDown(listener) ?? (() => {}),
      nowMs: () => clock.nowMs(),
      log: streamingLog,
    });
    membership = new RingMembership(
      {
        config: resolved,
        identity,
        processor,
        engine,
        streaming,
        random: { bytes: random },
        nowMs: () => clock.nowMs(),
        log: streamingLog,
      },
      async () => server?.close(),
    );
    const joining = membership;
    cluster = await ClusterService.start({
      config: resolved,
      identity,
      prepareJoin: (seedRing) => joining.prepareJoin(seedRing, localAddress),
      processor,
      messaging,
      generation,
      // Gossiped until the native server has bound its port (then `nativeTransportReady`).
      nativePort: resolved.nativePort,
      clock,
      random: { next: () => Buffer.from(random(4)).readUInt32BE(0) / 0x1_0000_0000 },
      onClientEvent: (event) => server?.broadcast(event),
      log: nodeLog.logger.child({ component: 'cluster' }),
    });
    coordinator.attachCluster({
      cluster,
      messaging,
      hostId: parseHostId(identity.hostId),
      dataCenter: resolved.dc,
    });
    // Hinted handoff, the batchlog and the counter leader: they need the ring and liveness.
    services = await startDataServices({
      config: resolved,
      engine,
      processor,
      messaging,
      cluster,
      coordinator,
      hostId: parseHostId(identity.hostId),
      clock,
      log: nodeLog.logger,
    });
    const running = services;
    membership.setHintTransfer(() => running.transferHints());
    await membership.join(cluster);
    // Clients are served once the node is NORMAL (a bootstrapping node answers no queries).
    const native = await NativeServer.listen(
      processor,
      { host: resolved.rpcAddress, port: resolved.nativePort, limits: resolved.nativeTransport },
      nodeLog.logger.child({ component: 'native' }),
    );
    server = native;
    cluster.nativeTransportReady(native.address.port);
    const admin = await startAdminEndpoint(
      {
        config: resolved,
        identity,
        generation,
        startedAtMs,
        clock,
        processor,
        engine,
        messaging,
        cluster,
        native,
      },
      // The admin port is never gossiped: a node not told one may take another if 7199 is taken.
      { freePortIfBusy: config.adminPort === undefined, log: nodeLog.logger.child({ component: 'admin' }) },
    );
    const parts = { engine, server: native, cluster, schemaTracker, admin, streaming, membership, services };
    const node = new RunningNode(resolved, processor, identity, parts, nodeLog, log);
    admin.router.register(...streamingRoutes(node), ...services.routes());
    admin.metrics.exportCounters('coordinator', coordinator.metrics);
    admin.metrics.exportCounters('hints', services.hints.metrics);
    admin.metrics.exportCounters('batchlog', services.batchlog.metrics);
    log.info(
      { address: node.address, port: node.port, hostId: identity.hostId },
      'native transport listening',
    );
    return node;
  } catch (error) {
    log.error({ err: error }, 'node failed to start');
    membership?.close();
    await services?.close().catch(() => {});
    await streaming?.close().catch(() => {});
    await cluster?.close({ announce: false }).catch(() => {});
    await server?.close().catch(() => {});
    await messaging?.close().catch(() => {});
    await engine?.close({ flush: false }).catch(() => {});
    nodeLog.close();
    throw error;
  }
}

/**
 * The identity of the data directory. A decommissioned one refuses to rejoin (Cassandra's message)
 * unless override_decommission is set, in which case it rejoins with its old tokens.
 */
async function loadIdentity(
  config: ResolvedNodeConfig,
  uuid: () => string,
  log: Logger,
): Promise<LocalIdentity> {
  const identity = await LocalIdentity.load(config.dataDir, config.numTokens, { uuid });
  if (identity.bootstrapState === 'DECOMMISSIONED') {
    if (!config.overrideDecommission) throw new NodeConfigError(DECOMMISSIONED_MESSAGE);
    log.warn('This node was decommissioned, but overriding by operator request.');
    await identity.update({ bootstrapState: 'COMPLETED' });
  }
  return identity;
}

/** Writes `system.local` with this start's gossip generation and storage port; returns the generation. */
async function writeLocalRow(
  processor: QueryProcessor,
  config: ResolvedNodeConfig,
  identity: LocalIdentity,
  messaging: MessagingService,
  clock: Clock,
): Promise<number> {
  const gossipGeneration = await nextGossipGeneration(processor, clock.nowMs());
  const storagePort = splitHostPort(messaging.address, config.storagePort).port;
  await writeSystemLocal(processor, config, identity.current, clock.nowMs(), {
    gossipGeneration,
    storagePort,
  });
  return gossipGeneration;
}

/** What a running node owns, closed in reverse order of start. */
interface NodeParts {
  readonly engine: StorageEngine;
  readonly server: NativeServer;
  readonly cluster: ClusterService;
  readonly schemaTracker: { stop(): Promise<void> };
  readonly admin: AdminEndpoint;
  readonly streaming: StreamingService;
  readonly membership: RingMembership;
  readonly services: DataServices;
}

class RunningNode implements SibylNode {
  private closing: Promise<void> | undefined;
  readonly address: string;
  readonly port: number;

  constructor(
    readonly config: ResolvedNodeConfig,
    readonly processor: QueryProcessor,
    private readonly identity: LocalIdentity,
    private readonly parts: NodeParts,
    private readonly nodeLog: NodeLog,
    private readonly log: Logger,
  ) {
    this.address = parts.server.address.address;
    this.port = parts.server.address.port;
  }

  get cluster(): ClusterView {
    return this.parts.cluster;
  }

  get adminPort(): number {
    return this.parts.admin.port;
  }

  get hostId(): string {
    return this.identity.hostId;
  }

  get tokens(): readonly string[] {
    return this.identity.tokens;
  }

  get engine(): StorageEngine {
    return this.parts.engine;
  }

  get operationMode(): OperationMode {
    return this.parts.membership.mode;
  }

  decommission(options?: DecommissionOptions): Promise<void> {
    return this.parts.membership.decommission(options);
  }

  removeNode(hostId: string): Promise<void> {
    return this.parts.membership.removeNode(hostId);
  }

  removalStatus(): string {
    return this.parts.membership.removalStatus();
  }

  streams(): StreamSessionInfo[] {
    return this.parts.streaming.list();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const started = performance.now();
    this.log.info('draining');
    try {
      // Clients are drained first (their requests need peers: messaging is still up), then peers
      // hear of the shutdown and stop counting on us, as Cassandra's drain does.
      await this.parts.admin.close();
      this.parts.membership.close();
      await this.parts.streaming.close();
      await this.parts.server.close();
      // Hints are synced and the batchlog stops replaying before messaging closes.
      await this.parts.services.close();
      await this.parts.cluster.close();
      await this.parts.schemaTracker.stop();
      await this.parts.engine.close();
      this.log.info({ ms: Math.round(performance.now() - started) }, 'node stopped');
    } finally {
      this.nodeLog.close();
    }
  }
}
