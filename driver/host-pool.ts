/**
 * The connections to one host: `connectionsPerHost` of them, the least busy lent per request, the
 * keyspace switched lazily (a connection runs USE before its first request after the client's
 * keyspace changed). When the last connection is lost the pool tries once at once, then marks the
 * host down and reconnects with exponential backoff until it succeeds or the client shuts down.
 */
import { logger } from '../common/logger.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { ConnectionError, DriverError } from './errors.js';
import type { Host } from './host.js';
import { type BackoffOptions, reconnectDelayMs } from './reconnection-policy.js';

const log = logger('driver');

export interface PoolOptions {
  readonly connection: ConnectionOptions;
  readonly connectionsPerHost: number;
  readonly backoff: BackoffOptions;
  /** The keyspace the client's requests run in (changes with USE). */
  readonly keyspace: () => string | undefined;
  /** Called when the host goes down or comes back, so plans and listeners can follow. */
  readonly onStateChange: (host: Host, up: boolean) => void;
}

export class HostPool {
  private connections: Connection[] = [];
  private opening: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private closed = false;

  constructor(
    readonly host: Host,
    private readonly options: PoolOptions,
  ) {}

  get openConnections(): number {
    return this.connections.length;
  }

  /** A connection in the client's keyspace; rejects with a not-written ConnectionError when there is none. */
  async borrow(): Promise<Connection> {
    if (this.closed) throw new ConnectionError(this.host.key, 'pool is shut down', false);
    if (this.connections.length < this.options.connectionsPerHost && this.reconnectTimer === undefined) {
      const filling = this.fill();
      if (this.connections.length === 0) await filling;
    }
    const connection = this.leastBusy();
    if (connection === undefined) throw new ConnectionError(this.host.key, 'no open connection', false);
    const keyspace = this.options.keyspace();
    if (keyspace !== undefined && connection.keyspace !== keyspace) await connection.use(keyspace);
    return connection;
  }

  /**
   * The connection `borrow` would lend, when that needs no waiting (the pool is full and the least
   * busy connection is in the client's keyspace); undefined otherwise. Saves a promise per request.
   */
  tryBorrow(): Connection | undefined {
    if (this.closed || this.connections.length < this.options.connectionsPerHost) return undefined;
    const connection = this.leastBusy();
    if (connection === undefined) return undefined;
    const keyspace = this.options.keyspace();
    return keyspace === undefined || connection.keyspace === keyspace ? connection : undefined;
  }

  /** Opens connections up to the target, once at a time; failures start the reconnection schedule. */
  fill(): Promise<void> {
    if (this.opening === undefined) {
      this.opening = this.openMissing().finally(() => {
        this.opening = undefined;
      });
    }
    return this.opening;
  }

  /** Tries to reconnect now (a STATUS_CHANGE UP said the host is back). */
  reconnectNow(): void {
    if (this.closed || this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    void this.fill();
  }

  shutdown(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const connection of this.connections.splice(0)) connection.close();
  }

  private leastBusy(): Connection | undefined {
    let best: Connection | undefined;
    for (const connection of this.connections) {
      if (connection.isOpen && (best === undefined || connection.inFlight < best.inFlight)) best = connection;
    }
    return best;
  }

  private async openMissing(): Promise<void> {
    while (!this.closed && this.connections.length < this.options.connectionsPerHost) {
      let connection: Connection;
      try {
        // No keyspace here: a USE that fails (no such keyspace) is the request's error, not the host's.
        connection = await Connection.open(this.host.endpoint, this.options.connection);
      } catch (error) {
        this.onOpenFailure(error as Error);
        return;
      }
      if (this.closed) {
        connection.close();
        return;
      }
      this.adopt(connection);
    }
  }

  private adopt(connection: Connection): void {
    this.connections.push(connection);
    connection.onClose((error) => this.onConnectionClosed(connection, error));
    this.attempts = 0;
    if (!this.host.up) {
      log.info({ host: this.host.key }, 'host is back up');
      this.host.up = true;
      this.options.onStateChange(this.host, true);
    }
  }

  private onConnectionClosed(connection: Connection, error: Error): void {
    this.connections = this.connections.filter((c) => c !== connection);
    if (this.closed || this.connections.length > 0) return;
    log.info({ host: this.host.key, reason: error.message }, 'last connection to the host lost');
    // One immediate attempt: a single dropped connection must not take a healthy host out of plans.
    void this.fill();
  }

  private onOpenFailure(error: Error): void {
    if (this.closed || this.connections.length > 0) return;
    if (error instanceof DriverError && !(error instanceof ConnectionError)) {
      // A handshake refused (bad credentials, protocol error) will not get better by retrying soon,
      // but it is still retried on the schedule, so a fixed server is picked up.
      log.warn({ host: this.host.key, error: error.message }, 'handshake failed');
    }
    if (this.host.up) {
      log.warn({ host: this.host.key, error: error.message }, 'host is down');
      this.host.up = false;
      this.options.onStateChange(this.host, false);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const delayMs = reconnectDelayMs(this.attempts++, this.options.backoff);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.fill();
    }, delayMs);
    // A client waiting to reconnect must not keep the process alive by itself.
    this.reconnectTimer.unref();
  }
}
