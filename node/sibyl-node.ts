/**
 * One running node: opens the log, the storage engine and the query processor, writes its
 * `system.local` row, and serves the native protocol. `close()` drains in the reverse order: no new
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
import type { NodeConfig, ResolvedNodeConfig } from './config.js';
import { resolveConfig } from './config.js';
import type { NodeIdentity } from './local-info.js';
import { loadOrCreateIdentity, trackSchemaVersion, writeSystemLocal } from './local-info.js';
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
    await writeSystemLocal(processor, resolved, identity, clock.nowMs());
    const schemaTracker = trackSchemaVersion(processor, log);
    const server = await NativeServer.listen(
      processor,
      { host: resolved.rpcAddress, port: resolved.nativePort, limits: resolved.nativeTransport },
      nodeLog.logger.child({ component: 'native' }),
    );
    const node = new RunningNode(resolved, processor, identity, engine, server, schemaTracker, nodeLog, log);
    log.info(
      { address: node.address, port: node.port, hostId: identity.hostId },
      'native transport listening',
    );
    return node;
  } catch (error) {
    log.error({ err: error }, 'node failed to start');
    await engine?.close({ flush: false }).catch(() => {});
    nodeLog.close();
    throw error;
  }
}

class RunningNode implements SibylNode {
  private closing: Promise<void> | undefined;
  readonly address: string;
  readonly port: number;

  constructor(
    readonly config: ResolvedNodeConfig,
    readonly processor: QueryProcessor,
    private readonly identity: NodeIdentity,
    private readonly engine: StorageEngine,
    private readonly server: NativeServer,
    private readonly schemaTracker: { stop(): Promise<void> },
    private readonly nodeLog: NodeLog,
    private readonly log: Logger,
  ) {
    this.address = server.address.address;
    this.port = server.address.port;
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
      await this.server.close();
      await this.schemaTracker.stop();
      await this.engine.close();
      this.log.info({ ms: Math.round(performance.now() - started) }, 'node stopped');
    } finally {
      this.nodeLog.close();
    }
  }
}
