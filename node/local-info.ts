/**
 * The node's identity and its `system.local` row. The host id is chosen at the first start; the
 * tokens when the node first joins a ring (after it has seen the ring, so they can be balanced:
 * node/streaming/bootstrap-tokens.ts); both are kept in DATA_DIR/node-identity.json with the
 * bootstrap state (Cassandra's system.local.bootstrapped), so a restarted node is the same node to
 * drivers and to the ring. `system.local` is rewritten at every start and its schema_version
 * follows every schema change, as drivers read it to learn the node and to wait for schema agreement.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import type { QueryProcessor } from '../cql/query-processor.js';
import type { ResolvedNodeConfig } from './config.js';
import { NodeConfigError } from './config.js';

/** Cassandra 4.1's values: drivers choose their schema parser by release_version. */
export const RELEASE_VERSION = '4.1.0';
export const CQL_VERSION = '3.4.6';
export const NATIVE_PROTOCOL_VERSION = '4';
export const PARTITIONER = 'org.apache.cassandra.dht.Murmur3Partitioner';

/** Cassandra's system.local.bootstrapped values (SystemKeyspace.BootstrapState). */
export type BootstrapState = 'NEEDS_BOOTSTRAP' | 'IN_PROGRESS' | 'COMPLETED' | 'DECOMMISSIONED';

const BOOTSTRAP_STATES: readonly BootstrapState[] = [
  'NEEDS_BOOTSTRAP',
  'IN_PROGRESS',
  'COMPLETED',
  'DECOMMISSIONED',
];

export interface NodeIdentity {
  readonly hostId: string;
  /** Murmur3 tokens as decimal strings (as system.local.tokens holds them); empty until chosen. */
  readonly tokens: readonly string[];
  readonly bootstrapState: BootstrapState;
}

const IDENTITY_FILE = 'node-identity.json';

/** Cassandra's StorageService message, word for word (its property name included). */
export const DECOMMISSIONED_MESSAGE =
  'This node was decommissioned and will not rejoin the ring unless cassandra.override_decommission=true has been set, or all existing data is removed and the node is bootstrapped again';

/**
 * The identity of the node in a data directory, kept current on disk: loaded (or given a host id)
 * at start, then given tokens and bootstrap states as the node joins and leaves the ring.
 */
export class LocalIdentity {
  private constructor(
    private readonly path: string,
    private value: NodeIdentity,
  ) {}

  /**
   * Loads the identity of the node in `dataDir`, creating it (a new host id, no tokens yet) on the
   * first start. A changed num_tokens is refused, as Cassandra refuses it.
   */
  static async load(
    dataDir: string,
    numTokens: number,
    random: { readonly uuid: () => string },
  ): Promise<LocalIdentity> {
    const path = join(dataDir, IDENTITY_FILE);
    const existing = await readIdentity(path);
    if (existing) {
      if (existing.tokens.length > 0 && existing.tokens.length !== numTokens) {
        throw new NodeConfigError(
          `Cannot change the number of tokens from ${existing.tokens.length} to ${numTokens} (num_tokens)`,
        );
      }
      return new LocalIdentity(path, existing);
    }
    const identity = new LocalIdentity(path, {
      hostId: random.uuid(),
      tokens: [],
      bootstrapState: 'NEEDS_BOOTSTRAP',
    });
    await identity.save();
    return identity;
  }

  get current(): NodeIdentity {
    return this.value;
  }

  get hostId(): string {
    return this.value.hostId;
  }

  get tokens(): readonly string[] {
    return this.value.tokens;
  }

  get bootstrapState(): BootstrapState {
    return this.value.bootstrapState;
  }

  /** Records tokens and/or a bootstrap state; durable when it resolves. */
  async update(change: Partial<Omit<NodeIdentity, 'hostId'>>): Promise<void> {
    this.value = { ...this.value, ...change };
    await this.save();
  }

  private async save(): Promise<void> {
    // Written aside, fsynced and renamed: a crash leaves the old file or the new one, never half of one.
    const tmp = `${this.path}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(`${JSON.stringify(this.value, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
  }
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
  const tokens = parsed.tokens.map(String);
  // Identities written before bootstrap states existed belong to nodes that joined as NORMAL.
  const state = parsed.bootstrapState ?? (tokens.length > 0 ? 'COMPLETED' : 'NEEDS_BOOTSTRAP');
  if (!BOOTSTRAP_STATES.includes(state))
    throw new Error(`${path}: unknown bootstrapState '${String(state)}'`);
  return { hostId: parsed.hostId, tokens, bootstrapState: state };
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
    ['bootstrapped', literal(identity.bootstrapState)],
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
  ];
  // No tokens yet (a node that has not joined): the column stays null, as in Cassandra.
  if (identity.tokens.length > 0) columns.push(['tokens', tokenSetLiteral(identity.tokens)]);
  const names = columns.map(([name]) => name).join(', ');
  const values = columns.map(([, value]) => value).join(', ');
  await processor.execute(`INSERT INTO system.local (${names}) VALUES (${values})`, {});
}

function tokenSetLiteral(tokens: readonly string[]): string {
  return `{${tokens.map(literal).join(', ')}}`;
}

/** Records tokens and the bootstrap state in system.local once they change (join, leave). */
export async function updateSystemLocalMembership(
  processor: QueryProcessor,
  identity: NodeIdentity,
): Promise<void> {
  const tokens = identity.tokens.length > 0 ? tokenSetLiteral(identity.tokens) : 'null';
  await processor.execute(
    `UPDATE system.local SET tokens = ${tokens}, bootstrapped = ${literal(identity.bootstrapState)} WHERE key = 'local'`,
    {},
  );
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
