/**
 * Gossip news as native protocol events (Cassandra's Server.EventNotifier): NEW_NODE when an
 * endpoint becomes a ring member, REMOVED_NODE when it stops being one, UP and DOWN when its
 * liveness changes. Each event names the peer's native address and port, the one drivers connect
 * to. A status is sent only when it differs from the last one sent for that endpoint, so the many
 * paths that lead to "alive" (echo, restart, gossip) make one UP. Pure apart from the `send` callback.
 */
import type { ProtocolEvent, StatusChangeType } from '../../cql/protocol/index.js';

export interface NativeAddress {
  readonly address: string;
  readonly port: number;
}

export class ClientEventNotifier {
  /** Native addresses by gossip endpoint, kept so that a removed endpoint can still be named. */
  private readonly addresses = new Map<string, NativeAddress>();
  private readonly lastStatus = new Map<string, StatusChangeType>();

  constructor(private readonly send: (event: ProtocolEvent) => void) {}

  /** Records where clients reach `endpoint` (from its NATIVE_ADDRESS[_AND_PORT]). */
  learnAddress(endpoint: string, address: NativeAddress | undefined): void {
    if (address !== undefined) this.addresses.set(endpoint, address);
  }

  joined(endpoint: string): void {
    const address = this.addresses.get(endpoint);
    if (address) this.send({ type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', address });
  }

  removed(endpoint: string): void {
    const address = this.addresses.get(endpoint);
    this.lastStatus.delete(endpoint);
    if (address) this.send({ type: 'TOPOLOGY_CHANGE', change: 'REMOVED_NODE', address });
  }

  status(endpoint: string, change: StatusChangeType): void {
    if (this.lastStatus.get(endpoint) === change) return;
    const address = this.addresses.get(endpoint);
    if (!address) return;
    this.lastStatus.set(endpoint, change);
    this.send({ type: 'STATUS_CHANGE', change, address });
  }
}
