/**
 * The driver's limits and defaults, in one place (STYLE.md §6). They follow the DataStax Node.js
 * driver's defaults where it has one; `checkDriverLimits` asserts their relations when a Client is made.
 */
import { assert } from '../common/errors.js';

export const driverDefaults = {
  /** protocolOptions.port: the native protocol port of contact points given without one. */
  port: 9042,
  /** pooling.connectionsPerHost: connections kept open to each host of the local data center. */
  connectionsPerHost: 1,
  /** Stream ids of protocol v4 are int16; the negative ones belong to server events. */
  maxStreamIds: 32768,
  /** pooling.maxRequestsPerConnection: in-flight requests on one connection before it counts as busy. */
  maxRequestsPerConnection: 2048,
  /** socketOptions.connectTimeoutMs: TCP connect plus the STARTUP handshake. */
  connectTimeoutMs: 5_000,
  /** socketOptions.readTimeoutMs: per request, then OperationTimedOutError (the server's own are shorter). */
  readTimeoutMs: 12_000,
  /** Idle connections send OPTIONS this often, so a dead peer is noticed without traffic. */
  heartbeatIntervalMs: 30_000,
  /** Exponential reconnection: first delay, and the delay it never exceeds. */
  reconnectBaseDelayMs: 1_000,
  reconnectMaxDelayMs: 10 * 60_000,
  /** queryOptions.fetchSize: rows per page. */
  fetchSize: 5_000,
  /** After a schema change, how long to poll system.local/peers for one schema version. */
  maxSchemaAgreementWaitMs: 10_000,
  schemaAgreementIntervalMs: 200,
  /** Prepared statements kept per client; the oldest is forgotten first (it is re-prepared if used). */
  maxPreparedStatements: 5_000,
} as const;

export type DriverLimits = { -readonly [K in keyof typeof driverDefaults]: number };

export function checkDriverLimits(limits: DriverLimits): void {
  assert(limits.connectionsPerHost >= 1, 'at least one connection per host');
  assert(
    limits.maxRequestsPerConnection >= 1 && limits.maxRequestsPerConnection <= limits.maxStreamIds,
    'in-flight requests per connection fit the stream ids',
  );
  assert(limits.reconnectBaseDelayMs > 0, 'reconnection delay is positive');
  assert(limits.reconnectMaxDelayMs >= limits.reconnectBaseDelayMs, 'max reconnection delay >= base');
  assert(limits.fetchSize >= 1, 'fetch size is positive');
  assert(limits.readTimeoutMs >= 0 && limits.connectTimeoutMs > 0, 'timeouts are not negative');
}
