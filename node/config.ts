/**
 * A node's configuration: what `startNode` takes, its defaults, and the YAML file (`--config
 * sibyl.yaml`) read with cassandra.yaml's property names. Unknown properties and bad values stop
 * start-up with a message naming them (Cassandra's ConfigurationException), never silently.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { SibylError } from '../common/errors.js';
import type { BatchlogOptions, HintsOptions, StorageOptions, StreamingOptions } from '../common/limits.js';
import {
  batchlogOptions,
  coordinatorDefaults,
  hintsDefaults,
  KiB,
  MiB,
  nativeTransportDefaults,
  nodeDefaults,
  storageDefaults,
  streamingOptions,
} from '../common/limits.js';
import { parseToken, type Token } from '../ring/token.js';
import { hintsDirectory } from '../storage/directories.js';
import type { CoordinatorOptions } from './coordinator/context.js';
import { gossipDefaults } from './gossip/gossip-defaults.js';

export interface NativeTransportOptions {
  maxFrameBodyBytes: number;
  maxConcurrentRequestsPerConnection: number;
  maxConcurrentRequestBytesPerConnection: number;
  /** -1: unlimited. */
  maxConnections: number;
  drainTimeoutMs: number;
}

/** Hinted handoff (node/hints/): the limits of `hintsDefaults` plus where the files live. */
export interface HintsConfig extends HintsOptions {
  /** hints_directory (default: DATA_DIR/hints). */
  hintsDirectory: string;
}

/** What `startNode` takes; everything but `dataDir` has a default. */
export interface NodeConfig {
  readonly dataDir: string;
  /** Address of this node (default 127.0.0.1); the native server listens on it too. */
  readonly listenAddress?: string;
  /** Address the native server binds (rpc_address; default: listenAddress). */
  readonly rpcAddress?: string;
  /** Address peers see (broadcast_address; default: listenAddress). */
  readonly broadcastAddress?: string;
  /** Address clients are told to use (broadcast_rpc_address; default: rpcAddress). */
  readonly broadcastRpcAddress?: string;
  /** native_transport_port (default 9042; 0 picks a free port, see `SibylNode.port`). */
  readonly nativePort?: number;
  readonly storagePort?: number;
  /** The admin endpoint's HTTP port (default 7199; 0 picks a free port, see `SibylNode.adminPort`). */
  readonly adminPort?: number;
  readonly clusterName?: string;
  readonly dc?: string;
  readonly rack?: string;
  readonly numTokens?: number;
  /** Seed addresses (`ip` or `ip:port`, the port defaulting to ours); none: a cluster of one. */
  readonly seeds?: readonly string[];
  /**
   * phi_convict_threshold (default 8, Cassandra's: ~18 s of silence; half that for a peer whose
   * storage port refuses connections, i.e. a killed process).
   */
  readonly phiConvictThreshold?: number;
  /**
   * auto_bootstrap (default true): a new non-seed node joining a ring streams the data of the
   * ranges it takes before it serves (node/streaming/). `sibyl cluster create` sets it false.
   */
  readonly autoBootstrap?: boolean;
  /** initial_token: this node's tokens, comma-separated (num_tokens of them), instead of allocated ones. */
  readonly initialToken?: string;
  /** allocate_tokens_for_local_replication_factor (default 3): the RF new tokens are balanced for. */
  readonly allocateTokensForLocalReplicationFactor?: number;
  /**
   * cassandra.consistent.rangemovement (default true): a joining node streams each range from the
   * replica that gives it up, and refuses to join beside another node joining or leaving.
   */
  readonly consistentRangeMovement?: boolean;
  /** cassandra.override_decommission: let a decommissioned data directory rejoin. */
  readonly overrideDecommission?: boolean;
  /** ring_delay_ms, stream batch size, stream_throughput_outbound, ... (common/limits.ts). */
  readonly streaming?: Partial<StreamingOptions>;
  /** batchlog_replay_throttle and the batchlog's replay timing (common/limits.ts, node/batchlog/). */
  readonly batchlog?: Partial<BatchlogOptions>;
  readonly storage?: Partial<StorageOptions>;
  readonly nativeTransport?: Partial<NativeTransportOptions>;
  /** hinted_handoff_enabled, max_hint_window, hinted_handoff_throttle, hints_directory, ... */
  readonly hints?: Partial<HintsConfig>;
  /** write_request_timeout, read_request_timeout, range_request_timeout, ... (node/coordinator/). */
  readonly coordinator?: Partial<CoordinatorOptions>;
  /** pino level (default: SIBYL_LOG_LEVEL or 'info'). */
  readonly logLevel?: string;
  /** Where logs go: DATA_DIR/logs/system.log (default on), a readable copy on stdout (default off). */
  readonly logToFile?: boolean;
  readonly logToStdout?: boolean;
}

export interface ResolvedNodeConfig {
  readonly dataDir: string;
  readonly listenAddress: string;
  readonly rpcAddress: string;
  readonly broadcastAddress: string;
  readonly broadcastRpcAddress: string;
  readonly nativePort: number;
  readonly storagePort: number;
  readonly adminPort: number;
  readonly clusterName: string;
  readonly dc: string;
  readonly rack: string;
  readonly numTokens: number;
  readonly seeds: readonly string[];
  readonly phiConvictThreshold: number;
  readonly autoBootstrap: boolean;
  /** Parsed initial_token; empty when tokens are allocated. */
  readonly initialTokens: readonly Token[];
  readonly allocateTokensForLocalReplicationFactor: number;
  readonly consistentRangeMovement: boolean;
  readonly overrideDecommission: boolean;
  readonly streaming: StreamingOptions;
  readonly batchlog: BatchlogOptions;
  readonly storage: Partial<StorageOptions>;
  readonly nativeTransport: NativeTransportOptions;
  readonly hints: HintsConfig;
  readonly coordinator: CoordinatorOptions;
  readonly logLevel: string;
  readonly logToFile: boolean;
  readonly logToStdout: boolean;
}

/** A configuration property is unknown or has a bad value (Cassandra's ConfigurationException). */
export class NodeConfigError extends SibylError {
  constructor(message: string) {
    super('CONFIGURATION', message);
    this.name = 'ConfigurationException';
  }
}

export function resolveConfig(config: NodeConfig): ResolvedNodeConfig {
  const listenAddress = config.listenAddress ?? '127.0.0.1';
  const rpcAddress = config.rpcAddress ?? listenAddress;
  const resolved: ResolvedNodeConfig = {
    dataDir: config.dataDir,
    listenAddress,
    rpcAddress,
    broadcastAddress: config.broadcastAddress ?? listenAddress,
    broadcastRpcAddress: config.broadcastRpcAddress ?? rpcAddress,
    nativePort: config.nativePort ?? nativeTransportDefaults.nativePort,
    // A node asked for a free native port (tests, embedded) takes a free storage port as well:
    // nobody names it as a seed, and two such nodes on one host must not fight over 7000.
    storagePort: config.storagePort ?? (config.nativePort === 0 ? 0 : nodeDefaults.storagePort),
    adminPort: config.adminPort ?? (config.nativePort === 0 ? 0 : nodeDefaults.adminPort),
    clusterName: config.clusterName ?? nodeDefaults.clusterName,
    dc: config.dc ?? nodeDefaults.dataCenter,
    rack: config.rack ?? nodeDefaults.rack,
    numTokens: config.numTokens ?? (config.initialToken?.trim() ? 1 : nodeDefaults.numTokens),
    seeds: config.seeds ?? [],
    phiConvictThreshold: config.phiConvictThreshold ?? gossipDefaults.phiConvictThreshold,
    autoBootstrap: config.autoBootstrap ?? true,
    initialTokens: initialTokensOf(config),
    allocateTokensForLocalReplicationFactor: config.allocateTokensForLocalReplicationFactor ?? 3,
    consistentRangeMovement: config.consistentRangeMovement ?? true,
    overrideDecommission: config.overrideDecommission ?? false,
    streaming: streamingOptionsOf(config.streaming),
    batchlog: batchlogOptionsOf(config.batchlog),
    storage: config.storage ?? {},
    nativeTransport: { ...nativeTransportDefaults, ...config.nativeTransport },
    hints: { ...hintsDefaults, hintsDirectory: hintsDirectory(config.dataDir), ...config.hints },
    coordinator: { ...coordinatorDefaults, ...config.coordinator },
    logLevel: config.logLevel ?? process.env.SIBYL_LOG_LEVEL ?? 'info',
    logToFile: config.logToFile ?? true,
    logToStdout: config.logToStdout ?? false,
  };
  checkConfig(resolved);
  return resolved;
}

function checkConfig(config: ResolvedNodeConfig): void {
  if (!config.dataDir) throw new NodeConfigError('data_file_directories (--data-dir) must be set');
  for (const [key, value] of [
    ['listen_address', config.listenAddress],
    ['rpc_address', config.rpcAddress],
    ['broadcast_address', config.broadcastAddress],
    ['broadcast_rpc_address', config.broadcastRpcAddress],
  ] as const) {
    if (isIP(value) === 0) throw badValue(key, value, 'an IP address');
  }
  if (config.broadcastRpcAddress === '0.0.0.0' || config.broadcastRpcAddress === '::')
    throw badValue('broadcast_rpc_address', config.broadcastRpcAddress, 'a routable address');
  for (const [key, value] of [
    ['native_transport_port', config.nativePort],
    ['storage_port', config.storagePort],
    ['admin_port', config.adminPort],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw badValue(key, value, 'a port');
  }
  if (!(config.phiConvictThreshold >= 1 && config.phiConvictThreshold <= 32))
    throw badValue('phi_convict_threshold', config.phiConvictThreshold, 'a number between 1 and 32');
  if (!Number.isInteger(config.numTokens) || config.numTokens < 1 || config.numTokens > 1536)
    throw badValue('num_tokens', config.numTokens, 'an integer between 1 and 1536');
  if (config.initialTokens.length > 0 && config.initialTokens.length !== config.numTokens)
    throw new NodeConfigError(
      `The number of initial tokens (by initial_token) specified (${config.initialTokens.length}) is different from num_tokens value (${config.numTokens})`,
    );
  const localRf = config.allocateTokensForLocalReplicationFactor;
  if (!Number.isInteger(localRf) || localRf < 1 || localRf > 16)
    throw badValue('allocate_tokens_for_local_replication_factor', localRf, 'an integer between 1 and 16');
  const frame = config.nativeTransport.maxFrameBodyBytes;
  if (!(frame >= 1024 && frame <= nativeTransportDefaults.maxFrameBodyCapBytes))
    throw badValue('native_transport_max_frame_size', frame, 'between 1KiB and 256MiB');
  if (!(config.nativeTransport.maxConcurrentRequestsPerConnection >= 1))
    throw badValue(
      'native_transport_max_concurrent_requests_per_connection',
      config.nativeTransport.maxConcurrentRequestsPerConnection,
      'at least 1',
    );
  checkHintsConfig(config);
}

function checkHintsConfig(config: ResolvedNodeConfig): void {
  for (const [key, ms] of [
    ['write_request_timeout', config.coordinator.writeRequestTimeoutMs],
    ['read_request_timeout', config.coordinator.readRequestTimeoutMs],
    ['range_request_timeout', config.coordinator.rangeRequestTimeoutMs],
    ['counter_write_request_timeout', config.coordinator.counterWriteRequestTimeoutMs],
    ['truncate_request_timeout', config.coordinator.truncateRequestTimeoutMs],
  ] as const) {
    if (!(Number.isInteger(ms) && ms > 0)) throw badValue(key, ms, 'a positive duration');
  }
  const hints = config.hints;
  if (!hints.hintsDirectory) throw badValue('hints_directory', hints.hintsDirectory, 'a directory');
  if (!(hints.maxHintWindowMs >= 0)) throw badValue('max_hint_window', hints.maxHintWindowMs, 'at least 0ms');
  if (!(hints.hintedHandoffThrottleBytesPerSecond >= 0))
    throw badValue('hinted_handoff_throttle', hints.hintedHandoffThrottleBytesPerSecond, 'at least 0KiB');
  if (!(hints.hintsFlushPeriodMs > 0))
    throw badValue('hints_flush_period', hints.hintsFlushPeriodMs, 'a positive duration');
  if (!(Number.isInteger(hints.maxHintsDeliveryThreads) && hints.maxHintsDeliveryThreads >= 1))
    throw badValue('max_hints_delivery_threads', hints.maxHintsDeliveryThreads, 'an integer of at least 1');
  // A hints file must hold the largest hint: a mutation of max_mutation_size plus its framing.
  const maxMutation = config.storage.maxMutationSizeBytes ?? storageDefaults.maxMutationSizeBytes;
  if (!(hints.maxHintsFileSizeBytes >= maxMutation + 2 * KiB))
    throw badValue(
      'max_hints_file_size',
      hints.maxHintsFileSizeBytes,
      `larger than max_mutation_size (${maxMutation} bytes)`,
    );
}

/** initial_token as Cassandra reads it: comma-separated tokens; alone, it sets num_tokens to their count. */
function initialTokensOf(config: NodeConfig): Token[] {
  const text = config.initialToken?.trim();
  if (!text) return [];
  const pieces = text.split(',').map((piece) => piece.trim());
  let tokens: Token[];
  try {
    tokens = pieces.map(parseToken);
  } catch {
    throw badValue('initial_token', config.initialToken, 'comma-separated Murmur3 tokens');
  }
  if (new Set(tokens).size !== tokens.length)
    throw badValue('initial_token', config.initialToken, 'distinct tokens');
  if (config.numTokens === undefined && tokens.length > 1)
    throw new NodeConfigError('initial_token was set but num_tokens is not!');
  return tokens;
}

function streamingOptionsOf(overrides: Partial<StreamingOptions> | undefined): StreamingOptions {
  try {
    return streamingOptions(overrides);
  } catch (error) {
    throw new NodeConfigError((error as Error).message);
  }
}

function batchlogOptionsOf(overrides: Partial<BatchlogOptions> | undefined): BatchlogOptions {
  try {
    return batchlogOptions(overrides);
  } catch (error) {
    throw new NodeConfigError((error as Error).message);
  }
}

function badValue(key: string, value: unknown, expected: string): NodeConfigError {
  return new NodeConfigError(`Invalid value for ${key}: ${JSON.stringify(value)} (expected ${expected})`);
}

/** Reads a YAML file with cassandra.yaml's names into a partial `NodeConfig`. */
export async function loadConfigFile(path: string): Promise<Partial<NodeConfig>> {
  const text = await readFile(path, 'utf8');
  return parseConfigYaml(text, path);
}

export function parseConfigYaml(text: string, source = 'sibyl.yaml'): Partial<NodeConfig> {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new NodeConfigError(`Invalid yaml in ${source}: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document))
    throw new NodeConfigError(`Invalid yaml in ${source}: expected a map of properties`);
  const builder = new ConfigBuilder();
  for (const [key, value] of Object.entries(document as Record<string, unknown>)) {
    if (value === null) continue; // an empty property keeps its default, as in cassandra.yaml
    const property = PROPERTIES[key];
    if (!property) {
      throw new NodeConfigError(
        `Invalid yaml in ${source}. Please remove properties [${key}] from your configuration (unknown property)`,
      );
    }
    property(builder, value, key);
  }
  return builder.build();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class ConfigBuilder {
  readonly top: Mutable<Partial<NodeConfig>> = {};
  readonly storage: Partial<StorageOptions> = {};
  readonly nativeTransport: Partial<NativeTransportOptions> = {};
  readonly streaming: Partial<StreamingOptions> = {};

  build(): Partial<NodeConfig> {
    const streaming = Object.keys(this.streaming).length > 0 ? { streaming: this.streaming } : {};
    return { ...this.top, storage: this.storage, nativeTransport: this.nativeTransport, ...streaming };
  }
}

type Property = (builder: ConfigBuilder, value: unknown, key: string) => void;

const ignored: Property = () => {};

/** Every property Sibyl reads, by its cassandra.yaml name. */
const PROPERTIES: Readonly<Record<string, Property>> = {
  cluster_name: (b, v, k) => {
    b.top.clusterName = text(v, k);
  },
  num_tokens: (b, v, k) => {
    b.top.numTokens = integer(v, k);
  },
  listen_address: (b, v, k) => {
    b.top.listenAddress = text(v, k);
  },
  rpc_address: (b, v, k) => {
    b.top.rpcAddress = text(v, k);
  },
  broadcast_address: (b, v, k) => {
    b.top.broadcastAddress = text(v, k);
  },
  broadcast_rpc_address: (b, v, k) => {
    b.top.broadcastRpcAddress = text(v, k);
  },
  native_transport_port: (b, v, k) => {
    b.top.nativePort = integer(v, k);
  },
  storage_port: (b, v, k) => {
    b.top.storagePort = integer(v, k);
  },
  // Not a cassandra.yaml property (JMX's port is set in cassandra-env.sh): Sibyl's admin endpoint.
  admin_port: (b, v, k) => {
    b.top.adminPort = integer(v, k);
  },
  dc: (b, v, k) => {
    b.top.dc = text(v, k);
  },
  rack: (b, v, k) => {
    b.top.rack = text(v, k);
  },
  data_file_directories: (b, v, k) => {
    if (!Array.isArray(v) || v.length === 0) throw badValue(k, v, 'a list of directories');
    // Sibyl keeps one data directory; further entries are not used.
    b.top.dataDir = text(v[0], k);
  },
  seed_provider: (b, v, k) => {
    b.top.seeds = seedsOf(v, k);
  },
  phi_convict_threshold: (b, v, k) => {
    b.top.phiConvictThreshold = decimal(v, k);
  },
  auto_bootstrap: (b, v, k) => {
    b.top.autoBootstrap = boolean(v, k);
  },
  initial_token: (b, v, k) => {
    b.top.initialToken = text(v, k);
  },
  allocate_tokens_for_local_replication_factor: (b, v, k) => {
    b.top.allocateTokensForLocalReplicationFactor = integer(v, k);
  },
  // JVM properties in Cassandra (-Dcassandra.ring_delay_ms, -Dcassandra.consistent.rangemovement).
  ring_delay_ms: (b, v, k) => {
    b.streaming.ringDelayMs = integer(v, k);
  },
  consistent_rangemovement: (b, v, k) => {
    b.top.consistentRangeMovement = boolean(v, k);
  },
  stream_throughput_outbound: (b, v, k) => {
    b.streaming.throughputBytesPerSecond = rate(v, k);
  },
  stream_throughput_outbound_megabits_per_sec: (b, v, k) => {
    b.streaming.throughputBytesPerSecond = Math.floor((decimal(v, k) * 1_000_000) / 8);
  },
  batchlog_replay_throttle: (b, v, k) => {
    b.top.batchlog = { ...b.top.batchlog, batchlogReplayThrottleBytesPerSecond: size(v, k) };
  },
  batchlog_replay_throttle_in_kb: (b, v, k) => {
    b.top.batchlog = { ...b.top.batchlog, batchlogReplayThrottleBytesPerSecond: integer(v, k) * KiB };
  },
  commitlog_sync: (b, v, k) => {
    const mode = text(v, k);
    if (mode !== 'periodic' && mode !== 'batch' && mode !== 'group')
      throw badValue(k, v, 'periodic, batch or group');
    b.storage.commitlogSync = mode;
  },
  commitlog_sync_period: (b, v, k) => {
    b.storage.commitlogSyncPeriodMs = duration(v, k);
  },
  commitlog_sync_period_in_ms: (b, v, k) => {
    b.storage.commitlogSyncPeriodMs = integer(v, k);
  },
  commitlog_sync_group_window: (b, v, k) => {
    b.storage.commitlogSyncGroupWindowMs = duration(v, k);
  },
  commitlog_sync_group_window_in_ms: (b, v, k) => {
    b.storage.commitlogSyncGroupWindowMs = integer(v, k);
  },
  commitlog_segment_size: (b, v, k) => {
    b.storage.commitlogSegmentSizeBytes = size(v, k);
  },
  commitlog_segment_size_in_mb: (b, v, k) => {
    b.storage.commitlogSegmentSizeBytes = integer(v, k) * MiB;
  },
  max_mutation_size: (b, v, k) => {
    b.storage.maxMutationSizeBytes = size(v, k);
  },
  file_cache_size: (b, v, k) => {
    b.storage.chunkCacheSizeBytes = size(v, k);
  },
  native_transport_max_frame_size: (b, v, k) => {
    b.nativeTransport.maxFrameBodyBytes = size(v, k);
  },
  native_transport_max_frame_size_in_mb: (b, v, k) => {
    b.nativeTransport.maxFrameBodyBytes = integer(v, k) * MiB;
  },
  native_transport_max_concurrent_requests_per_connection: (b, v, k) => {
    b.nativeTransport.maxConcurrentRequestsPerConnection = integer(v, k);
  },
  native_transport_max_concurrent_requests_in_bytes: (b, v, k) => {
    b.nativeTransport.maxConcurrentRequestBytesPerConnection = integer(v, k);
  },
  native_transport_max_concurrent_connections: (b, v, k) => {
    b.nativeTransport.maxConnections = integer(v, k);
  },
  hinted_handoff_enabled: (b, v, k) => {
    b.top.hints = { ...b.top.hints, hintedHandoffEnabled: boolean(v, k) };
  },
  max_hint_window: (b, v, k) => {
    b.top.hints = { ...b.top.hints, maxHintWindowMs: duration(v, k) };
  },
  max_hint_window_in_ms: (b, v, k) => {
    b.top.hints = { ...b.top.hints, maxHintWindowMs: integer(v, k) };
  },
  hinted_handoff_throttle: (b, v, k) => {
    b.top.hints = { ...b.top.hints, hintedHandoffThrottleBytesPerSecond: size(v, k) };
  },
  hinted_handoff_throttle_in_kb: (b, v, k) => {
    b.top.hints = { ...b.top.hints, hintedHandoffThrottleBytesPerSecond: integer(v, k) * KiB };
  },
  hints_directory: (b, v, k) => {
    b.top.hints = { ...b.top.hints, hintsDirectory: text(v, k) };
  },
  max_hints_file_size: (b, v, k) => {
    b.top.hints = { ...b.top.hints, maxHintsFileSizeBytes: size(v, k) };
  },
  max_hints_file_size_in_mb: (b, v, k) => {
    b.top.hints = { ...b.top.hints, maxHintsFileSizeBytes: integer(v, k) * MiB };
  },
  hints_flush_period: (b, v, k) => {
    b.top.hints = { ...b.top.hints, hintsFlushPeriodMs: duration(v, k) };
  },
  hints_flush_period_in_ms: (b, v, k) => {
    b.top.hints = { ...b.top.hints, hintsFlushPeriodMs: integer(v, k) };
  },
  max_hints_delivery_threads: (b, v, k) => {
    b.top.hints = { ...b.top.hints, maxHintsDeliveryThreads: integer(v, k) };
  },
  // Read so that a cassandra.yaml carrying them starts; the features they tune come with later issues.
  endpoint_snitch: ignored,
  // The coordinator's timeouts (node/coordinator/): Cassandra 4.1 durations, or the older _in_ms.
  ...timeoutProperty('write_request_timeout', 'writeRequestTimeoutMs'),
  ...timeoutProperty('read_request_timeout', 'readRequestTimeoutMs'),
  ...timeoutProperty('range_request_timeout', 'rangeRequestTimeoutMs'),
  ...timeoutProperty('counter_write_request_timeout', 'counterWriteRequestTimeoutMs'),
  ...timeoutProperty('truncate_request_timeout', 'truncateRequestTimeoutMs'),
};

type CoordinatorTimeout =
  | 'writeRequestTimeoutMs'
  | 'readRequestTimeoutMs'
  | 'rangeRequestTimeoutMs'
  | 'counterWriteRequestTimeoutMs'
  | 'truncateRequestTimeoutMs';

/** `name` ("2000ms", "2s") and `name_in_ms` (2000) setting one coordinator timeout. */
function timeoutProperty(name: string, field: CoordinatorTimeout): Record<string, Property> {
  const set = (b: ConfigBuilder, ms: number) => {
    b.top.coordinator = { ...b.top.coordinator, [field]: ms };
  };
  return {
    [name]: (b, v, k) => set(b, duration(v, k)),
    [`${name}_in_ms`]: (b, v, k) => set(b, integer(v, k)),
  };
}

function text(value: unknown, key: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw badValue(key, value, 'a string');
  return String(value);
}

function boolean(value: unknown, key: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw badValue(key, value, 'true or false');
}

/** Cassandra 4.1 data rates: "24MiB/s", "1024KiB/s", "100B/s". */
function rate(value: unknown, key: string): number {
  const match = typeof value === 'string' ? /^\s*(\d+)\s*(B|KiB|MiB|GiB)\/s\s*$/i.exec(value) : null;
  if (!match) throw badValue(key, value, 'a rate such as "24MiB/s"');
  return Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
}

function integer(value: unknown, key: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw badValue(key, value, 'an integer');
  return n;
}

function decimal(value: unknown, key: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw badValue(key, value, 'a number');
  return n;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Cassandra 4.1 durations: "10000ms", "10s", "2m", "1h", "1d". */
function duration(value: unknown, key: string): number {
  const match = typeof value === 'string' ? /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(value) : null;
  if (!match) throw badValue(key, value, 'a duration such as "10000ms" or "10s"');
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!.toLowerCase()]!;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kib: KiB, mib: MiB, gib: 1024 * MiB };

/** Cassandra 4.1 data sizes: "16MiB", "1024KiB", "1GiB", "100B". */
function size(value: unknown, key: string): number {
  const match = typeof value === 'string' ? /^\s*(\d+)\s*(B|KiB|MiB|GiB)\s*$/i.exec(value) : null;
  if (!match) throw badValue(key, value, 'a size such as "16MiB"');
  return Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
}

/** seed_provider: [{ class_name, parameters: [{ seeds: "ip1,ip2" }] }] as in cassandra.yaml. */
function seedsOf(value: unknown, key: string): string[] {
  const provider = Array.isArray(value) ? (value[0] as Record<string, unknown> | undefined) : undefined;
  const parameters = provider?.parameters;
  const first = Array.isArray(parameters)
    ? (parameters[0] as Record<string, unknown> | undefined)
    : undefined;
  const seeds = first?.seeds;
  if (typeof seeds !== 'string')
    throw badValue(key, value, 'a seed provider with parameters: [{seeds: "…"}]');
  return seeds
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
