/**
 * Client benchmark (issue 4): one node in a child process, 200k prepared INSERTs and 200k prepared
 * SELECTs by key (bigint key, 100-byte blob) with 128 requests in flight, through Sibyl's driver and
 * through the DataStax `cassandra-driver`, each on its own table, in the same run. The same workload
 * on the in-process QueryProcessor is the reference: `vs_cql_layer` is the smaller of Sibyl's
 * driver INSERT/in-process INSERT and SELECT/in-process SELECT ratios, so neither half can hide the
 * other. Goal: vs_cql_layer >= 0.5 and Sibyl's driver at least as fast as the DataStax driver.
 *
 * BENCH_CLIENT_OPS changes the operation count; BENCH_PROFILE_DIR writes a CPU profile of the node.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { Client } from '../driver/index.js';
import {
  bigintKey,
  openProcessor,
  readIndex,
  runPreparedKv,
  warmUpKeys,
  windowLine,
} from './cql-workload.js';
import { type NodeProcess, startNodeProcess } from './node-process.js';
import { slidingWindow, type WindowResult } from './window.js';

const OPERATIONS = Number(process.env.BENCH_CLIENT_OPS ?? 200_000);
const IN_FLIGHT = 128;
/** Unmeasured operations (on other keys) before each measured run, so every side starts JIT-warm. */
const WARM_UP = Math.min(20_000, OPERATIONS);
const DATA_CENTER = 'datacenter1';
const TABLES = ['sibyl_kv', 'datastax_kv'] as const;

interface Phases {
  readonly insert: WindowResult;
  readonly select: WindowResult;
}

interface Workload {
  readonly keys: readonly Buffer[];
  /** The same keys as JS bigints, the form both drivers bind to a bigint marker. */
  readonly bigints: readonly bigint[];
  readonly values: readonly Buffer[];
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sibyl-bench-client-'));
  let node: NodeProcess | undefined;
  try {
    const keys = Array.from({ length: OPERATIONS }, (_, i) => bigintKey(i));
    const workload = {
      keys,
      bigints: keys.map((k) => k.readBigInt64BE()),
      values: Array.from({ length: OPERATIONS }, () => randomBytes(100)),
    };
    // The reference runs first, alone: the node process is not started yet.
    const reference = await inProcess(join(root, 'embedded'), workload);
    const profileDir = process.env.BENCH_PROFILE_DIR;
    node = await startNodeProcess({
      dataDir: join(root, 'node'),
      ...(profileDir ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
    });
    const contactPoint = `${node.host}:${node.port}`;
    await createSchema(contactPoint);
    const sibyl = await throughSibylDriver(contactPoint, workload);
    const datastax = await throughDataStaxDriver(contactPoint, workload);
    report(reference, sibyl, datastax);
  } finally {
    await node?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

async function inProcess(dir: string, workload: Workload): Promise<Phases> {
  const { engine, processor } = await openProcessor(dir, ['cql_kv']);
  try {
    return await runPreparedKv(processor, 'cql_kv', workload.keys, workload.values, IN_FLIGHT, WARM_UP);
  } finally {
    await engine.close({ flush: false });
  }
}

async function createSchema(contactPoint: string): Promise<void> {
  const client = new Client({ contactPoints: [contactPoint], localDataCenter: DATA_CENTER });
  try {
    await client.execute(
      "CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    for (const table of TABLES) {
      await client.execute(`CREATE TABLE bench.${table} (k bigint PRIMARY KEY, v blob)`);
    }
  } finally {
    await client.shutdown();
  }
}

/** The two phases through any driver whose `execute` returns rows in `rows`. */
type Execute = (cql: string, params: unknown[]) => Promise<{ rows: readonly unknown[] }>;

/** The two phases through any driver whose `execute` returns rows in `rows`, after a warm-up. */
async function phases(table: string, workload: Workload, execute: Execute): Promise<Phases> {
  // Prepared and warm before the clock starts, as in a long-running application.
  const warm = warmUpKeys(WARM_UP).map((key) => key.readBigInt64BE());
  await driverPhases(table, warm, workload.values, execute);
  return driverPhases(table, workload.bigints, workload.values, execute);
}

async function driverPhases(
  table: string,
  keys: readonly bigint[],
  values: readonly Buffer[],
  execute: Execute,
): Promise<Phases> {
  const count = keys.length;
  const insertCql = `INSERT INTO bench.${table} (k, v) VALUES (?, ?)`;
  const selectCql = `SELECT v FROM bench.${table} WHERE k = ?`;
  const insert = await slidingWindow(count, IN_FLIGHT, (i) => execute(insertCql, [keys[i]!, values[i]!]));
  const select = await slidingWindow(count, IN_FLIGHT, async (i) => {
    const result = await execute(selectCql, [keys[readIndex(i, count)]!]);
    if (result.rows.length !== 1) throw new Error(`${table}: row missing`);
  });
  return { insert, select };
}

async function throughSibylDriver(contactPoint: string, workload: Workload): Promise<Phases> {
  const client = new Client({ contactPoints: [contactPoint], localDataCenter: DATA_CENTER });
  try {
    await client.connect();
    return await phases('sibyl_kv', workload, (cql, params) =>
      client.execute(cql, params, { prepare: true }),
    );
  } finally {
    await client.shutdown();
  }
}

async function throughDataStaxDriver(contactPoint: string, workload: Workload): Promise<Phases> {
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: DATA_CENTER,
    // JS bigints bind to bigint markers and come back as bigints, as in Sibyl's driver.
    encoding: { useBigIntAsLong: true },
  });
  try {
    await client.connect();
    return await phases('datastax_kv', workload, (cql, params) =>
      client.execute(cql, params, { prepare: true }),
    );
  } finally {
    await client.shutdown();
  }
}

function report(reference: Phases, sibyl: Phases, datastax: Phases): void {
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const insertRatio = ratio(sibyl.insert.opsPerSecond, reference.insert.opsPerSecond);
  const selectRatio = ratio(sibyl.select.opsPerSecond, reference.select.opsPerSecond);
  console.log(
    `client: ${OPERATIONS} prepared INSERTs and SELECTs (after ${WARM_UP} of each to warm up), ` +
      `${IN_FLIGHT} in flight, node in a child process`,
  );
  console.log(windowLine('in-process CQL INSERT', reference.insert));
  console.log(windowLine('sibyl driver INSERT', sibyl.insert));
  console.log(windowLine('datastax driver INSERT', datastax.insert));
  console.log(windowLine('in-process CQL SELECT', reference.select));
  console.log(windowLine('sibyl driver SELECT', sibyl.select));
  console.log(windowLine('datastax driver SELECT', datastax.select));
  console.log(
    `sibyl driver / in-process: INSERT ${insertRatio}, SELECT ${selectRatio}; ` +
      `sibyl / datastax: INSERT ${ratio(sibyl.insert.opsPerSecond, datastax.insert.opsPerSecond)}, ` +
      `SELECT ${ratio(sibyl.select.opsPerSecond, datastax.select.opsPerSecond)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'client',
      sibyl_driver_write_ops: sibyl.insert.opsPerSecond,
      datastax_driver_write_ops: datastax.insert.opsPerSecond,
      read_ops: sibyl.select.opsPerSecond,
      vs_cql_layer: Math.min(insertRatio, selectRatio),
      datastax_driver_read_ops: datastax.select.opsPerSecond,
    }),
  );
}
