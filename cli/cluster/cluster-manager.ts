/**
 * The operations of `sibyl cluster` (ccm's, on Sibyl nodes): create, start, stop, status, add,
 * remove, list, switch. Each takes the cluster by name or falls back to the current one, reports
 * progress through `say`, and fails with a ClusterError naming what the user has to look at.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../tool/admin-client.js';
import { ClusterError } from './cluster-error.js';
import type { AddRequest, ClusterSpec, NodeSpec } from './cluster-spec.js';
import { addNode, findNode, nodesPerDcOf, planCluster, removeNode } from './cluster-spec.js';
import type { ClusterStore } from './cluster-store.js';
import { probeCql } from './cql-probe.js';
import type { SpawnedNode } from './node-process.js';
import {
  removePidFile,
  requestDrain,
  runningPid,
  signalGroup,
  spawnNode,
  tailOf,
  waitForExit,
} from './node-process.js';
import { choosePortOffset, type PortProblem, portProblems } from './port-check.js';
import type { NodeStatus } from './status-table.js';
import { dataBytes } from './status-table.js';

export interface CreateOptions {
  readonly name: string;
  /** `-n`: a total ("3") or nodes per data center ("2:2"). */
  readonly nodes: string;
  readonly dcs?: string;
  readonly vnodes: number;
  /** Unset: 0 when Cassandra's ports are free on every address, else the first free offset. */
  readonly portOffset?: number;
  /** An existing cluster of that name is made current instead of being an error. */
  readonly ifMissing?: boolean;
}

export interface StopOptions {
  /** SIGKILL the process group instead of draining the node with SIGTERM. */
  readonly kill: boolean;
  /** How long a draining node may take before stop gives up (and suggests --kill). */
  readonly timeoutMs: number;
  /** Say nothing about nodes that are not running (remove). */
  readonly quiet?: boolean;
}

/** Probes during start and status; a node that answers at all answers within this. */
const PROBE_TIMEOUT_MS = 1000;
const KILL_WAIT_MS = 10_000;

export class ClusterManager {
  constructor(
    readonly store: ClusterStore,
    private readonly say: (line: string) => void,
  ) {}

  async create(options: CreateOptions): Promise<ClusterSpec> {
    if (await this.store.exists(options.name)) {
      if (!options.ifMissing)
        throw new ClusterError(
          'CLUSTER_EXISTS',
          `cluster '${options.name}' already exists in ${this.store.root} (remove it first: sibyl cluster remove -c ${options.name})`,
        );
      await this.store.setCurrent(options.name);
      this.say(`Cluster '${options.name}' exists; it is the current cluster.`);
      return this.store.load(options.name);
    }
    const nodesPerDc = nodesPerDcOf(options.nodes, options.dcs);
    const draft = planCluster({ name: options.name, nodesPerDc, numTokens: options.vnodes, portOffset: 0 });
    const portOffset = options.portOffset ?? (await this.freePortOffset(draft));
    const spec = planCluster({ name: options.name, nodesPerDc, numTokens: options.vnodes, portOffset });
    await this.store.save(spec);
    await this.store.setCurrent(spec.name);
    const { native, storage, admin } = spec.ports;
    const last = spec.nodes.at(-1)!;
    this.say(
      `Created cluster '${spec.name}' (current): ${spec.nodes.length} nodes on 127.0.0.1…${last.address}, ` +
        `ports native ${native}, storage ${storage}, admin ${admin}; start it with: sibyl cluster start`,
    );
    return spec;
  }

  /** Cassandra's ports when they are free, else an offset at which they are (printed, as a surprise). */
  private async freePortOffset(draft: ClusterSpec): Promise<number> {
    const addresses = draft.nodes.map((n) => n.address);
    const offset = await choosePortOffset(addresses);
    if (offset === undefined) {
      this.say(
        'Note: not every node address can be bound now; `start` will say which (see docs/cluster.md).',
      );
      return 0;
    }
    if (offset > 0)
      this.say(
        `Note: ports 9042/7000/7199 are in use on these addresses; this cluster uses port offset ${offset}.`,
      );
    return offset;
  }

  async start(
    clusterName: string | undefined,
    nodeName: string | undefined,
    timeoutMs: number,
  ): Promise<void> {
    const spec = await this.store.resolve(clusterName);
    const chosen = nodeName === undefined ? spec.nodes : [findNode(spec, nodeName)];
    const toStart: NodeSpec[] = [];
    for (const node of chosen) {
      const pid = await runningPid(this.store.nodePaths(spec.name, node.name));
      if (pid === undefined) toStart.push(node);
      else this.say(`${node.name} is already running (pid ${pid})`);
    }
    if (toStart.length === 0) return;
    await this.checkPorts(spec, toStart);
    const deadline = Date.now() + timeoutMs;
    const fresh = await Promise.all(toStart.map((node) => this.neverJoined(spec, node)));
    if (fresh.some(Boolean)) {
      // A node joining for the first time chooses its tokens against the ring it finds: one at a
      // time, seeds first, each serving before the next starts (two at once would pick the same).
      const ordered = [...toStart].sort(
        (a, b) => Number(!spec.seeds.includes(a.address)) - Number(!spec.seeds.includes(b.address)),
      );
      for (const node of ordered) {
        const process = await spawnNode(this.store.nodePaths(spec.name, node.name), spec.ports.admin);
        await this.waitUntilServing(spec, node, process, deadline, timeoutMs);
      }
      return;
    }
    const spawned: { node: NodeSpec; process: SpawnedNode }[] = [];
    for (const node of toStart) {
      const paths = this.store.nodePaths(spec.name, node.name);
      spawned.push({ node, process: await spawnNode(paths, spec.ports.admin) });
    }
    const results = await Promise.allSettled(
      spawned.map(({ node, process }) => this.waitUntilServing(spec, node, process, deadline, timeoutMs)),
    );
    throwFirstOf(results);
  }

  /** No tokens in its data directory yet (node-identity.json, written by the node). */
  private async neverJoined(spec: ClusterSpec, node: NodeSpec): Promise<boolean> {
    const file = join(this.store.nodePaths(spec.name, node.name).dir, 'node-identity.json');
    try {
      const identity = JSON.parse(await readFile(file, 'utf8')) as { tokens?: unknown };
      return !Array.isArray(identity.tokens) || identity.tokens.length === 0;
    } catch {
      return true;
    }
  }

  /**
   * nodetool decommission on a running node (over its admin endpoint): its ranges stream to the
   * nodes that take them over and it leaves the ring; the process stays up, DECOMMISSIONED, until
   * stopped or removed.
   */
  async decommission(clusterName: string | undefined, nodeName: string): Promise<void> {
    const spec = await this.store.resolve(clusterName);
    const node = findNode(spec, nodeName);
    if ((await runningPid(this.store.nodePaths(spec.name, node.name))) === undefined)
      throw new ClusterError('NOT_RUNNING', `${node.name} is not running: only a live node can decommission`);
    this.say(`Decommissioning ${node.name} (streams its data to the nodes that take its ranges)…`);
    try {
      await new AdminClient(node.address, spec.ports.admin).post('/decommission', {});
    } catch (error) {
      throw new ClusterError('DECOMMISSION_FAILED', `${node.name}: ${(error as Error).message}`);
    }
    this.say(`${node.name} decommissioned; remove it with: sibyl cluster remove ${node.name}`);
  }

  private async waitUntilServing(
    spec: ClusterSpec,
    node: NodeSpec,
    spawned: SpawnedNode,
    deadline: number,
    timeoutMs: number,
  ): Promise<void> {
    const paths = this.store.nodePaths(spec.name, node.name);
    const where = `${node.address}:${spec.ports.native}`;
    for (;;) {
      if (spawned.exit !== undefined) {
        await removePidFile(paths);
        const how = spawned.exit.signal ?? `code ${spawned.exit.code}`;
        throw new ClusterError(
          'START_FAILED',
          `${node.name} exited (${how}) before accepting CQL on ${where}; its output (${paths.stdoutLog}) ends:\n` +
            (await tailOf(paths.stdoutLog, 15)),
        );
      }
      const probe = await probeCql(node.address, spec.ports.native, PROBE_TIMEOUT_MS);
      if (probe.ok) {
        this.say(`${node.name} accepts CQL on ${where} (pid ${spawned.pid})`);
        return;
      }
      if (Date.now() >= deadline)
        throw new ClusterError(
          'START_TIMEOUT',
          `${node.name} (pid ${spawned.pid}, still running) did not accept CQL on ${where} within ` +
            `${Math.round(timeoutMs / 1000)} s (last probe: ${probe.reason}); see ${paths.stdoutLog} and ${paths.systemLog}`,
        );
      await sleep(150);
    }
  }

  private async checkPorts(spec: ClusterSpec, nodes: readonly NodeSpec[]): Promise<void> {
    const problems = await portProblems(
      nodes.map((n) => n.address),
      spec.ports,
    );
    if (problems.length === 0) return;
    const lines = await Promise.all(problems.map((p) => this.describeProblem(spec, p)));
    const missing = problems.some((p) => p.state === 'no-address');
    throw new ClusterError(
      missing ? 'ADDRESS_UNAVAILABLE' : 'PORT_IN_USE',
      `cannot start cluster '${spec.name}':\n${lines.map((l) => `  ${l}`).join('\n')}` +
        (missing
          ? ''
          : `\n(another cluster? \`sibyl cluster create NAME --port-offset 100\` uses other ports)`),
    );
  }

  private async describeProblem(spec: ClusterSpec, problem: PortProblem): Promise<string> {
    if (problem.state === 'no-address')
      return (
        `${problem.address} is not an address of this machine ` +
        `(Linux routes all of 127.0.0.0/8; on macOS: sudo ifconfig lo0 alias ${problem.address} up)`
      );
    const holder = await this.runningNodeAt(spec.name, problem.address, problem.port);
    return `${problem.address}:${problem.port} is in use${holder ? ` by ${holder}` : ''}`;
  }

  /** Names another cluster's running node on that address and port, the usual cause of a clash. */
  private async runningNodeAt(except: string, address: string, port: number): Promise<string | undefined> {
    for (const name of await this.store.list()) {
      if (name === except) continue;
      const other = await this.store.load(name).catch(() => undefined);
      const node = other?.nodes.find((n) => n.address === address);
      if (!other || !node || !Object.values(other.ports).includes(port)) continue;
      if ((await runningPid(this.store.nodePaths(name, node.name))) !== undefined)
        return `${node.name} of cluster '${name}' (sibyl cluster stop -c ${name})`;
    }
    return undefined;
  }

  async stop(
    clusterName: string | undefined,
    nodeName: string | undefined,
    options: StopOptions,
  ): Promise<void> {
    const spec = await this.store.resolve(clusterName);
    const chosen = nodeName === undefined ? spec.nodes : [findNode(spec, nodeName)];
    const results = await Promise.allSettled(chosen.map((node) => this.stopNode(spec, node, options)));
    throwFirstOf(results);
  }

  private async stopNode(spec: ClusterSpec, node: NodeSpec, options: StopOptions): Promise<void> {
    const paths = this.store.nodePaths(spec.name, node.name);
    const pid = await runningPid(paths);
    if (pid === undefined) {
      await removePidFile(paths);
      if (!options.quiet) this.say(`${node.name} is not running`);
      return;
    }
    if (options.kill) signalGroup(pid, 'SIGKILL');
    else requestDrain(pid);
    const waitMs = options.kill ? KILL_WAIT_MS : options.timeoutMs;
    if (!(await waitForExit(pid, paths.configFile, waitMs)))
      throw new ClusterError(
        'STOP_TIMEOUT',
        `${node.name} (pid ${pid}) did not exit within ${Math.round(waitMs / 1000)} s; see ${paths.systemLog}` +
          (options.kill ? '' : `, or kill it: sibyl cluster stop ${node.name} --kill`),
      );
    await removePidFile(paths);
    this.say(`${node.name} ${options.kill ? 'killed' : 'stopped'} (pid ${pid})`);
  }

  async status(clusterName: string | undefined): Promise<{ spec: ClusterSpec; rows: NodeStatus[] }> {
    const spec = await this.store.resolve(clusterName);
    const rows = await Promise.all(
      spec.nodes.map(async (node): Promise<NodeStatus> => {
        const paths = this.store.nodePaths(spec.name, node.name);
        const pid = await runningPid(paths);
        const answers =
          pid !== undefined && (await probeCql(node.address, spec.ports.native, PROBE_TIMEOUT_MS)).ok;
        const state = pid === undefined ? 'DOWN' : answers ? 'UP' : 'UNRESPONSIVE';
        return { ...node, state, pid, dataBytes: await dataBytes(paths.dir) };
      }),
    );
    return { spec, rows };
  }

  async add(
    clusterName: string | undefined,
    request: AddRequest,
  ): Promise<{ spec: ClusterSpec; node: NodeSpec }> {
    const current = await this.store.resolve(clusterName);
    const { spec, node } = addNode(current, request);
    await this.store.save(spec);
    this.say(
      `Added ${node.name} to cluster '${spec.name}' at ${node.address} (${node.dc}/${node.rack}` +
        `${spec.seeds.includes(node.address) ? ', seed' : ''}); start it with: sibyl cluster start ${node.name}`,
    );
    return { spec, node };
  }

  /** A node: killed, its folder deleted, the others' configs rewritten. No node: the whole cluster. */
  async remove(clusterName: string | undefined, nodeName: string | undefined): Promise<void> {
    const spec = await this.store.resolve(clusterName);
    if (nodeName === undefined) {
      await this.stop(spec.name, undefined, { kill: true, timeoutMs: KILL_WAIT_MS, quiet: true });
      await this.store.removeCluster(spec.name);
      this.say(`Removed cluster '${spec.name}' (${this.store.clusterDir(spec.name)})`);
      return;
    }
    const next = removeNode(spec, nodeName);
    if (next.nodes.length === 0)
      throw new ClusterError(
        'BAD_ARGUMENT',
        `${nodeName} is the last node of '${spec.name}'; remove the cluster instead: sibyl cluster remove -c ${spec.name}`,
      );
    await this.stop(spec.name, nodeName, { kill: true, timeoutMs: KILL_WAIT_MS, quiet: true });
    await this.store.save(next);
    await this.store.removeNodeFolder(spec.name, nodeName);
    this.say(`Removed ${nodeName} from cluster '${spec.name}'`);
  }

  async list(): Promise<{ name: string; current: boolean }[]> {
    const current = await this.store.current();
    return (await this.store.list()).map((name) => ({ name, current: name === current }));
  }

  async switchTo(name: string): Promise<void> {
    await this.store.load(name);
    await this.store.setCurrent(name);
    this.say(`Current cluster: '${name}'`);
  }
}

/** Waits for every node (none is left half-handled), then reports the first failure. */
function throwFirstOf(results: readonly PromiseSettledResult<void>[]): void {
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length === 0) return;
  if (failures.length === 1) throw failures[0]!.reason;
  const first = failures[0]!.reason as Error;
  const messages = failures.map((f) => (f.reason as Error).message).join('\n');
  if (first instanceof ClusterError) throw new ClusterError(first.code, messages);
  throw new Error(messages, { cause: first });
}
