/**
 * The gossip state machine (Cassandra's `Gossiper` and its verb handlers) without IO: the driver
 * calls `tick` every gossip interval and `receive` for every gossip message, passing the time, and
 * performs the effects returned (sends and events). The random source is injected, so a seed
 * replays a whole cluster.
 *
 * Like etcd raft's RawNode, the object holds its state and each call returns what to do; the
 * comparisons and merges it relies on are pure functions (`digest-exchange.ts`, `endpoint-state.ts`).
 */
import { assert } from '../../common/errors.js';
import {
  isDeadState,
  isShutdown,
  isSilentShutdownState,
  statusExpiryMs,
  statusValue,
} from './application-values.js';
import { digestOf, type EndpointStates, examineDigests, statesRequested } from './digest-exchange.js';
import {
  type ApplicationStateName,
  type EndpointAddress,
  type EndpointState,
  type Generation,
  generation,
  maxVersion,
  mergeEndpointState,
  stateEntries,
  VersionGenerator,
  withApplicationState,
  withHeartbeatVersion,
} from './endpoint-state.js';
import { FailureDetector, type FailureDetectorOptions, failureDetectorOptions } from './failure-detector.js';
import { gossipDefaults } from './gossip-defaults.js';
import type { DeathReason, GossipEffect, GossipEvent, RejectionCode } from './gossip-events.js';
import type {
  EndpointStateEntry,
  GossipDigest,
  GossipDigestAck,
  GossipDigestSyn,
  GossipMessage,
} from './gossip-messages.js';
import { chooseGossipTargets, type RandomSource } from './gossip-targets.js';

export interface GossiperConfig {
  readonly address: EndpointAddress;
  readonly clusterName: string;
  readonly partitioner: string;
  /** May include ourselves (a seed lists itself); we never gossip to ourselves. */
  readonly seeds: readonly EndpointAddress[];
  readonly ringDelayMs?: number;
  readonly quarantineDelayMs?: number;
  readonly failureDetector?: Partial<FailureDetectorOptions>;
}

export type GossiperPhase = 'idle' | 'shadow' | 'running' | 'stopped';

export interface LocalStart {
  /** Defaults to the start time in seconds; Cassandra stores the last one and takes max(stored + 1, now). */
  readonly generation?: Generation;
  readonly states: Partial<Record<ApplicationStateName, string>>;
}

interface ShadowRound {
  readonly startedAtMs: number;
  lastSentAtMs: number;
  /** Seeds that answered with an empty ACK: they are starting too. */
  readonly seedsInShadowRound: Set<EndpointAddress>;
}

export class Gossiper {
  readonly address: EndpointAddress;
  private readonly seeds: readonly EndpointAddress[];
  private readonly ringDelayMs: number;
  private readonly quarantineDelayMs: number;
  private readonly states = new Map<EndpointAddress, EndpointState>();
  private readonly live = new Set<EndpointAddress>();
  /** Unreachable endpoints and since when (ms). */
  private readonly unreachable = new Map<EndpointAddress, number>();
  /** Evicted endpoints and when (Cassandra's justRemovedEndpoints). */
  private readonly quarantined = new Map<EndpointAddress, number>();
  private readonly echoesInFlight = new Map<EndpointAddress, number>();
  private readonly failureDetector: FailureDetector;
  private versions = new VersionGenerator();
  private currentPhase: GossiperPhase = 'idle';
  private shadow: ShadowRound | undefined;
  /** ACKs carrying states before our first SYN are leftovers of the shadow round. */
  private firstSynSentAtMs: number | undefined;
  private out: GossipEffect[] = [];

  constructor(
    private readonly config: GossiperConfig,
    private readonly random: RandomSource,
  ) {
    this.address = config.address;
    this.seeds = [...new Set(config.seeds)].filter((seed) => seed !== config.address);
    this.ringDelayMs = config.ringDelayMs ?? gossipDefaults.ringDelayMs;
    this.quarantineDelayMs = config.quarantineDelayMs ?? gossipDefaults.quarantineDelayMs;
    this.failureDetector = new FailureDetector(failureDetectorOptions(config.failureDetector));
  }

  // ---- views ----

  get phase(): GossiperPhase {
    return this.currentPhase;
  }

  endpointState(endpoint: EndpointAddress): EndpointState | undefined {
    return this.states.get(endpoint);
  }

  endpointStates(): EndpointStates {
    return this.states;
  }

  isAlive(endpoint: EndpointAddress): boolean {
    return endpoint === this.address || this.live.has(endpoint);
  }

  liveEndpoints(): EndpointAddress[] {
    return [...this.live];
  }

  unreachableEndpoints(): EndpointAddress[] {
    return [...this.unreachable.keys()];
  }

  /** When `endpoint` was marked down (ms), undefined while it is live or unknown. */
  unreachableSince(endpoint: EndpointAddress): number | undefined {
    return this.unreachable.get(endpoint);
  }

  isQuarantined(endpoint: EndpointAddress): boolean {
    return this.quarantined.has(endpoint);
  }

  /** phi on the threshold's scale (what nodetool failuredetector prints), if heartbeats were seen. */
  phi(endpoint: EndpointAddress, nowMs: number): number | undefined {
    return this.failureDetector.phi(endpoint, nowMs);
  }

  // ---- lifecycle ----

  /**
   * Learns the cluster from the seeds before announcing ourselves (host ID and token checks, a
   * restart's own old state). Completes at once when we are the only seed.
   */
  startShadowRound(nowMs: number): GossipEffect[] {
    assert(this.currentPhase === 'idle', `shadow round started in phase ${this.currentPhase}`);
    if (this.seeds.length === 0) {
      this.emit({ type: 'shadow-round-complete', states: new Map() });
      return this.flush();
    }
    this.currentPhase = 'shadow';
    this.shadow = { startedAtMs: nowMs, lastSentAtMs: nowMs, seedsInShadowRound: new Set() };
    this.sendShadowSyn();
    return this.flush();
  }

  /** Starts gossiping our own state (`Gossiper.start` with `maybeInitializeLocalState`). */
  start(nowMs: number, local: LocalStart): GossipEffect[] {
    assert(this.currentPhase === 'idle', `gossip started in phase ${this.currentPhase}`);
    this.versions = new VersionGenerator();
    let state: EndpointState = {
      heartbeat: { generation: local.generation ?? generation(Math.floor(nowMs / 1000)), version: 0 },
      states: {},
    };
    for (const [name, value] of Object.entries(local.states) as [ApplicationStateName, string][]) {
      state = withApplicationState(state, name, value, this.versions.next());
    }
    this.states.set(this.address, state);
    this.currentPhase = 'running';
    return this.flush();
  }

  /** Changes one of our application states (`addLocalApplicationState`); gossip spreads it. */
  setApplicationState(name: ApplicationStateName, value: string): void {
    const local = this.localState();
    this.states.set(this.address, withApplicationState(local, name, value, this.versions.next()));
  }

  /**
   * Changes application states of another endpoint on its behalf, as removenode does for a dead
   * node (Cassandra's advertiseRemoving / advertiseTokenRemoved): its generation is forced one
   * higher, so every peer takes this version of its state over the one the endpoint last gossiped.
   * Returns the state-change events (and `dead` if it was thought alive and the status is a dead one).
   */
  advertiseOnBehalf(
    endpoint: EndpointAddress,
    states: Partial<Record<ApplicationStateName, string>>,
    nowMs: number,
  ): GossipEffect[] {
    assert(endpoint !== this.address, 'advertiseOnBehalf is for another endpoint');
    const current = this.states.get(endpoint);
    assert(current !== undefined, `no gossip state for ${endpoint}`);
    let version = maxVersion(current);
    let next: EndpointState = {
      heartbeat: {
        generation: generation(current.heartbeat.generation + 1),
        version: current.heartbeat.version,
      },
      states: current.states,
    };
    for (const [name, value] of Object.entries(states) as [ApplicationStateName, string][]) {
      version += 1;
      next = withApplicationState(next, name, value, version);
    }
    this.states.set(endpoint, next);
    for (const name of Object.keys(states) as ApplicationStateName[])
      this.emit({ type: 'state-change', endpoint, name, value: next.states[name]! });
    if (isDeadState(next)) this.markDead(endpoint, 'dead-state', nowMs);
    return this.flush();
  }

  /**
   * A clean shutdown: STATUS shutdown and RPC_READY false, sent to every live peer so they mark us
   * down at once instead of waiting for the failure detector. Silent in states where peers expect
   * no announcement (bootstrapping, left). Gossip stops.
   */
  announceShutdown(_nowMs: number): GossipEffect[] {
    if (this.currentPhase !== 'running') return [];
    this.currentPhase = 'stopped';
    if (isSilentShutdownState(this.localState())) return [];
    this.setApplicationState('STATUS', statusValue.shutdown());
    this.setApplicationState('RPC_READY', 'false');
    const state = this.localState();
    for (const peer of this.live) this.send(peer, { type: 'GOSSIP_SHUTDOWN', state });
    return this.flush();
  }

  /**
   * Forgets an endpoint (left, removed, replaced) and ignores gossip about it for the quarantine
   * delay, so peers that have not heard yet cannot bring it back (`evictFromMembership`).
   */
  evict(endpoint: EndpointAddress, nowMs: number): GossipEffect[] {
    this.evictEndpoint(endpoint, nowMs);
    return this.flush();
  }

  private evictEndpoint(endpoint: EndpointAddress, nowMs: number): void {
    assert(endpoint !== this.address, 'a gossiper cannot evict itself');
    this.states.delete(endpoint);
    this.live.delete(endpoint);
    this.unreachable.delete(endpoint);
    this.echoesInFlight.delete(endpoint);
    this.failureDetector.remove(endpoint);
    this.quarantined.set(endpoint, nowMs);
    this.emit({ type: 'removed', endpoint });
  }

  // ---- the round ----

  /** One gossip interval: heartbeat, SYN to the chosen peers, then the status check. */
  /**
   * A connection to `endpoint`'s storage port was refused (nothing listens there): the failure
   * detector convicts it sooner if it stays silent (`FailureDetector.refused`).
   */
  connectionRefused(endpoint: EndpointAddress): void {
    if (endpoint !== this.address) this.failureDetector.refused(endpoint);
  }

  tick(nowMs: number): GossipEffect[] {
    if (this.currentPhase === 'shadow') {
      this.shadowTick(nowMs);
      return this.flush();
    }
    if (this.currentPhase !== 'running') return [];
    this.states.set(this.address, withHeartbeatVersion(this.localState(), this.versions.next()));
    const syn: GossipDigestSyn = {
      type: 'GOSSIP_DIGEST_SYN',
      clusterName: this.config.clusterName,
      partitioner: this.config.partitioner,
      digests: this.shuffledDigests(),
    };
    const unreachable = [...this.unreachable.keys()].filter(
      (endpoint) => !isDeadState(this.states.get(endpoint)),
    );
    const targets = chooseGossipTargets(
      { live: [...this.live], unreachable, seeds: this.seeds, unreachableCount: this.unreachable.size },
      this.random,
    );
    if (targets.length > 0) this.firstSynSentAtMs ??= nowMs;
    for (const target of targets) this.send(target, syn);
    this.statusCheck(nowMs);
    return this.flush();
  }

  receive(from: EndpointAddress, message: GossipMessage, nowMs: number): GossipEffect[] {
    switch (message.type) {
      case 'GOSSIP_DIGEST_SYN':
        this.onSyn(from, message);
        break;
      case 'GOSSIP_DIGEST_ACK':
        this.onAck(from, message, nowMs);
        break;
      case 'GOSSIP_DIGEST_ACK2':
        if (this.currentPhase === 'running') this.applyRemoteStates(message.states, nowMs);
        break;
      case 'GOSSIP_SHUTDOWN':
        this.onShutdown(from, message.state, nowMs);
        break;
      case 'ECHO_REQ':
        if (this.currentPhase === 'running') this.send(from, { type: 'ECHO_RSP' });
        break;
      case 'ECHO_RSP':
        this.onEchoResponse(from, nowMs);
        break;
      default:
        this.reject(from, 'UNKNOWN_GOSSIP_MESSAGE', `unknown gossip message ${JSON.stringify(message)}`);
    }
    return this.flush();
  }

  private onSyn(from: EndpointAddress, syn: GossipDigestSyn): void {
    if (this.currentPhase !== 'running' && this.currentPhase !== 'shadow') return;
    if (syn.clusterName !== this.config.clusterName) {
      this.reject(
        from,
        'CLUSTER_NAME_MISMATCH',
        `ClusterName mismatch from ${from} ${syn.clusterName}!=${this.config.clusterName}`,
      );
      return;
    }
    if (syn.partitioner !== this.config.partitioner) {
      this.reject(
        from,
        'PARTITIONER_MISMATCH',
        `Partitioner mismatch from ${from} ${syn.partitioner}!=${this.config.partitioner}`,
      );
      return;
    }
    if (this.currentPhase === 'shadow') {
      // Two nodes both in their shadow round: say so with an empty ACK; a real SYN is ignored.
      if (syn.digests.length === 0) this.send(from, { type: 'GOSSIP_DIGEST_ACK', digests: [], states: [] });
      return;
    }
    const { requests, states } = examineDigests(this.states, syn.digests);
    this.send(from, { type: 'GOSSIP_DIGEST_ACK', digests: requests, states });
  }

  private onAck(from: EndpointAddress, ack: GossipDigestAck, nowMs: number): void {
    if (this.currentPhase === 'shadow') {
      this.onShadowAck(from, ack);
      return;
    }
    if (this.currentPhase !== 'running') return;
    if (ack.states.length > 0) {
      if (this.firstSynSentAtMs === undefined) return;
      this.applyRemoteStates(ack.states, nowMs);
    }
    const states = statesRequested(this.states, ack.digests);
    if (states.length > 0) this.send(from, { type: 'GOSSIP_DIGEST_ACK2', states });
  }

  private onShutdown(from: EndpointAddress, state: EndpointState | undefined, nowMs: number): void {
    if (this.currentPhase !== 'running') return;
    if (state !== undefined) this.applyRemoteStates([{ endpoint: from, state }], nowMs);
    if (this.states.has(from)) this.markDead(from, 'shutdown', nowMs);
  }

  private onEchoResponse(from: EndpointAddress, nowMs: number): void {
    if (this.currentPhase !== 'running' || !this.echoesInFlight.has(from)) return;
    this.echoesInFlight.delete(from);
    const state = this.states.get(from);
    if (state === undefined || this.live.has(from)) return;
    this.live.add(from);
    this.unreachable.delete(from);
    // The reply is itself news that the endpoint is up: without it the old arrival time, from
    // before the outage, would convict it again at the next status check.
    this.failureDetector.report(from, nowMs);
    this.emit({ type: 'alive', endpoint: from });
  }

  // ---- applying remote state ----

  /** `notifyFailureDetector` then `applyStateLocally` for each endpoint of an ACK or ACK2. */
  private applyRemoteStates(entries: readonly EndpointStateEntry[], nowMs: number): void {
    const limit = Math.floor(nowMs / 1000) + gossipDefaults.maxGenerationDifferenceSeconds;
    for (const { endpoint, state: remote } of entries) {
      if (endpoint === this.address || this.quarantined.has(endpoint)) continue;
      if (remote.heartbeat.generation > limit) {
        this.reject(
          endpoint,
          'INVALID_GENERATION',
          `received an invalid gossip generation for peer ${endpoint}: ${remote.heartbeat.generation}`,
        );
        continue;
      }
      this.notifyFailureDetector(endpoint, remote, nowMs);
      const outcome = mergeEndpointState(this.states.get(endpoint), remote);
      if (outcome.kind === 'new') {
        this.failureDetector.report(endpoint, nowMs);
        this.majorStateChange(endpoint, outcome.state, undefined, nowMs);
      } else if (outcome.kind === 'restarted') {
        this.majorStateChange(endpoint, outcome.state, outcome.previous, nowMs);
      } else {
        if (outcome.kind === 'updated') this.applyNewStates(endpoint, outcome.state, outcome.changed, nowMs);
        const local = this.states.get(endpoint);
        const sameGeneration = local?.heartbeat.generation === remote.heartbeat.generation;
        if (sameGeneration && !this.live.has(endpoint) && !isDeadState(local) && !isShutdown(local))
          this.markAlive(endpoint, nowMs);
      }
    }
  }

  /** A newer heartbeat is an arrival for the failure detector, whoever relayed it. */
  private notifyFailureDetector(endpoint: EndpointAddress, remote: EndpointState, nowMs: number): void {
    const local = this.states.get(endpoint);
    if (local === undefined) return;
    if (remote.heartbeat.generation > local.heartbeat.generation) {
      // A restart: the old intervals say nothing about the new process.
      if (!this.live.has(endpoint)) this.failureDetector.remove(endpoint);
      this.failureDetector.report(endpoint, nowMs);
    } else if (
      remote.heartbeat.generation === local.heartbeat.generation &&
      remote.heartbeat.version > maxVersion(local)
    ) {
      this.failureDetector.report(endpoint, nowMs);
    }
  }

  /** First sight or restart (`handleMajorStateChange`). */
  private majorStateChange(
    endpoint: EndpointAddress,
    state: EndpointState,
    previous: EndpointState | undefined,
    nowMs: number,
  ): void {
    this.states.set(endpoint, state);
    if (previous !== undefined) this.emit({ type: 'restarted', endpoint, previous, state });
    this.emit({ type: 'joined', endpoint, state });
    for (const [name, value] of stateEntries(state))
      this.emit({ type: 'state-change', endpoint, name, value });
    if (isDeadState(state)) this.markDead(endpoint, 'dead-state', nowMs);
    else if (isShutdown(state)) this.markDead(endpoint, 'shutdown', nowMs);
    else this.markAlive(endpoint, nowMs);
  }

  private applyNewStates(
    endpoint: EndpointAddress,
    state: EndpointState,
    changed: readonly ApplicationStateName[],
    nowMs: number,
  ): void {
    this.states.set(endpoint, state);
    for (const name of changed) {
      const value = state.states[name];
      if (value !== undefined) this.emit({ type: 'state-change', endpoint, name, value });
    }
    // Cassandra learns of a shutdown relayed by a third party only through its failure detector;
    // the status says it already, so act on it now.
    if (changed.includes('STATUS') && isShutdown(state)) this.markDead(endpoint, 'shutdown', nowMs);
  }

  // ---- liveness ----

  /** Alive only once it answers an echo: gossip about it may have come from a third party. */
  private markAlive(endpoint: EndpointAddress, nowMs: number): void {
    if (this.live.has(endpoint)) return;
    const sentAtMs = this.echoesInFlight.get(endpoint);
    if (sentAtMs !== undefined && nowMs - sentAtMs < gossipDefaults.echoRetryMs) return;
    this.echoesInFlight.set(endpoint, nowMs);
    this.send(endpoint, { type: 'ECHO_REQ' });
  }

  private markDead(endpoint: EndpointAddress, reason: DeathReason, nowMs: number): void {
    this.echoesInFlight.delete(endpoint);
    const wasLive = this.live.delete(endpoint);
    if (!wasLive && this.unreachable.has(endpoint)) return;
    this.unreachable.set(endpoint, nowMs);
    this.emit({ type: 'dead', endpoint, reason });
  }

  /** `doStatusCheck`: convictions, expired dead states, quarantines that ran out. */
  private statusCheck(nowMs: number): void {
    const others = [...this.states.keys()].filter((endpoint) => endpoint !== this.address);
    for (const endpoint of this.failureDetector.interpret(others, nowMs)) {
      if (!this.live.has(endpoint)) continue;
      this.markDead(endpoint, isShutdown(this.states.get(endpoint)) ? 'shutdown' : 'convicted', nowMs);
    }
    for (const endpoint of others) {
      const state = this.states.get(endpoint);
      const expiresAtMs = statusExpiryMs(state);
      if (!this.live.has(endpoint) && isDeadState(state) && expiresAtMs !== undefined && nowMs > expiresAtMs)
        this.evictEndpoint(endpoint, nowMs);
    }
    for (const [endpoint, sinceMs] of this.quarantined) {
      if (nowMs - sinceMs > this.quarantineDelayMs) this.quarantined.delete(endpoint);
    }
  }

  // ---- shadow round ----

  private sendShadowSyn(): void {
    const syn: GossipDigestSyn = {
      type: 'GOSSIP_DIGEST_SYN',
      clusterName: this.config.clusterName,
      partitioner: this.config.partitioner,
      digests: [],
    };
    for (const seed of this.seeds) this.send(seed, syn);
  }

  private shadowTick(nowMs: number): void {
    const shadow = this.shadow;
    assert(shadow !== undefined, 'shadow round without its state');
    if (nowMs - shadow.startedAtMs > this.ringDelayMs) {
      // A seed may be the first node of its cluster; anyone else must have found a seed.
      if (this.config.seeds.includes(this.address)) {
        this.finishShadowRound(new Map());
      } else {
        this.currentPhase = 'idle';
        this.shadow = undefined;
        this.emit({
          type: 'shadow-round-failed',
          code: 'UNABLE_TO_GOSSIP',
          message: 'Unable to gossip with any peers',
        });
      }
      return;
    }
    if (nowMs - shadow.lastSentAtMs >= gossipDefaults.shadowRoundResendMs) {
      shadow.lastSentAtMs = nowMs;
      this.sendShadowSyn();
    }
  }

  private onShadowAck(from: EndpointAddress, ack: GossipDigestAck): void {
    const shadow = this.shadow;
    assert(shadow !== undefined, 'shadow round without its state');
    if (ack.digests.length === 0 && ack.states.length === 0) {
      shadow.seedsInShadowRound.add(from);
      // Every seed is starting as well: a new cluster, nothing to learn.
      if (this.seeds.every((seed) => shadow.seedsInShadowRound.has(seed))) this.finishShadowRound(new Map());
      return;
    }
    this.finishShadowRound(new Map(ack.states.map(({ endpoint, state }) => [endpoint, state])));
  }

  private finishShadowRound(states: ReadonlyMap<EndpointAddress, EndpointState>): void {
    this.currentPhase = 'idle';
    this.shadow = undefined;
    this.emit({ type: 'shadow-round-complete', states });
  }

  // ---- helpers ----

  private localState(): EndpointState {
    const local = this.states.get(this.address);
    assert(local !== undefined, 'local gossip state used before start');
    return local;
  }

  /** Every endpoint we know, in random order (`makeRandomGossipDigest`). */
  private shuffledDigests(): GossipDigest[] {
    const digests = [...this.states].map(([endpoint, state]) => digestOf(endpoint, state));
    for (let index = digests.length - 1; index > 0; index--) {
      const other = Math.floor(this.random.next() * (index + 1));
      [digests[index], digests[other]] = [digests[other]!, digests[index]!];
    }
    return digests;
  }

  private send(to: EndpointAddress, message: GossipMessage): void {
    this.out.push({ kind: 'send', to, message });
  }

  private emit(event: GossipEvent): void {
    this.out.push({ kind: 'event', event });
  }

  private reject(from: EndpointAddress, code: RejectionCode, message: string): void {
    this.emit({ type: 'rejected', from, code, message });
  }

  private flush(): GossipEffect[] {
    const effects = this.out;
    this.out = [];
    return effects;
  }
}
