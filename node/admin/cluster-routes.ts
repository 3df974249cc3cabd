/**
 * The read-only routes about the cluster and this node, one per nodetool command: status, ring,
 * info, describering, getendpoints, describecluster, gossipinfo, version. Each reads the ring and
 * gossip as this node sees them at the moment of the request.
 */
import { getHeapStatistics } from 'node:v8';
import type { KeyspaceMetadata } from '../../cql/schema/index.js';
import type { HostId } from '../../ring/endpoint.js';
import { parseHostId } from '../../ring/endpoint.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { ReplicationStrategy } from '../../ring/replication-strategy.js';
import { createReplicationStrategy } from '../../ring/replication-strategy.js';
import { formatToken } from '../../ring/token.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import { directoryBytes } from '../cluster/local-gossip-state.js';
import { PARTITIONER, RELEASE_VERSION } from '../local-info.js';
import type { AdminContext } from './admin-context.js';
import type { AdminRoute } from './admin-router.js';
import { badRequest } from './admin-router.js';
import type {
  DescribeClusterResponse,
  DescribeRingResponse,
  GetEndpointsResponse,
  GossipEndpoint,
  GossipInfoResponse,
  InfoResponse,
  Replica,
  RingResponse,
  StatusEndpoint,
  StatusResponse,
  VersionResponse,
} from './admin-types.js';
import { compareAddresses, hostOf, statusEndpoints } from './endpoint-status.js';
import { isLocalStrategy, ownershipOf } from './ownership.js';
import { partitionKeyFromText } from './partition-key-text.js';

/** Sibyl's snitch takes its own DC and rack from config and peers' from gossip, as this one does. */
export const SNITCH = 'org.apache.cassandra.locator.GossipingPropertyFileSnitch';

/**
 * Application states in Cassandra's ApplicationState order (gossipinfo prints them so); NATIVE_ADDRESS
 * stands where RPC_ADDRESS does. States Sibyl adds later are printed after these, by name.
 */
const GOSSIP_STATE_ORDER = [
  'STATUS',
  'LOAD',
  'SCHEMA',
  'DC',
  'RACK',
  'RELEASE_VERSION',
  'REMOVAL_COORDINATOR',
  'NATIVE_ADDRESS',
  'SEVERITY',
  'NET_VERSION',
  'HOST_ID',
  'TOKENS',
  'RPC_READY',
  'INTERNAL_ADDRESS_AND_PORT',
  'NATIVE_ADDRESS_AND_PORT',
  'STATUS_WITH_PORT',
] as const;

export function clusterRoutes(ctx: AdminContext): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/status',
      summary: 'every endpoint: DC, rack, up/down, state, load, tokens, ownership (?keyspace=KS)',
      handle: async ({ query }) => status(ctx, optionalText(query.get('keyspace'))),
    },
    {
      method: 'GET',
      path: '/ring',
      summary: 'every ring token with its endpoint (?keyspace=KS for effective ownership)',
      handle: async ({ query }) => ring(ctx, optionalText(query.get('keyspace'))),
    },
    {
      method: 'GET',
      path: '/info',
      summary: 'this node: host id, load, generation, uptime, heap, DC, rack, tokens',
      handle: () => info(ctx),
    },
    {
      method: 'GET',
      path: '/describering/:keyspace',
      summary: "the keyspace's token ranges and their replicas",
      handle: ({ params }) => describeRing(ctx, params.keyspace!),
    },
    {
      method: 'GET',
      path: '/getendpoints/:keyspace/:table/:key',
      summary: "the natural replicas of a partition key (composite keys as 'a:b')",
      handle: ({ params }) => getEndpoints(ctx, params.keyspace!, params.table!, params.key!),
    },
    {
      method: 'GET',
      path: '/describecluster',
      summary: 'name, snitch, partitioner, schema versions, data centers, keyspaces',
      handle: () => describeCluster(ctx),
    },
    {
      method: 'GET',
      path: '/gossipinfo',
      summary: "every endpoint's heartbeat and application states",
      handle: () => gossipInfo(ctx),
    },
    {
      method: 'GET',
      path: '/version',
      summary: 'the release version',
      handle: (): VersionResponse => ({ releaseVersion: RELEASE_VERSION }),
    },
  ];
}

function optionalText(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value;
}

async function status(ctx: AdminContext, keyspace: string | undefined): Promise<StatusResponse> {
  const ring = ctx.cluster.ring;
  const ownership = ownershipOf(ctx.processor.schema.schema, ring, localHostId(ctx), keyspace);
  const localLoadBytes = await directoryBytes(ctx.config.dataDir);
  return { ownership: ownership.info, endpoints: endpointRows(ctx, ring, ownership.owns, localLoadBytes) };
}

function endpointRows(
  ctx: AdminContext,
  ring: TokenMetadata,
  owns: ReadonlyMap<HostId, number>,
  localLoadBytes: number,
): StatusEndpoint[] {
  return statusEndpoints({
    ring,
    localEndpoint: ctx.cluster.endpoint,
    localLoadBytes,
    states: ctx.cluster.endpointStates(),
    isAlive: (endpoint) => ctx.cluster.isAlive(endpoint),
    unreachable: new Set(ctx.cluster.unreachableEndpoints()),
    owns,
  });
}

async function ring(ctx: AdminContext, keyspace: string | undefined): Promise<RingResponse> {
  const metadata = ctx.cluster.ring;
  const described = await status(ctx, keyspace);
  const addressOf = (hostId: HostId) => metadata.endpoint(hostId)?.address ?? hostId;
  const tokens = metadata.sortedTokens.map((token, i) => ({
    token,
    endpoint: addressOf(metadata.owners[i]!),
  }));
  for (const [token, hostId] of metadata.bootstrapTokens) tokens.push({ token, endpoint: addressOf(hostId) });
  tokens.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  return { ...described, tokens: tokens.map((t) => ({ token: formatToken(t.token), endpoint: t.endpoint })) };
}

async function info(ctx: AdminContext): Promise<InfoResponse> {
  const memory = process.memoryUsage();
  return {
    hostId: ctx.identity.hostId,
    endpoint: ctx.cluster.endpoint,
    gossipActive: ctx.cluster.gossipActive,
    nativeTransportActive: ctx.native.active,
    loadBytes: await directoryBytes(ctx.config.dataDir),
    generation: ctx.generation,
    uptimeSeconds: Math.max(0, Math.floor((ctx.clock.nowMs() - ctx.startedAtMs) / 1000)),
    heapUsedBytes: memory.heapUsed,
    heapMaxBytes: getHeapStatistics().heap_size_limit,
    offHeapBytes: memory.arrayBuffers,
    dataCenter: ctx.config.dc,
    rack: ctx.config.rack,
    releaseVersion: RELEASE_VERSION,
    tokens: [...ctx.identity.tokens],
  };
}

function keyspaceOrFail(ctx: AdminContext, name: string, message: string): KeyspaceMetadata {
  const keyspace = ctx.processor.schema.schema.keyspace(name);
  if (keyspace === undefined) throw badRequest(message, 'UNKNOWN_KEYSPACE');
  return keyspace;
}

function strategyOf(ctx: AdminContext, keyspace: KeyspaceMetadata): ReplicationStrategy {
  return createReplicationStrategy(keyspace.name, keyspace.replication, { localHostId: localHostId(ctx) });
}

function describeRing(ctx: AdminContext, name: string): DescribeRingResponse {
  const keyspace = keyspaceOrFail(ctx, name, `Keyspace ${name} does not exist`);
  if (isLocalStrategy(keyspace)) throw badRequest(`There is no ring for the keyspace: ${name}`, 'NO_RING');
  const metadata = ctx.cluster.ring;
  const strategy = strategyOf(ctx, keyspace);
  const ranges = metadata.sortedTokens.map((token, index) => {
    const range = metadata.rangeAt(index);
    const replicas = strategy.naturalEndpoints(metadata, token).map((hostId) => metadata.endpoint(hostId));
    const present = replicas.filter((r) => r !== undefined);
    return {
      startToken: formatToken(range.left),
      endToken: formatToken(range.right),
      endpoints: present.map((r) => hostOf(r.address)),
      rpcEndpoints: present.map((r) => nativeAddressOf(ctx, r.address)),
      endpointDetails: present.map((r) => ({
        host: hostOf(r.address),
        datacenter: r.dataCenter,
        rack: r.rack,
      })),
    };
  });
  return { keyspace: name, schemaVersion: ctx.processor.schema.schema.version, ranges };
}

function nativeAddressOf(ctx: AdminContext, endpoint: string): string {
  if (endpoint === ctx.cluster.endpoint) return ctx.config.broadcastRpcAddress;
  return ctx.cluster.endpointStates().get(endpoint)?.states.NATIVE_ADDRESS?.value ?? hostOf(endpoint);
}

function getEndpoints(
  ctx: AdminContext,
  keyspaceName: string,
  tableName: string,
  key: string,
): GetEndpointsResponse {
  const keyspace = keyspaceOrFail(ctx, keyspaceName, `Unknown keyspace '${keyspaceName}'`);
  const table = keyspace.tables.get(tableName);
  if (table === undefined)
    throw badRequest(`Unknown table '${tableName}' in keyspace '${keyspaceName}'`, 'UNKNOWN_TABLE');
  const token = getToken(partitionKeyFromText(table, key));
  const metadata = ctx.cluster.ring;
  const endpoints: Replica[] = strategyOf(ctx, keyspace)
    .naturalEndpoints(metadata, token)
    .map((hostId) => {
      const endpoint = metadata.endpoint(hostId)?.address ?? ctx.cluster.endpoint;
      return { endpoint, address: hostOf(endpoint), hostId };
    });
  return { keyspace: keyspaceName, table: tableName, key, token: formatToken(token), endpoints };
}

async function describeCluster(ctx: AdminContext): Promise<DescribeClusterResponse> {
  const metadata = ctx.cluster.ring;
  const rows = endpointRows(ctx, metadata, new Map(), 0);
  const dataCenters = new Map<string, { nodes: number; down: number }>();
  for (const row of rows) {
    const dc = dataCenters.get(row.dataCenter) ?? { nodes: 0, down: 0 };
    dc.nodes++;
    if (row.status === 'DOWN') dc.down++;
    dataCenters.set(row.dataCenter, dc);
  }
  return {
    name: ctx.config.clusterName,
    snitch: SNITCH,
    dynamicSnitch: false,
    partitioner: PARTITIONER,
    schemaVersions: ctx.cluster.schemaVersions(),
    stats: {
      live: ctx.cluster.liveEndpoints().length + 1,
      joining: metadata.bootstrappingEndpoints().size,
      moving: rows.filter((r) => r.state === 'MOVING').length,
      leaving: metadata.leavingEndpoints.size,
      unreachable: ctx.cluster.unreachableEndpoints().length,
    },
    dataCenters: [...dataCenters].map(([name, counts]) => ({ name, ...counts })),
    releaseVersions: releaseVersions(ctx),
    keyspaces: [...ctx.processor.schema.schema.keyspaces()].map((k) => ({
      name: k.name,
      replication: k.replication,
    })),
  };
}

function releaseVersions(ctx: AdminContext): Record<string, string[]> {
  const versions: Record<string, string[]> = {};
  for (const [endpoint, state] of ctx.cluster.endpointStates()) {
    const version = endpoint === ctx.cluster.endpoint ? RELEASE_VERSION : state.states.RELEASE_VERSION?.value;
    if (version !== undefined) (versions[version] ??= []).push(endpoint);
  }
  for (const endpoints of Object.values(versions)) endpoints.sort(compareAddresses);
  return versions;
}

function gossipInfo(ctx: AdminContext): GossipInfoResponse {
  const endpoints: GossipEndpoint[] = [];
  for (const [endpoint, state] of ctx.cluster.endpointStates()) {
    const states = Object.entries(state.states)
      .filter((entry): entry is [string, { value: string; version: number }] => entry[1] !== undefined)
      .map(([name, versioned]) => ({ name, version: versioned.version, value: versioned.value }))
      .sort((a, b) => stateRank(a.name) - stateRank(b.name) || (a.name < b.name ? -1 : 1));
    endpoints.push({
      endpoint,
      address: hostOf(endpoint),
      generation: state.heartbeat.generation,
      heartbeat: state.heartbeat.version,
      alive: endpoint === ctx.cluster.endpoint || ctx.cluster.isAlive(endpoint),
      states,
    });
  }
  endpoints.sort((a, b) => compareAddresses(a.endpoint, b.endpoint));
  return { endpoints };
}

function stateRank(name: string): number {
  const rank = (GOSSIP_STATE_ORDER as readonly string[]).indexOf(name);
  return rank < 0 ? GOSSIP_STATE_ORDER.length : rank;
}

function localHostId(ctx: AdminContext): HostId {
  return parseHostId(ctx.identity.hostId);
}
