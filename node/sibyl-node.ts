/**
 * One running node: opens the log, the storage engine and the query processor, starts internode
 * messaging, writes its `system.local` row, serves the native protocol and joins the cluster by
 * gossip (node/cluster/). `close()` works in the reverse order: shutdown announced to peers, no new
 * connections, in-flight requests answered, memtables flushed, commit log synced. The CLI
 * (`sibyl node start`) and the driver's embedded mode start nodes through `startNode` alone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { QueryProcessor } from '../cql/query-processor.js';
import { StorageEngine } from '../storage/storage-engine.js';
import type { ClusterView } from './cluster/cluster-service.js';
import { ClusterService, startClusterMessaging } from './cluster/cluster-service.js';
import type { NodeConfig, ResolvedNodeConfig } from './config.js';
import { resolveConfig } from './config.js';
import type { NodeIdentity } from './local-info.js';
import {
  loadOrCreateIdentity,
  nextGossipGeneration,
  trackSchemaVersion,
  writeSystemLocal,
} from './local-info.js';
import type { MessagingService } from './messaging/index.js';
import { splitHostPort } from './messaging/transport.js';
import { NativeServer } from './native-server.js';
import type { NodeLog } from './node-logging.js';
import { openNodeLog } from './node-logging.js';

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
  /** Drains and stops the node; resolves once its data is flushed. Idempotent. */
  close(): Promise<void>;
}

export async function startNode(config: NodeConfig, deps: NodeDeps = {}): Promise<SibylNode> {
  const resolved = resolveConfig(config);
  const clock = deps.clock ?? systemClock;
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
  try {
    engine = await StorageEngine.open({ dataDir: resolved.dataDir, options: resolved.storage, clock });
    const processor = await QueryProcessor.open(engine, {
      clock,
      random,
      randomUuid: uuid,
      datacenters: [resolved.dc],
    });
    const identity = await loadOrCreateIdentity(resolved.dataDir, resolved.numTokens, {
      bytes: random,
      uuid,
    });
    messaging = await startClusterMessaging(
      resolved,
      identity,
      nodeLog.logger.child({ component: 'messaging' }),
      // A cluster of one started without a storage port must not fail because 7000 is taken.
      { freePortIfBusy: config.storagePort === undefined && resolved.seeds.length === 0 },
    );
    const generation = await writeLocalRow(processor, resolved, identity, messaging, clock);
    const schemaTracker = trackSchemaVersion(processor, log);
    const native = await NativeServer.listen(
      processor,
      { host: resolved.rpcAddress, port: resolved.nativePort, limits: resolved.nativeTransport },
      nodeLog.logger.child({ component: 'native' }),
    );
    server = native;
    const cluster = await ClusterService.start({
      config: resolved,
      identity,
      processor,
      messaging,
      generation,
      nativePort: native.address.port,
      clock,
      random: { next: () => Buffer.from(random(4)).readUInt32BE(0) / 0x1_0000_0000 },
      onClientEvent: (event) => native.broadcast(event),
      log: nodeLog.logger.child({ component: 'cluster' }),
    });
    const parts = { engine, server: native, cluster, schemaTracker };
    const node = new RunningNode(resolved, processor, identity, parts, nodeLog, log);
    log.info(
      { address: node.address, port: node.port, hostId: identity.hostId },
      'native transport listening',
    );
    return node;
  } catch (error) {
    log.error({ err: error }, 'node failed to start');
    await server?.close().catch(() => {});
    await messaging?.close().catch(() => {});
    await engine?.close({ flush: false }).catch(() => {});
    nodeLog.close();
    throw error;
  }
}

/** Writes `system.local` with this start's gossip generation and storage port; returns the generation. */
async function writeLocalRow(
  processor: QueryProcessor,
  config: ResolvedNodeConfig,
  identity: NodeIdentity,
  messaging: MessagingService,
  clock: Clock,
): Promise<number> {
  const gossipGeneration = await nextGossipGeneration(processor, clock.nowMs());
  const storagePort = splitHostPort(messaging.address, config.storagePort).port;
  await writeSystemLocal(processor, config, identity, clock.nowMs(), { gossipGeneration, storagePort });
  return gossipGeneration;
}

/** What a running node owns, closed in reverse order of start. */
interface NodeParts {
  readonly engine: StorageEngine;
  readonly server: NativeServer;
  readonly cluster: ClusterService;
  readonly schemaTracker: { stop(): Promise<void> };
}

class RunningNode implements SibylNode {
  private closing: Promise<void> | undefined;
  readonly address: string;
  readonly port: number;

  constructor(
    readonly config: ResolvedNodeConfig,
    readonly processor: QueryProcessor,
    private readonly identity: NodeIdentity,
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

  get hostId(): string {
    return this.identity.hostId;
  }

  get tokens(): readonly string[] {
    return this.identity.tokens;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const started = performance.now();
    this.log.info('draining');
    try {
      // Peers hear of the shutdown first and stop counting on us; then clients are drained.
      await this.parts.cluster.close();
      await this.parts.server.close();
      await this.parts.schemaTracker.stop();
      await this.parts.engine.close();
      this.log.info({ ms: Math.round(performance.now() - started) }, 'node stopped');
    } finally {
      this.nodeLog.close();
    }
  }
}
