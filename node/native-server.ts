/**
 * The CQL native protocol server (v4, port 9042): accepts connections up to the configured limit,
 * gives each a NativeConnection, pushes SCHEMA_CHANGE events to the connections that registered
 * for them, and drains on close (no new connections, in-flight requests answered, sockets ended).
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import type { Logger } from '../common/logger.js';
import type { ProtocolEvent } from '../cql/protocol/index.js';
import type { QueryProcessor } from '../cql/query-processor.js';
import type { NativeTransportOptions } from './config.js';
import { NativeConnection } from './native-connection.js';
import { RequestHandler, schemaChange } from './request-handler.js';

export interface NativeServerOptions {
  readonly host: string;
  readonly port: number;
  readonly limits: NativeTransportOptions;
}

export class NativeServer {
  private readonly connections = new Set<NativeConnection>();
  private readonly handler: RequestHandler;
  private readonly unsubscribe: () => void;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    processor: QueryProcessor,
    private readonly limits: NativeTransportOptions,
    private readonly log: Logger,
  ) {
    this.handler = new RequestHandler(processor);
    this.unsubscribe = processor.schema.schema.onChange((event) =>
      this.broadcast({ type: 'SCHEMA_CHANGE', ...schemaChange(event) }),
    );
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => log.error({ err: error }, 'native server error'));
  }

  static async listen(
    processor: QueryProcessor,
    options: NativeServerOptions,
    log: Logger,
  ): Promise<NativeServer> {
    const server = createServer({ noDelay: true, keepAlive: true });
    // Node refuses connections past maxConnections by closing them at once.
    if (options.limits.maxConnections > 0) server.maxConnections = options.limits.maxConnections;
    const native = new NativeServer(server, processor, options.limits, log);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return native;
  }

  get address(): AddressInfo {
    const address = this.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('assertion failed: server is listening');
    return address;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Requests received since start, on every connection. */
  get requestCount(): number {
    return this.handler.requestCount;
  }

  /** Accepting connections: listening and not draining (nodetool info "Native Transport active"). */
  get active(): boolean {
    return this.closing === undefined;
  }

  broadcast(event: ProtocolEvent): void {
    for (const connection of this.connections) connection.sendEvent(event);
  }

  /** Stops accepting, lets in-flight requests finish, closes every connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    this.unsubscribe();
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.log.info({ connections: this.connections.size }, 'native server draining');
    await Promise.all([...this.connections].map((c) => c.drain(this.limits.drainTimeoutMs)));
    await stopped;
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const connection = new NativeConnection(socket, this.handler, this.limits, this.log);
    this.connections.add(connection);
    this.log.debug({ remote: connection.remote }, 'connection opened');
    void connection.closed.then(() => {
      this.connections.delete(connection);
      this.log.debug({ remote: connection.remote }, 'connection closed');
    });
  }
}
