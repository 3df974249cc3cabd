/**
 * Every limit and default of Sibyl in one place (STYLE.md §6). Names follow cassandra.yaml where
 * one exists. Units go last in the name. `checkLimits` asserts the relations between them at start.
 */
import { getHeapStatistics } from 'node:v8';

export const MiB = 1024 * 1024;
export const KiB = 1024;

export const storageDefaults = {
  /** commitlog_segment_size: size at which a commit log segment is closed and a new one started. */
  commitlogSegmentSizeBytes: 32 * MiB,
  /** commitlog_sync: periodic | batch | group. */
  commitlogSync: 'periodic' as 'periodic' | 'batch' | 'group',
  /** commitlog_sync_period: fsync interval in periodic mode (acknowledged before fsync). */
  commitlogSyncPeriodMs: 10_000,
  /** commitlog_sync_group_window: fsync window in group mode (acknowledged after fsync). */
  commitlogSyncGroupWindowMs: 15,
  /** max_mutation_size: half a segment, as Cassandra. */
  maxMutationSizeBytes: 16 * MiB,
  /**
   * A table's memtable is flushed when it holds this much. Cassandra gives memtables a quarter of
   * the heap (memtable_heap_space) and flushes at memtable_cleanup_threshold (0.33) of that space;
   * so does Sibyl, from the V8 heap limit.
   */
  memtableFlushThresholdBytes: Math.floor((getHeapStatistics().heap_size_limit / 4) * 0.33),
  /** SSTable data is cut into chunks of this many uncompressed bytes, each checksummed (small for random reads). */
  sstableChunkSizeBytes: 16 * KiB,
  /**
   * file_cache_size: verified, decompressed SSTable chunks cached in memory, shared by all tables.
   * Cassandra's default is min(512 MiB, heap / 4); filled on demand, so small nodes use little.
   */
  chunkCacheSizeBytes: 512 * MiB,
  /**
   * One index entry in this many is kept in the in-memory summary. Cassandra's min_index_interval is
   * 128, but Cassandra also keeps a key cache; Sibyl has none yet, so its summary is denser (a lookup
   * scans at most this many index entries; measured: 128 → 32 took warm random gets from 130k to 190k/s).
   */
  sstableIndexSummaryInterval: 32,
  /** bloom_filter_fp_chance. */
  bloomFilterFalsePositiveChance: 0.01,
  /** Size-tiered compaction thresholds. */
  compactionMinThreshold: 4,
  compactionMaxThreshold: 32,
  /** STCS buckets: SSTables within [avg*bucketLow, avg*bucketHigh] share a bucket. */
  compactionBucketLow: 0.5,
  compactionBucketHigh: 1.5,
  /** SSTables smaller than this are all put in the first bucket. */
  compactionMinSSTableSizeBytes: 50 * MiB,
  /** gc_grace_seconds default (10 days). */
  gcGraceSeconds: 864_000,
  tombstoneWarnThreshold: 1_000,
  tombstoneFailureThreshold: 100_000,
  /** compaction_large_partition_warning_threshold. */
  largePartitionWarningBytes: 100 * MiB,
  /** Memtable flushes (sorting, compressing, checksumming) run in a worker thread, off the event loop. */
  flushInWorkerThread: true as boolean,
  /** Work done in one synchronous stretch before yielding to the event loop. */
  yieldEveryRows: 2_000,
} as const;

/** Bounds on CQL text the parser accepts, so no statement can exhaust the stack, memory or time. */
export const cqlLimits = {
  /** Longest statement text (UTF-8 bytes) parsed; the native protocol's frames are at most 16 MiB too. */
  maxStatementLengthBytes: 16 * MiB,
  /** Longest script (`sibyl shell -f`, `parseScript`); each statement in it is bounded as above. */
  maxScriptLengthBytes: 256 * MiB,
  /** Deepest nesting of terms, selectors, types and parenthesised relations (recursion bound). */
  maxNestingDepth: 64,
} as const;

export type StorageOptions = {
  -readonly [K in keyof typeof storageDefaults]: (typeof storageDefaults)[K] extends number
    ? number
    : (typeof storageDefaults)[K];
};

/** Asserts the relations between limits; called once when a node starts. */
export function checkLimits(options: StorageOptions): void {
  const fail = (message: string): never => {
    throw new Error(`invalid limits: ${message}`);
  };
  if (options.maxMutationSizeBytes * 2 > options.commitlogSegmentSizeBytes) {
    fail('max_mutation_size must be at most half of commitlog_segment_size');
  }
  if (options.compactionMinThreshold < 2) fail('compaction min_threshold must be at least 2');
  if (options.compactionMaxThreshold < options.compactionMinThreshold) {
    fail('compaction max_threshold must be at least min_threshold');
  }
  if (options.tombstoneFailureThreshold < options.tombstoneWarnThreshold) {
    fail('tombstone_failure_threshold must be at least tombstone_warn_threshold');
  }
  if (!(options.bloomFilterFalsePositiveChance > 0 && options.bloomFilterFalsePositiveChance < 1)) {
    fail('bloom_filter_fp_chance must be between 0 and 1');
  }
  if (options.sstableChunkSizeBytes < 4 * KiB || options.sstableChunkSizeBytes > 16 * MiB) {
    fail('sstable chunk size must be between 4 KiB and 16 MiB');
  }
}

export function storageOptions(overrides: Partial<StorageOptions> = {}): StorageOptions {
  const options = { ...storageDefaults, ...overrides } as StorageOptions;
  checkLimits(options);
  return options;
}

/** The native protocol server (cassandra.yaml's native_transport_* names where they exist). */
export const nativeTransportDefaults = {
  /** native_transport_port. */
  nativePort: 9042,
  /**
   * native_transport_max_frame_size: longest frame body accepted. Cassandra 4.1 defaults to 16 MiB;
   * the protocol's own cap (spec 2.5) is 256 MiB and no setting may exceed it.
   */
  maxFrameBodyBytes: 16 * MiB,
  /** The protocol's hard cap on a frame body (spec 2.5). */
  maxFrameBodyCapBytes: 256 * MiB,
  /**
   * Requests one connection may have in flight before the server stops reading its socket
   * (backpressure). v4 drivers use at most 2048 streams per connection by default.
   */
  maxConcurrentRequestsPerConnection: 1024,
  /**
   * native_transport_max_concurrent_requests_in_bytes, applied per connection: request bytes in
   * flight before the server stops reading the socket.
   */
  maxConcurrentRequestBytesPerConnection: 64 * MiB,
  /** native_transport_max_concurrent_connections (-1: unlimited, as Cassandra's default). */
  maxConnections: -1,
  /** How long a drain waits for in-flight requests before closing connections anyway. */
  drainTimeoutMs: 10_000,
} as const;

/** Cluster identity defaults (cassandra.yaml and cassandra-rackdc.properties). */
export const nodeDefaults = {
  clusterName: 'Test Cluster',
  dataCenter: 'datacenter1',
  rack: 'rack1',
  numTokens: 16,
  storagePort: 7000,
  adminPort: 7199,
} as const;

/**
 * Internode messaging (node/messaging/; cassandra.yaml's internode_* and *_request_timeout names
 * where they exist). `checkMessagingLimits` asserts their relations when a MessagingService starts.
 */
export const messagingDefaults = {
  /** storage_port: internode TCP. */
  storagePort: 7000,
  /** Largest frame (header + body) sent or accepted; a bigger incoming one closes its connection. */
  maxFrameBytes: 16 * MiB,
  /**
   * Bytes queued for one peer and not yet handed to its socket (internode_application_send_queue
   * reserve, per endpoint). Past it `send` and `request` fail with MESSAGING_QUEUE_FULL.
   */
  maxQueuedBytesPerPeer: 64 * MiB,
  /** Requests awaiting a response, across all peers; past it `request` fails with MESSAGING_OVERLOADED. */
  maxPendingRequests: 131_072,
  /** Inbound requests one connection may have in its handlers before its socket is no longer read. */
  maxInFlightRequestsPerConnection: 4_096,
  /** Response bytes one inbound connection may hold unwritten before its socket is no longer read. */
  maxUnwrittenResponseBytesPerConnection: 16 * MiB,
  /** internode_tcp_connect_timeout. */
  connectTimeoutMs: 2_000,
  /** Reconnection backoff: base doubles per failed attempt up to the maximum, with jitter. */
  reconnectBaseDelayMs: 100,
  reconnectMaxDelayMs: 10_000,
  /** internode_timeout: a request older than its timeout when it arrives is dropped, not executed. */
  dropExpiredRequests: true as boolean,
  /** Per-verb timeouts, by class (cassandra.yaml *_request_timeout defaults). */
  writeRequestTimeoutMs: 2_000,
  /** counter_write_request_timeout: a counter update's leader step and its replication. */
  counterWriteRequestTimeoutMs: 5_000,
  readRequestTimeoutMs: 5_000,
  rangeRequestTimeoutMs: 10_000,
  truncateRequestTimeoutMs: 60_000,
  /** request_timeout: everything without a class of its own (schema, echo, repair, streaming). */
  requestTimeoutMs: 10_000,
  gossipTimeoutMs: 1_000,
} as const;

/**
 * The coordinator (node/coordinator/). Its timeouts are cassandra.yaml's *_request_timeout (the same
 * defaults as messaging's verb classes; a node's YAML sets both).
 */
export const coordinatorDefaults = {
  /** write_request_timeout: a write (and a blocking read repair) waits this long for acknowledgements. */
  writeRequestTimeoutMs: messagingDefaults.writeRequestTimeoutMs,
  /**
   * counter_write_request_timeout: a counter write waits this long for its leader replica, which
   * applies the update and replicates its shard before answering (COUNTER_MUTATION_REQ).
   */
  counterWriteRequestTimeoutMs: messagingDefaults.counterWriteRequestTimeoutMs,
  /** read_request_timeout: a single-partition read waits this long for its replicas. */
  readRequestTimeoutMs: messagingDefaults.readRequestTimeoutMs,
  /** range_request_timeout: one round of a range read waits this long. */
  rangeRequestTimeoutMs: messagingDefaults.rangeRequestTimeoutMs,
  /** truncate_request_timeout. */
  truncateRequestTimeoutMs: messagingDefaults.truncateRequestTimeoutMs,
  /** Partitions a coordinator asks of a replica per RANGE_REQ round (rounds follow as pages are read). */
  rangeRequestPartitions: 100,
  /** Most partitions a replica returns in one RANGE_RSP, whatever was asked. */
  maxRangeResponsePartitions: 10_000,
  /** A replica stops adding partitions to a RANGE_RSP past this many bytes (well below a frame). */
  rangeResponseMaxBytes: 4 * MiB,
  /** Weight of a new response time in an endpoint's latency score (an EWMA, the dynamic snitch's role). */
  latencyScoreAlpha: 0.25,
  /** Replica response times kept per table; speculative_retry's percentile is taken over them. */
  latencySamplesPerTable: 256,
  /** Samples a table needs before its percentile is used; before that a read speculates at half its timeout. */
  minLatencySamples: 16,
} as const;

export type MessagingOptions = {
  -readonly [K in keyof typeof messagingDefaults]: (typeof messagingDefaults)[K] extends number
    ? number
    : (typeof messagingDefaults)[K];
};

/** Asserts the relations between messaging limits. */
export function checkMessagingLimits(options: MessagingOptions): void {
  const fail = (message: string): never => {
    throw new Error(`invalid messaging limits: ${message}`);
  };
  if (options.maxFrameBytes < 1 * KiB) fail('max frame size must be at least 1 KiB');
  if (options.maxFrameBytes > 0xffff_ffff) fail('max frame size must fit the 32-bit length prefix');
  if (options.maxQueuedBytesPerPeer < options.maxFrameBytes) {
    fail('the per-peer queue must hold at least one frame of the largest size');
  }
  if (options.maxPendingRequests < 1 || options.maxPendingRequests > 0x7fff_ffff) {
    fail('max pending requests must be between 1 and 2^31-1 (request ids are 32-bit)');
  }
  if (options.reconnectBaseDelayMs <= 0 || options.reconnectMaxDelayMs < options.reconnectBaseDelayMs) {
    fail('reconnect delays must be positive, the maximum at least the base');
  }
}

export function messagingOptions(overrides: Partial<MessagingOptions> = {}): MessagingOptions {
  const options = { ...messagingDefaults, ...overrides } as MessagingOptions;
  checkMessagingLimits(options);
  return options;
}

/**
 * Hinted handoff (storage/hints/, node/hints/; cassandra.yaml's names). `checkHintsLimits` asserts
 * their relations when a hints store opens.
 */
export const hintsDefaults = {
  /** hinted_handoff_enabled. */
  hintedHandoffEnabled: true as boolean,
  /** max_hint_window: no hint is stored for a replica that has been down longer than this (3 h). */
  maxHintWindowMs: 3 * 3_600_000,
  /**
   * hinted_handoff_throttle (1024 KiB/s): replay bytes per second towards one replica, divided by the
   * number of other nodes in the ring (every node replays to it at once); 0 means unthrottled.
   */
  hintedHandoffThrottleBytesPerSecond: 1024 * KiB,
  /** max_hints_file_size: a hints file is rolled before it would exceed this. */
  maxHintsFileSizeBytes: 128 * MiB,
  /** hints_flush_period: fsync interval of written hints. */
  hintsFlushPeriodMs: 10_000,
  /** How often live replicas with pending hints are looked for (Cassandra's dispatch trigger, 10 s). */
  hintsDispatchIntervalMs: 10_000,
  /** max_hints_delivery_threads: targets replayed at the same time. */
  maxHintsDeliveryThreads: 2,
  /** Hints of one replay awaiting their replica's answer at once (order of sending is file order). */
  maxHintsInFlightPerDelivery: 32,
  /**
   * Encoded hints buffered and not yet written (Cassandra's 32 MiB hints buffer); past it new hints
   * are dropped as overloaded instead of queuing without bound.
   */
  maxBufferedHintBytes: 32 * MiB,
  /** Bytes read from a hints file at once during replay. */
  hintsReadChunkBytes: 1 * MiB,
} as const;

export type HintsOptions = {
  -readonly [K in keyof typeof hintsDefaults]: (typeof hintsDefaults)[K] extends number
    ? number
    : (typeof hintsDefaults)[K];
};

/** Asserts the relations between hints limits; `maxRecordSizeBytes` is the largest hint record. */
export function checkHintsLimits(options: HintsOptions, maxRecordSizeBytes: number): void {
  const fail = (message: string): never => {
    throw new Error(`invalid hints limits: ${message}`);
  };
  if (options.maxHintsFileSizeBytes < maxRecordSizeBytes + 64)
    fail('max_hints_file_size must hold at least one hint of max_mutation_size');
  if (options.maxBufferedHintBytes < maxRecordSizeBytes)
    fail('the hints buffer must hold at least one hint of max_mutation_size');
  if (!(options.maxHintWindowMs >= 0)) fail('max_hint_window must not be negative');
  if (!(options.hintedHandoffThrottleBytesPerSecond >= 0))
    fail('hinted_handoff_throttle must not be negative');
  if (!(options.hintsFlushPeriodMs > 0)) fail('hints_flush_period must be positive');
  if (!(options.hintsDispatchIntervalMs > 0)) fail('the hints dispatch interval must be positive');
  if (!(options.maxHintsDeliveryThreads >= 1)) fail('max_hints_delivery_threads must be at least 1');
  if (!(options.maxHintsInFlightPerDelivery >= 1)) fail('hints in flight per delivery must be at least 1');
  if (options.hintsReadChunkBytes < 4 * KiB) fail('the hints read chunk must be at least 4 KiB');
}

export function hintsOptions(overrides: Partial<HintsOptions> = {}): HintsOptions {
  return { ...hintsDefaults, ...overrides } as HintsOptions;
}

/**
 * Joining and leaving the ring (node/streaming/): bootstrap, decommission, removenode and the range
 * streaming they do. Cassandra's names where it has them (ring_delay_ms is its
 * -Dcassandra.ring_delay_ms; stream_throughput_outbound its yaml property).
 */
export const streamingDefaults = {
  /**
   * ring_delay_ms: how long a node waits after announcing BOOT or LEAVING (so every peer has
   * computed the pending ranges and sends it writes) and after LEFT (so the news spreads).
   * Cassandra's 30 s; `sibyl cluster` writes 2 s and tests use less.
   */
  ringDelayMs: 30_000,
  /** How long a joining node waits for the ring and for schema agreement with its live peers. */
  schemaAgreementTimeoutMs: 60_000,
  /** Encoded partitions in one STREAM_CHUNK_RSP (bounded well under messagingDefaults.maxFrameBytes). */
  batchBytes: 1 * MiB,
  /**
   * stream_throughput_outbound: bytes per second a node sends to all its stream sessions together
   * (Cassandra's 24 MiB/s); 0 means unthrottled.
   */
  throughputBytesPerSecond: 24 * MiB,
  /** A source session nobody pulled from for this long is closed (its receiver died or gave up). */
  sessionIdleTimeoutMs: 60_000,
  /** Timeout of one STREAM_* request (a chunk is read, encoded and throttled within it). */
  requestTimeoutMs: 30_000,
  /** A LEFT or removed status expires after this long (Gossiper.aVeryLongTime: 3 days). */
  deadStateExpiryMs: 3 * 86_400_000,
} as const;

export type StreamingOptions = {
  -readonly [K in keyof typeof streamingDefaults]: number;
};

/** Streaming limits with overrides, their relations checked (STYLE.md §6). */
export function streamingOptions(overrides: Partial<StreamingOptions> = {}): StreamingOptions {
  const options = { ...streamingDefaults, ...overrides };
  const fail = (message: string): never => {
    throw new Error(`invalid streaming limits: ${message}`);
  };
  if (!(options.ringDelayMs >= 0)) fail('ring_delay_ms must not be negative');
  if (!(options.batchBytes >= 4 * KiB)) fail('a stream batch must be at least 4 KiB');
  // A batch plus the frame's own overhead must fit one internode frame.
  if (options.batchBytes > messagingDefaults.maxFrameBytes / 2)
    fail('a stream batch must be at most half the largest internode frame');
  if (!(options.throughputBytesPerSecond >= 0)) fail('stream_throughput_outbound must not be negative');
  if (!(options.sessionIdleTimeoutMs > options.requestTimeoutMs))
    fail('an idle source session must outlive one stream request');
  return options;
}

/**
 * The batchlog (node/batchlog/; cassandra.yaml's names where they exist). `checkBatchlogLimits`
 * asserts their relations when a batchlog service starts.
 */
export const batchlogDefaults = {
  /**
   * batchlog_replay_throttle (1024 KiB/s): mutation bytes replayed per second, divided by the number
   * of endpoints in the ring (as Cassandra, in whole KiB: a share under 1 KiB means unthrottled); 0: unthrottled.
   */
  batchlogReplayThrottleBytesPerSecond: 1024 * KiB,
  /** BatchlogManager.REPLAY_INTERVAL: pause between two replay rounds (10 s; not a cassandra.yaml property). */
  batchlogReplayIntervalMs: 10_000,
  /** The first round starts this long after the node (Cassandra waits RING_DELAY, 30 s, to know the ring). */
  batchlogReplayInitialDelayMs: 30_000,
  /**
   * A batch older than this is replayed (cassandra.batchlog.replay_timeout_in_ms); null: twice the
   * write_request_timeout, as BatchlogManager.getBatchlogTimeout (enough for the writes and the removal).
   */
  batchlogReplayTimeoutMs: null as number | null,
  /** Batches replayed before waiting for their writes (BatchlogManager.DEFAULT_PAGE_SIZE). */
  batchlogReplayPageSize: 128,
  /** Mutation bytes replayed before waiting for their writes (the 4 MiB of calculatePageSize). */
  batchlogReplayPageBytes: 4 * MiB,
} as const;

export type BatchlogOptions = {
  -readonly [K in keyof typeof batchlogDefaults]: (typeof batchlogDefaults)[K] extends number
    ? number
    : (typeof batchlogDefaults)[K];
};

/** Asserts the relations between batchlog limits. */
export function checkBatchlogLimits(options: BatchlogOptions): void {
  const fail = (message: string): never => {
    throw new Error(`invalid batchlog limits: ${message}`);
  };
  if (!(options.batchlogReplayThrottleBytesPerSecond >= 0))
    fail('batchlog_replay_throttle must not be negative');
  if (!(options.batchlogReplayIntervalMs > 0)) fail('the batchlog replay interval must be positive');
  if (!(options.batchlogReplayInitialDelayMs >= 0))
    fail('the first batchlog replay delay must not be negative');
  if (options.batchlogReplayTimeoutMs !== null && !(options.batchlogReplayTimeoutMs > 0))
    fail('the batchlog replay timeout must be positive');
  if (!(options.batchlogReplayPageSize >= 1)) fail('the batchlog replay page size must be at least 1');
  if (!(options.batchlogReplayPageBytes >= 1)) fail('the batchlog replay page bytes must be at least 1');
}

export function batchlogOptions(overrides: Partial<BatchlogOptions> = {}): BatchlogOptions {
  const options = { ...batchlogDefaults, ...overrides } as BatchlogOptions;
  checkBatchlogLimits(options);
  return options;
}
