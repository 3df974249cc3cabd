/**
 * Nodes started with `startNode` in this process on 127.0.0.1 … 127.0.0.N with the same ports on
 * every address (as ccm runs them), chosen free by `commonFreePorts`; a temporary data directory
 * each; 127.0.0.1 the seed. By default the nodes are those of a new cluster (as `sibyl cluster
 * create` makes them): they take their tokens without bootstrap streaming. `close()` closes every
 * node started and removes the directories.
 */
import cassandra from 'cassandra-driver';
import type { NodeConfig, SibylNode } from '../../../node/index.js';
import { startNode } from '../../../node/index.js';
import { tempDir } from '../../storage/helpers.js';
import { commonFreePorts, until } from './cluster-helpers.js';

export interface InProcessClusterOptions {
  /** How many nodes (hosts 127.0.0.1 … 127.0.0.N); none starts before `start` or `startAll`. */
  readonly nodes: number;
  /** The start of each data directory's name; the node's number follows. */
  readonly dirPrefix: string;
  /** Also the same free admin port on every address (`adminPort`), as `sibyl cluster` gives them. */
  readonly commonAdminPort?: boolean;
  /** Config fields every node takes over the defaults (see `config`). */
  readonly config?: Partial<NodeConfig>;
}

/** The addresses, ports and data directories of a cluster, chosen before any node starts. */
export interface ClusterLayout {
  readonly hosts: readonly string[];
  readonly nativePort: number;
  readonly storagePort: number;
  readonly adminPort: number | undefined;
  readonly dirs: readonly { readonly dir: string; readonly cleanup: () => Promise<void> }[];
}

export class InProcessCluster {
  /** The nodes started, by index; a node the test closed stays in its place until started again. */
  readonly nodes: SibylNode[] = [];
  readonly hosts: readonly string[];
  readonly nativePort: number;
  readonly storagePort: number;

  protected constructor(
    private readonly layout: ClusterLayout,
    private readonly defaults: Partial<NodeConfig>,
  ) {
    this.hosts = layout.hosts;
    this.nativePort = layout.nativePort;
    this.storagePort = layout.storagePort;
  }

  static async create(options: InProcessClusterOptions): Promise<InProcessCluster> {
    return new InProcessCluster(await InProcessCluster.layOut(options), options.config ?? {});
  }

  /** Hosts, common free ports and a data directory per node. */
  protected static async layOut(options: Omit<InProcessClusterOptions, 'config'>): Promise<ClusterLayout> {
    const hosts = Array.from({ length: options.nodes }, (_, i) => `127.0.0.${i + 1}`);
    const [nativePort, storagePort, adminPort] = (await commonFreePorts(
      hosts,
      options.commonAdminPort ? 3 : 2,
    )) as [number, number, number | undefined];
    const dirs: ClusterLayout['dirs'][number][] = [];
    for (let i = 0; i < options.nodes; i++) dirs.push(await tempDir(`${options.dirPrefix}${i + 1}-`));
    return { hosts, nativePort, storagePort, adminPort, dirs };
  }

  /** The admin port every node shares (`commonAdminPort`). */
  get adminPort(): number {
    if (this.layout.adminPort === undefined) throw new Error('the cluster has no common admin port');
    return this.layout.adminPort;
  }

  /** `host:storagePort` of node `index`, as gossip and the ring name it. */
  endpoint(index: number): string {
    return `${this.hosts[index]}:${this.storagePort}`;
  }

  /**
   * Node `index`'s config: its address and directory, the common ports, node 1 the seed, 4 tokens,
   * no bootstrap, no log file, level warn; then the cluster's `config`, then `overrides`. The
   * `streaming` options are merged field by field.
   */
  config(index: number, overrides: Partial<NodeConfig> = {}): NodeConfig {
    const { defaults } = this;
    const streaming =
      defaults.streaming || overrides.streaming
        ? { streaming: { ...defaults.streaming, ...overrides.streaming } }
        : {};
    return {
      dataDir: this.layout.dirs[index]!.dir,
      listenAddress: this.hosts[index],
      nativePort: this.nativePort,
      storagePort: this.storagePort,
      ...(this.layout.adminPort === undefined ? {} : { adminPort: this.layout.adminPort }),
      seeds: [this.hosts[0]!],
      numTokens: 4,
      autoBootstrap: false,
      logToFile: false,
      logLevel: 'warn',
      ...defaults,
      ...overrides,
      ...streaming,
    };
  }

  /** Starts node `index` (again, after the test closed it) on its data directory. */
  async start(index: number, overrides: Partial<NodeConfig> = {}): Promise<SibylNode> {
    const node = await startNode(this.config(index, overrides));
    this.nodes[index] = node;
    return node;
  }

  /** Starts every node, the seed first, then the others one by one or (`together`) at once; `nodes`. */
  async startAll(options: { together?: boolean } = {}): Promise<SibylNode[]> {
    await this.start(0);
    const others = this.hosts.map((_, index) => index).slice(1);
    if (options.together) await Promise.all(others.map((index) => this.start(index)));
    else for (const index of others) await this.start(index);
    return this.nodes;
  }

  /** Node `index`, which must be running. */
  node(index: number): SibylNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`node${index + 1} is not running`);
    return node;
  }

  /** A DataStax driver client with node 1 as its contact point, not yet connected. */
  driverClient(): cassandra.Client {
    return new cassandra.Client({
      contactPoints: [`${this.hosts[0]}:${this.nativePort}`],
      localDataCenter: 'datacenter1',
      protocolOptions: { port: this.nativePort },
    });
  }

  /** Waits until every node started sees the others live and all of them NORMAL on its ring. */
  async waitConverged(): Promise<void> {
    const count = this.nodes.length;
    await until(`every node sees the ${count - 1} others live and all ${count} on the ring`, () =>
      this.nodes.every(
        (node) =>
          node.cluster.liveEndpoints().length === count - 1 &&
          node.cluster.ring.normalEndpoints().length === count,
      ),
    );
  }

  /** Closes every node started and removes the data directories (also when a close fails). */
  async close(): Promise<void> {
    const closed = await Promise.allSettled(this.nodes.map((node) => node.close()));
    await Promise.all(this.layout.dirs.map((dir) => dir.cleanup()));
    const failed = closed.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
