/**
 * A deterministic cluster for coordinator tests: N nodes in this process, each with its own
 * StorageEngine in a temp dir, a QueryProcessor whose store is a Coordinator, and a MessagingService
 * on one SimulatedNetwork (seeded latency, virtual time). The ring is fixed (evenly spaced tokens,
 * dealt round-robin) and liveness is whatever the test says (`markDown`), as gossip would report it.
 * Hints go to a recording sink per node.
 */
import { pino } from 'pino';
import type { ExecuteOptions } from '../../../cql/executor/index.js';
import type { QueryResult, QueryValues } from '../../../cql/query-processor.js';
import { QueryProcessor } from '../../../cql/query-processor.js';
import type { CoordinatorOptions } from '../../../node/coordinator/context.js';
import { Coordinator } from '../../../node/coordinator/coordinator.js';
import type { HintSink } from '../../../node/coordinator/hint-sink.js';
import type { LatencyModel, PeerAddress } from '../../../node/messaging/index.js';
import { MessagingService, SimulatedNetwork, toPeerAddress } from '../../../node/messaging/index.js';
import { SeededRandom } from '../../../node/sim/random.js';
import { SimulatedScheduler } from '../../../node/sim/scheduler.js';
import type { HostId } from '../../../ring/endpoint.js';
import type { Token } from '../../../ring/token.js';
import { MIN_TOKEN } from '../../../ring/token.js';
import { TokenMetadata } from '../../../ring/token-metadata.js';
import { RING_SIZE } from '../../../ring/token-range.js';
import type { Mutation } from '../../../storage/model.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import { tempDir } from '../../storage/helpers.js';

const quiet = pino({ level: 'silent' });

/** Remembers every hint a coordinator left. */
export class RecordingHintSink implements HintSink {
  readonly hints: { target: HostId; mutation: Mutation }[] = [];

  store(target: HostId, mutation: Mutation): void {
    this.hints.push({ target, mutation });
  }

  for(target: HostId): Mutation[] {
    return this.hints.filter((hint) => hint.target === target).map((hint) => hint.mutation);
  }
}

export interface HarnessNode {
  readonly index: number;
  readonly hostId: HostId;
  readonly address: PeerAddress;
  readonly dataCenter: string;
  readonly engine: StorageEngine;
  readonly processor: QueryProcessor;
  readonly coordinator: Coordinator;
  readonly messaging: MessagingService;
  readonly hints: RecordingHintSink;
}

export interface HarnessOptions {
  readonly nodes: number;
  /** Data center of each node (default: all in dc1). */
  readonly dataCenters?: readonly string[];
  readonly tokensPerNode?: number;
  readonly seed?: number;
  readonly latency?: LatencyModel;
  readonly coordinator?: Partial<CoordinatorOptions>;
}

export function hostIdOf(index: number): HostId {
  return `00000000-0000-4000-8000-${(index + 1).toString(16).padStart(12, '0')}` as HostId;
}

/** `count` evenly spaced tokens dealt round-robin to `nodes` nodes: owner of token k is node k % nodes. */
function ringOf(nodes: readonly { hostId: HostId; address: string; dataCenter: string }[], perNode: number) {
  let ring = TokenMetadata.empty();
  for (const node of nodes)
    ring = ring.withEndpoint({
      hostId: node.hostId,
      address: node.address,
      dataCenter: node.dataCenter,
      rack: 'r1',
    });
  const count = nodes.length * perNode;
  const tokens = nodes.map(() => [] as Token[]);
  for (let k = 0; k < count; k++) {
    const token = (MIN_TOKEN + ((RING_SIZE / BigInt(count)) * BigInt(k + 1) - 1n)) as Token;
    tokens[k % nodes.length]!.push(token);
  }
  nodes.forEach((node, index) => {
    ring = ring.updateNormalTokens(node.hostId, tokens[index]!);
  });
  return ring;
}

export class CoordinatorHarness {
  readonly down = new Set<string>();
  private readonly cleanups: (() => Promise<void>)[] = [];

  private constructor(
    readonly scheduler: SimulatedScheduler,
    readonly network: SimulatedNetwork,
    readonly ring: TokenMetadata,
    readonly nodes: HarnessNode[],
  ) {}

  static async start(options: HarnessOptions): Promise<CoordinatorHarness> {
    const scheduler = new SimulatedScheduler();
    const random = new SeededRandom(options.seed ?? 1);
    const network = new SimulatedNetwork({
      scheduler,
      random: random.fork(),
      ...(options.latency ? { latency: options.latency } : {}),
    });
    const identities = Array.from({ length: options.nodes }, (_, index) => ({
      hostId: hostIdOf(index),
      address: toPeerAddress(`10.0.0.${index + 1}:7000`),
      dataCenter: options.dataCenters?.[index] ?? 'dc1',
    }));
    const ring = ringOf(identities, options.tokensPerNode ?? 4);
    const harness = new CoordinatorHarness(scheduler, network, ring, []);
    const dataCenters = [...new Set(identities.map((identity) => identity.dataCenter))];
    for (const [index, identity] of identities.entries()) {
      const node = await harness.startNode(index, identity, dataCenters, random.fork(), options);
      harness.nodes.push(node);
    }
    return harness;
  }

  private async startNode(
    index: number,
    identity: { hostId: HostId; address: PeerAddress; dataCenter: string },
    dataCenters: readonly string[],
    random: SeededRandom,
    options: HarnessOptions,
  ): Promise<HarnessNode> {
    const { dir, cleanup } = await tempDir(`sibyl-coordinator-${index + 1}-`);
    this.cleanups.push(cleanup);
    const engine = await StorageEngine.open({
      dataDir: dir,
      options: { flushInWorkerThread: false },
      clock: this.scheduler,
    });
    const hints = new RecordingHintSink();
    const coordinator = new Coordinator({
      engine,
      scheduler: this.scheduler,
      hints,
      ...(options.coordinator ? { options: options.coordinator } : {}),
      log: quiet,
    });
    // The same uuid sequence on every node: the same DDL in the same order gives the same table ids.
    let uuids = 0;
    const processor = await QueryProcessor.open(engine, {
      clock: this.scheduler,
      random: (length) => random.bytes(length),
      randomUuid: () => `00000000-0000-4000-a000-${(++uuids).toString(16).padStart(12, '0')}`,
      store: coordinator,
      datacenters: dataCenters,
      hostId: identity.hostId,
    });
    coordinator.attachSchema(processor.schema.schema);
    const messaging = await MessagingService.start({
      transport: this.network.transportFor(identity.address),
      hostId: identity.hostId,
      listenAddress: identity.address,
      scheduler: this.scheduler,
      random: random.fork(),
      log: quiet,
    });
    const cluster = { ring: this.ring, isAlive: (address: string) => !this.down.has(address) };
    coordinator.attachCluster({
      cluster,
      messaging,
      hostId: identity.hostId,
      dataCenter: identity.dataCenter,
    });
    this.cleanups.unshift(async () => {
      coordinator.detachCluster();
      await messaging.close();
      await engine.close({ flush: false });
    });
    return { index, ...identity, engine, processor, coordinator, messaging, hints };
  }

  node(index: number): HarnessNode {
    return this.nodes[index]!;
  }

  /** Gossip's verdict: the node is down for every coordinator (its process keeps running). */
  markDown(index: number): void {
    this.down.add(this.node(index).address);
  }

  markUp(index: number): void {
    this.down.delete(this.node(index).address);
  }

  /** Every message of these verbs towards node `index` is lost (the node is alive but silent for them). */
  silence(index: number, verbs: readonly string[]): void {
    for (const node of this.nodes) {
      if (node.index === index) continue;
      node.messaging.faultFilter.add({
        verbs: verbs as never,
        peers: [this.node(index).address],
        direction: 'outbound',
        action: 'drop',
      });
    }
  }

  heal(): void {
    for (const node of this.nodes) node.messaging.faultFilter.clear();
  }

  /** Everyone up, no fault rules, no recorded hints: a clean slate for the next test. */
  reset(): void {
    this.heal();
    this.down.clear();
    for (const node of this.nodes) node.hints.hints.length = 0;
  }

  /** Runs virtual time (and real I/O) until `promise` settles; resolves or rejects as it does. */
  async drive<T>(promise: Promise<T>, maxVirtualMs = 120_000): Promise<T> {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const started = this.scheduler.nowMs();
    while (!settled) {
      if (this.scheduler.nowMs() - started > maxVirtualMs)
        throw new Error(`not settled after ${maxVirtualMs} ms of virtual time`);
      await this.scheduler.advance(1);
    }
    return promise;
  }

  /** Runs a statement on node `index` through its query processor, driving time until it answers. */
  execute(
    index: number,
    cql: string,
    options: ExecuteOptions = {},
    values: QueryValues = [],
  ): Promise<QueryResult> {
    return this.drive(this.node(index).processor.execute(cql, {}, values, options));
  }

  /** A schema statement run on every node in turn (the same ids everywhere; gossip is not simulated). */
  async ddl(cql: string): Promise<void> {
    for (const node of this.nodes) await node.processor.execute(cql, {});
  }

  /** Lets every message and timer in flight finish (acks after an answer, timeouts, hints). */
  async settle(ms = 10_000): Promise<void> {
    await this.scheduler.advance(ms);
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups) await cleanup().catch(() => {});
  }
}

/** Rows of a SELECT as arrays of values (bytes), or throws for another result. */
export function rowsOf(result: QueryResult): (readonly (Uint8Array | null)[])[] {
  if (result.kind !== 'rows') throw new Error(`expected rows, got ${result.kind}`);
  return result.result.rows.map((row) => [...row]);
}
