/**
 * Cluster benchmark: a 3-node cluster made with `sibyl cluster` (nodes on 127.0.0.1–3, each its own
 * process), a keyspace with RF 3, then `sibyl stress` writes and reads at QUORUM through Sibyl's
 * driver (token-aware) with 128 in flight, the stress client running in this process. The reference,
 * measured in the same run before the cluster starts: a bare fan-out — this process as coordinator
 * sends a msgpackr request of the same size as a stress write over TCP to three echo processes on
 * 127.0.0.1–3 and completes each operation on 2 of the 3 answers, 128 in flight.
 *
 * The cluster lives in a temporary SIBYL_CLUSTERS_DIR (never ~/.sibyl) at a random free port offset
 * (never 9042/7000/7199 or a cluster the user runs), and is removed whatever happens.
 * BENCH_CLUSTER_OPS: stress operations per phase (default 50000; warm-up as cassandra-stress:
 * a quarter of that per node). BENCH_CLUSTER_BASELINE_OPS: baseline operations (default 200000).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';
import { portsFor } from '../cli/cluster/cluster-spec.js';
import { portProblems } from '../cli/cluster/port-check.js';
import { parseStressArguments } from '../cli/stress/stress-arguments.js';
import { runStress, type StressResult } from '../cli/stress/stress-runner.js';
import { keyOf, ValueSource } from '../cli/stress/stress-schema.js';
import { Client } from '../driver/index.js';
import { frame, onFrames, writer } from './messaging.js';
import { slidingWindow, type WindowResult } from './window.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;
const CLUSTER = 'bench';
const IN_FLIGHT = 128;
const OPERATIONS = Number(process.env.BENCH_CLUSTER_OPS ?? 50_000);
const BASELINE_OPERATIONS = Number(process.env.BENCH_CLUSTER_BASELINE_OPS ?? 200_000);
const BASELINE_WARMUP = Math.min(20_000, BASELINE_OPERATIONS);
const RING_TIMEOUT_MS = 60_000;

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sibyl-bench-cluster-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SIBYL_CLUSTERS_DIR: join(root, 'clusters') };
  const cleanup = () => removeCluster(env, root);
  // Nodes are detached process groups: an interrupted benchmark must still take them down.
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const baseline = await fanOutBaseline();
    console.log(
      `baseline: bare msgpackr fan-out to 3 echo processes, 2 of 3 answers, ${IN_FLIGHT} in flight: ` +
        `${baseline.opsPerSecond} op/s, p50 ${ms(baseline.p50Micros)} ms, p99 ${ms(baseline.p99Micros)} ms`,
    );
    const nativePort = await startCluster(env);
    const nodes = ['-node', HOSTS.join(','), '-port', `native=${nativePort}`];
    const common = [`n=${OPERATIONS}`, 'cl=QUORUM', '-rate', `threads=${IN_FLIGHT}`, ...nodes];
    const write = await stress('write', [...common, '-schema', 'replication(factor=3)']);
    const read = await stress('read', [...common, '-pop', `seq=1..${OPERATIONS}`]);
    report(baseline, write, read);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

function stress(command: string, args: string[]): Promise<StressResult> {
  console.log(`sibyl stress ${command} ${args.join(' ')}`);
  const settings = parseStressArguments(command, args);
  return runStress(settings, { line: (text) => console.log(text), error: (text) => console.error(text) });
}

function report(baseline: WindowResult, write: StressResult, read: StressResult): void {
  const rate = (r: StressResult) => Math.round(r.total.operations / (r.elapsedMs / 1000));
  const round2 = (n: number) => Math.round(n * 100) / 100;
  console.log(
    JSON.stringify({
      bench: 'cluster',
      write_ops: rate(write),
      read_ops: rate(read),
      write_p99_ms: round2(write.total.latency.p99Ms),
      read_p99_ms: round2(read.total.latency.p99Ms),
      baseline_ops: baseline.opsPerSecond,
      write_vs_baseline: round2(rate(write) / baseline.opsPerSecond),
      read_vs_baseline: round2(rate(read) / baseline.opsPerSecond),
      baseline_p99_ms: round2(baseline.p99Micros / 1000),
      write_errors: write.total.errors,
      read_errors: read.total.errors,
      // By type (NotValidated, Unavailable, ReadTimeout, …), so a run with errors says which.
      ...(write.errorsByType.size + read.errorsByType.size > 0
        ? { error_types: Object.fromEntries([...write.errorsByType, ...read.errorsByType]) }
        : {}),
      operations: OPERATIONS,
    }),
  );
}

const ms = (micros: number) => (micros / 1000).toFixed(2);

// ---- the cluster, through `sibyl cluster` ----

function sibyl(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'sibyl.js'), ...args],
      { cwd: ROOT, env, timeout: 180_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`sibyl ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Creates and starts the cluster; returns its native port once every node sees the other two. */
async function startCluster(env: NodeJS.ProcessEnv): Promise<number> {
  const offset = await freePortOffset();
  await sibyl(env, 'cluster', 'create', CLUSTER, '-n', '3', '--port-offset', String(offset));
  // One node at a time, as ccm does: a node joins (and, once bootstrap streams, bootstraps) only
  // after the previous one serves CQL, so two nodes never move ranges at once.
  for (let k = 1; k <= HOSTS.length; k++)
    process.stdout.write(await sibyl(env, 'cluster', 'start', `node${k}`, '-c', CLUSTER, '--timeout', '120'));
  const nativePort = portsFor(offset).native;
  await untilRingComplete(nativePort);
  return nativePort;
}

/** A random offset (10000–23000, below the ephemeral range) whose ports are free on all three addresses. */
async function freePortOffset(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 10_000 + 10 * Math.floor(Math.random() * 1300);
    if ((await portProblems(HOSTS, portsFor(offset))).length === 0) return offset;
  }
  throw new Error('no free port offset for the benchmark cluster');
}

/** Each node's system.peers (what a driver connected to it learns) names the other two as up. */
async function untilRingComplete(nativePort: number): Promise<void> {
  const deadline = Date.now() + RING_TIMEOUT_MS;
  for (const host of HOSTS) {
    for (;;) {
      const client = new Client({ contactPoints: [`${host}:${nativePort}`], localDataCenter: 'datacenter1' });
      const complete = await client
        .connect()
        .then(() => client.hosts.length === HOSTS.length && client.hosts.every((h) => h.up))
        .catch(() => false);
      await client.shutdown();
      if (complete) break;
      if (Date.now() > deadline) throw new Error(`${host} did not see all ${HOSTS.length} nodes in time`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** `sibyl cluster remove` (kills the nodes, deletes the folder); then any node group left, then the folder. */
async function removeCluster(env: NodeJS.ProcessEnv, root: string): Promise<void> {
  await sibyl(env, 'cluster', 'remove', '-c', CLUSTER).catch(() => undefined);
  const clusterDir = join(root, 'clusters', CLUSTER);
  for (const node of await readdir(clusterDir).catch(() => [] as string[])) {
    const pid = Number((await readFile(join(clusterDir, node, 'node.pid'), 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 1) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await rm(root, { recursive: true, force: true });
}

// ---- the baseline: bare fan-out to three echo processes ----

async function fanOutBaseline(): Promise<WindowResult> {
  const echoes: ChildProcess[] = [];
  const sockets: Socket[] = [];
  try {
    for (const host of HOSTS) {
      const { child, port } = await startEcho(host);
      echoes.push(child);
      sockets.push(await connect(host, port));
    }
    const request = fanOut(sockets);
    await slidingWindow(BASELINE_WARMUP, IN_FLIGHT, request);
    return await slidingWindow(BASELINE_OPERATIONS, IN_FLIGHT, request);
  } finally {
    for (const socket of sockets) socket.destroy();
    for (const child of echoes) child.kill('SIGKILL');
  }
}

/** One operation: the same frame to every replica, done at the second answer. */
function fanOut(sockets: readonly Socket[]): (i: number) => Promise<void> {
  const packr = new Packr({ useRecords: false });
  const waiting = new Map<number, { answers: number; done: () => void }>();
  for (const socket of sockets) {
    onFrames(socket, (body) => {
      const { id } = packr.unpack(body) as { id: number };
      const entry = waiting.get(id);
      if (entry === undefined) return;
      entry.answers++;
      if (entry.answers === 2) entry.done();
      if (entry.answers === sockets.length) waiting.delete(id);
    });
  }
  const writes = sockets.map((socket) => writer(socket, true));
  const values = new ValueSource(5, 34);
  let nextId = 1;
  return (i) =>
    new Promise<void>((done) => {
      const id = nextId++;
      waiting.set(id, { answers: 0, done });
      const key = keyOf(i + 1);
      // What a coordinator sends a replica for one stress write: table, key, five 34-byte cells.
      const message = {
        id,
        payload: {
          keyspace: 'keyspace1',
          table: 'standard1',
          key,
          columns: values.writeValues(i + 1, key).slice(0, 5),
        },
      };
      const bytes = frame(packr.pack(message));
      for (const write of writes) write(bytes);
    });
}

function startEcho(host: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'cluster-echo.ts'), host], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`echo process on ${host} exited (${code}): ${output}`)));
  });
}

function connect(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}
