/**
 * Everything we send to one peer: a bounded queue (a FrameWriter that outlives connections), the
 * connection to the peer's listen address, and reconnection with exponential backoff and jitter.
 * Connecting is lazy: a peer nobody sends to holds no connection and no timer.
 */

import type { MessagingOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import type { RandomSource } from '../sim/random.js';
import type { Scheduler, TimerHandle } from '../sim/scheduler.js';
import { Channel, type ChannelEvents } from './channel.js';
import { MessagingQueueFullError } from './errors.js';
import { FrameWriter } from './frame-writer.js';
import type { MessagingMetrics } from './metrics.js';
import type { PeerAddress, Transport } from './transport.js';

export type OutboundState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

export interface OutboundContext {
  readonly transport: Transport;
  readonly scheduler: Scheduler;
  readonly random: RandomSource;
  readonly options: MessagingOptions;
  readonly metrics: MessagingMetrics;
  readonly log: Logger;
  readonly events: ChannelEvents;
  /** The HANDSHAKE frame that opens every connection (fresh: it carries the current time). */
  handshake(): Buffer;
  /** A connection attempt found nothing listening at `address` (the peer's process is gone). */
  connectionRefused(address: PeerAddress): void;
}

/** Error codes of a connection refused by the peer's host: TCP's and the simulated network's. */
const REFUSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'CONNECTION_REFUSED']);

export class OutboundPeer {
  readonly writer: FrameWriter;
  private state: OutboundState = 'idle';
  private channel: Channel | undefined;
  private failures = 0;
  private retryTimer: TimerHandle | undefined;

  constructor(
    readonly address: PeerAddress,
    private readonly context: OutboundContext,
  ) {
    this.writer = new FrameWriter(context.scheduler, context.metrics);
  }

  get connectionState(): OutboundState {
    return this.state;
  }

  /** Queues one frame; throws MESSAGING_QUEUE_FULL when the peer's queue is at its limit. */
  enqueue(frame: Buffer, verb: number, expiresAtMs: number): void {
    const limit = this.context.options.maxQueuedBytesPerPeer;
    // Past the limit, frames nobody waits for any more make room first.
    if (this.writer.queuedBytes + frame.length > limit) this.writer.pruneExpired();
    if (this.writer.queuedBytes + frame.length > limit) {
      this.context.metrics.droppedQueueFull++;
      throw new MessagingQueueFullError(this.address, verb, this.writer.queuedBytes, limit);
    }
    this.writer.enqueue(frame, expiresAtMs);
    if (this.state === 'idle') this.connect();
  }

  /** Our channel to the peer closed (the peer went away): reconnect if anything waits to be sent. */
  channelClosed(channel: Channel): void {
    if (channel !== this.channel) return;
    this.channel = undefined;
    if (this.state === 'closed') return;
    this.state = 'idle';
    if (this.writer.queuedBytes > 0) this.scheduleRetry();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.retryTimer) this.context.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.channel?.end();
    this.channel = undefined;
    this.writer.clear();
  }

  private connect(): void {
    const { transport, options, metrics, log } = this.context;
    this.state = 'connecting';
    metrics.connectionAttempts++;
    transport.connect(this.address, options.connectTimeoutMs).then(
      (connection) => {
        if (this.state !== 'connecting') {
          connection.destroy();
          return;
        }
        this.failures = 0;
        this.state = 'connected';
        const { scheduler, events } = this.context;
        const channel = new Channel(
          connection,
          'outbound',
          this.address,
          this.writer,
          options,
          scheduler,
          metrics,
          events,
          log,
        );
        this.channel = channel;
        this.writer.attach(connection, this.context.handshake());
      },
      (error: unknown) => {
        if (this.state !== 'connecting') return;
        metrics.connectionFailures++;
        this.failures++;
        log.debug({ err: error, peer: this.address, failures: this.failures }, 'internode connect failed');
        if (REFUSED_CODES.has((error as { code?: unknown }).code as string))
          this.context.connectionRefused(this.address);
        this.state = 'idle';
        this.scheduleRetry();
      },
    );
  }

  /** Exponential backoff from the base delay, capped, with jitter so peers do not retry in lockstep. */
  private scheduleRetry(): void {
    const { options, random, scheduler } = this.context;
    const exponent = Math.min(this.failures, 20);
    const ceilingMs = Math.min(options.reconnectMaxDelayMs, options.reconnectBaseDelayMs * 2 ** exponent);
    const delayMs = ceilingMs / 2 + (random.next() * ceilingMs) / 2;
    this.state = 'backoff';
    this.retryTimer = scheduler.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== 'backoff') return;
      this.state = 'idle';
      if (this.writer.queuedBytes > 0) this.connect();
    }, delayMs);
  }
}
