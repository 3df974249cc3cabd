/**
 * What the gossiper asks its driver to do: send a message, or tell listeners (ring, schema, hints,
 * native protocol events) that something changed. The Ready of etcd raft (STYLE.md §2).
 */
import type {
  ApplicationStateName,
  EndpointAddress,
  EndpointState,
  VersionedValue,
} from './endpoint-state.js';
import type { GossipMessage } from './gossip-messages.js';

export type DeathReason =
  /** The failure detector's phi passed phi_convict_threshold. */
  | 'convicted'
  /** The endpoint announced a clean shutdown. */
  | 'shutdown'
  /** Its status says it is gone (LEFT, removed, hibernate). */
  | 'dead-state';

export type RejectionCode =
  | 'CLUSTER_NAME_MISMATCH'
  | 'PARTITIONER_MISMATCH'
  | 'INVALID_GENERATION'
  | 'UNKNOWN_GOSSIP_MESSAGE';

export type GossipEvent =
  /**
   * First sight of an endpoint, or its return with a new generation (then after `restarted`). Each
   * of its application states follows as a `state-change`, as Cassandra's StorageService.onJoin
   * replays them, so listeners need only handle `state-change`.
   */
  | { readonly type: 'joined'; readonly endpoint: EndpointAddress; readonly state: EndpointState }
  | {
      readonly type: 'restarted';
      readonly endpoint: EndpointAddress;
      readonly previous: EndpointState;
      readonly state: EndpointState;
    }
  | {
      readonly type: 'state-change';
      readonly endpoint: EndpointAddress;
      readonly name: ApplicationStateName;
      readonly value: VersionedValue;
    }
  | { readonly type: 'alive'; readonly endpoint: EndpointAddress }
  | { readonly type: 'dead'; readonly endpoint: EndpointAddress; readonly reason: DeathReason }
  /** Evicted from gossip (left, removed, or expired); quarantined for `quarantineDelayMs`. */
  | { readonly type: 'removed'; readonly endpoint: EndpointAddress }
  /** The shadow round learnt these states from a seed (empty when every seed was starting too). */
  | {
      readonly type: 'shadow-round-complete';
      readonly states: ReadonlyMap<EndpointAddress, EndpointState>;
    }
  /** No seed answered within ring delay: Cassandra's "Unable to gossip with any peers". */
  | { readonly type: 'shadow-round-failed'; readonly code: 'UNABLE_TO_GOSSIP'; readonly message: string }
  /** A message ignored for a reason worth logging. */
  | {
      readonly type: 'rejected';
      readonly from: EndpointAddress;
      readonly code: RejectionCode;
      readonly message: string;
    };

export type GossipEffect =
  | { readonly kind: 'send'; readonly to: EndpointAddress; readonly message: GossipMessage }
  | { readonly kind: 'event'; readonly event: GossipEvent };
