/**
 * What the write, read and range paths share: the local engine, the replica planner and client, the
 * scheduler (time and timers, injected), the hint sink, the options and the counters.
 */
import type { Logger } from '../../common/logger.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { HintSink } from './hint-sink.js';
import type { ReplicaClient } from './replica-client.js';
import type { ClusterState, ReplicaPlanner } from './replica-plan.js';
import type { TableCatalog } from './table-catalog.js';

export interface CoordinatorOptions {
  /** write_request_timeout: how long a write (and a read repair) waits for acknowledgements. */
  readonly writeRequestTimeoutMs: number;
  /** counter_write_request_timeout: how long a counter write waits for its (remote) leader replica. */
  readonly counterWriteRequestTimeoutMs: number;
  /** read_request_timeout: how long a single-partition read waits for its replicas. */
  readonly readRequestTimeoutMs: number;
  /** range_request_timeout: how long one round of a range read waits. */
  readonly rangeRequestTimeoutMs: number;
  /** truncate_request_timeout. */
  readonly truncateRequestTimeoutMs: number;
  /** Partitions asked of a replica per RANGE_REQ. */
  readonly rangeRequestPartitions: number;
  /** Most partitions this node returns in one RANGE_RSP, whatever was asked. */
  readonly maxRangeResponsePartitions: number;
  /** A RANGE_RSP stops adding partitions past this many bytes. */
  readonly rangeResponseMaxBytes: number;
  /** EWMA weight of a new sample in an endpoint's latency score. */
  readonly latencyScoreAlpha: number;
  /** Replica response times kept per table for speculative retry. */
  readonly latencySamplesPerTable: number;
  /** Samples a table needs before its percentile is used (before: half the read timeout). */
  readonly minLatencySamples: number;
}

/** Counters (for the admin endpoint and tests). */
export interface CoordinatorMetrics {
  writes: number;
  reads: number;
  rangeReads: number;
  unavailables: number;
  writeTimeouts: number;
  readTimeouts: number;
  writeFailures: number;
  readFailures: number;
  hintsStored: number;
  digestMismatches: number;
  readRepairsSent: number;
  speculativeRetries: number;
}

export function newCoordinatorMetrics(): CoordinatorMetrics {
  return {
    writes: 0,
    reads: 0,
    rangeReads: 0,
    unavailables: 0,
    writeTimeouts: 0,
    readTimeouts: 0,
    writeFailures: 0,
    readFailures: 0,
    hintsStored: 0,
    digestMismatches: 0,
    readRepairsSent: 0,
    speculativeRetries: 0,
  };
}

export interface CoordinatorContext {
  readonly engine: StorageEngine;
  readonly catalog: TableCatalog;
  readonly planner: ReplicaPlanner;
  readonly client: ReplicaClient;
  readonly scheduler: Scheduler;
  /** Replaced once the hints service runs (`Coordinator.attachHints`). */
  hints: HintSink;
  readonly options: CoordinatorOptions;
  readonly metrics: CoordinatorMetrics;
  readonly log: Logger;
  /** The ring and liveness now (an empty ring with nobody alive until the node joins). */
  cluster(): ClusterState;
}
