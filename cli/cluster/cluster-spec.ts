/**
 * What a local cluster is, as `cluster.json` stores it, and the pure decisions about it: how nodes
 * are spread over data centers, which nodes are seeds, what each node's `sibyl.yaml` says, and how
 * adding or removing a node changes the cluster. No IO here; cluster-store.ts reads and writes.
 */
import { nativeTransportDefaults, nodeDefaults } from '../../common/limits.js';
import { ClusterError } from './cluster-error.js';

/** Bumped when cluster.json changes incompatibly; a reader refuses formats it does not know. */
export const CLUSTER_FORMAT = 1;

/** Loopback addresses 127.0.0.1 … 127.0.0.254 bound the size of a local cluster. */
export const MAX_NODES = 254;

export interface ClusterPorts {
  readonly native: number;
  readonly storage: number;
  readonly admin: number;
}

export interface NodeSpec {
  readonly name: string;
  readonly address: string;
  readonly dc: string;
  readonly rack: string;
  /**
   * auto_bootstrap: a node added to a running cluster streams its ranges before it serves (ccm's
   * `add -b`); the nodes a cluster is created with join without streaming. Absent: false.
   */
  readonly autoBootstrap?: boolean;
}

/** ring_delay_ms written into every node's config: Cassandra's 30 s is too long on one machine. */
export const CLUSTER_RING_DELAY_MS = 2_000;

export interface ClusterSpec {
  readonly format: number;
  readonly name: string;
  readonly numTokens: number;
  /** Added to Cassandra's ports 9042 / 7000 / 7199; every node uses the same ports. */
  readonly portOffset: number;
  readonly ports: ClusterPorts;
  /** Seed addresses: the first node of each data center, plus nodes added with `--seed`. */
  readonly seeds: readonly string[];
  readonly nodes: readonly NodeSpec[];
}

export interface CreateRequest {
  readonly name: string;
  /** Nodes per data center, in order (`-n 3` with `--dcs 1` is [3]; `-n 2:2` is [2, 2]). */
  readonly nodesPerDc: readonly number[];
  readonly numTokens: number;
  readonly portOffset: number;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkName(kind: 'cluster' | 'node', name: string): void {
  // CURRENT is the file naming the current cluster inside the same folder.
  if (!NAME_PATTERN.test(name) || name === 'CURRENT')
    throw new ClusterError(
      'BAD_ARGUMENT',
      `'${name}' is not a valid ${kind} name (letters, digits, '.', '_' and '-', at most 64)`,
    );
}

/**
 * `-n` and `--dcs` → nodes per data center. `-n 5 --dcs 2` spreads as evenly as possible, the first
 * data centers taking the remainder ([3, 2]); `-n 3:2` (ccm's form) gives the counts directly.
 */
export function nodesPerDcOf(countText: string, dcsText: string | undefined): number[] {
  const positive = (text: string, what: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1)
      throw new ClusterError('BAD_ARGUMENT', `${what} must be a positive integer, not '${text}'`);
    return n;
  };
  let counts: number[];
  if (countText.includes(':')) {
    counts = countText.split(':').map((part) => positive(part, '-n (nodes per data center)'));
    if (dcsText !== undefined && positive(dcsText, '--dcs') !== counts.length)
      throw new ClusterError(
        'BAD_ARGUMENT',
        `-n ${countText} names ${counts.length} data centers, --dcs ${dcsText}`,
      );
  } else {
    const total = positive(countText, '-n (number of nodes)');
    const dcs = dcsText === undefined ? 1 : positive(dcsText, '--dcs');
    if (dcs > total)
      throw new ClusterError('BAD_ARGUMENT', `--dcs ${dcs} needs at least ${dcs} nodes, -n is ${total}`);
    counts = Array.from({ length: dcs }, (_, i) => Math.floor(total / dcs) + (i < total % dcs ? 1 : 0));
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > MAX_NODES)
    throw new ClusterError('BAD_ARGUMENT', `at most ${MAX_NODES} nodes (127.0.0.1 … 127.0.0.${MAX_NODES})`);
  return counts;
}

export function portsFor(offset: number): ClusterPorts {
  return {
    native: nativeTransportDefaults.nativePort + offset,
    storage: nodeDefaults.storagePort + offset,
    admin: nodeDefaults.adminPort + offset,
  };
}

/** The highest port offset that keeps every port of the cluster a valid port. */
export const MAX_PORT_OFFSET = 65535 - nativeTransportDefaults.nativePort;

/** Data center names: Cassandra's default for one (what the shell and drivers assume), dc1… for more. */
function dcName(index: number, dcCount: number): string {
  return dcCount === 1 ? nodeDefaults.dataCenter : `dc${index + 1}`;
}

export function planCluster(request: CreateRequest): ClusterSpec {
  checkName('cluster', request.name);
  if (!Number.isInteger(request.numTokens) || request.numTokens < 1 || request.numTokens > 1536)
    throw new ClusterError('BAD_ARGUMENT', `--vnodes must be between 1 and 1536, not ${request.numTokens}`);
  if (!Number.isInteger(request.portOffset) || request.portOffset < 0 || request.portOffset > MAX_PORT_OFFSET)
    throw new ClusterError('BAD_ARGUMENT', `--port-offset must be between 0 and ${MAX_PORT_OFFSET}`);
  const nodes: NodeSpec[] = [];
  const seeds: string[] = [];
  request.nodesPerDc.forEach((count, dcIndex) => {
    for (let i = 0; i < count; i++) {
      const k = nodes.length + 1;
      const node = {
        name: `node${k}`,
        address: `127.0.0.${k}`,
        dc: dcName(dcIndex, request.nodesPerDc.length),
        rack: nodeDefaults.rack,
      };
      if (i === 0) seeds.push(node.address);
      nodes.push(node);
    }
  });
  return {
    format: CLUSTER_FORMAT,
    name: request.name,
    numTokens: request.numTokens,
    portOffset: request.portOffset,
    ports: portsFor(request.portOffset),
    seeds,
    nodes,
  };
}

export function findNode(spec: ClusterSpec, name: string): NodeSpec {
  const node = spec.nodes.find((n) => n.name === name);
  if (!node) {
    const names = spec.nodes.map((n) => n.name).join(', ') || 'none';
    throw new ClusterError(
      'UNKNOWN_NODE',
      `cluster '${spec.name}' has no node '${name}' (its nodes: ${names})`,
    );
  }
  return node;
}

export interface AddRequest {
  readonly name?: string;
  readonly dc?: string;
  readonly rack?: string;
  readonly seed?: boolean;
}

/** ccm's `add`: the next loopback address; data center and rack of the last node unless given. */
export function addNode(spec: ClusterSpec, request: AddRequest): { spec: ClusterSpec; node: NodeSpec } {
  const used = new Set(spec.nodes.map((n) => Number(n.address.split('.')[3])));
  let octet = 1;
  while (used.has(octet)) octet++;
  if (octet > MAX_NODES)
    throw new ClusterError('BAD_ARGUMENT', `no loopback address left (${MAX_NODES} nodes)`);
  const name = request.name ?? `node${octet}`;
  checkName('node', name);
  if (spec.nodes.some((n) => n.name === name))
    throw new ClusterError('NODE_EXISTS', `cluster '${spec.name}' already has a node '${name}'`);
  const last = spec.nodes.at(-1);
  const dc = request.dc ?? last?.dc ?? nodeDefaults.dataCenter;
  const node: NodeSpec = {
    name,
    address: `127.0.0.${octet}`,
    dc,
    rack: request.rack ?? last?.rack ?? nodeDefaults.rack,
    // It joins a running cluster: it bootstraps (a seed never does; Cassandra skips it for seeds).
    autoBootstrap: true,
  };
  const nodes = [...spec.nodes, node];
  const seeds = request.seed ? [...spec.seeds, node.address] : spec.seeds;
  return { spec: { ...spec, nodes, seeds: withSeedPerDc(nodes, seeds) }, node };
}

export function removeNode(spec: ClusterSpec, name: string): ClusterSpec {
  const node = findNode(spec, name);
  const nodes = spec.nodes.filter((n) => n !== node);
  const seeds = spec.seeds.filter((address) => address !== node.address);
  return { ...spec, nodes, seeds: withSeedPerDc(nodes, seeds) };
}

/** Every data center keeps a seed, so that a node of it can always join (a new DC, a removed seed). */
function withSeedPerDc(nodes: readonly NodeSpec[], seeds: readonly string[]): string[] {
  const result = seeds.filter((address) => nodes.some((n) => n.address === address));
  for (const node of nodes) {
    const dcHasSeed = nodes.some((n) => n.dc === node.dc && result.includes(n.address));
    if (!dcHasSeed) result.push(node.address);
  }
  return result;
}

/**
 * The node's configuration with cassandra.yaml's names (node/config.ts reads them). `dataDir` is
 * the node's own folder: the node keeps commitlog/, data/, hints/ and logs/ there, as ccm's nodes do.
 */
export function nodeConfig(spec: ClusterSpec, node: NodeSpec, dataDir: string): Record<string, unknown> {
  return {
    cluster_name: spec.name,
    num_tokens: spec.numTokens,
    listen_address: node.address,
    rpc_address: node.address,
    native_transport_port: spec.ports.native,
    storage_port: spec.ports.storage,
    admin_port: spec.ports.admin,
    data_file_directories: [dataDir],
    seed_provider: [
      {
        class_name: 'org.apache.cassandra.locator.SimpleSeedProvider',
        parameters: [{ seeds: spec.seeds.join(',') }],
      },
    ],
    dc: node.dc,
    rack: node.rack,
    auto_bootstrap: node.autoBootstrap === true,
    ring_delay_ms: CLUSTER_RING_DELAY_MS,
  };
}

/** Checks what cluster.json holds; a hand-edited or foreign file fails here, not half-way through. */
export function parseClusterSpec(value: unknown, source: string): ClusterSpec {
  const spec = value as Partial<ClusterSpec> | null;
  const bad = (what: string) => new ClusterError('BAD_ARGUMENT', `${source}: ${what}`);
  if (typeof spec !== 'object' || spec === null) throw bad('not a JSON object');
  if (spec.format !== CLUSTER_FORMAT)
    throw bad(`format ${String(spec.format)} (this sibyl reads ${CLUSTER_FORMAT})`);
  if (typeof spec.name !== 'string') throw bad('no cluster name');
  if (!Array.isArray(spec.nodes) || !Array.isArray(spec.seeds)) throw bad('no nodes or seeds');
  const ports = spec.ports;
  if (!ports || ![ports.native, ports.storage, ports.admin].every(Number.isInteger)) throw bad('bad ports');
  for (const node of spec.nodes) {
    if (![node?.name, node?.address, node?.dc, node?.rack].every((v) => typeof v === 'string'))
      throw bad(`bad node entry ${JSON.stringify(node)}`);
    if (node.autoBootstrap !== undefined && typeof node.autoBootstrap !== 'boolean')
      throw bad(`bad autoBootstrap in ${JSON.stringify(node)}`);
  }
  return spec as ClusterSpec;
}
