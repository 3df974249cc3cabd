/**
 * Gossip messages on the wire: each `GossipMessage` type travels as the messaging verb of the same
 * name (GOSSIP_DIGEST_SYN / ACK / ACK2 and GOSSIP_SHUTDOWN one-way; ECHO as a request whose response
 * is the ECHO_RSP), and what arrives is handed to the gossiper, whose effects go back to the
 * cluster service. Peers are named by their messaging address (`ip:port`), which is also their
 * gossip endpoint.
 */
import type { Clock } from '../../common/clock.js';
import { SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { EndpointAddress } from '../gossip/endpoint-state.js';
import type { GossipEffect } from '../gossip/gossip-events.js';
import type { GossipMessage } from '../gossip/gossip-messages.js';
import type { Gossiper } from '../gossip/gossiper.js';
import type { IncomingMessage, MessagingService, PeerAddress, VerbId } from '../messaging/index.js';
import { Verb } from '../messaging/index.js';

type OneWay = 'GOSSIP_DIGEST_SYN' | 'GOSSIP_DIGEST_ACK' | 'GOSSIP_DIGEST_ACK2' | 'GOSSIP_SHUTDOWN';
const ONE_WAY: readonly OneWay[] = [
  'GOSSIP_DIGEST_SYN',
  'GOSSIP_DIGEST_ACK',
  'GOSSIP_DIGEST_ACK2',
  'GOSSIP_SHUTDOWN',
];

export class GossipVerbs {
  private closed = false;
  private readonly unsubscribeRefused: () => void;

  constructor(
    private readonly messaging: MessagingService,
    private readonly gossiper: Gossiper,
    private readonly clock: Clock,
    private readonly perform: (effects: readonly GossipEffect[]) => void,
    private readonly log: Logger,
  ) {
    for (const type of ONE_WAY) {
      messaging.registerHandler(Verb[type], (message: IncomingMessage<unknown>) =>
        this.receive(message.from, type, message.payload),
      );
    }
    messaging.registerHandler(Verb.ECHO_REQ, (message) => this.answerEcho(message.from));
    // A refused connection means the peer's process is gone: the failure detector convicts sooner.
    this.unsubscribeRefused = messaging.onConnectionRefused((peer) =>
      gossiper.connectionRefused(peer as string as EndpointAddress),
    );
  }

  /** Sends one gossip message; a full queue or a closed service only loses this round's message. */
  send(to: EndpointAddress, message: GossipMessage): void {
    if (this.closed && message.type !== 'GOSSIP_SHUTDOWN') return;
    const peer = to as string as PeerAddress;
    try {
      if (message.type === 'ECHO_REQ') this.echo(peer);
      // ECHO_RSP is the response to the ECHO_REQ request (`answerEcho`), not a message of its own.
      else if (message.type !== 'ECHO_RSP') this.messaging.send(peer, Verb[message.type] as VerbId, message);
    } catch (error) {
      this.log.debug({ err: error, to, type: message.type }, 'gossip message not sent');
    }
  }

  /** Stops handing messages to the gossiper (the shutdown announcement may still go out). */
  close(): void {
    this.closed = true;
    this.unsubscribeRefused();
    for (const type of ONE_WAY) this.messaging.unregisterHandler(Verb[type]);
    this.messaging.unregisterHandler(Verb.ECHO_REQ);
  }

  private receive(from: PeerAddress, expected: OneWay, payload: unknown): void {
    if (this.closed) return;
    if ((payload as Partial<GossipMessage> | null)?.type !== expected) {
      this.log.warn({ from, verb: expected }, 'gossip message of the wrong shape dropped');
      return;
    }
    this.deliver(from, payload as GossipMessage);
  }

  private deliver(from: PeerAddress, message: GossipMessage): void {
    let effects: GossipEffect[];
    try {
      effects = this.gossiper.receive(from as string as EndpointAddress, message, this.clock.nowMs());
    } catch (error) {
      // A malformed state from a peer (a SibylError) must not stop this node's gossip.
      this.log.warn({ err: error, from, type: message.type }, 'gossip message rejected');
      return;
    }
    this.perform(effects);
  }

  /** Only a running gossiper answers: a node still in its shadow round must not be marked alive. */
  private answerEcho(from: PeerAddress): null {
    if (this.closed) throw new SibylError('GOSSIP_NOT_RUNNING', 'gossip is stopped');
    const effects = this.gossiper.receive(
      from as string as EndpointAddress,
      { type: 'ECHO_REQ' },
      this.clock.nowMs(),
    );
    const answered = effects.some((e) => e.kind === 'send' && e.message.type === 'ECHO_RSP');
    this.perform(effects);
    if (!answered) throw new SibylError('GOSSIP_NOT_RUNNING', 'gossip is not running yet');
    return null;
  }

  private echo(peer: PeerAddress): void {
    this.messaging.request(peer, Verb.ECHO_REQ, null).then(
      () => {
        if (!this.closed) this.deliver(peer, { type: 'ECHO_RSP' });
      },
      (error: unknown) => this.log.debug({ err: error, peer }, 'echo not answered'),
    );
  }
}
