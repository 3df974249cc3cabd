/**
 * `sibyl cluster …`: local multi-node clusters as ccm makes them (cli/cluster/, docs/cluster.md).
 * Commands without `--cluster NAME` act on the current cluster (`create` and `switch` set it).
 */
import type { Command } from 'commander';
import { ClusterError } from '../cluster/cluster-error.js';
import { ClusterManager } from '../cluster/cluster-manager.js';
import type { ClusterSpec, NodeSpec } from '../cluster/cluster-spec.js';
import { findNode } from '../cluster/cluster-spec.js';
import { ClusterStore } from '../cluster/cluster-store.js';
import { runningPid } from '../cluster/node-process.js';
import { statusTable } from '../cluster/status-table.js';
import { NetworkBackend } from '../shell/network-backend.js';
import { runShell, type ShellCliOptions, withShellOptions } from '../shell/run-shell.js';

interface ClusterOption {
  cluster?: string;
}

function manager(): ClusterManager {
  return new ClusterManager(ClusterStore.fromEnvironment(), (line) => console.log(line));
}

/** Operating errors are one line on stderr and exit status 1; anything else is a bug and throws. */
function guarded<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
    }
  };
}

function integerOption(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n))
    throw new ClusterError('BAD_ARGUMENT', `${flag} must be a non-negative integer, not '${text}'`);
  return n;
}

function timeoutMs(text: string): number {
  const seconds = integerOption(text, '--timeout');
  if (seconds < 1) throw new ClusterError('BAD_ARGUMENT', '--timeout must be at least 1 second');
  return seconds * 1000;
}

const clusterFlag = ['-c, --cluster <name>', 'the cluster to act on (default: the current one)'] as const;

export function registerCluster(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('local multi-node clusters on 127.0.0.1 … 127.0.0.N, as ccm makes them (docs/cluster.md)');
  registerCreate(cluster);
  registerLifecycle(cluster);
  registerMembership(cluster);
  registerSelection(cluster);
  registerShellCommand(cluster);
}

function registerCreate(cluster: Command): void {
  cluster
    .command('create')
    .description('create a cluster under ~/.sibyl/NAME and make it the current one')
    .argument('<name>', 'cluster name (also its cluster_name)')
    .requiredOption('-n, --nodes <count>', 'number of nodes, or nodes per data center as in ccm (2:2)')
    .option('--dcs <count>', 'spread the nodes over this many data centers (dc1, dc2, …)')
    .option('--vnodes <count>', 'num_tokens of every node', '16')
    .option('--port-offset <n>', 'add n to ports 9042/7000/7199 (default: 0, or the first free offset)')
    .option('--if-missing', 'if the cluster exists, make it current instead of failing')
    .action(
      guarded(
        async (
          name: string,
          opts: { nodes: string; dcs?: string; vnodes: string; portOffset?: string; ifMissing?: boolean },
        ) => {
          await manager().create({
            name,
            nodes: opts.nodes,
            ...(opts.dcs === undefined ? {} : { dcs: opts.dcs }),
            vnodes: integerOption(opts.vnodes, '--vnodes'),
            ...(opts.portOffset === undefined
              ? {}
              : { portOffset: integerOption(opts.portOffset, '--port-offset') }),
            ifMissing: opts.ifMissing === true,
          });
        },
      ),
    );
}

function registerLifecycle(cluster: Command): void {
  cluster
    .command('start')
    .description('start every node (or one) and wait until each accepts CQL')
    .argument('[node]', 'only this node (node1, node2, …)')
    .option(...clusterFlag)
    .option('--timeout <seconds>', 'how long to wait for the nodes to accept CQL', '60')
    .action(
      guarded(async (node: string | undefined, opts: ClusterOption & { timeout: string }) => {
        await manager().start(opts.cluster, node, timeoutMs(opts.timeout));
      }),
    );
  cluster
    .command('stop')
    .description('stop every node (or one): SIGTERM drains it; --kill sends SIGKILL')
    .argument('[node]', 'only this node')
    .option(...clusterFlag)
    .option('--kill', 'SIGKILL the node, as a crash would')
    .option('--timeout <seconds>', 'how long a draining node may take', '60')
    .action(
      guarded(async (node: string | undefined, opts: ClusterOption & { kill?: boolean; timeout: string }) => {
        await manager().stop(opts.cluster, node, {
          kill: opts.kill === true,
          timeoutMs: timeoutMs(opts.timeout),
        });
      }),
    );
  cluster
    .command('status')
    .description('every node: address, data center, rack, UP/DOWN (process and CQL probe), pid, data size')
    .option(...clusterFlag)
    .action(
      guarded(async (opts: ClusterOption) => {
        const { spec, rows } = await manager().status(opts.cluster);
        const { native, storage, admin } = spec.ports;
        console.log(`Cluster '${spec.name}' (ports native ${native}, storage ${storage}, admin ${admin})`);
        console.log(statusTable(rows));
      }),
    );
}

function registerMembership(cluster: Command): void {
  cluster
    .command('add')
    .description('add a node on the next loopback address (ccm add); --start starts it')
    .argument('[node]', 'its name (default nodeK for address 127.0.0.K)')
    .option(...clusterFlag)
    .option('--dc <name>', 'its data center (default: that of the last node)')
    .option('--rack <name>', 'its rack (default: that of the last node)')
    .option('--seed', 'make it a seed')
    .option('--start', 'start it and wait until it accepts CQL')
    .action(
      guarded(
        async (
          name: string | undefined,
          opts: ClusterOption & { dc?: string; rack?: string; seed?: boolean; start?: boolean },
        ) => {
          const clusters = manager();
          const { spec, node } = await clusters.add(opts.cluster, {
            ...(name === undefined ? {} : { name }),
            ...(opts.dc === undefined ? {} : { dc: opts.dc }),
            ...(opts.rack === undefined ? {} : { rack: opts.rack }),
            seed: opts.seed === true,
          });
          if (opts.start) await clusters.start(spec.name, node.name, 60_000);
        },
      ),
    );
  cluster
    .command('decommission')
    .description(
      'nodetool decommission on a running node: its data moves to the others and it leaves the ring',
    )
    .argument('<node>', 'the node')
    .option(...clusterFlag)
    .action(
      guarded(async (node: string, opts: ClusterOption) => {
        await manager().decommission(opts.cluster, node);
      }),
    );
  cluster
    .command('remove')
    .description('kill and delete the cluster (its folder), or only one node')
    .argument('[node]', 'only this node')
    .option(...clusterFlag)
    .action(
      guarded(async (node: string | undefined, opts: ClusterOption) => {
        await manager().remove(opts.cluster, node);
      }),
    );
}

function registerSelection(cluster: Command): void {
  cluster
    .command('list')
    .description('the clusters; the current one is marked with *')
    .action(
      guarded(async () => {
        for (const { name, current } of await manager().list()) console.log(`${current ? '*' : ' '} ${name}`);
      }),
    );
  cluster
    .command('switch')
    .description('make another cluster the current one')
    .argument('<name>', 'cluster name')
    .action(
      guarded(async (name: string) => {
        await manager().switchTo(name);
      }),
    );
}

function registerShellCommand(cluster: Command): void {
  withShellOptions(
    cluster
      .command('shell')
      .description(
        'the CQL shell on a node of the cluster (default: the first running one); the cluster keeps running after it',
      )
      .argument('[node]', 'the node to connect to')
      .option(...clusterFlag),
  ).action(
    guarded(async (nodeName: string | undefined, opts: ClusterOption & ShellCliOptions) => {
      const clusters = manager();
      const spec = await clusters.store.resolve(opts.cluster);
      const target = nodeName === undefined ? await firstRunning(clusters, spec) : findNode(spec, nodeName);
      await shellOn(target.address, spec.ports.native, target.dc, opts);
      if (opts.execute === undefined && opts.file === undefined) {
        const current = (await clusters.store.current()) === spec.name;
        console.log(
          `Cluster '${spec.name}' is still running; stop it with: npx sibyl cluster stop${current ? '' : ` -c ${spec.name}`}`,
        );
      }
    }),
  );
}

/** The first node that runs, else node1 (whose connection error then tells the user to start it). */
async function firstRunning(clusters: ClusterManager, spec: ClusterSpec): Promise<NodeSpec> {
  for (const node of spec.nodes) {
    if ((await runningPid(clusters.store.nodePaths(spec.name, node.name))) !== undefined) return node;
  }
  return spec.nodes[0]!;
}

async function shellOn(host: string, port: number, dataCenter: string, opts: ShellCliOptions): Promise<void> {
  let backend: NetworkBackend;
  try {
    backend = await NetworkBackend.connect({
      host,
      port,
      dataCenter,
      ...(opts.keyspace === undefined ? {} : { keyspace: opts.keyspace }),
    });
  } catch (error) {
    // As `sibyl shell` (and cqlsh) says it.
    process.stderr.write(
      `Connection error: ${(error as Error).message}\n(is the cluster running? sibyl cluster status)\n`,
    );
    process.exitCode = 1;
    return;
  }
  await runShell(backend, opts);
}
