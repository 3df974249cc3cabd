/**
 * Gossip news as native protocol events (Cassandra's Server.EventNotifier): NEW_NODE when an
 * endpoint becomes a ring member, REMOVED_NODE when it stops being one, UP and DOWN when its
 * liveness changes. Each event names the peer's native address and port, the one drivers connect
 * to. A status is sent only when it differs from the last one sent for that endpoint, so the many
 * paths that lead to "alive" (echo, restart, gossip) make one UP. As in Cassandra, an endpoint
 * whose RPC_READY is false (its native server is not serving yet: starting, bootstrapping) gets
 * neither NEW_NODE nor UP until it turns true; NEW_NODE is then sent, then UP.
 * Pure apart from the `send` callback.
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
  /** RPC_READY by endpoint; an endpoint that never gossiped it counts as ready. */
  private readonly rpcReady = new Map<string, boolean>();
  /** Members whose NEW_NODE waits for RPC_READY (Cassandra's endpointsPendingJoinedNotification). */
  private readonly pendingJoins = new Set<string>();

  constructor(private readonly send: (event: ProtocolEvent) => void) {}

  /** Records where clients reach `endpoint` (from its NATIVE_ADDRESS[_AND_PORT]). */
  learnAddress(endpoint: string, address: NativeAddress | undefined): void {
    if (address !== undefined) this.addresses.set(endpoint, address);
  }

  /**
   * Records `endpoint`'s RPC_READY (undefined: not gossiped). Turning true sends a NEW_NODE that was
   * waiting for it, then UP if the endpoint is alive; turning false sends DOWN.
   */
  rpcReadyChanged(endpoint: string, ready: boolean | undefined, alive: boolean): void {
    const was = this.isRpcReady(endpoint);
    if (ready === undefined) this.rpcReady.delete(endpoint);
    else this.rpcReady.set(endpoint, ready);
    const now = this.isRpcReady(endpoint);
    if (now && !was) {
      if (this.pendingJoins.delete(endpoint)) this.joined(endpoint);
      if (alive) this.status(endpoint, 'UP');
    } else if (!now && was) {
      this.status(endpoint, 'DOWN');
    }
  }

  joined(endpoint: string): void {
    if (!this.isRpcReady(endpoint)) {
      this.pendingJoins.add(endpoint);
      return;
    }
    const address = this.addresses.get(endpoint);
    if (address) this.send({ type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', address });
  }

  removed(endpoint: string): void {
    const address = this.addresses.get(endpoint);
    this.lastStatus.delete(endpoint);
    this.rpcReady.delete(endpoint);
    if (this.pendingJoins.delete(endpoint)) return; // never announced: nothing to take back
    if (address) this.send({ type: 'TOPOLOGY_CHANGE', change: 'REMOVED_NODE', address });
  }

  status(endpoint: string, change: StatusChangeType): void {
    if (this.lastStatus.get(endpoint) === change) return;
    if (change === 'UP' && !this.isRpcReady(endpoint)) return;
    const address = this.addresses.get(endpoint);
    if (!address) return;
    this.lastStatus.set(endpoint, change);
    this.send({ type: 'STATUS_CHANGE', change, address });
  }

  private isRpcReady(endpoint: string): boolean {
    return this.rpcReady.get(endpoint) ?? true;
  }
}
