/**
 * A whole gossip cluster in one test process: gossipers exchanging messages through a FIFO queue,
 * one seeded random source per node and a manual clock. A round ticks every running node (in a
 * seeded random order) at the same instant, delivers every message until the queue is empty, then
 * moves the clock one gossip interval on. Links can be cut (partitions) and nodes killed.
 */
import { formatTokens, statusValue } from '../../../node/gossip/application-values.js';
import type { ApplicationStateName, EndpointAddress } from '../../../node/gossip/endpoint-state.js';
import type { GossipEffect, GossipEvent } from '../../../node/gossip/gossip-events.js';
import type { GossipMessage } from '../../../node/gossip/gossip-messages.js';
import { pickRandom } from '../../../node/gossip/gossip-targets.js';
import { Gossiper } from '../../../node/gossip/gossiper.js';
import type { Token } from '../../../ring/token.js';
import { address, seededRandom } from './gossip-fixtures.js';

export const CLUSTER = 'Test Cluster';
export const PARTITIONER = 'org.apache.cassandra.dht.Murmur3Partitioner';
const MAX_DELIVERIES_PER_ROUND = 1_000_000;

export interface SimulatedNode {
  readonly address: EndpointAddress;
  gossiper: Gossiper;
  up: boolean;
  readonly events: { atMs: number; event: GossipEvent }[];
  startStates: Partial<Record<ApplicationStateName, string>>;
}

interface InFlight {
  readonly from: EndpointAddress;
  readonly to: EndpointAddress;
  readonly message: GossipMessage;
}

export function nodeStates(n: number): Partial<Record<ApplicationStateName, string>> {
  const tokens = [(BigInt(n) * 1_000_000n) as Token, (BigInt(n) * 1_000_000n + 7n) as Token];
  return {
    STATUS: statusValue.normal(tokens),
    TOKENS: formatTokens(tokens),
    HOST_ID: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    DC: 'datacenter1',
    RACK: 'rack1',
    SCHEMA: '11111111-1111-1111-1111-111111111111',
    RELEASE_VERSION: '4.1.0',
    RPC_READY: 'true',
  };
}

export class SimulatedCluster {
  nowMs = 1_700_000_000_000;
  readonly nodes = new Map<EndpointAddress, SimulatedNode>();
  /** Messages for which this returns true are dropped (a partition). */
  blocked: (from: EndpointAddress, to: EndpointAddress) => boolean = () => false;
  private queue: InFlight[] = [];
  private readonly order;
  private restarts = 0;

  constructor(
    readonly size: number,
    readonly seedCount: number,
    private readonly seed: number,
  ) {
    this.order = seededRandom(seed);
    for (let n = 1; n <= size; n++) this.nodes.set(address(n), this.createNode(n));
  }

  get seeds(): EndpointAddress[] {
    return Array.from({ length: this.seedCount }, (_, index) => address(index + 1));
  }

  private createNode(n: number): SimulatedNode {
    const gossiper = new Gossiper(
      { address: address(n), clusterName: CLUSTER, partitioner: PARTITIONER, seeds: this.seeds },
      seededRandom(this.seed * 7919 + n * 104_729 + this.restarts),
    );
    return { address: address(n), gossiper, up: false, events: [], startStates: nodeStates(n) };
  }

  node(n: number): SimulatedNode {
    const node = this.nodes.get(address(n));
    if (node === undefined) throw new Error(`no node ${n}`);
    return node;
  }

  /** Starts a node the way a node process does: shadow round first, then gossip. */
  start(n: number): void {
    const node = this.node(n);
    node.up = true;
    this.perform(node, node.gossiper.startShadowRound(this.nowMs));
  }

  startAll(): void {
    for (let n = 1; n <= this.size; n++) this.start(n);
    this.deliverAll();
  }

  /** kill -9: the node stops at once, says nothing, and messages to it are lost. */
  kill(n: number): void {
    this.node(n).up = false;
  }

  /** A new process on the same address: new gossiper, new generation (the clock has moved on). */
  restart(n: number): void {
    this.restarts += 1;
    const fresh = this.createNode(n);
    const old = this.node(n);
    old.gossiper = fresh.gossiper;
    old.startStates = fresh.startStates;
    this.start(n);
  }

  shutdown(n: number): void {
    const node = this.node(n);
    this.perform(node, node.gossiper.announceShutdown(this.nowMs));
    node.up = false;
  }

  round(): void {
    const running = [...this.nodes.values()].filter((node) => node.up);
    const order: SimulatedNode[] = [];
    while (running.length > 0) {
      const next = pickRandom(running, this.order)!;
      running.splice(running.indexOf(next), 1);
      order.push(next);
    }
    for (const node of order) this.perform(node, node.gossiper.tick(this.nowMs));
    this.deliverAll();
    this.nowMs += 1000;
  }

  /** Runs rounds until `done` holds (checked before each round); returns how many ran, or throws. */
  runUntil(done: () => boolean, maxRounds: number, everyRound?: () => void): number {
    for (let rounds = 0; rounds <= maxRounds; rounds++) {
      if (done()) return rounds;
      this.round();
      everyRound?.();
    }
    throw new Error(`not done within ${maxRounds} rounds`);
  }

  deliverAll(): void {
    let deliveries = 0;
    while (this.queue.length > 0) {
      if (++deliveries > MAX_DELIVERIES_PER_ROUND) throw new Error('message storm: the queue never drains');
      const { from, to, message } = this.queue.shift()!;
      const target = this.nodes.get(to);
      if (target === undefined || !target.up || this.blocked(from, to)) continue;
      this.perform(target, target.gossiper.receive(from, message, this.nowMs));
    }
  }

  private perform(node: SimulatedNode, effects: readonly GossipEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'send') {
        this.queue.push({ from: node.address, to: effect.to, message: effect.message });
        continue;
      }
      node.events.push({ atMs: this.nowMs, event: effect.event });
      // The node's driver: once the shadow round has told us about the cluster, start gossiping.
      if (effect.event.type === 'shadow-round-complete')
        this.perform(node, node.gossiper.start(this.nowMs, { states: node.startStates }));
    }
  }

  // ---- what the test asserts on ----

  running(): SimulatedNode[] {
    return [...this.nodes.values()].filter((node) => node.up);
  }

  /** `observer` holds `subject`'s current generation and every application state at its latest version. */
  knowsLatest(observer: SimulatedNode, subject: SimulatedNode): boolean {
    const theirs = subject.gossiper.endpointState(subject.address);
    const known = observer.gossiper.endpointState(subject.address);
    if (theirs === undefined || known === undefined) return false;
    if (known.heartbeat.generation !== theirs.heartbeat.generation) return false;
    for (const [name, value] of Object.entries(theirs.states)) {
      const mine = known.states[name as ApplicationStateName];
      if (mine?.version !== value.version || mine.value !== value.value) return false;
    }
    return true;
  }

  /** Every running node knows every running node's latest state and sees it alive. */
  converged(): boolean {
    const running = this.running();
    return running.every((observer) =>
      running.every(
        (subject) => this.knowsLatest(observer, subject) && observer.gossiper.isAlive(subject.address),
      ),
    );
  }

  seesDown(observers: readonly number[], subjects: readonly number[]): boolean {
    return observers.every((o) => subjects.every((s) => !this.node(o).gossiper.isAlive(address(s))));
  }

  seesUp(observers: readonly number[], subjects: readonly number[]): boolean {
    return observers.every((o) => subjects.every((s) => this.node(o).gossiper.isAlive(address(s))));
  }
}

export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
