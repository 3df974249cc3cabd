/**
 * An in-process network for whole-cluster tests (STYLE.md §3): every node's `Transport` is a view
 * of one `SimulatedNetwork`, which delivers byte chunks through the injected scheduler after a
 * latency drawn from a seeded random source, and can drop, reorder and partition. With a
 * `SimulatedScheduler` and a `SeededRandom`, the same seed gives the same deliveries in the same
 * order. Chunks are delivered whole (messaging writes whole frames), so drops and reordering lose
 * or permute messages without corrupting the stream.
 */
import { SibylError } from '../../common/errors.js';
import type { RandomSource } from '../sim/random.js';
import type { Scheduler } from '../sim/scheduler.js';
import type {
  ConnectionHandlers,
  PeerAddress,
  Transport,
  TransportConnection,
  TransportListener,
} from './transport.js';

/** Milliseconds a chunk from `from` takes to reach `to`. */
export type LatencyModel = (from: PeerAddress, to: PeerAddress, random: RandomSource) => number;

export function uniformLatency(minMs: number, maxMs: number): LatencyModel {
  return (_from, _to, random) => minMs + random.next() * (maxMs - minMs);
}

/** A floor plus an exponential tail: mostly fast, sometimes slow. */
export function exponentialLatency(minMs: number, meanExtraMs: number): LatencyModel {
  return (_from, _to, random) => minMs - meanExtraMs * Math.log(1 - random.next());
}

export interface SimulatedNetworkOptions {
  readonly scheduler: Scheduler;
  readonly random: RandomSource;
  /** Default: uniform between 0.5 and 5 ms. */
  readonly latency?: LatencyModel;
  /** Probability that a chunk (one coalesced write) is lost. */
  readonly dropProbability?: number;
  /**
   * Let later chunks of a connection overtake earlier ones (never its first chunk, which carries
   * the handshake). Default false: each connection is FIFO, like TCP.
   */
  readonly reorder?: boolean;
  /** Bytes in flight on one connection before `write` reports it full (the socket's high-water mark). */
  readonly highWaterMarkBytes?: number;
  /** Record every delivery in `deliveries` (determinism tests). */
  readonly record?: boolean;
}

export interface DeliveryRecord {
  readonly atMs: number;
  readonly from: PeerAddress;
  readonly to: PeerAddress;
  readonly bytes: number;
}

export class SimulatedNetwork {
  readonly scheduler: Scheduler;
  readonly random: RandomSource;
  readonly latency: LatencyModel;
  readonly dropProbability: number;
  readonly reorder: boolean;
  readonly highWaterMarkBytes: number;
  readonly deliveries: DeliveryRecord[] = [];
  readonly stats = { chunksSent: 0, chunksDelivered: 0, chunksDropped: 0, bytesDelivered: 0 };
  private readonly recording: boolean;
  private readonly listeners = new Map<PeerAddress, (connection: TransportConnection) => void>();
  /** Directed links that are cut, as `from>to`. */
  private readonly cut = new Set<string>();
  private readonly endsByNode = new Map<PeerAddress, Set<SimulatedConnection>>();

  constructor(options: SimulatedNetworkOptions) {
    this.scheduler = options.scheduler;
    this.random = options.random;
    this.latency = options.latency ?? uniformLatency(0.5, 5);
    this.dropProbability = options.dropProbability ?? 0;
    this.reorder = options.reorder ?? false;
    this.highWaterMarkBytes = options.highWaterMarkBytes ?? 1024 * 1024;
    this.recording = options.record ?? false;
  }

  /** The transport of the node at `address` (its connections originate there). */
  transportFor(address: PeerAddress): Transport {
    return {
      connect: (to, timeoutMs) => this.connect(address, to, timeoutMs),
      listen: async (at, onConnection) => this.listen(address, at, onConnection),
    };
  }

  /** Cuts every link between `side` and `otherSide` (default: every other node), both directions. */
  partition(side: readonly PeerAddress[], otherSide?: readonly PeerAddress[]): void {
    const others = otherSide ?? [...this.knownNodes()].filter((node) => !side.includes(node));
    for (const a of side) {
      for (const b of others) {
        this.cut.add(`${a}>${b}`);
        this.cut.add(`${b}>${a}`);
      }
    }
  }

  /** Cuts one direction only: `from` can no longer reach `to` (an asymmetric partition). */
  cutLink(from: PeerAddress, to: PeerAddress): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Restores every link. */
  heal(): void {
    this.cut.clear();
  }

  canReach(from: PeerAddress, to: PeerAddress): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  /** A process crash: the node stops listening and all its connections drop at once. */
  crash(address: PeerAddress): void {
    this.listeners.delete(address);
    for (const end of [...(this.endsByNode.get(address) ?? [])]) end.destroy();
  }

  /** Called by connections: whether and when a chunk written now arrives. */
  scheduleDelivery(from: PeerAddress, to: PeerAddress): number | undefined {
    this.stats.chunksSent++;
    if (!this.canReach(from, to) || (this.dropProbability > 0 && this.random.next() < this.dropProbability)) {
      this.stats.chunksDropped++;
      return undefined;
    }
    const delayMs = Math.max(0, this.latency(from, to, this.random));
    return this.scheduler.nowMs() + delayMs;
  }

  noteDelivered(from: PeerAddress, to: PeerAddress, bytes: number): void {
    this.stats.chunksDelivered++;
    this.stats.bytesDelivered += bytes;
    if (this.recording) this.deliveries.push({ atMs: this.scheduler.nowMs(), from, to, bytes });
  }

  track(node: PeerAddress, end: SimulatedConnection, add: boolean): void {
    let ends = this.endsByNode.get(node);
    if (!ends) this.endsByNode.set(node, (ends = new Set()));
    if (add) ends.add(end);
    else ends.delete(end);
  }

  private knownNodes(): Set<PeerAddress> {
    return new Set([...this.listeners.keys(), ...this.endsByNode.keys()]);
  }

  private listen(
    node: PeerAddress,
    at: PeerAddress,
    onConnection: (connection: TransportConnection) => void,
  ): TransportListener {
    if (at !== node) throw new SibylError('SIMULATED_NETWORK', `node ${node} cannot listen on ${at}`);
    if (this.listeners.has(at)) throw new SibylError('ADDRESS_IN_USE', `${at} is already listening`);
    this.listeners.set(at, onConnection);
    return {
      address: at,
      close: async () => {
        if (this.listeners.get(at) === onConnection) this.listeners.delete(at);
      },
    };
  }

  private connect(from: PeerAddress, to: PeerAddress, timeoutMs: number): Promise<TransportConnection> {
    return new Promise((resolve, reject) => {
      // The SYN: lost on a cut link (the caller waits out its timeout), refused where nobody listens.
      const synAt = this.scheduleDelivery(from, to);
      if (synAt === undefined || !this.canReach(to, from)) {
        this.scheduler.setTimeout(
          () =>
            reject(new SibylError('CONNECT_TIMEOUT', `connecting to ${to} timed out after ${timeoutMs} ms`)),
          timeoutMs,
        );
        return;
      }
      this.scheduler.setTimeout(() => {
        const accept = this.listeners.get(to);
        if (!accept) {
          reject(new SibylError('CONNECTION_REFUSED', `nothing listens on ${to}`));
          return;
        }
        const client = new SimulatedConnection(this, from, to);
        const server = new SimulatedConnection(this, to, from);
        client.peer = server;
        server.peer = client;
        accept(server);
        resolve(client);
      }, synAt - this.scheduler.nowMs());
    });
  }
}

/** One end of a simulated connection. */
class SimulatedConnection implements TransportConnection {
  peer: SimulatedConnection | undefined;
  private handlers: ConnectionHandlers | undefined;
  private paused = false;
  private closed = false;
  private readonly inbox: { chunk: Uint8Array; consumed: () => void }[] = [];
  private inFlightBytes = 0;
  private full = false;
  private firstArrivalMs: number | undefined;
  private lastArrivalMs = 0;

  constructor(
    private readonly network: SimulatedNetwork,
    private readonly local: PeerAddress,
    readonly remoteNode: PeerAddress,
  ) {
    network.track(local, this, true);
  }

  get remote(): string {
    return this.remoteNode;
  }

  attach(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    if (this.inbox.length > 0) this.network.scheduler.defer(() => this.deliverInbox());
    if (this.closed) this.network.scheduler.defer(() => handlers.onClose());
  }

  write(chunk: Uint8Array): boolean {
    const peer = this.peer;
    if (this.closed || !peer) return true;
    const arrival = this.network.scheduleDelivery(this.local, this.remoteNode);
    if (arrival === undefined) return !this.full;
    const at = this.arrivalTime(arrival);
    const copy = chunk.slice();
    this.inFlightBytes += copy.length;
    this.full = this.inFlightBytes > this.network.highWaterMarkBytes;
    this.network.scheduler.setTimeout(
      () => peer.receive(copy, this.local, () => this.consumed(copy.length)),
      at - this.network.scheduler.nowMs(),
    );
    return !this.full;
  }

  /**
   * The receiver took a chunk: like a TCP window, bytes count against the sender until the other
   * end reads them, so a receiver that pauses reading blocks its sender.
   */
  private consumed(bytes: number): void {
    this.inFlightBytes -= bytes;
    if (this.full && this.inFlightBytes <= this.network.highWaterMarkBytes) {
      this.full = false;
      if (!this.closed) this.handlers?.onDrain();
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.network.scheduler.defer(() => this.deliverInbox());
  }

  /** The FIN follows the data already written, as `destroy` does here. */
  end(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.close();
    const peer = this.peer;
    // The FIN follows the data already sent.
    if (peer) {
      const at = Math.max(this.network.scheduler.nowMs(), this.lastArrivalMs);
      this.network.scheduler.setTimeout(() => peer.close(), at - this.network.scheduler.nowMs());
    }
  }

  private arrivalTime(drawnMs: number): number {
    let at = drawnMs;
    if (this.firstArrivalMs === undefined) this.firstArrivalMs = at;
    else if (this.network.reorder) at = Math.max(at, this.firstArrivalMs);
    else at = Math.max(at, this.lastArrivalMs);
    this.lastArrivalMs = Math.max(this.lastArrivalMs, at);
    return at;
  }

  private receive(chunk: Uint8Array, from: PeerAddress, consumed: () => void): void {
    if (this.closed) return;
    this.network.noteDelivered(from, this.local, chunk.length);
    const handlers = this.handlers;
    if (this.paused || !handlers || this.inbox.length > 0) {
      this.inbox.push({ chunk, consumed });
      return;
    }
    consumed();
    handlers.onData(chunk);
  }

  private deliverInbox(): void {
    while (!this.paused && !this.closed && this.handlers && this.inbox.length > 0) {
      const { chunk, consumed } = this.inbox.shift()!;
      consumed();
      this.handlers.onData(chunk);
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.length = 0;
    this.network.track(this.local, this, false);
    const handlers = this.handlers;
    if (handlers) this.network.scheduler.defer(() => handlers.onClose());
  }
}
