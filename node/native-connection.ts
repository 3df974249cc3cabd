/**
 * One client connection of the native protocol server: socket bytes → FrameDecoder → requests
 * handled concurrently (responses leave in completion order, each on its request's stream) →
 * response frames. Owns the connection's limits: too many requests or bytes in flight, or a client
 * that does not read its responses, stops reading the socket until it catches up (backpressure).
 * A frame that cannot be decoded is answered with a ProtocolError and the connection is closed;
 * nothing a client sends ends the server or another connection.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../common/logger.js';
import { CqlRequestError, CqlSyntaxError } from '../cql/errors.js';
import type { DecodedItem, Frame, ProtocolEvent, ResponseMessage } from '../cql/protocol/index.js';
import {
  appendResponse,
  BodyWriter,
  decodeRequest,
  ErrorCode,
  encodeResponse,
  errorBodyFrom,
  FrameDecoder,
  isSupportedVersion,
  unsupportedVersionResponse,
} from '../cql/protocol/index.js';
import type { NativeTransportOptions } from './config.js';
import type { ConnectionState, Reply, RequestHandler } from './request-handler.js';
import { newConnectionState } from './request-handler.js';

/** The output batch's buffer: room for a few hundred small responses before it is replaced. */
const OUTPUT_BUFFER_BYTES = 64 * 1024;
/**
 * Requests started per event-loop turn (see `dispatchSlice`). Measured with 128 in flight on one
 * connection: 32 gave the client work early enough (~1.5x the throughput of starting a whole chunk
 * at once) while keeping one write per 30-odd responses.
 */
const DISPATCH_SLICE = 32;
/** Started frames kept at the front of the waiting list before it is compacted. */
const COMPACT_WAITING_AT = 8 * DISPATCH_SLICE;

export class NativeConnection {
  private readonly decoder: FrameDecoder;
  /**
   * Responses finished in this turn of the event loop, written to the socket together by one
   * `flush` (a write per response was a third of the server's time: one syscall each).
   */
  private readonly output = new BodyWriter(OUTPUT_BUFFER_BYTES);
  private flushScheduled = false;
  /** Decoded frames not started yet (see `dispatchSlice`), from `waitingHead` on. */
  private waiting: DecodedItem[] = [];
  private waitingHead = 0;
  private sliceScheduled = false;
  private readonly state: ConnectionState = newConnectionState();
  private inFlight = 0;
  private inFlightBytes = 0;
  private writeBlocked = false;
  private readingPaused = false;
  /** Set once the connection is being closed: no new request is started. */
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly handler: RequestHandler,
    private readonly limits: NativeTransportOptions,
    private readonly log: Logger,
  ) {
    this.decoder = new FrameDecoder({
      acceptVersion: isSupportedVersion,
      maxFrameBodyBytes: limits.maxFrameBodyBytes,
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateReading();
    });
    socket.on('error', (error) => this.log.debug({ err: error, remote: this.remote }, 'connection error'));
    socket.on('close', () => this.notifyIdle());
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /** Pushes an EVENT (stream -1) if the client REGISTERed for its type. */
  sendEvent(event: ProtocolEvent): void {
    if (!this.state.ready || !this.state.events.has(event.type) || this.closing) return;
    appendResponse(this.output, { type: 'EVENT', event }, { streamId: -1 }, this.codecOptions());
    this.scheduleFlush();
  }

  /**
   * Drain: reads no more requests, waits (at most `timeoutMs`) for those in flight to be answered,
   * then closes the socket once its last bytes are written.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.socket.pause();
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), timedOut]);
      clearTimeout(timer);
    }
    this.flush();
    this.socket.end();
    // Read on (and ignore) what still arrives, so the client's end of the socket is seen and it closes.
    this.socket.resume();
    const forced = setTimeout(() => this.socket.destroy(), timeoutMs);
    await this.closed;
    clearTimeout(forced);
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let items: DecodedItem[];
    try {
      items = this.decoder.push(chunk);
    } catch (error) {
      // The decoder reports bad input as items; anything thrown is a bug, kept to this connection.
      this.log.error({ err: error, remote: this.remote }, 'frame decoder failed');
      this.socket.destroy();
      return;
    }
    for (const item of items) {
      this.waiting.push(item);
      // A waiting frame counts as in flight: the limits bound what is read, not what has started.
      if (item.kind === 'frame') this.track(1, item.frame.body.length);
    }
    if (!this.sliceScheduled) this.dispatchSlice();
  }

  /**
   * Starts at most DISPATCH_SLICE waiting requests, then lets the event loop run before the next
   * slice. A chunk of a hundred requests started at once would answer them all at the end, and the
   * client would idle meanwhile; slices send the first answers while the rest are still being run,
   * so client and server work at the same time.
   */
  private dispatchSlice(): void {
    this.sliceScheduled = false;
    const end = Math.min(this.waiting.length, this.waitingHead + DISPATCH_SLICE);
    while (this.waitingHead < end && !this.closing) {
      const item = this.waiting[this.waitingHead++]!;
      if (item.kind === 'frame') this.dispatch(item.frame);
      else this.refuseFrame(item);
    }
    if (this.closing || this.waitingHead === this.waiting.length) {
      // Closing: the frames still waiting are never answered.
      for (const item of this.waiting.slice(this.waitingHead)) {
        if (item.kind === 'frame') this.track(-1, -item.frame.body.length);
      }
      this.waiting = [];
      this.waitingHead = 0;
      return;
    }
    if (this.waitingHead >= COMPACT_WAITING_AT) {
      // Under steady load the list may never run empty: drop the started frames (and their chunks).
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
    this.sliceScheduled = true;
    setImmediate(() => this.dispatchSlice());
  }

  /** A frame the decoder could not accept: answer it in the client's version, then close. */
  private refuseFrame(item: Extract<DecodedItem, { kind: 'error' }>): void {
    const { header, error } = item;
    this.log.info({ remote: this.remote, version: header.version, reason: error.message }, 'refused frame');
    const response = isSupportedVersion(header.version)
      ? encodeResponse(
          { type: 'ERROR', error: errorBodyFrom(error) },
          { streamId: header.streamId },
          this.codecOptions(),
        )
      : // An unsupported version (a driver probing v5): the client reads this and retries with v4
        // on a new connection, as with Cassandra, which closes this one.
        unsupportedVersionResponse(header);
    this.closeAfter(response);
  }

  private dispatch(frame: Frame): void {
    const streamId = frame.header.streamId;
    let message: ReturnType<typeof decodeRequest>['message'];
    try {
      message = decodeRequest(frame, this.codecOptions()).message;
    } catch (error) {
      // A body that does not parse: the stream may be out of step from here on.
      const message: ResponseMessage = { type: 'ERROR', error: errorBodyFrom(error) };
      this.closeAfter(encodeResponse(message, { streamId }, this.codecOptions()));
      this.track(-1, -frame.body.length);
      return;
    }
    const bytes = frame.body.length;
    // One `then` per request: its callbacks answer and release the request's share of the limits.
    this.handler.handle(message, this.state).then(
      (reply) => {
        try {
          this.respond(reply, streamId);
        } finally {
          this.track(-1, -bytes);
        }
      },
      (error: unknown) => {
        try {
          this.respondWithError(error, streamId, message.type);
        } finally {
          this.track(-1, -bytes);
        }
      },
    );
  }

  private track(requests: number, bytes: number): void {
    this.inFlight += requests;
    this.inFlightBytes += bytes;
    this.updateReading();
    if (this.inFlight === 0) this.notifyIdle();
  }

  private respond(reply: Reply, streamId: number): void {
    try {
      this.append(reply.message, streamId, reply.warnings);
    } catch (error) {
      this.respondWithError(error, streamId, reply.message.type);
    }
  }

  private respondWithError(error: unknown, streamId: number, requestType: string): void {
    if (!(error instanceof CqlRequestError || error instanceof CqlSyntaxError)) {
      // Not an operating error: a bug. The client gets a ServerError and the connection stays open.
      this.log.error({ err: error, remote: this.remote, request: requestType }, 'unexpected error');
    }
    const body = errorBodyFrom(error);
    if (body.code === ErrorCode.SERVER_ERROR && error instanceof CqlRequestError)
      this.log.warn({ err: error, request: requestType }, 'server error');
    this.append({ type: 'ERROR', error: body }, streamId, undefined);
  }

  /** Adds a response to this turn's batch (whole or not at all: an encoding error throws). */
  private append(message: ResponseMessage, streamId: number, warnings: readonly string[] | undefined): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const envelope = warnings ? { streamId, warnings } : { streamId };
    appendResponse(this.output, message, envelope, this.codecOptions());
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the microtasks of this turn: every request of a chunk usually completes in them.
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const bytes = this.output.take();
    if (bytes.length === 0 || this.socket.destroyed || !this.socket.writable) return;
    if (!this.socket.write(bytes)) {
      this.writeBlocked = true;
      this.updateReading();
    }
  }

  private codecOptions(): {
    compressor?: NonNullable<ConnectionState['compressor']>;
    maxFrameBodyBytes: number;
  } {
    const compressor = this.state.compressor;
    return compressor
      ? { compressor, maxFrameBodyBytes: this.limits.maxFrameBodyBytes }
      : { maxFrameBodyBytes: this.limits.maxFrameBodyBytes };
  }

  private closeAfter(bytes: Buffer): void {
    this.closing = true;
    // Responses already finished go first: the client may be waiting for them.
    this.flush();
    if (this.socket.writable) this.socket.end(bytes);
    // A client that never reads cannot keep the socket open.
    setTimeout(() => this.socket.destroy(), 5_000).unref();
  }

  /** Reads the socket only while the connection is under every limit. */
  private updateReading(): void {
    if (this.closing) return;
    const over =
      this.writeBlocked ||
      this.inFlight >= this.limits.maxConcurrentRequestsPerConnection ||
      this.inFlightBytes >= this.limits.maxConcurrentRequestBytesPerConnection;
    if (over && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    } else if (!over && this.readingPaused) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
