/**
 * The control connection: one connection, to any host, that reads the cluster's shape
 * (system.local, system.peers, keyspace replication), listens to server events (REGISTER) and
 * polls for schema agreement. When it is lost it moves to another known host, with backoff, and
 * reads everything again (events may have been missed meanwhile).
 */

import { logger } from '../common/logger.js';
import type { ProtocolEvent, SchemaChange } from '../cql/protocol/index.js';
import { Connection, type ConnectionOptions, type Endpoint, endpointKey } from './connection.js';
import { DriverError, NoHostAvailableError } from './errors.js';
import type { HostInfo } from './host.js';
import { type BackoffOptions, reconnectDelayMs } from './reconnection-policy.js';
import { type ResultSet, resultSetOf } from './result-set.js';
import {
  hostInfoOf,
  KEYSPACES_QUERY,
  LOCAL_QUERY,
  LOCAL_SCHEMA_QUERY,
  PEERS_QUERY,
  PEERS_SCHEMA_QUERY,
  peerAddress,
  replicationsOf,
} from './system-tables.js';
import type { Replication } from './token-ring.js';

const log = logger('driver');

export interface ClusterHost {
  readonly endpoint: Endpoint;
  readonly info: HostInfo;
}

/** What the control connection tells the client. */
export interface ControlListener {
  /** A fresh view of every host; `local` is the one the control connection is on. */
  hostsChanged(local: ClusterHost, peers: readonly ClusterHost[]): void;
  replications(byKeyspace: ReadonlyMap<string, Replication>): void;
  statusChange(address: string, up: boolean): void;
  schemaChange(change: SchemaChange): void;
  /** Endpoints to try when the control connection must move (known live hosts first). */
  candidates(): readonly Endpoint[];
}

export interface ControlOptions {
  readonly contactPoints: readonly Endpoint[];
  readonly connection: ConnectionOptions;
  readonly backoff: BackoffOptions;
  readonly schemaAgreement: { readonly maxWaitMs: number; readonly intervalMs: number };
}

export class ControlConnection {
  private connection: Connection | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private closed = false;

  constructor(
    private readonly options: ControlOptions,
    private readonly listener: ControlListener,
  ) {}

  get host(): string | undefined {
    return this.connection?.key;
  }

  /** Connects to the first contact point that answers, reads the cluster and registers for events. */
  async connect(): Promise<void> {
    // A connect() after a failed one (the client stopped us) starts afresh.
    this.closed = false;
    await this.connectToAny(this.options.contactPoints);
  }

  /** Runs `cql` at ONE on the control connection (or on `over`, a pool connection to another host). */
  async query(cql: string, over?: Connection): Promise<ResultSet> {
    const connection = over ?? this.connection;
    if (connection === undefined) throw new NoHostAvailableError(new Map());
    const response = await connection.request({
      type: 'QUERY',
      query: cql,
      parameters: { consistency: 'ONE', skipMetadata: false },
    });
    if (response.message.type !== 'RESULT') throw new Error(`assertion failed: ${response.message.type}`);
    const info = { warnings: [], queriedHost: connection.key, triedHosts: new Map() };
    return resultSetOf(response.message.result, info);
  }

  async refreshHosts(): Promise<void> {
    const connection = this.connection;
    if (connection === undefined) return;
    const [local, peers] = await Promise.all([this.query(LOCAL_QUERY), this.query(PEERS_QUERY)]);
    const localRow = local.first();
    if (localRow === null) throw new Error(`${connection.key} has no row in system.local`);
    const port = connection.endpoint.port;
    const peerHosts: ClusterHost[] = [];
    for (const row of peers.rows) {
      const address = peerAddress(row);
      if (address !== undefined) peerHosts.push({ endpoint: { host: address, port }, info: hostInfoOf(row) });
    }
    this.listener.hostsChanged({ endpoint: connection.endpoint, info: hostInfoOf(localRow) }, peerHosts);
  }

  async refreshKeyspaces(): Promise<void> {
    const keyspaces = await this.query(KEYSPACES_QUERY);
    this.listener.replications(replicationsOf(keyspaces.rows));
  }

  /**
   * Polls until every live host reports the same schema version (true) or the wait is over
   * (false), so a statement that follows a DDL finds the change wherever it runs. Asked of the host
   * that ran the DDL (`over`), as the DataStax drivers do: it holds the new version, so agreement
   * means the others have it too; another host may not have heard of the change at all yet and
   * find everyone agreeing on the old version.
   */
  async waitForSchemaAgreement(over?: Connection): Promise<boolean> {
    const { maxWaitMs, intervalMs } = this.options.schemaAgreement;
    const attempts = Math.max(1, Math.ceil(maxWaitMs / intervalMs));
    for (let attempt = 1; ; attempt++) {
      const [local, peers] = await Promise.all([
        this.query(LOCAL_SCHEMA_QUERY, over),
        this.query(PEERS_SCHEMA_QUERY, over),
      ]);
      const versions = new Set([...local.rows, ...peers.rows].map((row) => String(row.schema_version)));
      if (versions.size <= 1) return true;
      if (attempt >= attempts) return false;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  shutdown(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.connection?.close();
    this.connection = undefined;
  }

  private async connectToAny(endpoints: readonly Endpoint[]): Promise<void> {
    const errors = new Map<string, Error>();
    for (const endpoint of endpoints) {
      try {
        await this.connectTo(endpoint);
        return;
      } catch (error) {
        errors.set(endpointKey(endpoint), error as Error);
      }
    }
    throw new NoHostAvailableError(errors);
  }

  private async connectTo(endpoint: Endpoint): Promise<void> {
    const options = { ...this.options.connection, onEvent: (event: ProtocolEvent) => this.onEvent(event) };
    const connection = await Connection.open(endpoint, options);
    if (this.closed) {
      connection.close();
      throw new DriverError('The client was shut down');
    }
    try {
      this.connection = connection;
      await this.refreshHosts();
      await this.refreshKeyspaces();
      await connection.request({
        type: 'REGISTER',
        events: ['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE'],
      });
    } catch (error) {
      this.connection = undefined;
      connection.close();
      throw error;
    }
    this.attempts = 0;
    connection.onClose((error) => this.onLost(connection, error));
    log.debug({ host: connection.key }, 'control connection established');
  }

  private onLost(connection: Connection, error: Error): void {
    if (this.closed || this.connection !== connection) return;
    this.connection = undefined;
    log.info({ host: connection.key, reason: error.message }, 'control connection lost; reconnecting');
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      const candidates = uniqueEndpoints([...this.listener.candidates(), ...this.options.contactPoints]);
      // Schema events missed meanwhile need no replay: a statement the server forgot comes back
      // UNPREPARED and is prepared again with its new types.
      this.connectToAny(candidates).catch((failure: Error) => {
        log.debug({ error: failure.message }, 'control connection reconnection failed');
        this.scheduleReconnect(reconnectDelayMs(this.attempts++, this.options.backoff));
      });
    }, delayMs);
    this.reconnectTimer.unref();
  }

  private onEvent(event: ProtocolEvent): void {
    switch (event.type) {
      case 'STATUS_CHANGE':
        this.listener.statusChange(event.address.address, event.change === 'UP');
        return;
      case 'TOPOLOGY_CHANGE':
        // New, removed or moved: tokens and peers changed; read them again.
        this.refreshHosts().catch((error: Error) =>
          log.warn({ error: error.message }, 'host refresh failed'),
        );
        return;
      case 'SCHEMA_CHANGE':
        this.listener.schemaChange(event);
        if (event.target === 'KEYSPACE') {
          this.refreshKeyspaces().catch((error: Error) =>
            log.warn({ error: error.message }, 'keyspace refresh failed'),
          );
        }
        return;
    }
  }
}

function uniqueEndpoints(endpoints: readonly Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return endpoints.filter((e) => {
    const key = endpointKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
