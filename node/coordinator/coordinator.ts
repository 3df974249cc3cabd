/**
 * The coordinator (Cassandra's StorageProxy): the `DataStore` the query processor of every node runs
 * on. Tables of LocalStrategy keyspaces (system, system_schema, the virtual ones) go straight to the
 * local engine; every other table's writes, reads and range reads go to the replicas the keyspace's
 * strategy places on the ring, at the request's consistency level.
 *
 * Start-up order: the query processor needs a store before the schema exists, and messaging and
 * gossip start after the processor; so the coordinator is created first and told of the schema
 * (`attachSchema`) and of the cluster (`attachCluster`) as they come. Until the cluster is attached
 * the ring is empty and nobody is alive: replicated tables answer Unavailable, system tables work.
 */

import { coordinatorDefaults } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import { logger } from '../../common/logger.js';
import type { WriteType } from '../../cql/errors.js';
import { TruncateError, UnavailableError } from '../../cql/errors.js';
import type { DataStore, ReadOptions, WriteOptions } from '../../cql/executor/data-store.js';
import type { SchemaView } from '../../cql/schema/index.js';
import type { HostId } from '../../ring/endpoint.js';
import { TokenMetadata } from '../../ring/token-metadata.js';
import type { ClusteringSlice, DecoratedKey, Mutation, Partition } from '../../storage/model.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { ScanRange } from '../../storage/table-store.js';
import type { MessagingService } from '../messaging/index.js';
import type { Scheduler } from '../sim/scheduler.js';
import { systemScheduler } from '../sim/scheduler.js';
import type { ConsistencyLevel } from './consistency.js';
import type { CoordinatorContext, CoordinatorMetrics, CoordinatorOptions } from './context.js';
import { newCoordinatorMetrics } from './context.js';
import type { HintSink } from './hint-sink.js';
import { noHints } from './hint-sink.js';
import { EndpointScores } from './latency.js';
import { RangeReadPath } from './range-read.js';
import { ReadPath } from './read-path.js';
import { ReplicaClient } from './replica-client.js';
import { registerReplicaHandlers, unregisterReplicaHandlers } from './replica-handlers.js';
import type { ClusterState } from './replica-plan.js';
import { ReplicaPlanner } from './replica-plan.js';
import { TableCatalog } from './table-catalog.js';
import { WritePath } from './write-path.js';

/** What the coordinator offers a logged batch: the checks and writes it runs between batchlog steps. */
export interface LoggedBatchWrites {
  /** Throws UnavailableError when a mutation has too few live replicas for `consistency`. */
  checkAvailable(mutations: readonly Mutation[], consistency: ConsistencyLevel): void;
  /** Writes every mutation at `consistency`; a timeout reports `writeType`. */
  writeEach(
    mutations: readonly Mutation[],
    consistency: ConsistencyLevel,
    writeType: WriteType,
  ): Promise<void>;
}

/**
 * The seam for LOGGED batches (node/batchlog/'s `writeLoggedBatch` fits it): the batch is stored in
 * the batchlog of other nodes before its mutations are written and removed after, so a coordinator
 * dying half-way does not split it. Without one, a LOGGED batch is written like an UNLOGGED one (a
 * timeout still reports writeType BATCH).
 */
export interface Batchlog {
  writeLogged(
    mutations: readonly Mutation[],
    consistency: ConsistencyLevel,
    writes: LoggedBatchWrites,
  ): Promise<void>;
}

export interface CoordinatorDeps {
  readonly engine: StorageEngine;
  readonly scheduler?: Scheduler;
  readonly hints?: HintSink;
  readonly batchlog?: Batchlog;
  readonly options?: Partial<CoordinatorOptions>;
  readonly log?: Logger;
}

export interface ClusterAttachment {
  /** Ring and liveness: gossip's `ClusterView`, or a test's fixed ring. */
  readonly cluster: ClusterState;
  readonly messaging: MessagingService;
  /** This node's host id: the local replica whenever the ring names it. */
  readonly hostId: HostId;
  /** This node's data center (LOCAL_* levels count it). */
  readonly dataCenter: string;
}

const NOT_JOINED: ClusterState = { ring: TokenMetadata.empty(), isAlive: () => false };

export class Coordinator implements DataStore {
  readonly metrics: CoordinatorMetrics = newCoordinatorMetrics();
  readonly options: CoordinatorOptions;
  private readonly ctx: CoordinatorContext;
  private readonly writes: WritePath;
  private readonly reads: ReadPath;
  private readonly ranges: RangeReadPath;
  private readonly catalog: TableCatalog;
  private batchlog: Batchlog | undefined;
  private clusterState: ClusterState = NOT_JOINED;
  private messaging: MessagingService | undefined;

  constructor(deps: CoordinatorDeps) {
    this.options = { ...coordinatorDefaults, ...deps.options };
    const scheduler = deps.scheduler ?? systemScheduler;
    const scores = new EndpointScores(this.options.latencyScoreAlpha);
    this.catalog = new TableCatalog(this.options.latencySamplesPerTable);
    this.batchlog = deps.batchlog;
    const planner = new ReplicaPlanner(scores);
    const client = new ReplicaClient({
      engine: deps.engine,
      localHostId: () => planner.localHostId,
      scheduler,
      scores,
      messaging: () => this.messaging,
      ring: () => this.clusterState.ring,
    });
    this.ctx = {
      engine: deps.engine,
      catalog: this.catalog,
      planner,
      client,
      scheduler,
      hints: deps.hints ?? noHints,
      options: this.options,
      metrics: this.metrics,
      log: deps.log ?? logger('coordinator'),
      cluster: () => this.clusterState,
    };
    this.writes = new WritePath(this.ctx);
    this.reads = new ReadPath(this.ctx);
    this.ranges = new RangeReadPath(this.ctx);
  }

  /** The hints service, once it runs (until then hints are dropped; ANY still counts them). */
  attachHints(hints: HintSink): void {
    this.ctx.hints = hints;
  }

  /** The batchlog, once it runs (until then a LOGGED batch is written as an UNLOGGED one). */
  attachBatchlog(batchlog: Batchlog): void {
    this.batchlog = batchlog;
  }

  /** The schema tables are resolved through (the query processor's, once it is open). */
  attachSchema(schema: SchemaView): void {
    this.catalog.attach(schema);
  }

  /**
   * This node's identity, the ring and liveness, and messaging, once the node has them; also installs
   * the replica side of the coordinator's verbs on `messaging`.
   */
  attachCluster(attachment: ClusterAttachment): void {
    const { cluster, messaging, hostId, dataCenter } = attachment;
    this.ctx.planner.identify(hostId, dataCenter);
    this.clusterState = cluster;
    this.serveReplicas(messaging);
  }

  /**
   * Answers the replica verbs (MUTATION, READ_REPAIR, READ, READ_DIGEST, RANGE, TRUNCATE) on
   * `messaging` from the local engine; as soon as messaging listens, before the node has joined.
   */
  serveReplicas(messaging: MessagingService): void {
    if (this.messaging === messaging) return;
    this.messaging = messaging;
    registerReplicaHandlers(messaging, this.ctx.engine, {
      maxRangePartitions: this.options.maxRangeResponsePartitions,
      maxRangeResponseBytes: this.options.rangeResponseMaxBytes,
    });
  }

  /** Stops answering replica verbs (before storage closes) and forgets the cluster. */
  detachCluster(): void {
    if (this.messaging) unregisterReplicaHandlers(this.messaging);
    this.messaging = undefined;
    this.clusterState = NOT_JOINED;
  }

  apply(mutations: readonly Mutation[], options: WriteOptions): Promise<void> {
    if (options.batchType === 'logged' && this.batchlog && mutations.length > 1 && !options.counter) {
      return this.batchlog.writeLogged(mutations, options.consistency, {
        checkAvailable: (batch, level) => this.writes.checkAvailable(batch, level),
        writeEach: (batch, level, writeType) =>
          this.writes.writeEach(batch, level, options.durable, writeType),
      });
    }
    return this.writes.apply(mutations, options);
  }

  /**
   * A counter leader's replication step (node/counters/ `ReplicateShards`): writes the shard mutation
   * the leader (this node) just applied to the other replicas, its own write counting as one
   * acknowledgement toward `consistency`; write type COUNTER, hints for the down and the silent.
   */
  replicateCounterShard(shard: Mutation, consistency: ConsistencyLevel, durable: boolean): Promise<void> {
    return this.writes.replicateCounterShard(shard, consistency, durable);
  }

  read(
    tableId: string,
    key: DecoratedKey,
    slice: ClusteringSlice,
    options: ReadOptions,
  ): Promise<Partition | null> {
    const context = this.catalog.get(tableId);
    if (context === undefined || this.ctx.planner.replication(context.keyspace).local) {
      return this.ctx.engine.read(tableId, key, slice);
    }
    return this.reads.read(context, key, slice, options.consistency);
  }

  scan(tableId: string, range: ScanRange, options: ReadOptions): AsyncGenerator<Partition> {
    const context = this.catalog.get(tableId);
    if (context === undefined || this.ctx.planner.replication(context.keyspace).local) {
      return this.ctx.engine.scan(tableId, range);
    }
    return this.ranges.scan(context, range, options.consistency);
  }

  /**
   * TRUNCATE, as Cassandra's StorageProxy.truncateBlocking: every member of the ring must be up
   * (Unavailable at ALL otherwise, before anything is truncated), and each truncates its copy.
   */
  async truncate(tableId: string): Promise<void> {
    const context = this.catalog.get(tableId);
    if (context === undefined || this.ctx.planner.replication(context.keyspace).local) {
      await this.ctx.engine.truncate(tableId);
      return;
    }
    const cluster = this.clusterState;
    const { planner, client } = this.ctx;
    const members = new Set<HostId>(cluster.ring.normalEndpoints());
    members.add(planner.localHostId);
    const live = [...members].filter((member) => planner.isAlive(cluster, member));
    if (live.length < members.size) {
      this.metrics.unavailables++;
      throw new UnavailableError('ALL', members.size, live.length);
    }
    const timeoutMs = this.options.truncateRequestTimeoutMs;
    let responses = 0;
    const results = await Promise.allSettled(
      live.map((member) => client.truncate(member, tableId, timeoutMs).then(() => void responses++)),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed === undefined) return;
    const reason = failed.reason as { code?: string; message?: string };
    if (reason.code === 'MESSAGE_TIMEOUT')
      throw new TruncateError(`Truncate timed out - received only ${responses} responses`);
    throw new TruncateError(`Error during truncate: ${reason.message ?? String(failed.reason)}`, {
      cause: failed.reason,
    });
  }
}
