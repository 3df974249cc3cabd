/**
 * `sibyl tool <command> [--host IP] [--port 7199]`: nodetool's commands, names and output layout,
 * over a node's admin endpoint (node/admin/, docs/tool.md). A node that cannot be reached is one line
 * on stderr ("nodetool: Failed to connect to 'IP:PORT' - …") and exit status 1; an error the node
 * answers with (unknown keyspace, bad key) is "error: …" and exit status 1.
 */
import type { Command } from 'commander';
import type {
  DescribeClusterResponse,
  DescribeRingResponse,
  FaultRuleBody,
  FaultsResponse,
  GetEndpointsResponse,
  GossipInfoResponse,
  InfoResponse,
  RingResponse,
  StatusResponse,
  TableSelection,
  TableStatsResponse,
  VersionResponse,
} from '../../node/admin/admin-types.js';
import type { PendingHintsLine } from '../../node/data-services.js';
import type { NetstatsResponse, RemovalStatusResponse } from '../../node/streaming/streaming-routes.js';
import { alignedColumns, columnWidths } from '../cluster/status-table.js';
import { AdminClient, ToolConnectError, ToolRemoteError } from '../tool/admin-client.js';
import {
  type AddressOptions,
  renderDescribeCluster,
  renderDescribeRing,
  renderEndpoints,
  renderGossipInfo,
  renderRing,
  renderStatus,
} from '../tool/cluster-output.js';
import { renderFaults, renderInfo, renderTableStats, renderVersion } from '../tool/node-output.js';

interface GlobalOptions {
  host: string;
  port: string;
  printPort?: boolean;
}

/** A bad argument, found before anything is sent. */
class UsageError extends Error {}

type Handler<A extends unknown[]> = (
  client: AdminClient,
  address: AddressOptions,
  ...args: A
) => Promise<string>;

/** Runs a command: output to stdout; failures as one line on stderr and exit status 1. */
function run<A extends unknown[]>(handler: Handler<A>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    try {
      const client = new AdminClient(globals.host, portOf(globals.port));
      process.stdout.write(await handler(client, { printPort: globals.printPort === true }, ...args));
    } catch (error) {
      if (error instanceof ToolConnectError) process.stderr.write(`nodetool: ${error.message}\n`);
      else if (error instanceof ToolRemoteError || error instanceof UsageError)
        process.stderr.write(`error: ${error.message}\n`);
      else throw error;
      process.exitCode = 1;
    }
  };
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port < 1 || port > 65535)
    throw new UsageError(`--port must be a port number (1-65535), not '${text}'`);
  return port;
}

function pathPart(text: string): string {
  return encodeURIComponent(text);
}

function selection(keyspace: string | undefined, tables: readonly string[]): TableSelection {
  return keyspace === undefined ? {} : { keyspace, tables: [...tables] };
}

export function registerTool(program: Command): void {
  const tool = program
    .command('tool')
    .description("nodetool's commands against a node's admin endpoint (docs/tool.md)")
    // nodetool's -h is the host; help stays on --help.
    .helpOption('--help', 'display help for command')
    .option('-h, --host <ip>', 'node to connect to', process.env.SIBYL_TOOL_HOST ?? '127.0.0.1')
    .option('-p, --port <port>', "the node's admin port", process.env.SIBYL_TOOL_PORT ?? '7199')
    .option('--print-port', 'show addresses with their storage port (nodetool -pp)');
  registerClusterCommands(tool);
  registerNodeCommands(tool);
  registerTableCommands(tool);
  registerFaultCommands(tool);
  registerMembershipCommands(tool);
  registerHintCommands(tool);
}

/** decommission, removenode, netstats (node/streaming/streaming-routes.ts). */
function registerMembershipCommands(tool: Command): void {
  tool
    .command('decommission')
    .description("stream this node's ranges to the nodes that take them over, and leave the ring")
    .option('-f, --force', 'leave even if a keyspace keeps fewer nodes than its replication factor')
    .action(
      run(async (client, _address, opts: { force?: boolean }) => {
        await client.post('/decommission', { force: opts.force === true });
        return '';
      }),
    );
  tool
    .command('removenode')
    .description('remove a dead node (re-replicating its ranges from the survivors); or "status"')
    .argument('<hostIdOrStatus>', 'host id of the dead node, or status')
    .action(
      run(async (client, _address, what: string) => {
        if (what === 'status')
          return `${(await client.get<RemovalStatusResponse>('/removenode/status')).status}\n`;
        if (what === 'force')
          throw new UsageError('removenode force is not supported; run removenode HOSTID again');
        await client.post(`/removenode/${pathPart(what)}`, {});
        return '';
      }),
    );
  tool
    .command('netstats')
    .description('operation mode and stream sessions')
    .action(run(async (client) => renderNetstats(await client.get<NetstatsResponse>('/netstats'))));
}

/** listpendinghints, truncatehints, pausehandoff, resumehandoff, enable/disablehandoff (node/data-services.ts). */
function registerHintCommands(tool: Command): void {
  tool
    .command('listpendinghints')
    .description('hints waiting on this node, per target host')
    .action(
      run(async (client) =>
        renderPendingHints((await client.get<{ hints: PendingHintsLine[] }>('/hints')).hints),
      ),
    );
  tool
    .command('truncatehints')
    .description('delete every hint on this node, or those for one host')
    .argument('[endpoint]', 'host id or address of the target')
    .action(
      run(async (client, _address, endpoint: string | undefined) => {
        await client.post('/hints/truncate', endpoint === undefined ? {} : { host: endpoint });
        return '';
      }),
    );
  const simple: readonly [string, string, string, unknown][] = [
    [
      'replaybatchlog',
      "replay this node's batchlog (batches past the batchlog timeout)",
      '/batchlog/replay',
      {},
    ],
    ['pausehandoff', 'pause hints delivery', '/hints/pause', {}],
    ['resumehandoff', 'resume hints delivery', '/hints/resume', {}],
    ['enablehandoff', 'store hints for replicas that miss writes', '/hints/enabled', { enabled: true }],
    ['disablehandoff', 'stop storing hints', '/hints/enabled', { enabled: false }],
  ];
  for (const [name, description, path, body] of simple) {
    tool
      .command(name)
      .description(description)
      .action(
        run(async (client) => {
          await client.post(path, body);
          return '';
        }),
      );
  }
}

/** nodetool listpendinghints: one line per target host, or Cassandra's sentence when there are none. */
export function renderPendingHints(lines: readonly PendingHintsLine[]): string {
  if (lines.length === 0) return 'This node does not have any pending hints\n';
  const time = (ms: number | null) =>
    ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  const rows = [
    ['Host ID', 'Address', 'Total files', 'Total size', 'Newest', 'Oldest'],
    ...lines.map((line) => [
      line.hostId,
      line.address?.split(':')[0] ?? '?',
      String(line.totalFiles),
      String(line.totalSizeBytes),
      time(line.newestCreationMs),
      time(line.oldestCreationMs),
    ]),
  ];
  return `${alignedColumns(
    rows,
    columnWidths(rows).map((w) => w + 2),
  )}\n`;
}

function renderNetstats(netstats: NetstatsResponse): string {
  const lines = [`Mode: ${netstats.mode}`];
  const active = netstats.sessions.filter((s) => s.state === 'streaming');
  if (active.length === 0) lines.push('Not sending any streams.');
  for (const s of netstats.sessions) {
    const verb = s.direction === 'in' ? 'Receiving from' : 'Sending to';
    lines.push(
      `    ${s.reason} ${s.id} ${verb} /${s.peer} ${s.keyspace}: ${s.ranges} ranges, ${s.partitions} partitions, ` +
        `${s.bytes} bytes, ${s.elapsedMs} ms, ${s.state}${s.error ? ` (${s.error})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function registerClusterCommands(tool: Command): void {
  tool
    .command('status')
    .description('cluster information: state, load, tokens, ownership, host ids')
    .argument('[keyspace]', 'effective ownership for this keyspace')
    .action(
      run(async (client, address, keyspace: string | undefined) => {
        const query = keyspace === undefined ? '' : `?keyspace=${pathPart(keyspace)}`;
        return renderStatus(await client.get<StatusResponse>(`/status${query}`), address);
      }),
    );
  tool
    .command('ring')
    .description('every token of the ring with its endpoint')
    .argument('[keyspace]', 'effective ownership for this keyspace')
    .action(
      run(async (client, address, keyspace: string | undefined) => {
        const query = keyspace === undefined ? '' : `?keyspace=${pathPart(keyspace)}`;
        return renderRing(await client.get<RingResponse>(`/ring${query}`), address);
      }),
    );
  tool
    .command('describering')
    .description("the keyspace's token ranges and their replicas")
    .argument('<keyspace>')
    .action(
      run(async (client, _address, keyspace: string) =>
        renderDescribeRing(await client.get<DescribeRingResponse>(`/describering/${pathPart(keyspace)}`)),
      ),
    );
  tool
    .command('getendpoints')
    .description("the replicas of a partition key (composite keys as 'a:b')")
    .argument('<keyspace>')
    .argument('<table>')
    .argument('<key>')
    .action(
      run(async (client, address, keyspace: string, table: string, key: string) => {
        const path = `/getendpoints/${pathPart(keyspace)}/${pathPart(table)}/${pathPart(key)}`;
        return renderEndpoints(await client.get<GetEndpointsResponse>(path), address);
      }),
    );
  tool
    .command('describecluster')
    .description('name, snitch, partitioner and schema versions of the cluster')
    .action(
      run(async (client, address) =>
        renderDescribeCluster(await client.get<DescribeClusterResponse>('/describecluster'), address),
      ),
    );
  tool
    .command('gossipinfo')
    .description("gossip's view of every endpoint")
    .action(
      run(async (client, address) =>
        renderGossipInfo(await client.get<GossipInfoResponse>('/gossipinfo'), address),
      ),
    );
}

function registerNodeCommands(tool: Command): void {
  tool
    .command('info')
    .description('this node: host id, load, generation, uptime, heap, data center, rack')
    .option('-T, --tokens', 'list every token')
    .action(
      run(async (client, _address, opts: { tokens?: boolean }) =>
        renderInfo(await client.get<InfoResponse>('/info'), opts.tokens === true),
      ),
    );
  tool
    .command('version')
    .description('the release version')
    .action(run(async (client) => renderVersion(await client.get<VersionResponse>('/version'))));
}

function registerTableCommands(tool: Command): void {
  for (const [name, description] of [
    ['flush', 'flush memtables to SSTables (every table, a keyspace, or some of its tables)'],
    ['compact', 'major compaction (every table, a keyspace, or some of its tables)'],
  ] as const) {
    tool
      .command(name)
      .description(description)
      .argument('[keyspace]')
      .argument('[tables...]')
      .action(
        run(async (client, _address, keyspace: string | undefined, tables: string[]) => {
          await client.post(`/${name}`, selection(keyspace, tables));
          return '';
        }),
      );
  }
  tool
    .command('tablestats')
    .description('per-table statistics (keyspaces or keyspace.table, or everything)')
    .argument('[tables...]', 'ks or ks.table')
    .option('-H, --human-readable', 'sizes as KiB, MiB, GiB')
    .action(
      run(async (client, _address, tables: string[], opts: { humanReadable?: boolean }) => {
        const query = tables.length === 0 ? '' : `?tables=${pathPart(tables.join(','))}`;
        return renderTableStats(
          await client.get<TableStatsResponse>(`/tablestats${query}`),
          opts.humanReadable === true,
        );
      }),
    );
}

interface FaultAddOptions {
  action: string;
  verbs?: string;
  peers?: string;
  direction?: string;
  delayMs?: string;
  probability?: string;
}

function registerFaultCommands(tool: Command): void {
  const faults = tool.command('faults').description("internode messaging's fault filter (test only)");
  faults
    .command('list', { isDefault: true })
    .description('the rules in force')
    .action(run(async (client) => renderFaults(await client.get<FaultsResponse>('/faults'))));
  faults
    .command('add')
    .description('drop or delay messages by verb, peer and direction')
    .requiredOption('--action <action>', 'drop or delay')
    .option('--verbs <names>', 'comma-separated verb names (default: every verb)')
    .option('--peers <addresses>', 'comma-separated peers, ip or ip:port (default: every peer)')
    .option('--direction <direction>', 'outbound, inbound or both', 'both')
    .option('--delay-ms <ms>', 'for delay: how long')
    .option('--probability <p>', 'chance in [0, 1] that a matching message is affected', '1')
    .action(
      run(async (client, _address, opts: FaultAddOptions) => {
        const added = await client.post<{ id: number }>('/faults', faultRule(opts));
        return `Added fault rule ${added.id}.\n`;
      }),
    );
  faults
    .command('remove')
    .description('remove one rule')
    .argument('<id>')
    .action(
      run(async (client, _address, id: string) => {
        await client.delete(`/faults/${pathPart(id)}`);
        return `Removed fault rule ${id}.\n`;
      }),
    );
  faults
    .command('clear')
    .description('remove every rule')
    .action(
      run(async (client) => {
        const { cleared } = await client.delete<{ cleared: number }>('/faults');
        return `Removed ${cleared} fault rule(s).\n`;
      }),
    );
}

function faultRule(opts: FaultAddOptions): FaultRuleBody {
  const list = (text: string | undefined) =>
    text
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const number = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${flag} must be a number, not '${text}'`);
    return n;
  };
  const verbs = list(opts.verbs);
  const peers = list(opts.peers);
  const delayMs = number(opts.delayMs, '--delay-ms');
  const probability = number(opts.probability, '--probability');
  return {
    action: opts.action as FaultRuleBody['action'],
    direction: opts.direction as FaultRuleBody['direction'],
    ...(verbs === undefined ? {} : { verbs }),
    ...(peers === undefined ? {} : { peers }),
    ...(delayMs === undefined ? {} : { delayMs }),
    ...(probability === undefined ? {} : { probability }),
  };
}
