/**
 * The admin endpoint of real nodes: two started with `startNode` in this process on 127.0.0.1 and
 * 127.0.0.2 (free ports, admin port 0), asked over HTTP. Replicas are checked against what `ring/`
 * computes, tokens against `SELECT token(...)`, flush and compact against the files on disk, a fault
 * rule posted over HTTP against gossip seeing the partition, and /metrics against the Prometheus
 * text format.
 */
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CqlTypes, deserialize } from '../../../cql/types/index.js';
import type {
  DescribeClusterResponse,
  DescribeRingResponse,
  GetEndpointsResponse,
  GossipInfoResponse,
  InfoResponse,
  RingResponse,
  RouteListResponse,
  StatusResponse,
  TableStatsResponse,
} from '../../../node/admin/admin-types.js';
import { OWNERSHIP_NOTES } from '../../../node/admin/ownership.js';
import type { SibylNode } from '../../../node/index.js';
import { parseHostId } from '../../../ring/endpoint.js';
import { createReplicationStrategy } from '../../../ring/replication-strategy.js';
import { formatToken, parseToken } from '../../../ring/token.js';
import { tableDirectory } from '../../../storage/directories.js';
import { until } from '../cluster/cluster-helpers.js';
import { InProcessCluster } from '../cluster/in-process.js';

let cluster: InProcessCluster;
let nodes: SibylNode[];

interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

async function call<T>(node: SibylNode, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`http://${node.config.listenAddress}:${node.adminPort}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (path === '/metrics' ? text : JSON.parse(text)) as T };
}

async function get<T>(node: SibylNode, path: string): Promise<T> {
  const answer = await call<T>(node, 'GET', path);
  expect(answer.status, `GET ${path}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
}

async function cql(node: SibylNode, statement: string) {
  const result = await node.processor.execute(statement, {});
  return result.kind === 'rows' ? result.result.rows : [];
}

const node1 = () => nodes[0]!;
const node2 = () => nodes[1]!;
const endpointOf = (node: SibylNode) => node.cluster.endpoint;

beforeAll(async () => {
  cluster = await InProcessCluster.create({
    nodes: 2,
    dirPrefix: 'sibyl-admin-',
    config: { adminPort: 0, phiConvictThreshold: 3, logLevel: 'error' },
  });
  nodes = await cluster.startAll();
  await cluster.waitConverged();
});

afterAll(async () => {
  await cluster?.close();
});

describe('cluster routes', () => {
  it('status lists both nodes UP and NORMAL with host ids, tokens and load; ownership follows the keyspace', async () => {
    const status = await get<StatusResponse>(node1(), '/status');
    expect(status.ownership).toEqual({
      effective: false,
      keyspace: null,
      note: OWNERSHIP_NOTES.noUserKeyspace,
    });
    expect(
      status.endpoints.map((e) => [e.endpoint, e.address, e.hostId, e.status, e.state, e.tokenCount]),
    ).toEqual(nodes.map((n) => [endpointOf(n), n.config.listenAddress, n.hostId, 'UP', 'NORMAL', 4]));
    expect(status.endpoints[0]!.loadBytes).toBeGreaterThan(0);
    const primary = status.endpoints.reduce((sum, e) => sum + (e.owns ?? 0), 0);
    expect(primary).toBeCloseTo(1, 9);

    await cql(
      node1(),
      "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}",
    );
    const effective = await get<StatusResponse>(node1(), '/status?keyspace=ks');
    expect(effective.ownership).toEqual({ effective: true, keyspace: 'ks', note: null });
    expect(effective.endpoints.map((e) => e.owns)).toEqual([1, 1]);
    // The only user keyspace decides when none is named.
    expect((await get<StatusResponse>(node1(), '/status')).ownership.keyspace).toBe('ks');

    const local = await get<StatusResponse>(node1(), '/status?keyspace=system');
    expect(local.ownership).toEqual({
      effective: false,
      keyspace: null,
      note: OWNERSHIP_NOTES.localStrategy,
    });
    expect(await call(node1(), 'GET', '/status?keyspace=nope')).toEqual({
      status: 400,
      body: { error: 'UNKNOWN_KEYSPACE', message: 'The keyspace nope, does not exist' },
    });
  });

  it('ring lists every token ascending with the endpoint the ring gives it', async () => {
    const ring = await get<RingResponse>(node2(), '/ring');
    const metadata = node2().cluster.ring;
    expect(ring.tokens.map((t) => t.token)).toEqual(metadata.sortedTokens.map(formatToken));
    for (const { token, endpoint } of ring.tokens) {
      const owner = metadata.ownerOf(parseToken(token))!;
      expect(endpoint).toBe(metadata.endpoint(owner)!.address);
    }
    expect(ring.tokens).toHaveLength(8);
    expect(ring.endpoints).toHaveLength(2);
  });

  it('info describes this node', async () => {
    const info = await get<InfoResponse>(node2(), '/info');
    const gossip = await get<GossipInfoResponse>(node2(), '/gossipinfo');
    expect(info).toMatchObject({
      hostId: node2().hostId,
      endpoint: endpointOf(node2()),
      gossipActive: true,
      nativeTransportActive: true,
      dataCenter: 'datacenter1',
      rack: 'rack1',
      releaseVersion: '4.1.0',
      tokens: [...node2().tokens],
    });
    expect(info.generation).toBe(
      gossip.endpoints.find((e) => e.endpoint === endpointOf(node2()))!.generation,
    );
    expect(info.loadBytes).toBeGreaterThan(0);
    expect(info.heapUsedBytes).toBeGreaterThan(0);
    expect(info.heapMaxBytes).toBeGreaterThan(info.heapUsedBytes);
  });

  it('describering gives each ring range the replicas ring/ places it on', async () => {
    const described = await get<DescribeRingResponse>(node1(), '/describering/ks');
    const metadata = node1().cluster.ring;
    const strategy = createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '2' });
    expect(described.schemaVersion).toBe(node1().processor.schema.schema.version);
    expect(described.ranges).toHaveLength(8);
    described.ranges.forEach((range, index) => {
      expect(range.endToken).toBe(formatToken(metadata.sortedTokens[index]!));
      expect(range.startToken).toBe(formatToken(metadata.rangeAt(index).left));
      const replicas = strategy
        .naturalEndpoints(metadata, metadata.sortedTokens[index]!)
        .map((hostId) => metadata.endpoint(hostId)!.address.split(':')[0]);
      expect(range.endpoints).toEqual(replicas);
      expect(range.rpcEndpoints).toEqual(replicas);
      expect(range.endpointDetails.map((d) => [d.host, d.datacenter, d.rack])).toEqual(
        replicas.map((host) => [host, 'datacenter1', 'rack1']),
      );
    });
    expect(await call(node1(), 'GET', '/describering/system')).toEqual({
      status: 400,
      body: { error: 'NO_RING', message: 'There is no ring for the keyspace: system' },
    });
    expect(await call(node1(), 'GET', '/describering/nope')).toMatchObject({
      status: 400,
      body: { message: 'Keyspace nope does not exist' },
    });
  });

  it('getendpoints: the token equals SELECT token(k) and the replicas are the natural endpoints of it', async () => {
    await cql(node1(), 'CREATE TABLE ks.t (k int PRIMARY KEY, v text)');
    await cql(node1(), 'CREATE TABLE ks.c (a int, b text, v int, PRIMARY KEY ((a, b)))');
    await cql(node1(), "INSERT INTO ks.t (k, v) VALUES (42, 'x')");
    await cql(node1(), "INSERT INTO ks.c (a, b, v) VALUES (7, 'a:b', 1)");
    const strategy = createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '2' });
    const metadata = node1().cluster.ring;
    const check = async (path: string, select: string) => {
      const answer = await get<GetEndpointsResponse>(node1(), path);
      const [[tokenBytes]] = (await cql(node1(), select)) as [[Uint8Array]];
      expect(answer.token).toBe(String(deserialize(CqlTypes.bigint, tokenBytes)));
      const expected = strategy.naturalEndpoints(metadata, parseToken(answer.token));
      expect(answer.endpoints.map((e) => parseHostId(e.hostId))).toEqual(expected);
      expect(answer.endpoints.map((e) => e.endpoint)).toEqual(
        expected.map((h) => metadata.endpoint(h)!.address),
      );
    };
    await check('/getendpoints/ks/t/42', 'SELECT token(k) FROM ks.t WHERE k = 42');
    await check(
      `/getendpoints/ks/c/${encodeURIComponent('7:a\\:b')}`,
      "SELECT token(a, b) FROM ks.c WHERE a = 7 AND b = 'a:b'",
    );

    const bad: [string, string, string][] = [
      ['/getendpoints/ks/t/abc', 'INVALID_KEY', "Unable to make int from 'abc'"],
      [
        '/getendpoints/ks/c/7',
        'INVALID_KEY',
        "Invalid key '7' for ks.c: its partition key has 2 columns (a:b), separated by ':'",
      ],
      ['/getendpoints/ks/nope/1', 'UNKNOWN_TABLE', "Unknown table 'nope' in keyspace 'ks'"],
      ['/getendpoints/nope/t/1', 'UNKNOWN_KEYSPACE', "Unknown keyspace 'nope'"],
    ];
    for (const [path, error, message] of bad)
      expect(await call(node1(), 'GET', path)).toEqual({ status: 400, body: { error, message } });
  });

  it('describecluster names the cluster, its partitioner and one schema version held by both nodes', async () => {
    await until('both nodes agree on the schema', () =>
      nodes.every((n) => n.processor.schema.schema.version === node1().processor.schema.schema.version),
    );
    await until('gossip carries the agreed schema version', async () => {
      const cluster = await get<DescribeClusterResponse>(node2(), '/describecluster');
      return Object.keys(cluster.schemaVersions).length === 1;
    });
    const cluster = await get<DescribeClusterResponse>(node2(), '/describecluster');
    expect(cluster).toMatchObject({
      name: 'Test Cluster',
      partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
      schemaVersions: { [node1().processor.schema.schema.version]: nodes.map(endpointOf) },
      stats: { live: 2, joining: 0, moving: 0, leaving: 0, unreachable: 0 },
      dataCenters: [{ name: 'datacenter1', nodes: 2, down: 0 }],
      releaseVersions: { '4.1.0': nodes.map(endpointOf) },
    });
    expect(cluster.keyspaces.find((k) => k.name === 'ks')?.replication).toEqual({
      class: 'org.apache.cassandra.locator.SimpleStrategy',
      replication_factor: '2',
    });
  });

  it("gossipinfo shows each endpoint's generation, heartbeat and states, STATUS first", async () => {
    const gossip = await get<GossipInfoResponse>(node1(), '/gossipinfo');
    expect(gossip.endpoints.map((e) => e.endpoint)).toEqual(nodes.map(endpointOf));
    for (const [index, endpoint] of gossip.endpoints.entries()) {
      expect(endpoint.generation).toBeGreaterThan(1_600_000_000);
      expect(endpoint.heartbeat).toBeGreaterThan(0);
      expect(endpoint.alive).toBe(true);
      expect(endpoint.states[0]).toMatchObject({ name: 'STATUS', value: expect.stringMatching(/^NORMAL,/) });
      expect(endpoint.states.find((s) => s.name === 'HOST_ID')?.value).toBe(nodes[index]!.hostId);
    }
  });
});

describe('table routes', () => {
  const dataFiles = async (node: SibylNode, table: string) => {
    const metadata = node.processor.schema.schema.table('ks', table)!;
    const files = await readdir(tableDirectory(node.config.dataDir, 'ks', table, metadata.id));
    return files.filter((f) => f.endsWith('-Data.db')).sort();
  };
  const sstables = async (node: SibylNode, table: string) => {
    const stats = await get<TableStatsResponse>(node, `/tablestats?tables=ks.${table}`);
    expect(stats.totalTables).toBe(1);
    return stats.keyspaces[0]!.tables[0]!;
  };

  it('flush writes an SSTable; compact merges two into one; tablestats counts them', async () => {
    await cql(node2(), "INSERT INTO ks.t (k, v) VALUES (1, 'one')");
    expect(await dataFiles(node2(), 't')).toEqual([]);
    const flushed = await call(node2(), 'POST', '/flush', { keyspace: 'ks', tables: ['t'] });
    expect(flushed).toEqual({ status: 200, body: { tables: ['ks.t'] } });
    expect(await dataFiles(node2(), 't')).toHaveLength(1);
    expect(await sstables(node2(), 't')).toMatchObject({ name: 't', sstableCount: 1, partitionsEstimate: 1 });

    await cql(node2(), "INSERT INTO ks.t (k, v) VALUES (2, 'two')");
    await call(node2(), 'POST', '/flush', { keyspace: 'ks' });
    expect(await dataFiles(node2(), 't')).toHaveLength(2);
    const compacted = await call(node2(), 'POST', '/compact', { keyspace: 'ks', tables: ['t'] });
    expect(compacted).toEqual({ status: 200, body: { tables: ['ks.t'] } });
    const after = await sstables(node2(), 't');
    expect(after).toMatchObject({ sstableCount: 1, partitionsEstimate: 2 });
    expect(after.spaceUsedLiveBytes).toBeGreaterThan(0);
    await until('the compacted inputs are deleted', async () => (await dataFiles(node2(), 't')).length === 1);
  });

  it('tablestats without a filter covers every stored table, system ones included', async () => {
    const stats = await get<TableStatsResponse>(node1(), '/tablestats');
    const names = stats.keyspaces.map((k) => k.name);
    expect(names).toEqual(expect.arrayContaining(['system', 'system_schema', 'ks']));
    expect(stats.totalTables).toBe(stats.keyspaces.reduce((n, k) => n + k.tables.length, 0));
  });

  it('names unknown keyspaces and tables as nodetool does', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/flush', { keyspace: 'nope' }, 'Keyspace nope does not exist'],
      ['POST', '/compact', { keyspace: 'ks', tables: ['nope'] }, 'Unknown keyspace/cf pair (ks.nope)'],
      ['POST', '/flush', { tables: ['t'] }, 'tables need a keyspace'],
      ['POST', '/flush', { keyspace: 3 }, 'keyspace must be a string'],
      ['GET', '/tablestats?tables=ks.nope', undefined, 'Unknown keyspace/cf pair (ks.nope)'],
    ];
    for (const [method, path, body, message] of cases) {
      const answer = await call<{ message: string }>(node1(), method, path, body);
      expect([answer.status, answer.body.message]).toEqual([400, message]);
    }
  });
});

describe('faults, metrics, routes', () => {
  it('a drop-everything rule posted over HTTP partitions the nodes until it is cleared', async () => {
    const added = await call<{ id: number }>(node1(), 'POST', '/faults', { action: 'drop' });
    expect(added.status).toBe(200);
    const statusOf = async (node: SibylNode, peer: SibylNode) =>
      (await get<StatusResponse>(node, '/status')).endpoints.find((e) => e.hostId === peer.hostId)?.status;
    await until('node1 sees node2 down', async () => (await statusOf(node1(), node2())) === 'DOWN', 30_000);
    await until('node2 sees node1 down', async () => (await statusOf(node2(), node1())) === 'DOWN', 30_000);
    expect(await call(node1(), 'DELETE', '/faults')).toEqual({ status: 200, body: { cleared: 1 } });
    await until(
      'both see each other up again',
      async () => (await statusOf(node1(), node2())) === 'UP',
      30_000,
    );
    await until('node2 sees node1 up again', async () => (await statusOf(node2(), node1())) === 'UP', 30_000);
  });

  it('/metrics is Prometheus text with messaging, native, event loop, storage and gossip figures', async () => {
    const scraped = await fetch(`http://${node2().config.listenAddress}:${node2().adminPort}/metrics`);
    expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await scraped.text();
    const samples = parsePrometheus(text);
    const value = (name: string, labels = '') => samples.get(`${name}${labels}`);
    expect(value('sibyl_messaging_messages_sent_total')).toBeGreaterThan(0);
    expect(value('sibyl_messaging_bytes_received_total')).toBeGreaterThan(0);
    expect(value('sibyl_messaging_dropped_total', '{cause="queue_full"}')).toBe(0);
    expect(value('sibyl_native_connections')).toBe(0);
    expect(value('sibyl_native_requests_total')).toBe(0);
    for (const quantile of ['0.5', '0.99', '1'])
      expect(value('sibyl_event_loop_delay_seconds', `{quantile="${quantile}"}`)).toBeGreaterThanOrEqual(0);
    expect(value('sibyl_table_sstables', '{keyspace="ks",table="t"}')).toBe(1);
    expect(value('sibyl_table_disk_bytes', '{keyspace="ks",table="t"}')).toBeGreaterThan(0);
    expect(value('sibyl_table_memtable_bytes', '{keyspace="ks",table="t"}')).toBe(0);
    expect(value('sibyl_gossip_live_endpoints')).toBe(1);
    expect(value('sibyl_gossip_unreachable_endpoints')).toBe(0);
    expect(value('sibyl_ring_members')).toBe(2);
    // Each node has its own registry: node1 counted the drops of the partition test, node2 did not.
    const node1Samples = parsePrometheus((await call<string>(node1(), 'GET', '/metrics')).body);
    expect(node1Samples.get('sibyl_messaging_dropped_total{cause="fault_filter"}')).toBeGreaterThan(0);
    expect(value('sibyl_messaging_dropped_total', '{cause="fault_filter"}')).toBe(0);
  });

  it('POST /batchlog/replay runs a replay round (nodetool replaybatchlog)', async () => {
    const answer = await call<Record<string, unknown>>(node1(), 'POST', '/batchlog/replay', {});
    expect(answer.status).toBe(200);
    // An empty batchlog on a live ring: the round ran and found nothing to replay.
    expect(answer.body).toMatchObject({ ran: true, replayed: 0, failed: 0, waiting: 0 });
  });

  it('GET / lists the routes; an unknown one is a 404 in JSON', async () => {
    const routes = await get<RouteListResponse>(node1(), '/');
    expect(routes.routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /status',
        'GET /ring',
        'GET /info',
        'GET /describering/:keyspace',
        'GET /getendpoints/:keyspace/:table/:key',
        'GET /describecluster',
        'GET /gossipinfo',
        'POST /flush',
        'POST /compact',
        'GET /tablestats',
        'GET /version',
        'GET /faults',
        'POST /faults',
        'DELETE /faults',
        'GET /metrics',
      ]),
    );
    expect(await call(node1(), 'GET', '/nodetool')).toEqual({
      status: 404,
      body: { error: 'NOT_FOUND', message: 'no admin route GET /nodetool (GET / lists them)' },
    });
    expect(await get(node1(), '/version')).toEqual({ releaseVersion: '4.1.0' });
  });
});

/**
 * A strict reader of the Prometheus text format (0.0.4): HELP and TYPE lines, then samples
 * `name{label="value",…} number`. Any other line fails the test. Returns sample → value.
 */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const labels = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\]|\\\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\]|\\\\.)*")*)?\\}`;
  const sample = new RegExp(`^(${name})(${labels})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$`);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${name}) (.+)$`).exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const match = sample.exec(line);
    expect(match, `not a Prometheus sample line: ${line}`).not.toBeNull();
    const metric = match![1]!;
    expect(types.has(metric), `sample ${metric} without a TYPE`).toBe(true);
    if (types.get(metric) === 'counter') expect(metric.endsWith('_total')).toBe(true);
    samples.set(`${metric}${match![2] ?? ''}`, Number(match![3]));
  }
  return samples;
}
