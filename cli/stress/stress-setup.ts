/**
 * Before a stress run: connect through Sibyl's driver (token-aware, to `-node` at `-port native=`),
 * create the keyspace and `standard1` if missing, wait until every live node knows them, and prepare
 * the write and read statements. Each failure is a `StressError` (exit 1 with its message).
 */
import {
  Client,
  ConnectionError,
  DriverError,
  errorCodes,
  NoHostAvailableError,
  ResponseError,
} from '../../driver/index.js';
import type { OperationKind, StressSettings } from './stress-arguments.js';
import { StressError } from './stress-error.js';
import {
  createKeyspaceCql,
  createTableCql,
  keyOf,
  readCql,
  STRESS_TABLE,
  ValueSource,
  writeCql,
} from './stress-schema.js';

export interface StressOutput {
  /** Progress, settings and the summary (stdout). */
  line(text: string): void;
  /** The first error of each type (stderr). */
  error(text: string): void;
}

/** One operation on the row of a seed; rejects on any error (a read that finds no row included). */
export type Operation = (seed: number) => Promise<unknown>;
export type Operations = Readonly<Record<OperationKind, Operation>>;

/** How long the new keyspace and table may take to reach every node (gossip pull/push). */
const SCHEMA_PROPAGATION_TIMEOUT_MS = 30_000;
const SCHEMA_POLL_INTERVAL_MS = 100;

export async function connect(settings: StressSettings, output: StressOutput): Promise<Client> {
  const contactPoints = settings.nodes.map((node) =>
    node.includes(':') ? `[${node}]:${settings.nativePort}` : `${node}:${settings.nativePort}`,
  );
  const client = new Client({
    contactPoints,
    localDataCenter: settings.dataCenter,
    ...(settings.connectionsPerHost !== undefined && {
      pooling: { connectionsPerHost: settings.connectionsPerHost },
    }),
  });
  try {
    await client.connect();
    const local = await client.execute('SELECT cluster_name FROM system.local');
    output.line(`Connected to cluster: ${String(local.first()?.cluster_name ?? '?')}`);
  } catch (error) {
    await client.shutdown();
    if (error instanceof NoHostAvailableError || error instanceof ConnectionError)
      throw new StressError(
        'NO_HOST',
        `Cannot connect to any of the nodes ${contactPoints.join(', ')}: ${error.message}`,
        { cause: error },
      );
    if (error instanceof DriverError) throw new StressError('NO_HOST', error.message, { cause: error });
    throw error;
  }
  for (const host of client.hosts)
    output.line(`Datacenter: ${host.dataCenter}; Host: ${host.endpoint}; ${host.up ? 'up' : 'down'}`);
  return client;
}

/**
 * Creates the keyspace and table if missing, then waits until every live node serves the table: the
 * statements that follow may run on any node, and the driver's own agreement check reads the schema
 * versions from its control host, whose view of the other nodes can be a gossip round old.
 */
export async function createSchema(
  client: Client,
  settings: StressSettings,
  output: StressOutput,
): Promise<void> {
  const table = `${settings.keyspace}.${STRESS_TABLE}`;
  const deadline = Date.now() + SCHEMA_PROPAGATION_TIMEOUT_MS;
  try {
    await client.execute(createKeyspaceCql(settings));
    // The node that runs it may not have the new keyspace yet; IF NOT EXISTS makes a retry harmless.
    await whileSchemaMissing(deadline, () => client.execute(createTableCql(settings)));
    await untilEveryNodeServes(client, `SELECT key FROM ${table} LIMIT 1`, deadline);
    output.line(
      `Keyspace ${settings.keyspace} ${await replicationOf(client, settings.keyspace)}, table ${table}`,
    );
  } catch (error) {
    if (!(error instanceof DriverError)) throw error;
    throw new StressError('SETUP_FAILED', `Cannot create ${table}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** A node that does not know a keyspace or table (yet) answers InvalidRequest. */
function isSchemaMissing(error: unknown): error is ResponseError {
  return error instanceof ResponseError && error.code === errorCodes.INVALID;
}

/** Runs `attempt` again while it fails with InvalidRequest, until the deadline. */
async function whileSchemaMissing<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isSchemaMissing(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, SCHEMA_POLL_INTERVAL_MS));
    }
  }
}

/**
 * Repeats a query until every live host has answered it without InvalidRequest. Queries without a
 * routing key go round-robin over the hosts, so each is asked in turn.
 */
async function untilEveryNodeServes(client: Client, cql: string, deadline: number): Promise<void> {
  const served = new Set<string>();
  for (;;) {
    const live = client.hosts.filter((h) => h.up).map((h) => h.endpoint);
    if (live.every((endpoint) => served.has(endpoint))) return;
    try {
      served.add((await client.execute(cql)).info.queriedHost);
    } catch (error) {
      if (!isSchemaMissing(error)) throw error;
      served.delete(error.endpoint);
      if (Date.now() > deadline) {
        const missing = live.filter((endpoint) => !served.has(endpoint));
        throw new StressError(
          'SETUP_FAILED',
          `The table did not reach ${missing.join(', ')} within ${SCHEMA_PROPAGATION_TIMEOUT_MS / 1000} s: ` +
            describeError(error),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, SCHEMA_POLL_INTERVAL_MS));
    }
  }
}

/** The keyspace's replication as stored (it may predate this run's -schema). */
async function replicationOf(client: Client, keyspace: string): Promise<string> {
  const result = await client.execute(
    'SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?',
    [keyspace],
  );
  const replication = result.first()?.replication;
  if (!(replication instanceof Map)) return '';
  return `{${[...replication].map(([name, value]) => `${String(name)}: ${String(value)}`).join(', ')}}`;
}

export async function prepareOperations(client: Client, settings: StressSettings): Promise<Operations> {
  const write = writeCql(settings);
  const read = readCql(settings);
  try {
    await client.prepare(write);
    await client.prepare(read);
  } catch (error) {
    if (!(error instanceof DriverError)) throw error;
    throw new StressError('SETUP_FAILED', `Cannot prepare the statements: ${describeError(error)}`, {
      cause: error,
    });
  }
  const values = new ValueSource(settings.columnCount, settings.columnSizeBytes);
  const options = { prepare: true, consistency: settings.consistency } as const;
  return {
    write: (seed) => {
      const key = keyOf(seed);
      return client.execute(write, values.writeValues(seed, key), options);
    },
    read: (seed) => {
      const key = keyOf(seed);
      return client.execute(read, [key], options).then((result) => {
        if (result.rows.length === 0) throw notValidated(key);
      });
    },
  };
}

/** cassandra-stress's words for a read that found nothing. */
function notValidated(key: Buffer): StressError {
  return new StressError(
    'NOT_VALIDATED',
    `Operation on key(s) [${key.toString('hex')}]: Data returned was not validated`,
  );
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
