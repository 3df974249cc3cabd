/**
 * `sibyl tool` output about the cluster, laid out as nodetool lays it out (Cassandra 4.1's Status,
 * Ring, DescribeRing, DescribeCluster, GossipInfo, GetEndpoints): pure functions from the admin
 * endpoint's JSON to text. Addresses are IPs, or `ip:port` with `printPort` (nodetool's -pp).
 */

import type {
  DescribeClusterResponse,
  DescribeRingResponse,
  GetEndpointsResponse,
  GossipInfoResponse,
  RingResponse,
  StatusEndpoint,
  StatusResponse,
} from '../../node/admin/admin-types.js';
import { alignedColumns, columnWidths } from '../cluster/status-table.js';
import { fileSizeText, percentText } from './number-format.js';

export interface AddressOptions {
  /** Show `ip:port` (the storage port) instead of the IP alone. */
  readonly printPort?: boolean;
}

const STATUS_LETTER = { UP: 'U', DOWN: 'D', UNKNOWN: '?' } as const;
const STATE_LETTER = { NORMAL: 'N', JOINING: 'J', LEAVING: 'L', MOVING: 'M' } as const;
const STATUS_WORD = { UP: 'Up', DOWN: 'Down', UNKNOWN: '?' } as const;
const STATE_WORD = { NORMAL: 'Normal', JOINING: 'Joining', LEAVING: 'Leaving', MOVING: 'Moving' } as const;

function shown(endpoint: { endpoint: string; address: string }, options: AddressOptions): string {
  return options.printPort ? endpoint.endpoint : endpoint.address;
}

/** The IP of `ip:port` (or `[v6]:port`), for endpoint lists that carry ports. */
export function withoutPort(endpoint: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint);
  if (bracketed) return bracketed[1]!;
  const colon = endpoint.lastIndexOf(':');
  return colon > 0 && endpoint.indexOf(':') === colon ? endpoint.slice(0, colon) : endpoint;
}

function byDataCenter(endpoints: readonly StatusEndpoint[]): Map<string, StatusEndpoint[]> {
  const dcs = new Map<string, StatusEndpoint[]>();
  for (const endpoint of [...endpoints].sort((a, b) =>
    a.dataCenter < b.dataCenter ? -1 : a.dataCenter > b.dataCenter ? 1 : 0,
  ))
    dcs.set(endpoint.dataCenter, [...(dcs.get(endpoint.dataCenter) ?? []), endpoint]);
  return dcs;
}

function loadText(endpoint: StatusEndpoint): string {
  return endpoint.loadBytes === null ? '?' : fileSizeText(endpoint.loadBytes);
}

/** `nodetool status`: a table per data center with shared column widths, then the ownership note. */
export function renderStatus(status: StatusResponse, options: AddressOptions = {}): string {
  const owns = status.ownership.effective ? 'Owns (effective)' : 'Owns';
  const header = ['--', 'Address', 'Load', 'Tokens', owns, 'Host ID', 'Rack'];
  const tables = [...byDataCenter(status.endpoints)].map(([dc, endpoints]) => ({
    dc,
    rows: [
      header,
      ...endpoints.map((e) => [
        `${STATUS_LETTER[e.status]}${STATE_LETTER[e.state]}`,
        shown(e, options),
        loadText(e),
        String(e.tokenCount),
        status.ownership.effective && e.owns !== null ? percentText(e.owns, 1) : '?',
        e.hostId,
        e.rack,
      ]),
    ],
  }));
  const widths = columnWidths(tables.flatMap((t) => t.rows));
  const blocks = tables.map(({ dc, rows }) => {
    const title = `Datacenter: ${dc}`;
    return [
      title,
      '='.repeat(title.length),
      'Status=Up/Down',
      '|/ State=Normal/Leaving/Joining/Moving',
      alignedColumns(rows, widths),
    ].join('\n');
  });
  const note = status.ownership.note === null ? '' : `Note: ${status.ownership.note}\n`;
  return `${blocks.join('\n\n')}\n\n${note}`;
}

/** `nodetool ring`: every token of every data center with its endpoint's status, load and ownership. */
export function renderRing(ring: RingResponse, options: AddressOptions = {}): string {
  const byEndpoint = new Map(ring.endpoints.map((e) => [e.endpoint, e]));
  const addressWidth = Math.max(7, ...ring.endpoints.map((e) => shown(e, options).length));
  const line = (cells: readonly string[]) =>
    [
      cells[0]!.padEnd(addressWidth + 2),
      cells[1]!.padEnd(12),
      cells[2]!.padEnd(7),
      cells[3]!.padEnd(8),
      cells[4]!.padEnd(16),
      cells[5]!.padEnd(20),
      cells[6]!,
    ]
      .join('')
      .trimEnd();
  const out: string[] = [''];
  for (const [dc, endpoints] of byDataCenter(ring.endpoints)) {
    const members = new Set(endpoints.map((e) => e.endpoint));
    const tokens = ring.tokens.filter((t) => members.has(t.endpoint));
    out.push(
      `Datacenter: ${dc}`,
      '==========',
      line(['Address', 'Rack', 'Status', 'State', 'Load', 'Owns', 'Token']),
    );
    out.push(tokens.length > 1 ? line(['', '', '', '', '', '', tokens.at(-1)!.token]) : '');
    for (const { token, endpoint } of tokens) {
      const e = byEndpoint.get(endpoint)!;
      const owns = ring.ownership.effective && e.owns !== null ? percentText(e.owns, 2) : '?';
      out.push(
        line([
          shown(e, options),
          e.rack,
          STATUS_WORD[e.status],
          STATE_WORD[e.state],
          loadText(e),
          owns,
          token,
        ]),
      );
    }
    out.push('');
  }
  if (ring.endpoints.some((e) => e.tokenCount > 1)) {
    out.push('  Warning: "nodetool ring" is used to output all the tokens of a node.');
    out.push('  To view status related info of a node use "nodetool status" instead.', '');
  }
  out.push('');
  if (ring.ownership.note !== null) out.push(`  Note: ${ring.ownership.note}`);
  return `${out.join('\n')}\n`;
}

/** `nodetool describering KS`. */
export function renderDescribeRing(ring: DescribeRingResponse): string {
  const lines = [`Schema Version:${ring.schemaVersion}`, 'TokenRange: '];
  for (const range of ring.ranges) {
    const details = range.endpointDetails
      .map((d) => `EndpointDetails(host:${d.host}, datacenter:${d.datacenter}, rack:${d.rack})`)
      .join(', ');
    lines.push(
      `\tTokenRange(start_token:${range.startToken}, end_token:${range.endToken}, ` +
        `endpoints:[${range.endpoints.join(', ')}], rpc_endpoints:[${range.rpcEndpoints.join(', ')}], ` +
        `endpoint_details:[${details}])`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `nodetool getendpoints KS TABLE KEY`: one replica per line. */
export function renderEndpoints(response: GetEndpointsResponse, options: AddressOptions = {}): string {
  return response.endpoints.map((replica) => `${shown(replica, options)}\n`).join('');
}

/** `nodetool describecluster`. */
export function renderDescribeCluster(
  cluster: DescribeClusterResponse,
  options: AddressOptions = {},
): string {
  const address = (endpoint: string) => (options.printPort ? endpoint : withoutPort(endpoint));
  const lines = [
    'Cluster Information:',
    `\tName: ${cluster.name}`,
    `\tSnitch: ${cluster.snitch}`,
    `\tDynamicEndPointSnitch: ${cluster.dynamicSnitch ? 'enabled' : 'disabled'}`,
    `\tPartitioner: ${cluster.partitioner}`,
    '\tSchema versions:',
  ];
  for (const [version, endpoints] of Object.entries(cluster.schemaVersions))
    lines.push(`\t\t${version}: [${endpoints.map(address).join(', ')}]`, '');
  const { stats } = cluster;
  lines.push(
    'Stats for all nodes:',
    `\tLive: ${stats.live}`,
    `\tJoining: ${stats.joining}`,
    `\tMoving: ${stats.moving}`,
  );
  lines.push(`\tLeaving: ${stats.leaving}`, `\tUnreachable: ${stats.unreachable}`, '', 'Data Centers: ');
  for (const dc of cluster.dataCenters) lines.push(`\t${dc.name} #Nodes: ${dc.nodes} #Down: ${dc.down}`);
  lines.push('', 'Database versions:');
  for (const [version, endpoints] of Object.entries(cluster.releaseVersions))
    lines.push(`\t${version}: [${endpoints.join(', ')}]`, '');
  lines.push('Keyspaces:');
  for (const keyspace of cluster.keyspaces)
    lines.push(`\t${keyspace.name} -> Replication class: ${replicationText(keyspace.replication)}`);
  return `${lines.join('\n')}\n`;
}

/** `SimpleStrategy {replication_factor=3}`, as Cassandra's ReplicationParams prints. */
export function replicationText(replication: Readonly<Record<string, string>>): string {
  const className = (replication.class ?? '?').replace(/^org\.apache\.cassandra\.locator\./, '');
  const options = Object.entries(replication)
    .filter(([key]) => key !== 'class')
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  return `${className} {${options}}`;
}

/** `nodetool gossipinfo`: each endpoint's heartbeat and states, TOKENS last and hidden. */
export function renderGossipInfo(info: GossipInfoResponse, options: AddressOptions = {}): string {
  const lines: string[] = [];
  for (const endpoint of info.endpoints) {
    lines.push(
      `/${shown(endpoint, options)}`,
      `  generation:${endpoint.generation}`,
      `  heartbeat:${endpoint.heartbeat}`,
    );
    for (const state of endpoint.states)
      if (state.name !== 'TOKENS') lines.push(`  ${state.name}:${state.version}:${state.value}`);
    const tokens = endpoint.states.find((s) => s.name === 'TOKENS');
    lines.push(tokens === undefined ? '  TOKENS: not present' : `  TOKENS:${tokens.version}:<hidden>`);
  }
  return `${lines.join('\n')}\n`;
}
