/**
 * The gossip messages, named by their Cassandra verbs (the messaging verb table maps each `type` to
 * a verb). Plain data only: arrays and objects, so msgpack carries them unchanged.
 */
import type { EndpointAddress, EndpointState, Generation } from './endpoint-state.js';

/** "I know `endpoint` at `generation` up to `maxVersion`" (Cassandra's `GossipDigest`). */
export interface GossipDigest {
  readonly endpoint: EndpointAddress;
  /** 0 in a shadow-round request: "send me everything". */
  readonly generation: Generation;
  readonly maxVersion: number;
}

export interface EndpointStateEntry {
  readonly endpoint: EndpointAddress;
  readonly state: EndpointState;
}

/** Opens a round. An empty digest list is a shadow-round request. */
export interface GossipDigestSyn {
  readonly type: 'GOSSIP_DIGEST_SYN';
  readonly clusterName: string;
  readonly partitioner: string;
  readonly digests: readonly GossipDigest[];
}

/** The receiver's answer: digests it wants sent, and states the sender lacks. */
export interface GossipDigestAck {
  readonly type: 'GOSSIP_DIGEST_ACK';
  readonly digests: readonly GossipDigest[];
  readonly states: readonly EndpointStateEntry[];
}

/** Closes a round: the states the ACK asked for. */
export interface GossipDigestAck2 {
  readonly type: 'GOSSIP_DIGEST_ACK2';
  readonly states: readonly EndpointStateEntry[];
}

/**
 * A clean shutdown. Carries the sender's final state (STATUS shutdown), so receivers apply real
 * versions instead of inventing them (Cassandra 4.0 sends no payload and forces the heartbeat to
 * Integer.MAX_VALUE instead).
 */
export interface GossipShutdown {
  readonly type: 'GOSSIP_SHUTDOWN';
  readonly state?: EndpointState;
}

/** Sent before marking an endpoint alive: only a reply proves it is reachable from here. */
export interface EchoRequest {
  readonly type: 'ECHO_REQ';
}

export interface EchoResponse {
  readonly type: 'ECHO_RSP';
}

export type GossipMessage =
  | GossipDigestSyn
  | GossipDigestAck
  | GossipDigestAck2
  | GossipShutdown
  | EchoRequest
  | EchoResponse;

export const GOSSIP_MESSAGE_TYPES: readonly GossipMessage['type'][] = [
  'GOSSIP_DIGEST_SYN',
  'GOSSIP_DIGEST_ACK',
  'GOSSIP_DIGEST_ACK2',
  'GOSSIP_SHUTDOWN',
  'ECHO_REQ',
  'ECHO_RSP',
];
