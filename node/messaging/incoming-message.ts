/** A message as a verb handler sees it, plus what messaging needs to answer it. */
import type { HostId } from '../../ring/endpoint.js';
import type { Channel } from './channel.js';
import type { DecodedFrame } from './frame.js';
import { Flag } from './frame.js';
import type { PeerAddress } from './transport.js';

export class IncomingMessage<P = unknown> {
  readonly verb: number;
  /** The peer's listen address (from its handshake), the name to answer or send to. */
  readonly from: PeerAddress;
  /** The sender's host id, from the frame header. */
  readonly fromHostId: HostId;
  /** The sender's clock when it sent the message. */
  readonly createdAtMs: number;
  readonly timeoutMs: number;
  /** Non-zero for a request; the response carries it back. */
  readonly requestId: number;
  /** True when the sender waits for a response (`request`); false for `send`. */
  readonly expectsResponse: boolean;
  private answered = false;

  constructor(
    /** @internal the channel the message came in on, where its response goes. */
    readonly channel: Channel,
    frame: DecodedFrame,
    public payload: P,
  ) {
    this.verb = frame.verb;
    this.from = channel.peer!;
    this.fromHostId = channel.hostIdOf(frame);
    this.createdAtMs = frame.createdAtMs;
    this.timeoutMs = frame.timeoutMs;
    this.requestId = frame.requestId;
    this.expectsResponse = (frame.flags & Flag.EXPECTS_RESPONSE) !== 0;
  }

  /** When the sender stops waiting (by its clock). */
  get expiresAtMs(): number {
    return this.createdAtMs + this.timeoutMs;
  }

  /** True the first time only: a request is answered once. */
  claimResponse(): boolean {
    if (this.answered) return false;
    this.answered = true;
    return true;
  }
}
