/**
 * One live transport connection seen by messaging: bytes in → FrameDecoder → the service's
 * dispatcher; frames out through a FrameWriter. An outbound channel is the one we opened to a peer
 * (requests and one-way messages out, responses in); an inbound channel is one a peer opened to us
 * (its first frame is a HANDSHAKE naming the peer; requests in, responses out on the same channel).
 * An inbound channel stops reading while too many of its requests are in handlers or too many
 * response bytes wait unwritten (backpressure towards the peer).
 */

import type { MessagingOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import type { HostId } from '../../ring/endpoint.js';
import type { Scheduler } from '../sim/scheduler.js';
import { MalformedFrameError } from './errors.js';
import type { DecodedFrame } from './frame.js';
import { FrameDecoder, hostIdFromBytes } from './frame.js';
import { FrameWriter } from './frame-writer.js';
import type { MessagingMetrics } from './metrics.js';
import type { PeerAddress, TransportConnection } from './transport.js';

export interface ChannelEvents {
  onFrame(channel: Channel, frame: DecodedFrame): void;
  onClose(channel: Channel): void;
}

export class Channel {
  readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  /** The peer's listen address: known when we dialled it, told by the handshake when it dialled us. */
  peer: PeerAddress | undefined;
  private senderBytes: Uint8Array | undefined;
  private senderHostId: HostId | undefined;
  private requestsInHandlers = 0;
  private readingPaused = false;
  closed = false;

  constructor(
    readonly connection: TransportConnection,
    readonly direction: 'inbound' | 'outbound',
    peer: PeerAddress | undefined,
    /** Outbound channels write through their peer's writer, which outlives connections. */
    writer: FrameWriter | undefined,
    private readonly options: MessagingOptions,
    scheduler: Scheduler,
    private readonly metrics: MessagingMetrics,
    private readonly events: ChannelEvents,
    private readonly log: Logger,
  ) {
    this.peer = peer;
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    if (writer) {
      this.writer = writer; // attached by its outbound peer, after the handshake is ready
    } else {
      this.writer = new FrameWriter(scheduler, metrics, () => this.updateReading());
      this.writer.attach(connection);
    }
    connection.attach({
      onData: (chunk) => this.onData(chunk),
      onDrain: () => this.writer.onDrain(),
      onClose: (error) => this.onClosed(error),
    });
  }

  /** The host id in a frame's header, decoded once per distinct sender. */
  hostIdOf(frame: DecodedFrame): HostId {
    const bytes = frame.sender;
    const known = this.senderBytes;
    if (known && Buffer.compare(known, bytes) === 0 && this.senderHostId) return this.senderHostId;
    this.senderBytes = Uint8Array.from(bytes);
    this.senderHostId = hostIdFromBytes(bytes);
    return this.senderHostId;
  }

  requestStarted(): void {
    this.requestsInHandlers++;
    this.updateReading();
  }

  requestFinished(): void {
    this.requestsInHandlers--;
    this.updateReading();
  }

  /** Closes after writing what is queued (the peer sees a clean end). */
  end(): void {
    this.writer.flush();
    this.destroy(true);
  }

  destroy(graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    if (graceful) this.connection.end();
    else this.connection.destroy();
    this.writer.detach();
    this.events.onClose(this);
  }

  /** Closes this connection only: its byte stream can no longer be trusted. */
  fail(error: Error): void {
    if (this.closed) return;
    if (error instanceof MalformedFrameError) this.metrics.malformedFrames++;
    this.log.warn({ err: error, peer: this.peer ?? this.connection.remote }, 'closing internode connection');
    this.destroy();
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    this.metrics.bytesReceived += chunk.length;
    try {
      this.decoder.push(chunk, (frame) => {
        if (!this.closed) this.events.onFrame(this, frame);
      });
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private onClosed(error: Error | undefined): void {
    if (this.closed) return;
    if (error) this.log.debug({ err: error, peer: this.peer }, 'internode connection failed');
    this.closed = true;
    this.writer.detach();
    this.events.onClose(this);
  }

  private updateReading(): void {
    if (this.direction !== 'inbound' || this.closed) return;
    const overloaded =
      this.requestsInHandlers >= this.options.maxInFlightRequestsPerConnection ||
      this.writer.queuedBytes >= this.options.maxUnwrittenResponseBytesPerConnection;
    if (overloaded && !this.readingPaused) {
      this.readingPaused = true;
      this.connection.pause();
    } else if (!overloaded && this.readingPaused) {
      this.readingPaused = false;
      this.connection.resume();
    }
  }
}
