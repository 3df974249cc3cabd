/**
 * Shared by the streaming tests: a cluster of in-process nodes on 127.0.0.x with common free
 * ports, evenly spaced initial tokens for the founding nodes (they start at once), and data written
 * straight into each replica's storage engine (no coordinator involved).
 */
import { execFile } from 'node:child_process';
import { CqlTypes, serialize } from '../../../cql/types/index.js';
import type { NodeConfig, SibylNode } from '../../../node/index.js';
import { startNode } from '../../../node/index.js';
import type { HostId } from '../../../ring/endpoint.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { createReplicationStrategy } from '../../../ring/replication-strategy.js';
import { MIN_TOKEN } from '../../../ring/token.js';
import type { TokenMetadata } from '../../../ring/token-metadata.js';
import { RING_SIZE } from '../../../ring/token-range.js';
import { type DecoratedKey, insertPartition } from '../../../storage/model.js';
import { tempDir } from '../../storage/helpers.js';
import { commonFreePorts, until } from '../cluster/cluster-helpers.js';

export const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'] as const;
export const NUM_TOKENS = 8;

/** Tokens for founding node `index` of `count`: the ring cut evenly, the nodes interleaved. */
export function initialTokens(index: number, count: number): string {
  const step = RING_SIZE / BigInt(count * NUM_TOKENS);
  const tokens: bigint[] = [];
  for (let j = 0; j < NUM_TOKENS; j++) tokens.push(MIN_TOKEN + step / 2n + step * BigInt(j * count + index));
  return tokens.join(',');
}

export class TestCluster {
  readonly nodes: (SibylNode | undefined)[] = [];
  private readonly dirs: { dir: string; cleanup: () => Promise<void> }[] = [];

  private constructor(
    readonly nativePort: number,
    readonly storagePort: number,
  ) {}

  static async create(hostCount: number): Promise<TestCluster> {
    const [nativePort, storagePort] = (await commonFreePorts(HOSTS.slice(0, hostCount), 2)) as [
      number,
      number,
    ];
    const cluster = new TestCluster(nativePort, storagePort);
    for (let i = 0; i < hostCount; i++) cluster.dirs.push(await tempDir(`sibyl-stream-${i + 1}-`));
    return cluster;
  }

  endpoint(index: number): string {
    return `${HOSTS[index]}:${this.storagePort}`;
  }

  config(index: number, overrides: Partial<NodeConfig> = {}): NodeConfig {
    return {
      dataDir: this.dirs[index]!.dir,
      listenAddress: HOSTS[index],
      nativePort: this.nativePort,
      storagePort: this.storagePort,
      adminPort: 0,
      seeds: [HOSTS[0]],
      numTokens: NUM_TOKENS,
      phiConvictThreshold: 4,
      logToFile: false,
      logLevel: process.env.SIBYL_TEST_LOG ?? 'warn',
      logToStdout: process.env.SIBYL_TEST_LOG !== undefined,
      ...overrides,
      // Ring delay above a gossip round, so peers know of a BOOT or LEAVING before data moves.
      streaming: { ringDelayMs: 1_000, batchBytes: 64 * 1024, ...overrides.streaming },
    };
  }

  /** Founding nodes 0..count-1, with initial tokens, as a new cluster (no bootstrap). */
  async found(count: number, overrides: Partial<NodeConfig> = {}): Promise<SibylNode[]> {
    for (let i = 0; i < count; i++) {
      await this.start(i, { autoBootstrap: false, initialToken: initialTokens(i, count), ...overrides });
    }
    const founders = this.nodes.slice(0, count) as SibylNode[];
    await until('the founding nodes see each other on the ring', () =>
      founders.every(
        (node) =>
          node.cluster.ring.normalEndpoints().length === count &&
          node.cluster.liveEndpoints().length === count - 1,
      ),
    );
    return founders;
  }

  async start(index: number, overrides: Partial<NodeConfig> = {}): Promise<SibylNode> {
    const node = await startNode(this.config(index, overrides));
    this.nodes[index] = node;
    return node;
  }

  node(index: number): SibylNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`node${index + 1} is not running`);
    return node;
  }

  nodeByHostId(hostId: string): SibylNode {
    const node = this.nodes.find((candidate) => candidate?.hostId === hostId);
    if (!node) throw new Error(`no running node has host id ${hostId}`);
    return node;
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node?.close().catch(() => {})));
    await Promise.all(this.dirs.map((dir) => dir.cleanup()));
  }
}

/** The storage key of `int` partition key `k`. */
export function intKey(k: number): DecoratedKey {
  const key = serialize(CqlTypes.int, k);
  return { token: getToken(key), key };
}

/** Replicas of `k` on `ring` for a keyspace's replication map. */
export function replicasOf(
  ring: TokenMetadata,
  replication: Record<string, string>,
  k: number,
): readonly HostId[] {
  const strategy = createReplicationStrategy('ks', replication);
  return strategy.calculateNaturalEndpoints(ring, intKey(k).token as never);
}

/** Writes row (k, v = "value k" + padding) straight into the storage engine of each node given. */
export async function writeRow(
  nodes: readonly SibylNode[],
  tableId: string,
  k: number,
  timestamp: number,
  padding = '',
): Promise<void> {
  const partition = insertPartition(
    intKey(k),
    [],
    { v: serialize(CqlTypes.text, `value ${k}${padding}`) },
    timestamp,
  );
  await Promise.all(nodes.map((node) => node.engine.apply({ tableId, partition })));
}

/** Whether the node's own storage holds row k with its value. */
export async function holds(node: SibylNode, tableId: string, k: number): Promise<boolean> {
  const partition = await node.engine.read(tableId, intKey(k));
  const cell = partition?.rows[0]?.cells.find((c) => c.column === 'v');
  return (
    cell?.value !== undefined &&
    cell.value !== null &&
    Buffer.from(cell.value).toString().startsWith(`value ${k}`)
  );
}

export function tableId(node: SibylNode, keyspace: string, table: string): string {
  const metadata = node.processor.schema.schema.table(keyspace, table);
  if (!metadata) throw new Error(`${keyspace}.${table} unknown on ${node.address}`);
  return metadata.id;
}

/** `sibyl tool ARGS` against a node's admin port, as a real process; never rejects. */
export function sibylTool(
  node: SibylNode,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const target = ['--host', node.config.listenAddress, '--port', String(node.adminPort)];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'tool', ...target, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
