/**
 * The node's identity and its `system.local` row. The host id and the tokens are chosen once and
 * kept in DATA_DIR/node-identity.json, so a restarted node is the same node to drivers (and, later,
 * to the ring). `system.local` is rewritten at every start and its schema_version follows every
 * schema change, as drivers read it to learn the node and to wait for schema agreement.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { QueryProcessor } from '../cql/query-processor.js';
import type { ResolvedNodeConfig } from './config.js';
import { NodeConfigError } from './config.js';

/** Cassandra 4.1's values: drivers choose their schema parser by release_version. */
export const RELEASE_VERSION = '4.1.0';
export const CQL_VERSION = '3.4.6';
export const NATIVE_PROTOCOL_VERSION = '4';
export const PARTITIONER = 'org.apache.cassandra.dht.Murmur3Partitioner';

export interface NodeIdentity {
  readonly hostId: string;
  /** Murmur3 tokens as decimal strings (as system.local.tokens holds them). */
  readonly tokens: readonly string[];
}

const IDENTITY_FILE = 'node-identity.json';

/** Loads the identity of the node in `dataDir`, creating it on the first start. */
export async function loadOrCreateIdentity(
  dataDir: string,
  numTokens: number,
  random: { readonly bytes: (length: number) => Uint8Array; readonly uuid: () => string },
): Promise<NodeIdentity> {
  const path = join(dataDir, IDENTITY_FILE);
  const existing = await readIdentity(path);
  if (existing) {
    if (existing.tokens.length !== numTokens) {
      throw new NodeConfigError(
        `Cannot change the number of tokens from ${existing.tokens.length} to ${numTokens} (num_tokens)`,
      );
    }
    return existing;
  }
  const identity: NodeIdentity = {
    hostId: random.uuid(),
    tokens: randomTokens(numTokens, random.bytes),
  };
  // Written aside and renamed: a crash leaves the old file or the new one, never half of one.
  await writeFile(`${path}.tmp`, `${JSON.stringify(identity, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return identity;
}

async function readIdentity(path: string): Promise<NodeIdentity | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<NodeIdentity>;
  if (typeof parsed.hostId !== 'string' || !Array.isArray(parsed.tokens))
    throw new Error(`${path} is not a node identity (hostId, tokens)`);
  return { hostId: parsed.hostId, tokens: parsed.tokens.map(String) };
}

/** `count` distinct random Murmur3 tokens (signed 64-bit, never Long.MIN_VALUE, which no key has). */
export function randomTokens(count: number, random: (length: number) => Uint8Array): string[] {
  const min = -(2n ** 63n);
  const tokens = new Set<bigint>();
  while (tokens.size < count) {
    const bytes = random(8);
    assert(bytes.length === 8, 'random source returns the bytes asked for');
    const token = Buffer.from(bytes).readBigInt64BE(0);
    if (token !== min) tokens.add(token);
  }
  return [...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The gossip generation of this start: the time in seconds, but always above the one stored by the
 * previous start (Cassandra's max(stored + 1, now)), so peers take the restart for a restart even if
 * the clock went back.
 */
export async function nextGossipGeneration(processor: QueryProcessor, nowMs: number): Promise<number> {
  const result = await processor.execute(
    "SELECT gossip_generation FROM system.local WHERE key = 'local'",
    {},
  );
  const cell = result.kind === 'rows' ? result.result.rows[0]?.[0] : undefined;
  const stored = cell ? Buffer.from(cell).readInt32BE(0) : 0;
  return Math.max(stored + 1, Math.floor(nowMs / 1000));
}

/** What the cluster side adds to `system.local`: the generation and the storage port bound. */
export interface LocalClusterInfo {
  readonly gossipGeneration: number;
  readonly storagePort: number;
}

/** Writes the whole `system.local` row. */
export async function writeSystemLocal(
  processor: QueryProcessor,
  config: ResolvedNodeConfig,
  identity: NodeIdentity,
  nowMs: number,
  cluster?: LocalClusterInfo,
): Promise<void> {
  const storagePort = cluster?.storagePort ?? config.storagePort;
  const generation = cluster?.gossipGeneration ?? Math.floor(nowMs / 1000);
  const columns: [string, string][] = [
    ['key', literal('local')],
    ['bootstrapped', literal('COMPLETED')],
    ['broadcast_address', literal(config.broadcastAddress)],
    ['broadcast_port', String(storagePort)],
    ['cluster_name', literal(config.clusterName)],
    ['cql_version', literal(CQL_VERSION)],
    ['data_center', literal(config.dc)],
    ['gossip_generation', String(generation)],
    ['host_id', identity.hostId],
    ['listen_address', literal(config.listenAddress)],
    ['listen_port', String(storagePort)],
    ['native_protocol_version', literal(NATIVE_PROTOCOL_VERSION)],
    ['partitioner', literal(PARTITIONER)],
    ['rack', literal(config.rack)],
    ['release_version', literal(RELEASE_VERSION)],
    ['rpc_address', literal(config.broadcastRpcAddress)],
    ['rpc_port', String(config.nativePort)],
    ['schema_version', processor.schema.schema.version],
    ['tokens', `{${identity.tokens.map(literal).join(', ')}}`],
  ];
  const names = columns.map(([name]) => name).join(', ');
  const values = columns.map(([, value]) => value).join(', ');
  await processor.execute(`INSERT INTO system.local (${names}) VALUES (${values})`, {});
}

/**
 * Keeps system.local.schema_version equal to the schema's version. Writes are chained so that they
 * land in order, and each writes the version current when it runs (a burst of DDL ends on the last).
 */
export function trackSchemaVersion(processor: QueryProcessor, log: Logger): { stop(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  const update = () => {
    chain = chain
      .then(() =>
        processor.execute(
          `UPDATE system.local SET schema_version = ${processor.schema.schema.version} WHERE key = 'local'`,
          {},
        ),
      )
      .then(
        () => {},
        (error: unknown) => log.error({ err: error }, 'could not record the schema version in system.local'),
      );
  };
  const unsubscribe = processor.schema.schema.onChange(update);
  return {
    async stop() {
      unsubscribe();
      await chain;
    },
  };
}
