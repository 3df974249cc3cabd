/**
 * The seam every cluster feature sends through: one-way messages and request/response between
 * nodes, over any `Transport`. Owns the verb handlers, the pending requests and their timeouts, one
 * outbound peer (bounded queue, connection, backoff) per peer address, the inbound channels, the
 * fault filter and the counters. Time, timers and randomness come from the injected scheduler and
 * random source, so the same code runs over TCP and on a simulated network.
 */
import { SibylError } from '../../common/errors.js';
import type { MessagingOptions } from '../../common/limits.js';
import { messagingOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import { logger } from '../../common/logger.js';
import type { HostId } from '../../ring/endpoint.js';
import { parseHostId } from '../../ring/endpoint.js';
import type { RandomSource } from '../sim/random.js';
import { systemRandom } from '../sim/random.js';
import type { Scheduler } from '../sim/scheduler.js';
import { systemScheduler } from '../sim/scheduler.js';
import { Channel, type ChannelEvents } from './channel.js';
import { MalformedFrameError, MessagingClosedError, RemoteFailureError } from './errors.js';
import { FaultFilter } from './fault-filter.js';
import type { DecodedFrame } from './frame.js';
import { decodePayload, encodeFrame, Flag, hostIdToBytes, MESSAGING_VERSION } from './frame.js';
import { IncomingMessage } from './incoming-message.js';
import type { MessagingMetrics } from './metrics.js';
import { newMessagingMetrics } from './metrics.js';
import { type OutboundContext, OutboundPeer, type OutboundState } from './outbound-peer.js';
import { PendingRequests } from './pending-requests.js';
import type { PeerAddress, Transport, TransportConnection, TransportListener } from './transport.js';
import { toPeerAddress } from './transport.js';
import type {
  FailurePayload,
  HandshakePayload,
  PayloadOf,
  RequestVerbId,
  ResponseOf,
  VerbId,
} from './verbs.js';
import { specOf, timeoutMsOf, Verb, verbName, verbSpec } from './verbs.js';

/** Handles one verb. For a request, the value returned (or resolved) is the response payload. */
export type VerbHandler<V extends VerbId = VerbId> = (message: IncomingMessage<PayloadOf<V>>) => unknown;

export interface MessagingDependencies {
  readonly transport: Transport;
  /** This node's identity, sent in every frame. */
  readonly hostId: HostId;
  /** Where to listen, `host:port` (port 0: any free port; `address` tells which). */
  readonly listenAddress: PeerAddress;
  readonly scheduler?: Scheduler;
  readonly random?: RandomSource;
  readonly options?: Partial<MessagingOptions>;
  readonly log?: Logger;
}

export interface RequestOptions {
  /** Overrides the verb's timeout. */
  readonly timeoutMs?: number;
}

export class MessagingService {
  readonly hostId: HostId;
  readonly options: MessagingOptions;
  readonly metrics: MessagingMetrics = newMessagingMetrics();
  readonly faultFilter: FaultFilter;
  private listenAt: PeerAddress;
  private readonly transport: Transport;
  private readonly scheduler: Scheduler;
  private readonly random: RandomSource;
  private readonly log: Logger;
  private readonly senderBytes: Uint8Array;
  private readonly handlers: (VerbHandler | undefined)[] = [];
  private readonly outbound = new Map<PeerAddress, OutboundPeer>();
  private readonly inbound = new Set<Channel>();
  private readonly pending: PendingRequests;
  private readonly outboundContext: OutboundContext;
  private listener: TransportListener | undefined;
  private readonly refusedListeners = new Set<(peer: PeerAddress) => void>();
  private closed = false;

  constructor(deps: MessagingDependencies) {
    this.hostId = parseHostId(deps.hostId);
    this.listenAt = deps.listenAddress;
    this.transport = deps.transport;
    this.scheduler = deps.scheduler ?? systemScheduler;
    this.random = deps.random ?? systemRandom;
    this.options = messagingOptions(deps.options);
    this.log = deps.log ?? logger('messaging');
    this.senderBytes = hostIdToBytes(this.hostId);
    this.faultFilter = new FaultFilter(this.random);
    this.pending = new PendingRequests(this.scheduler, this.options.maxPendingRequests, () => {
      this.metrics.requestTimeouts++;
    });
    const events: ChannelEvents = {
      onFrame: (channel, frame) => this.onFrame(channel, frame),
      onClose: (channel) => this.onChannelClosed(channel),
    };
    this.outboundContext = {
      transport: this.transport,
      scheduler: this.scheduler,
      random: this.random,
      options: this.options,
      metrics: this.metrics,
      log: this.log,
      events,
      handshake: () => this.handshakeFrame(),
      connectionRefused: (peer) => {
        for (const listener of this.refusedListeners) listener(peer);
      },
    };
    // Every node answers ECHO (liveness probes) unless a feature installs its own handler.
    this.handlers[Verb.ECHO_REQ] = () => null;
  }

  /** Creates a service and starts listening. */
  static async start(deps: MessagingDependencies): Promise<MessagingService> {
    const service = new MessagingService(deps);
    await service.listen();
    return service;
  }

  /** Where this node listens (after `listen`, with the port actually bound). */
  get address(): PeerAddress {
    return this.listenAt;
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  async listen(): Promise<void> {
    if (this.closed) throw new MessagingClosedError();
    if (this.listener) return;
    this.listener = await this.transport.listen(this.listenAt, (connection) => this.accept(connection));
    this.listenAt = this.listener.address;
    this.log.info({ address: this.listenAt, hostId: this.hostId }, 'listening for internode messages');
  }

  /** Sets the handler of a verb (one per verb; a second registration replaces the first). */
  registerHandler<V extends VerbId>(verb: V, handler: VerbHandler<V>): void {
    const spec = specOf(verb);
    if (spec.isResponse || verb === Verb.HANDSHAKE) {
      throw new SibylError('INVALID_HANDLER', `${spec.name} is answered by messaging itself`);
    }
    this.handlers[verb] = handler as VerbHandler;
  }

  /**
   * Calls `listener` whenever a connection attempt to a peer is refused (nothing listens on its
   * port: its process is gone). Gossip uses it to convict a killed node sooner. Returns the unsubscribe.
   */
  onConnectionRefused(listener: (peer: PeerAddress) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  unregisterHandler(verb: VerbId): void {
    this.handlers[verb] = undefined;
  }

  /**
   * One-way message. Throws MESSAGING_QUEUE_FULL (the peer's queue is at its limit),
   * MESSAGE_TOO_LARGE or MESSAGING_CLOSED; delivery itself is not confirmed.
   */
  send<V extends VerbId>(peer: PeerAddress, verb: V, payload: PayloadOf<V>): void {
    if (this.closed) throw new MessagingClosedError();
    const spec = specOf(verb);
    const timeoutMs = timeoutMsOf(spec, this.options);
    const createdAtMs = this.scheduler.nowMs();
    const header = { flags: 0, verb, requestId: 0, createdAtMs, timeoutMs };
    const frame = encodeFrame(header, this.senderBytes, payload, this.options.maxFrameBytes);
    this.route(peer, verb, frame, createdAtMs + timeoutMs);
  }

  /**
   * Request/response: resolves with the peer's response payload; rejects with MESSAGE_TIMEOUT,
   * REMOTE_FAILURE (the peer's handler failed; `reason` is its code), or the errors of `send`.
   */
  request<V extends RequestVerbId>(
    peer: PeerAddress,
    verb: V,
    payload: PayloadOf<V>,
    options: RequestOptions = {},
  ): Promise<ResponseOf<V>> {
    try {
      return this.startRequest(peer, verb, payload, options) as Promise<ResponseOf<V>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Answers a request now (a handler that answers before it returns); later answers are ignored. */
  respond(message: IncomingMessage, payload: unknown): void {
    if (!message.claimResponse() || !message.expectsResponse) return;
    const spec = specOf(message.verb as VerbId);
    let frame: Buffer;
    try {
      frame = this.responseFrame(message, spec.response ?? Verb.FAILURE_RSP, Flag.RESPONSE, payload);
    } catch (error) {
      this.sendFailure(message, error);
      return;
    }
    this.writeResponse(message, spec.response ?? Verb.FAILURE_RSP, frame);
  }

  /** Answers a request with FAILURE_RSP carrying the error's code (UNKNOWN for an error without one). */
  respondFailure(message: IncomingMessage, error: unknown): void {
    if (!message.claimResponse()) return;
    this.sendFailure(message, error);
  }

  /** State and queue of the outbound side towards one peer. */
  peerStatus(peer: PeerAddress): { state: OutboundState; queuedBytes: number } {
    const outbound = this.outbound.get(peer);
    return { state: outbound?.connectionState ?? 'idle', queuedBytes: outbound?.writer.queuedBytes ?? 0 };
  }

  /** Closes the connection to a peer and drops its queue (it left the cluster). */
  forgetPeer(peer: PeerAddress): void {
    this.outbound.get(peer)?.close();
    this.outbound.delete(peer);
  }

  /**
   * Stops listening, writes what is queued on live connections and closes them; pending requests
   * fail with MESSAGING_CLOSED.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.outbound.values()) {
      peer.writer.flush();
      peer.close();
    }
    this.outbound.clear();
    for (const channel of [...this.inbound]) channel.end();
    this.inbound.clear();
    this.pending.rejectAll(new MessagingClosedError());
    await this.listener?.close();
  }

  private startRequest(
    peer: PeerAddress,
    verb: VerbId,
    payload: unknown,
    options: RequestOptions,
  ): Promise<unknown> {
    if (this.closed) throw new MessagingClosedError();
    const spec = specOf(verb);
    if (spec.response === undefined) throw new SibylError('NOT_A_REQUEST', `${spec.name} has no response`);
    const timeoutMs = options.timeoutMs ?? timeoutMsOf(spec, this.options);
    const { id, response } = this.pending.add(peer, verb, timeoutMs);
    try {
      const createdAtMs = this.scheduler.nowMs();
      const header = { flags: Flag.EXPECTS_RESPONSE, verb, requestId: id, createdAtMs, timeoutMs };
      const frame = encodeFrame(header, this.senderBytes, payload, this.options.maxFrameBytes);
      this.route(peer, verb, frame, createdAtMs + timeoutMs);
    } catch (error) {
      this.pending.take(id);
      throw error;
    }
    return response;
  }

  /** Outbound fault filter, then the peer's queue. */
  private route(peer: PeerAddress, verb: number, frame: Buffer, expiresAtMs: number): void {
    if (this.faultFilter.active) {
      const decision = this.faultFilter.decide('outbound', verb, peer);
      if (decision.action === 'drop') {
        this.metrics.droppedByFilter++;
        return;
      }
      if (decision.action === 'delay') {
        this.metrics.delayedByFilter++;
        this.scheduler.setTimeout(() => {
          try {
            if (!this.closed) this.outboundPeer(peer).enqueue(frame, verb, expiresAtMs);
          } catch (error) {
            this.log.debug({ err: error, peer }, 'delayed message not queued');
          }
        }, decision.delayMs);
        return;
      }
    }
    this.outboundPeer(peer).enqueue(frame, verb, expiresAtMs);
  }

  private outboundPeer(peer: PeerAddress): OutboundPeer {
    let outbound = this.outbound.get(peer);
    if (!outbound) {
      outbound = new OutboundPeer(peer, this.outboundContext);
      this.outbound.set(peer, outbound);
    }
    return outbound;
  }

  private accept(connection: TransportConnection): void {
    if (this.closed) {
      connection.destroy();
      return;
    }
    const events: ChannelEvents = this.outboundContext.events;
    const { options, scheduler, metrics, log } = this;
    this.inbound.add(
      new Channel(connection, 'inbound', undefined, undefined, options, scheduler, metrics, events, log),
    );
  }

  private onChannelClosed(channel: Channel): void {
    if (channel.direction === 'inbound') this.inbound.delete(channel);
    else if (channel.peer) this.outbound.get(channel.peer)?.channelClosed(channel);
  }

  private handshakeFrame(): Buffer {
    const payload: HandshakePayload = {
      version: MESSAGING_VERSION,
      hostId: this.hostId,
      address: this.listenAt,
    };
    const header = {
      flags: 0,
      verb: Verb.HANDSHAKE,
      requestId: 0,
      createdAtMs: this.scheduler.nowMs(),
      timeoutMs: 0,
    };
    return encodeFrame(header, this.senderBytes, payload, this.options.maxFrameBytes);
  }

  /** Every frame of every channel comes here first. Throwing closes the channel (see Channel). */
  private onFrame(channel: Channel, frame: DecodedFrame): void {
    this.metrics.messagesReceived++;
    if (frame.verb === Verb.HANDSHAKE) {
      this.onHandshake(channel, frame);
      return;
    }
    const peer = channel.peer;
    if (peer === undefined) throw new MalformedFrameError(`${verbName(frame.verb)} before HANDSHAKE`);
    if (this.faultFilter.active) {
      const decision = this.faultFilter.decide('inbound', frame.verb, peer);
      if (decision.action === 'drop') {
        this.metrics.droppedByFilter++;
        return;
      }
      if (decision.action === 'delay') {
        this.metrics.delayedByFilter++;
        this.scheduler.setTimeout(() => this.deliverLater(channel, frame), decision.delayMs);
        return;
      }
    }
    this.deliver(channel, frame);
  }

  private deliverLater(channel: Channel, frame: DecodedFrame): void {
    if (this.closed) return;
    try {
      this.deliver(channel, frame);
    } catch (error) {
      channel.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private deliver(channel: Channel, frame: DecodedFrame): void {
    if ((frame.flags & Flag.RESPONSE) !== 0) this.onResponse(frame);
    else this.onRequest(channel, frame);
  }

  private onHandshake(channel: Channel, frame: DecodedFrame): void {
    if (channel.direction !== 'inbound' || channel.peer !== undefined) {
      throw new MalformedFrameError('unexpected HANDSHAKE');
    }
    const payload = decodePayload(frame.body) as Partial<HandshakePayload> | null;
    if (payload?.version !== MESSAGING_VERSION || typeof payload.address !== 'string') {
      throw new MalformedFrameError(`bad HANDSHAKE (version ${String(payload?.version)})`);
    }
    try {
      channel.peer = toPeerAddress(payload.address);
    } catch (error) {
      throw new MalformedFrameError(`bad HANDSHAKE address ${payload.address}`, { cause: error });
    }
  }

  private onResponse(frame: DecodedFrame): void {
    const request = this.pending.take(frame.requestId);
    if (!request) {
      this.metrics.lateResponses++;
      return;
    }
    let payload: unknown;
    try {
      payload = decodePayload(frame.body);
    } catch (error) {
      request.reject(error as Error);
      throw error;
    }
    if ((frame.flags & Flag.FAILURE) !== 0) {
      const failure = (payload ?? {}) as Partial<FailurePayload>;
      request.reject(
        new RemoteFailureError(
          request.peer,
          request.verb,
          String(failure.code ?? 'UNKNOWN'),
          String(failure.message ?? ''),
        ),
      );
    } else {
      request.resolve(payload);
    }
  }

  private onRequest(channel: Channel, frame: DecodedFrame): void {
    const spec = verbSpec(frame.verb);
    const message = new IncomingMessage<unknown>(channel, frame, undefined);
    if (!spec || spec.isResponse) {
      this.log.warn({ verb: frame.verb, peer: channel.peer }, 'unknown verb: message dropped');
      this.refuse(message, 'UNKNOWN_VERB', `verb ${frame.verb} is not known here`);
      return;
    }
    if (spec.droppable && this.options.dropExpiredRequests && this.scheduler.nowMs() > message.expiresAtMs) {
      this.metrics.droppedExpired++;
      return;
    }
    const handler = this.handlers[frame.verb];
    if (!handler) {
      this.log.debug({ verb: spec.name, peer: channel.peer }, 'no handler: message dropped');
      this.refuse(message, 'NO_HANDLER', `no handler for ${spec.name}`);
      return;
    }
    message.payload = decodePayload(frame.body);
    this.runHandler(handler, message);
  }

  private runHandler(handler: VerbHandler, message: IncomingMessage): void {
    message.channel.requestStarted();
    let result: unknown;
    try {
      result = handler(message);
    } catch (error) {
      this.finish(message, undefined, error, true);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.finish(message, value, undefined, false),
        (error: unknown) => this.finish(message, undefined, error, true),
      );
    } else {
      this.finish(message, result, undefined, false);
    }
  }

  private finish(message: IncomingMessage, value: unknown, error: unknown, failed: boolean): void {
    message.channel.requestFinished();
    if (failed) this.respondFailure(message, error);
    else this.respond(message, value);
  }

  private refuse(message: IncomingMessage, code: string, text: string): void {
    if (message.claimResponse()) this.sendFailure(message, new SibylError(code, text));
  }

  private sendFailure(message: IncomingMessage, error: unknown): void {
    const code = error instanceof SibylError ? error.code : 'UNKNOWN';
    if (!(error instanceof SibylError)) {
      this.log.error(
        { err: error, verb: verbName(message.verb), peer: message.from },
        'internode handler failed',
      );
    }
    if (!message.expectsResponse) return;
    this.metrics.failureResponsesSent++;
    const text = error instanceof Error ? error.message : String(error);
    const payload: FailurePayload = { code, message: text };
    const frame = this.responseFrame(message, Verb.FAILURE_RSP, Flag.RESPONSE | Flag.FAILURE, payload);
    this.writeResponse(message, Verb.FAILURE_RSP, frame);
  }

  private responseFrame(message: IncomingMessage, verb: VerbId, flags: number, payload: unknown): Buffer {
    const header = {
      flags,
      verb,
      requestId: message.requestId,
      createdAtMs: this.scheduler.nowMs(),
      timeoutMs: message.timeoutMs,
    };
    return encodeFrame(header, this.senderBytes, payload, this.options.maxFrameBytes);
  }

  /** Responses leave on the channel the request came in on; a closed channel means the requester times out. */
  private writeResponse(message: IncomingMessage, verb: VerbId, frame: Buffer): void {
    const channel = message.channel;
    if (!message.expectsResponse || channel.closed || this.closed) return;
    if (this.faultFilter.active) {
      const decision = this.faultFilter.decide('outbound', verb, message.from);
      if (decision.action === 'drop') {
        this.metrics.droppedByFilter++;
        return;
      }
      if (decision.action === 'delay') {
        this.metrics.delayedByFilter++;
        this.scheduler.setTimeout(() => {
          if (!channel.closed) channel.writer.enqueue(frame, message.expiresAtMs);
        }, decision.delayMs);
        return;
      }
    }
    channel.writer.enqueue(frame, message.expiresAtMs);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
