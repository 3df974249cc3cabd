/** Internode messaging: the public surface (see README.md). */
export { Channel } from './channel.js';
export {
  MalformedFrameError,
  MessageTimeoutError,
  MessageTooLargeError,
  MessagingClosedError,
  MessagingOverloadedError,
  MessagingQueueFullError,
  RemoteFailureError,
} from './errors.js';
export type { FaultDecision, FaultDirection, FaultRule } from './fault-filter.js';
export { FaultFilter } from './fault-filter.js';
export { FRAME_PREFIX_BYTES, MESSAGING_VERSION } from './frame.js';
export { IncomingMessage } from './incoming-message.js';
export type { MessagingDependencies, RequestOptions, VerbHandler } from './messaging-service.js';
export { MessagingService } from './messaging-service.js';
export type { MessagingMetrics } from './metrics.js';
export type { OutboundState } from './outbound-peer.js';
export type { DeliveryRecord, LatencyModel, SimulatedNetworkOptions } from './simulated-network.js';
export { exponentialLatency, SimulatedNetwork, uniformLatency } from './simulated-network.js';
export { TcpTransport } from './tcp-transport.js';
export type {
  ConnectionHandlers,
  PeerAddress,
  Transport,
  TransportConnection,
  TransportListener,
} from './transport.js';
export { formatPeerAddress, toPeerAddress } from './transport.js';
export type {
  CounterMutationPayload,
  DigestResponsePayload,
  FailurePayload,
  HandshakePayload,
  MutationPayload,
  PayloadOf,
  Priority,
  RangePayload,
  RangeResponsePayload,
  ReadPayload,
  ReadResponsePayload,
  RequestVerbId,
  ResponseOf,
  Stage,
  TimeoutClass,
  TruncatePayload,
  VerbId,
  VerbName,
  VerbPayloads,
  VerbSpec,
  WireClusteringBound,
  WireKey,
  WireKeyBound,
} from './verbs.js';
export { allVerbs, specOf, timeoutMsOf, Verb, verbName, verbSpec } from './verbs.js';
