/**
 * Shared by the streaming tests: a cluster of in-process nodes on 127.0.0.x with common free
 * ports (an `InProcessCluster`), evenly spaced initial tokens for the founding nodes (they start at
 * once), and data written straight into each replica's storage engine (no coordinator involved).
 */
import { execFile } from 'node:child_process';
import { CqlTypes, serialize } from '../../../cql/types/index.js';
import type { NodeConfig, SibylNode } from '../../../node/index.js';
import type { HostId } from '../../../ring/endpoint.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { createReplicationStrategy } from '../../../ring/replication-strategy.js';
import { MIN_TOKEN } from '../../../ring/token.js';
import type { TokenMetadata } from '../../../ring/token-metadata.js';
import { RING_SIZE } from '../../../ring/token-range.js';
import { type DecoratedKey, insertPartition } from '../../../storage/model.js';
import { InProcessCluster } from '../cluster/in-process.js';

export const NUM_TOKENS = 8;

/** Tokens for founding node `index` of `count`: the ring cut evenly, the nodes interleaved. */
export function initialTokens(index: number, count: number): string {
  const step = RING_SIZE / BigInt(count * NUM_TOKENS);
  const tokens: bigint[] = [];
  for (let j = 0; j < NUM_TOKENS; j++) tokens.push(MIN_TOKEN + step / 2n + step * BigInt(j * count + index));
  return tokens.join(',');
}

/**
 * Nodes of a streaming test: 8 tokens, an admin port each, phi_convict_threshold 4, logs on stdout
 * when SIBYL_TEST_LOG names a level, and a ring delay above a gossip round (so peers know of a
 * BOOT or LEAVING before data moves). Nodes started with `start` bootstrap; `found` starts the
 * founding ones without.
 */
export class TestCluster extends InProcessCluster {
  static override async create(options: { readonly nodes: number }): Promise<TestCluster> {
    const layout = await InProcessCluster.layOut({ nodes: options.nodes, dirPrefix: 'sibyl-stream-' });
    return new TestCluster(layout, {
      adminPort: 0,
      numTokens: NUM_TOKENS,
      autoBootstrap: true,
      phiConvictThreshold: 4,
      logLevel: process.env.SIBYL_TEST_LOG ?? 'warn',
      logToStdout: process.env.SIBYL_TEST_LOG !== undefined,
      streaming: { ringDelayMs: 1_000, batchBytes: 64 * 1024 },
    });
  }

  /** Founding nodes 0..count-1, with initial tokens, as a new cluster (no bootstrap). */
  async found(count: number, overrides: Partial<NodeConfig> = {}): Promise<SibylNode[]> {
    for (let i = 0; i < count; i++) {
      await this.start(i, { autoBootstrap: false, initialToken: initialTokens(i, count), ...overrides });
    }
    await this.waitConverged();
    return this.nodes.slice(0, count);
  }

  nodeByHostId(hostId: string): SibylNode {
    const node = this.nodes.find((candidate) => candidate?.hostId === hostId);
    if (!node) throw new Error(`no running node has host id ${hostId}`);
    return node;
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
