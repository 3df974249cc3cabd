/**
 * A Sibyl node in a child process (`bin/sibyl.js node start`), for benchmarks that must not share an
 * event loop with the node they measure. The child leads its own process group, so stopping it
 * reaches the launcher and the node it spawns; `stop()` drains with SIGTERM (a `--cpu-prof` profile
 * is written on that clean exit) and kills the group if the drain hangs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY_LINE = 'listening for CQL clients';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface NodeProcess {
  readonly host: string;
  readonly port: number;
  /** The child's process id (the launcher's, unless `nodeFlags` started the CLI directly). */
  readonly pid: number;
  /** Drains the node and waits for the process group to end. Idempotent. */
  stop(): Promise<void>;
}

export interface NodeProcessOptions {
  readonly dataDir: string;
  /**
   * Node.js flags for the node (for example `--cpu-prof --cpu-prof-dir=DIR`). NODE_OPTIONS refuses
   * `--cpu-prof`, so with flags the CLI is started as the launcher would start it, without it.
   */
  readonly nodeFlags?: readonly string[];
}

export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const args = ['node', 'start', '--data-dir', options.dataDir, '--listen-address', host];
  args.push('--native-port', `${port}`);
  const entry =
    options.nodeFlags === undefined
      ? [join(ROOT, 'bin', 'sibyl.js')]
      : [...options.nodeFlags, '--import', 'tsx', join(ROOT, 'cli', 'main.ts')];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Whatever happens to this process, the node must not outlive it.
  const killGroup = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killGroup);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilReady(child);
  } catch (error) {
    killGroup();
    await exited;
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(killGroup, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    process.off('exit', killGroup);
    // The launcher forwards SIGTERM; a node that outlived it would hold the data dir.
    signalGroup(child, 'SIGKILL');
  };
  return {
    host,
    port,
    pid: child.pid ?? 0,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Resolves on the node's "listening" line; rejects if the child exits or takes too long. */
function waitUntilReady(child: ChildProcess): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('node did not start in time')), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}; its output:\n${output}`));
    };
    const collect = (chunk: Buffer) => {
      // Kept short: only the start-up lines matter for an error message.
      if (output.length < 20_000) output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    // Both pipes stay drained for the child's whole life, so it never blocks on a full pipe.
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code, signal) =>
      fail(new Error(`node exited (${code ?? signal}) before it was ready`)),
    );
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
