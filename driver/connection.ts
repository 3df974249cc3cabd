/**
 * One TCP connection to one host, speaking protocol v4: the STARTUP handshake (compression,
 * plain-text authentication when the server asks), request multiplexing over stream ids with a
 * timeout per request, server events on stream -1, write coalescing (every request issued in one
 * event-loop turn leaves in one write) and an OPTIONS heartbeat when idle.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { assert } from '../common/errors.js';
import { logger } from '../common/logger.js';
import {
  appendRequest,
  BodyWriter,
  type CompressionName,
  compressorFor,
  type DecodedResponse,
  decodeResponse,
  type FrameCompressor,
  FrameDecoder,
  type ProtocolEvent,
  type RequestMessage,
  type ResponseMessage,
  startupOptions,
} from '../cql/protocol/index.js';
import {
  BusyConnectionError,
  ConnectionError,
  DriverError,
  OperationTimedOutError,
  ResponseError,
} from './errors.js';
import { StreamIds } from './stream-ids.js';

const log = logger('driver');

/** The output batch's buffer: room for a few hundred small requests before it is replaced. */
const OUTPUT_BUFFER_BYTES = 64 * 1024;

export const DRIVER_NAME = 'Sibyl TypeScript Driver';
export const DRIVER_VERSION = '0.1.0';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export function endpointKey(endpoint: Endpoint): string {
  return endpoint.host.includes(':')
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface ConnectionOptions {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxRequestsPerConnection: number;
  readonly compression?: CompressionName;
  readonly credentials?: Credentials;
  /** Events pushed by the server (only on a connection that sent REGISTER). */
  readonly onEvent?: (event: ProtocolEvent) => void;
}

interface Pending {
  resolve(response: DecodedResponse): void;
  reject(error: Error): void;
  readonly rejectErrors: boolean;
  /** `Date.now()` past which the request times out (Infinity: never). */
  readonly deadline: number;
  readonly timeoutMs: number;
}

export class Connection {
  readonly key: string;
  private readonly decoder = new FrameDecoder();
  private readonly streams: StreamIds;
  private readonly pending = new Map<number, Pending | 'orphaned'>();
  private compressor: FrameCompressor | undefined;
  private closedError: Error | undefined;
  private readonly closeListeners: ((error: Error) => void)[] = [];
  /** Requests issued in this turn of the event loop, written together by `flush`. */
  private readonly output = new BodyWriter(OUTPUT_BUFFER_BYTES);
  private flushScheduled = false;
  private timeoutTimer: NodeJS.Timeout | undefined;
  /** When `timeoutTimer` fires (Infinity when it is not armed). */
  private timeoutDue = Number.POSITIVE_INFINITY;
  private heartbeat: NodeJS.Timeout | undefined;
  private usedSinceHeartbeat = false;
  /** The keyspace of the last USE this connection ran. */
  keyspace: string | undefined;

  private constructor(
    readonly endpoint: Endpoint,
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.key = endpointKey(endpoint);
    this.streams = new StreamIds(options.maxRequestsPerConnection);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) =>
      this.fail(new ConnectionError(this.key, error.message, true, { cause: error })),
    );
    socket.on('close', () => this.fail(new ConnectionError(this.key, 'connection closed')));
  }

  /** Connects and completes the handshake (and USE of `keyspace`), within `connectTimeoutMs`. */
  static async open(endpoint: Endpoint, options: ConnectionOptions, keyspace?: string): Promise<Connection> {
    const socket = await openSocket(endpoint, options.connectTimeoutMs);
    const connection = new Connection(endpoint, socket, options);
    const timer = setTimeout(
      () => connection.fail(new ConnectionError(connection.key, 'handshake timed out')),
      options.connectTimeoutMs,
    );
    try {
      await connection.startup();
      if (keyspace !== undefined) await connection.use(keyspace);
    } catch (error) {
      connection.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    connection.startHeartbeat();
    return connection;
  }

  get isOpen(): boolean {
    return this.closedError === undefined;
  }

  get inFlight(): number {
    return this.streams.inFlight;
  }

  onClose(listener: (error: Error) => void): void {
    if (this.closedError !== undefined) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  /** Sends a request; an ERROR answer rejects with a ResponseError. */
  request(message: RequestMessage, timeoutMs = this.options.readTimeoutMs): Promise<DecodedResponse> {
    return this.send(message, timeoutMs, true);
  }

  /**
   * Sends a request and resolves with whatever the server answers on its stream (an ERROR too,
   * unless `rejectErrors`: then it rejects with a ResponseError, without a second promise).
   */
  send(
    message: RequestMessage,
    timeoutMs = this.options.readTimeoutMs,
    rejectErrors = false,
  ): Promise<DecodedResponse> {
    if (this.closedError !== undefined) {
      return Promise.reject(new ConnectionError(this.key, 'connection is closed', false));
    }
    const streamId = this.streams.acquire();
    if (streamId === undefined) return Promise.reject(new BusyConnectionError(this.key, this.inFlight));
    try {
      appendRequest(this.output, message, { streamId }, { compressor: this.compressor });
    } catch (error) {
      this.streams.release(streamId);
      return Promise.reject(error);
    }
    this.scheduleFlush();
    this.usedSinceHeartbeat = true;
    return new Promise((resolve, reject) => {
      const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
      this.pending.set(streamId, { resolve, reject, rejectErrors, deadline, timeoutMs });
      if (deadline < this.timeoutDue) this.armTimeouts(deadline);
    });
  }

  /** USE `keyspace` on this connection. */
  async use(keyspace: string): Promise<void> {
    const query = `USE "${keyspace.replaceAll('"', '""')}"`;
    await this.request({ type: 'QUERY', query, parameters: { consistency: 'ONE', skipMetadata: false } });
    this.keyspace = keyspace;
  }

  close(): void {
    this.fail(new ConnectionError(this.key, 'connection closed by the client', false));
  }

  private async startup(): Promise<void> {
    const extra = { DRIVER_NAME, DRIVER_VERSION };
    const options = startupOptions(this.options.compression, extra);
    const startup = this.send({ type: 'STARTUP', options });
    // STARTUP itself is never compressed; every frame after it may be, in both directions.
    if (this.options.compression !== undefined) this.compressor = compressorFor(this.options.compression);
    const answer = (await startup).message;
    if (answer.type === 'READY') return;
    if (answer.type === 'AUTHENTICATE') return this.authenticate(answer.authenticator);
    throw this.unexpected(answer, 'READY or AUTHENTICATE');
  }

  private async authenticate(authenticator: string): Promise<void> {
    const credentials = this.options.credentials;
    if (credentials === undefined) {
      throw new DriverError(
        `${this.key} requires authentication (${authenticator}) but no credentials were given`,
      );
    }
    // PLAIN SASL: \0 username \0 password, the one step PasswordAuthenticator expects.
    const token = Buffer.concat([
      Buffer.from([0]),
      Buffer.from(credentials.username, 'utf8'),
      Buffer.from([0]),
      Buffer.from(credentials.password, 'utf8'),
    ]);
    const answer = (await this.send({ type: 'AUTH_RESPONSE', token })).message;
    if (answer.type !== 'AUTH_SUCCESS') throw this.unexpected(answer, 'AUTH_SUCCESS');
  }

  private unexpected(answer: ResponseMessage, expected: string): Error {
    if (answer.type === 'ERROR') return new ResponseError(answer.error, this.key);
    return new DriverError(`${this.key} answered ${answer.type}, expected ${expected}`);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Every request issued in this turn (its microtasks included) leaves in one write.
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const bytes = this.output.take();
    if (bytes.length > 0 && !this.socket.destroyed) this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'error') {
        this.fail(new ConnectionError(this.key, `protocol error from the server: ${item.error.message}`));
        return;
      }
      let response: DecodedResponse;
      try {
        response = decodeResponse(item.frame, { compressor: this.compressor });
      } catch (error) {
        this.fail(new ConnectionError(this.key, `undecodable frame: ${(error as Error).message}`));
        return;
      }
      this.dispatch(response);
    }
  }

  private dispatch(response: DecodedResponse): void {
    const streamId = response.header.streamId;
    if (streamId < 0) {
      if (response.message.type === 'EVENT') this.options.onEvent?.(response.message.event);
      return;
    }
    const entry = this.pending.get(streamId);
    if (entry === undefined) {
      log.warn({ host: this.key, streamId }, 'response on a stream with no request; ignored');
      return;
    }
    this.pending.delete(streamId);
    this.streams.release(streamId);
    if (entry === 'orphaned') return;
    if (entry.rejectErrors && response.message.type === 'ERROR') {
      entry.reject(new ResponseError(response.message.error, this.key));
    } else {
      entry.resolve(response);
    }
  }

  /**
   * One timer per connection, due at the earliest deadline, rather than one per request: a timer
   * per request (made, then cleared a millisecond later) was a measurable share of a request's cost.
   */
  private armTimeouts(due: number): void {
    clearTimeout(this.timeoutTimer);
    this.timeoutDue = due;
    this.timeoutTimer = setTimeout(() => this.expire(), Math.max(0, due - Date.now()));
  }

  /** Times out every request past its deadline, then waits for the next deadline. */
  private expire(): void {
    this.timeoutTimer = undefined;
    this.timeoutDue = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [streamId, entry] of this.pending) {
      if (entry === 'orphaned') continue;
      if (entry.deadline <= now) this.timeOut(streamId, entry);
      else next = Math.min(next, entry.deadline);
    }
    if (next !== Number.POSITIVE_INFINITY && this.closedError === undefined) this.armTimeouts(next);
  }

  /**
   * The caller is told at once, but the stream id stays taken until the late answer arrives:
   * reusing it earlier would hand that answer to another request.
   */
  private timeOut(streamId: number, entry: Pending): void {
    this.pending.set(streamId, 'orphaned');
    entry.reject(new OperationTimedOutError(this.key, entry.timeoutMs));
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      if (this.usedSinceHeartbeat || this.inFlight > 0) {
        this.usedSinceHeartbeat = false;
        return;
      }
      this.send({ type: 'OPTIONS' }).catch((error: Error) => {
        this.fail(new ConnectionError(this.key, `heartbeat failed: ${error.message}`));
      });
    }, this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  private fail(error: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = error;
    clearInterval(this.heartbeat);
    clearTimeout(this.timeoutTimer);
    this.socket.destroy();
    for (const [streamId, entry] of this.pending) {
      this.pending.delete(streamId);
      this.streams.release(streamId);
      if (entry === 'orphaned') continue;
      entry.reject(error);
    }
    assert(this.streams.inFlight === 0, 'every stream id is released on close');
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}

function openSocket(endpoint: Endpoint, timeoutMs: number): Promise<Socket> {
  const key = endpointKey(endpoint);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionError(key, `connection timed out after ${timeoutMs} ms`, false));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new ConnectionError(key, error.message, false, { cause: error }));
    });
  });
}
