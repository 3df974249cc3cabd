/**
 * A cluster of real `sibyl node start` processes on 127.0.0.1 … 127.0.0.N for fault tests: the same
 * native, storage and admin ports on every address (as ccm runs them), chosen free by
 * `commonFreePorts`; one YAML for all; node 1 the seed. Nodes can be killed with SIGKILL, stopped
 * with SIGTERM and restarted on their data directory. `close()` closes the clients it handed out,
 * kills what still runs and removes every directory; `clusterPerTest` does that after each test.
 *
 * The CLI is started as `node --import tsx cli/main.ts` rather than through bin/sibyl.js: the
 * launcher forwards the signals it can catch, and a SIGKILL on it would leave the real node running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { StatusResponse } from '../../node/admin/index.js';
import { commonFreePorts, until } from '../node/cluster/cluster-helpers.js';
import { tempDir } from '../storage/helpers.js';
import { PinnedClient } from './pinned-client.js';

const READY_TIMEOUT_MS = 60_000;

export interface ProcessNode {
  readonly index: number;
  readonly host: string;
  readonly dataDir: string;
  /** The running child, undefined while the node is down. */
  readonly child: ChildProcess | undefined;
}

export interface ProcessClusterOptions {
  readonly nodes: number;
  /** cassandra.yaml-style lines shared by every node (num_tokens, timeouts, hints, ...). */
  readonly yaml?: Readonly<Record<string, string | number | boolean>>;
}

export class ProcessCluster {
  private readonly children = new Map<number, ChildProcess>();
  private readonly outputs = new Map<number, string>();
  private readonly clients: PinnedClient[] = [];

  private constructor(
    readonly hosts: readonly string[],
    readonly nativePort: number,
    readonly storagePort: number,
    readonly adminPort: number,
    private readonly dataDirs: readonly string[],
    private readonly configPath: string,
    private readonly cleanups: (() => Promise<void>)[],
  ) {}

  /** Creates the directories and config and starts every node (the seed first, then the others together). */
  static async start(options: ProcessClusterOptions): Promise<ProcessCluster> {
    const hosts = Array.from({ length: options.nodes }, (_, i) => `127.0.0.${i + 1}`);
    const [nativePort, storagePort, adminPort] = (await commonFreePorts(hosts, 3)) as [
      number,
      number,
      number,
    ];
    const cleanups: (() => Promise<void>)[] = [];
    const config = await tempDir('sibyl-fault-yaml-');
    cleanups.push(config.cleanup);
    // Nodes of a new cluster join as ccm's do at first start: without bootstrap streaming (there is
    // no data yet), one ring delay of 1 s, not Cassandra's 30 s.
    // A cluster name of its own: a node of another test's cluster (they run side by side on the same
    // addresses) that reaches one of these ports is refused at the first gossip SYN.
    const clusterName = `fault-${nativePort}-${process.pid}`;
    const yaml = {
      cluster_name: `'${clusterName}'`,
      num_tokens: 8,
      auto_bootstrap: false,
      ring_delay_ms: 1000,
      ...options.yaml,
    };
    const configPath = join(config.dir, 'sibyl.yaml');
    await writeFile(
      configPath,
      `${Object.entries(yaml)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')}\n`,
    );
    const dataDirs: string[] = [];
    for (const host of hosts) {
      const dir = await tempDir(`sibyl-fault-${host}-`);
      cleanups.push(dir.cleanup);
      dataDirs.push(dir.dir);
    }
    const cluster = new ProcessCluster(
      hosts,
      nativePort,
      storagePort,
      adminPort,
      dataDirs,
      configPath,
      cleanups,
    );
    try {
      await cluster.startNode(0);
      await Promise.all(hosts.slice(1).map((_, i) => cluster.startNode(i + 1)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** `host:nativePort` of every node, for drivers' contact points. */
  get contactPoints(): string[] {
    return this.hosts.map((host) => `${host}:${this.nativePort}`);
  }

  node(index: number): ProcessNode {
    return {
      index,
      host: this.hosts[index]!,
      dataDir: this.dataDirs[index]!,
      child: this.children.get(index),
    };
  }

  /** A client of node `index` alone, closed with the cluster. */
  client(index: number): PinnedClient {
    const client = new PinnedClient(this.hosts[index]!, this.nativePort);
    this.clients.push(client);
    return client;
  }

  isRunning(index: number): boolean {
    return this.children.has(index);
  }

  /** What the node printed so far (its stdout and stderr), for failure messages. */
  output(index: number): string {
    return this.outputs.get(index) ?? '';
  }

  /** Starts node `index` on its data directory; resolves once it accepts CQL. */
  startNode(index: number): Promise<void> {
    if (this.children.has(index)) return Promise.resolve();
    const host = this.hosts[index]!;
    const args = [
      ...['--import', 'tsx', 'cli/main.ts', 'node', 'start'],
      ...['--data-dir', this.dataDirs[index]!, '--listen-address', host, '--config', this.configPath],
      ...['--native-port', String(this.nativePort), '--storage-port', String(this.storagePort)],
      ...['--admin-port', String(this.adminPort), '--seeds', this.hosts[0]!],
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.set(index, child);
    this.outputs.set(index, '');
    const ready = `listening for CQL clients on ${host}:${this.nativePort}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${host} not ready after ${READY_TIMEOUT_MS} ms:\n${this.output(index)}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        const output = this.output(index) + chunk.toString();
        // Keep the tail only: a long-running node logs a lot.
        this.outputs.set(index, output.length > 64_000 ? output.slice(-32_000) : output);
        if (output.includes(ready)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        if (this.children.get(index) === child) this.children.delete(index);
        clearTimeout(timer);
        reject(new Error(`${host} exited (${code ?? signal}) before it was ready:\n${this.output(index)}`));
      });
    });
  }

  /**
   * Runs `step`; if it throws, the error is rethrown with what node `index` printed last and its
   * view of the ring, so a failure in CI says more than the driver's message.
   */
  async explainFailure<T>(index: number, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const status = await this.admin(index, '/status').catch((e: unknown) => String(e));
      const detail = `node${index + 1} status: ${JSON.stringify(status)}\nnode${index + 1} output (tail):\n${this.output(index).slice(-8000)}`;
      throw new Error(`${(error as Error).message}\n${detail}`, { cause: error });
    }
  }

  /** GET (or POST with a JSON body) on node `index`'s admin endpoint; the parsed JSON answer. */
  async admin<T>(index: number, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`http://${this.hosts[index]}:${this.adminPort}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const json = (await response.json()) as T;
    if (!response.ok)
      throw new Error(`${path} on node${index + 1}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** Waits until every running node but `target` sees `target` as `status` (UP or DOWN) in its gossip. */
  waitUntilSeen(target: number, status: 'UP' | 'DOWN', timeoutMs = 30_000): Promise<void> {
    const observers = [...this.children.keys()].filter((index) => index !== target);
    const names = observers.map((o) => `node${o + 1}`).join(', ');
    return this.waitUntilStatus(
      `node${target + 1} is ${status} for ${names}`,
      observers,
      [target],
      status,
      timeoutMs,
    );
  }

  /** Waits until every running node sees every other running node UP (a restarted node, its peers too). */
  waitUntilAllUp(timeoutMs = 30_000): Promise<void> {
    const running = [...this.children.keys()];
    return this.waitUntilStatus('every running node sees the others UP', running, running, 'UP', timeoutMs);
  }

  /** Polls each observer's `/status` until it reports every subject but itself as `status`. */
  private waitUntilStatus(
    what: string,
    observers: readonly number[],
    subjects: readonly number[],
    status: 'UP' | 'DOWN',
    timeoutMs: number,
  ): Promise<void> {
    return until(
      what,
      async () => {
        for (const observer of observers) {
          const { endpoints } = await this.admin<StatusResponse>(observer, '/status');
          for (const subject of subjects) {
            if (subject === observer) continue;
            if (endpoints.find((e) => e.address === this.hosts[subject])?.status !== status) return false;
          }
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** SIGKILL: no drain, no shutdown announcement; resolves once the process is gone. */
  kill(index: number): Promise<void> {
    return this.signal(index, 'SIGKILL');
  }

  /** SIGTERM: the node drains and announces its shutdown; resolves once the process exited. */
  stop(index: number): Promise<void> {
    return this.signal(index, 'SIGTERM');
  }

  private signal(index: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(index);
    if (child === undefined) return Promise.resolve();
    this.children.delete(index);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    return exited;
  }

  /** Closes the clients, kills every node still running and removes the directories. */
  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) await client.close().catch(() => {});
    await Promise.all([...this.children.keys()].map((index) => this.kill(index)));
    for (const cleanup of this.cleanups.splice(0)) await cleanup();
  }
}

/**
 * For a test file whose tests each start a cluster: the function that starts it; the cluster is
 * closed after the test, pass or fail.
 */
export function clusterPerTest(): (options: ProcessClusterOptions) => Promise<ProcessCluster> {
  let current: ProcessCluster | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => {
    current = await ProcessCluster.start(options);
    return current;
  };
}
