/**
 * The outgoing side of one connection (or of one peer across reconnections): frames queued during
 * a tick leave in one transport write when the tick ends (coalescing), and nothing is handed over
 * while the transport reports its buffer full, so unwritten bytes pile up here, where they are
 * counted and bounded.
 */
import { assert } from '../../common/errors.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { MessagingMetrics } from './metrics.js';
import type { TransportConnection } from './transport.js';

export class FrameWriter {
  private frames: Buffer[] = [];
  /** Per frame: when it stops being useful to the receiver (pruned on reconnection). */
  private expiries: number[] = [];
  private bytes = 0;
  private connection: TransportConnection | undefined;
  private blocked = false;
  private flushScheduled = false;
  private readonly flushBound = () => this.flush();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly metrics: MessagingMetrics,
    /** Told when queued bytes drop (a flush or a drain): the reader of an inbound connection resumes on it. */
    private readonly onRelieved: () => void = () => {},
  ) {}

  /** Bytes queued and not yet handed to the transport. */
  get queuedBytes(): number {
    return this.bytes;
  }

  get isConnected(): boolean {
    return this.connection !== undefined;
  }

  enqueue(frame: Buffer, expiresAtMs: number): void {
    this.frames.push(frame);
    this.expiries.push(expiresAtMs);
    this.bytes += frame.length;
    this.scheduleFlush();
  }

  /** Starts writing to `connection`; `first` (the handshake) goes before everything queued. */
  attach(connection: TransportConnection, first?: Buffer): void {
    assert(!this.connection, 'a writer has one connection at a time');
    this.connection = connection;
    this.blocked = false;
    this.pruneExpired();
    if (first) {
      this.frames.unshift(first);
      this.expiries.unshift(Number.POSITIVE_INFINITY);
      this.bytes += first.length;
    }
    this.scheduleFlush();
  }

  /** The connection is gone; queued frames stay for the next one. */
  detach(): void {
    this.connection = undefined;
    this.blocked = false;
  }

  onDrain(): void {
    this.blocked = false;
    this.scheduleFlush();
    this.onRelieved();
  }

  /** Drops queued frames that expired; returns the bytes freed. */
  pruneExpired(): number {
    const now = this.scheduler.nowMs();
    const before = this.bytes;
    const keptFrames: Buffer[] = [];
    const keptExpiries: number[] = [];
    for (let index = 0; index < this.frames.length; index++) {
      const expiresAtMs = this.expiries[index]!;
      if (expiresAtMs > now) {
        keptFrames.push(this.frames[index]!);
        keptExpiries.push(expiresAtMs);
      } else {
        this.bytes -= this.frames[index]!.length;
        this.metrics.droppedExpired++;
      }
    }
    this.frames = keptFrames;
    this.expiries = keptExpiries;
    return before - this.bytes;
  }

  /** Drops everything queued (the service is closing). */
  clear(): void {
    this.frames = [];
    this.expiries = [];
    this.bytes = 0;
  }

  /** Writes what is queued now, if the transport takes it (used when closing). */
  flush(): void {
    this.flushScheduled = false;
    const connection = this.connection;
    if (!connection || this.blocked || this.frames.length === 0) return;
    const frames = this.frames;
    const chunk = frames.length === 1 ? frames[0]! : Buffer.concat(frames, this.bytes);
    this.metrics.messagesSent += frames.length;
    this.metrics.bytesSent += chunk.length;
    this.metrics.transportWrites++;
    this.frames = [];
    this.expiries = [];
    this.bytes = 0;
    this.blocked = !connection.write(chunk);
    this.onRelieved();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.connection || this.blocked) return;
    this.flushScheduled = true;
    this.scheduler.defer(this.flushBound);
  }
}
