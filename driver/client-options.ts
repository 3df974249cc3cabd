/** The options of `new Client(...)` and of each request, and their normalised form. */
import { CONSISTENCY_NAMES, type CompressionName } from '../cql/protocol/index.js';
import type { Credentials, Endpoint } from './connection.js';
import { checkDriverLimits, type DriverLimits, driverDefaults } from './defaults.js';
import { ArgumentError } from './errors.js';
import type { Hints } from './value-encoding.js';

export type Consistency = (typeof CONSISTENCY_NAMES)[number];

export interface ClientOptions {
  /** `'host'` or `'host:port'` (`'[::1]:9042'` for IPv6); the port defaults to `protocolOptions.port`. */
  readonly contactPoints: readonly string[];
  /** Must equal the data center of the contact point (system.local); only its hosts are used. */
  readonly localDataCenter: string;
  readonly keyspace?: string;
  readonly credentials?: Credentials;
  readonly protocolOptions?: { readonly port?: number };
  readonly pooling?: {
    readonly connectionsPerHost?: number;
    readonly maxRequestsPerConnection?: number;
    readonly heartbeatIntervalMs?: number;
  };
  readonly socketOptions?: { readonly connectTimeoutMs?: number; readonly readTimeoutMs?: number };
  /** Compress frames (lz4 as Cassandra recommends; snappy also works). */
  readonly compression?: CompressionName;
  readonly policies?: {
    readonly reconnection?: { readonly baseDelayMs?: number; readonly maxDelayMs?: number };
  };
  /** Defaults for every request. */
  readonly queryOptions?: Pick<QueryOptions, 'consistency' | 'serialConsistency' | 'fetchSize' | 'prepare'>;
}

export interface QueryOptions {
  /** Prepare the statement (cached) and bind values by its marker types; routes token-aware. */
  readonly prepare?: boolean;
  readonly consistency?: Consistency;
  readonly serialConsistency?: Consistency;
  /** Rows per page (default 5000). */
  readonly fetchSize?: number;
  /** Where to resume: a previous result's `pageState` (hex) or `rawPageState`. */
  readonly pageState?: string | Uint8Array;
  /** The write timestamp, microseconds since the epoch. */
  readonly timestamp?: bigint | number;
  /** The partition key's serialized value(s), to route an unprepared statement. */
  readonly routingKey?: Uint8Array | readonly Uint8Array[];
  /** Types of the values of an unprepared statement (positional or by name). */
  readonly hints?: Hints;
  /** Safe to run twice: lets a timed-out or overloaded request move to the next host. */
  readonly isIdempotent?: boolean;
  readonly readTimeoutMs?: number;
  /** eachRow: fetch and deliver every page, not only the first. */
  readonly autoPage?: boolean;
}

export interface BatchOptions {
  /** Logged (atomic) batch; default true. */
  readonly logged?: boolean;
  readonly counter?: boolean;
  readonly prepare?: boolean;
  readonly consistency?: Consistency;
  readonly serialConsistency?: Consistency;
  readonly timestamp?: bigint | number;
  readonly isIdempotent?: boolean;
  readonly readTimeoutMs?: number;
}

export interface NormalizedOptions {
  readonly contactPoints: readonly Endpoint[];
  readonly localDataCenter: string;
  readonly keyspace: string | undefined;
  readonly credentials: Credentials | undefined;
  readonly compression: CompressionName | undefined;
  readonly limits: DriverLimits;
  readonly defaults: {
    readonly consistency: Consistency;
    readonly serialConsistency: Consistency | undefined;
    readonly prepare: boolean;
  };
}

export function normalizeOptions(options: ClientOptions): NormalizedOptions {
  if (options.contactPoints.length === 0)
    throw new ArgumentError('contactPoints must name at least one host');
  if (typeof options.localDataCenter !== 'string' || options.localDataCenter === '') {
    throw new ArgumentError('localDataCenter is required (the data center of the contact points)');
  }
  const limits: DriverLimits = {
    ...driverDefaults,
    port: options.protocolOptions?.port ?? driverDefaults.port,
    connectionsPerHost: options.pooling?.connectionsPerHost ?? driverDefaults.connectionsPerHost,
    maxRequestsPerConnection:
      options.pooling?.maxRequestsPerConnection ?? driverDefaults.maxRequestsPerConnection,
    heartbeatIntervalMs: options.pooling?.heartbeatIntervalMs ?? driverDefaults.heartbeatIntervalMs,
    connectTimeoutMs: options.socketOptions?.connectTimeoutMs ?? driverDefaults.connectTimeoutMs,
    readTimeoutMs: options.socketOptions?.readTimeoutMs ?? driverDefaults.readTimeoutMs,
    reconnectBaseDelayMs: options.policies?.reconnection?.baseDelayMs ?? driverDefaults.reconnectBaseDelayMs,
    reconnectMaxDelayMs: options.policies?.reconnection?.maxDelayMs ?? driverDefaults.reconnectMaxDelayMs,
    fetchSize: options.queryOptions?.fetchSize ?? driverDefaults.fetchSize,
  };
  checkDriverLimits(limits);
  return {
    contactPoints: options.contactPoints.map((point) => parseContactPoint(point, limits.port)),
    localDataCenter: options.localDataCenter,
    keyspace: options.keyspace,
    credentials: options.credentials,
    compression: options.compression,
    limits,
    defaults: {
      consistency: checkConsistency(options.queryOptions?.consistency ?? 'ONE'),
      serialConsistency: options.queryOptions?.serialConsistency,
      prepare: options.queryOptions?.prepare ?? false,
    },
  };
}

/** `'10.0.0.1'`, `'10.0.0.1:9042'`, `'db.local:9142'`, `'[::1]:9042'` or a bare IPv6 address. */
export function parseContactPoint(point: string, defaultPort: number): Endpoint {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(point);
  if (bracketed) return { host: bracketed[1]!, port: portOf(bracketed[2], defaultPort, point) };
  const colons = point.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = point.split(':') as [string, string];
    return { host, port: portOf(port, defaultPort, point) };
  }
  if (point === '') throw new ArgumentError('empty contact point');
  return { host: point, port: defaultPort };
}

function portOf(text: string | undefined, defaultPort: number, point: string): number {
  if (text === undefined) return defaultPort;
  const port = Number(text);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ArgumentError(`invalid port in contact point '${point}'`);
  }
  return port;
}

export function checkConsistency(name: Consistency): Consistency {
  if (!CONSISTENCY_NAMES.includes(name)) {
    throw new ArgumentError(
      `unknown consistency '${String(name)}' (expected one of ${CONSISTENCY_NAMES.join(', ')})`,
    );
  }
  return name;
}

/** Microseconds as a bigint; a number must be a safe integer. */
export function timestampMicros(value: bigint | number | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new ArgumentError(`timestamp must be an integer of microseconds`);
  return BigInt(value);
}

export function pageStateBytes(pageState: string | Uint8Array | undefined): Uint8Array | undefined {
  if (pageState === undefined || pageState instanceof Uint8Array) return pageState;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(pageState)) throw new ArgumentError('pageState must be hex');
  return Buffer.from(pageState, 'hex');
}
