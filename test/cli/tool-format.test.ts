/**
 * `sibyl tool` output with fixed data, line for line against nodetool's layout (Cassandra 4.1's
 * Status with shared column widths and its legend, Ring, Info, DescribeRing, DescribeCluster,
 * GossipInfo, TableStats), and nodetool's number formats (`#.##` sizes, `##0.0%` ownership).
 */
import { describe, expect, it } from 'vitest';
import {
  renderDescribeCluster,
  renderDescribeRing,
  renderEndpoints,
  renderGossipInfo,
  renderRing,
  renderStatus,
} from '../../cli/tool/cluster-output.js';
import { renderFaults, renderInfo, renderTableStats, renderVersion } from '../../cli/tool/node-output.js';
import { fileSizeText, percentText } from '../../cli/tool/number-format.js';
import type {
  DescribeClusterResponse,
  InfoResponse,
  StatusEndpoint,
  StatusResponse,
} from '../../node/admin/admin-types.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

function endpoint(ip: string, dc: string, fields: Partial<StatusEndpoint> = {}): StatusEndpoint {
  return {
    endpoint: `${ip}:7000`,
    address: ip,
    dataCenter: dc,
    rack: 'rack1',
    hostId: `${ip.split('.').at(-1)!.padStart(8, '0')}-bbbb-cccc-dddd-eeeeeeeeeeee`,
    status: 'UP',
    state: 'NORMAL',
    loadBytes: 72_410,
    tokenCount: 16,
    owns: 1,
    ...fields,
  };
}

const twoDcs: StatusResponse = {
  ownership: { effective: true, keyspace: 'ks', note: null },
  endpoints: [
    endpoint('127.0.0.1', 'dc1', { owns: 0.334 }),
    endpoint('127.0.0.2', 'dc1', { status: 'DOWN', loadBytes: null, owns: 0.333 }),
    endpoint('127.0.0.10', 'dc2', { state: 'JOINING', loadBytes: 1_289_748 }),
  ],
};

describe('number formats', () => {
  it('prints sizes as FileUtils.stringifyFileSize: up to two decimals, half-even, binary units', () => {
    expect(
      [0, 512, 1024, 1152, 1160, 72_410, 1_289_748, 5 * 1024 ** 3, 3 * 1024 ** 4].map(fileSizeText),
    ).toEqual([
      '0 bytes',
      '512 bytes',
      '1 KiB',
      '1.12 KiB',
      '1.13 KiB',
      '70.71 KiB',
      '1.23 MiB',
      '5 GiB',
      '3 TiB',
    ]);
  });

  it('prints ownership with one decimal (status) or two (ring)', () => {
    expect([percentText(1, 1), percentText(0.334, 1), percentText(0, 1), percentText(1 / 3, 2)]).toEqual([
      '100.0%',
      '33.4%',
      '0.0%',
      '33.33%',
    ]);
  });
});

describe('status', () => {
  it('prints a table per data center with the legend, widths shared across data centers', () => {
    expect(renderStatus(twoDcs)).toBe(
      lines(
        'Datacenter: dc1',
        '===============',
        'Status=Up/Down',
        '|/ State=Normal/Leaving/Joining/Moving',
        '--  Address     Load       Tokens  Owns (effective)  Host ID                               Rack',
        'UN  127.0.0.1   70.71 KiB  16      33.4%             00000001-bbbb-cccc-dddd-eeeeeeeeeeee  rack1',
        'DN  127.0.0.2   ?          16      33.3%             00000002-bbbb-cccc-dddd-eeeeeeeeeeee  rack1',
        '',
        'Datacenter: dc2',
        '===============',
        'Status=Up/Down',
        '|/ State=Normal/Leaving/Joining/Moving',
        '--  Address     Load       Tokens  Owns (effective)  Host ID                               Rack',
        'UJ  127.0.0.10  1.23 MiB   16      100.0%            00000010-bbbb-cccc-dddd-eeeeeeeeeeee  rack1',
        '',
      ),
    );
  });

  it('prints Owns as ? and the note when ownership is not effective; ports with --print-port', () => {
    const status: StatusResponse = {
      ownership: { effective: false, keyspace: null, note: 'Non-system keyspaces differ' },
      endpoints: [endpoint('127.0.0.1', 'datacenter1', { status: 'UNKNOWN', state: 'LEAVING' })],
    };
    expect(renderStatus(status, { printPort: true })).toBe(
      lines(
        'Datacenter: datacenter1',
        '=======================',
        'Status=Up/Down',
        '|/ State=Normal/Leaving/Joining/Moving',
        '--  Address         Load       Tokens  Owns  Host ID                               Rack',
        '?L  127.0.0.1:7000  70.71 KiB  16      ?     00000001-bbbb-cccc-dddd-eeeeeeeeeeee  rack1',
        '',
        'Note: Non-system keyspaces differ',
      ),
    );
  });
});

describe('ring', () => {
  it('prints every token per data center, the last token above, and the vnode warning', () => {
    const ring = {
      ...twoDcs,
      endpoints: twoDcs.endpoints.map((e) => ({ ...e, tokenCount: 2 })),
      tokens: [
        { token: '-9000', endpoint: '127.0.0.1:7000' },
        { token: '-10', endpoint: '127.0.0.2:7000' },
        { token: '5', endpoint: '127.0.0.10:7000' },
        { token: '100', endpoint: '127.0.0.1:7000' },
      ],
    };
    expect(renderRing(ring)).toBe(
      lines(
        '',
        'Datacenter: dc1',
        '==========',
        'Address     Rack        Status State   Load            Owns                Token',
        '                                                                           100',
        '127.0.0.1   rack1       Up     Normal  70.71 KiB       33.40%              -9000',
        '127.0.0.2   rack1       Down   Normal  ?               33.30%              -10',
        '127.0.0.1   rack1       Up     Normal  70.71 KiB       33.40%              100',
        '',
        'Datacenter: dc2',
        '==========',
        'Address     Rack        Status State   Load            Owns                Token',
        '',
        '127.0.0.10  rack1       Up     Joining 1.23 MiB        100.00%             5',
        '',
        '  Warning: "nodetool ring" is used to output all the tokens of a node.',
        '  To view status related info of a node use "nodetool status" instead.',
        '',
        '',
      ),
    );
  });
});

const info: InfoResponse = {
  hostId: '00000001-bbbb-cccc-dddd-eeeeeeeeeeee',
  endpoint: '127.0.0.1:7000',
  gossipActive: true,
  nativeTransportActive: false,
  loadBytes: 72_410,
  generation: 1_700_000_000,
  uptimeSeconds: 42,
  heapUsedBytes: 127_192_269,
  heapMaxBytes: 4_345_298_944,
  offHeapBytes: 1_048_576,
  dataCenter: 'datacenter1',
  rack: 'rack1',
  releaseVersion: '4.1.0',
  tokens: ['-1', '5'],
};

describe('info, version, getendpoints', () => {
  it('prints nodetool info lines, the tokens with -T', () => {
    const head = [
      'ID                     : 00000001-bbbb-cccc-dddd-eeeeeeeeeeee',
      'Gossip active          : true',
      'Native Transport active: false',
      'Load                   : 70.71 KiB',
      'Generation No          : 1700000000',
      'Uptime (seconds)       : 42',
      'Heap Memory (MB)       : 121.30 / 4144.00',
      'Off Heap Memory (MB)   : 1.00',
      'Data Center            : datacenter1',
      'Rack                   : rack1',
    ];
    expect(renderInfo(info)).toBe(
      lines(...head, 'Token                  : (invoke with -T/--tokens to see all 2 tokens)'),
    );
    expect(renderInfo(info, true)).toBe(
      lines(...head, 'Token                  : -1', 'Token                  : 5'),
    );
  });

  it('prints the release version and one replica per line', () => {
    expect(renderVersion({ releaseVersion: '4.1.0' })).toBe('ReleaseVersion: 4.1.0\n');
    const replicas = {
      keyspace: 'ks',
      table: 't',
      key: '1',
      token: '5',
      endpoints: [
        { endpoint: '127.0.0.2:7000', address: '127.0.0.2', hostId: 'a' },
        { endpoint: '127.0.0.1:7000', address: '127.0.0.1', hostId: 'b' },
      ],
    };
    expect(renderEndpoints(replicas)).toBe(lines('127.0.0.2', '127.0.0.1'));
    expect(renderEndpoints(replicas, { printPort: true })).toBe(lines('127.0.0.2:7000', '127.0.0.1:7000'));
  });
});

describe('describering, describecluster, gossipinfo', () => {
  it('prints token ranges as nodetool describering', () => {
    const ring = {
      keyspace: 'ks',
      schemaVersion: 'v1',
      ranges: [
        {
          startToken: '5',
          endToken: '-1',
          endpoints: ['127.0.0.1', '127.0.0.2'],
          rpcEndpoints: ['127.0.0.1', '127.0.0.2'],
          endpointDetails: [
            { host: '127.0.0.1', datacenter: 'dc1', rack: 'r1' },
            { host: '127.0.0.2', datacenter: 'dc1', rack: 'r1' },
          ],
        },
      ],
    };
    expect(renderDescribeRing(ring)).toBe(
      lines(
        'Schema Version:v1',
        'TokenRange: ',
        '\tTokenRange(start_token:5, end_token:-1, endpoints:[127.0.0.1, 127.0.0.2], rpc_endpoints:[127.0.0.1, 127.0.0.2], ' +
          'endpoint_details:[EndpointDetails(host:127.0.0.1, datacenter:dc1, rack:r1), EndpointDetails(host:127.0.0.2, datacenter:dc1, rack:r1)])',
      ),
    );
  });

  it('prints the cluster description with schema versions, data centers and keyspaces', () => {
    const cluster: DescribeClusterResponse = {
      name: 'Test Cluster',
      snitch: 'org.apache.cassandra.locator.GossipingPropertyFileSnitch',
      dynamicSnitch: false,
      partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
      schemaVersions: { v1: ['127.0.0.1:7000', '127.0.0.2:7000'], UNREACHABLE: ['127.0.0.3:7000'] },
      stats: { live: 2, joining: 0, moving: 0, leaving: 0, unreachable: 1 },
      dataCenters: [{ name: 'datacenter1', nodes: 3, down: 1 }],
      releaseVersions: { '4.1.0': ['127.0.0.1:7000'] },
      keyspaces: [
        {
          name: 'ks',
          replication: { class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '3' },
        },
        { name: 'system', replication: { class: 'org.apache.cassandra.locator.LocalStrategy' } },
      ],
    };
    expect(renderDescribeCluster(cluster)).toBe(
      lines(
        'Cluster Information:',
        '\tName: Test Cluster',
        '\tSnitch: org.apache.cassandra.locator.GossipingPropertyFileSnitch',
        '\tDynamicEndPointSnitch: disabled',
        '\tPartitioner: org.apache.cassandra.dht.Murmur3Partitioner',
        '\tSchema versions:',
        '\t\tv1: [127.0.0.1, 127.0.0.2]',
        '',
        '\t\tUNREACHABLE: [127.0.0.3]',
        '',
        'Stats for all nodes:',
        '\tLive: 2',
        '\tJoining: 0',
        '\tMoving: 0',
        '\tLeaving: 0',
        '\tUnreachable: 1',
        '',
        'Data Centers: ',
        '\tdatacenter1 #Nodes: 3 #Down: 1',
        '',
        'Database versions:',
        '\t4.1.0: [127.0.0.1:7000]',
        '',
        'Keyspaces:',
        '\tks -> Replication class: SimpleStrategy {replication_factor=3}',
        '\tsystem -> Replication class: LocalStrategy {}',
      ),
    );
  });

  it('prints gossip states with versions, TOKENS last and hidden', () => {
    const gossip = {
      endpoints: [
        {
          endpoint: '127.0.0.1:7000',
          address: '127.0.0.1',
          generation: 17,
          heartbeat: 99,
          alive: true,
          states: [
            { name: 'STATUS', version: 3, value: 'NORMAL,-1' },
            { name: 'TOKENS', version: 4, value: '-1,5' },
            { name: 'RPC_READY', version: 9, value: 'true' },
          ],
        },
        {
          endpoint: '127.0.0.2:7000',
          address: '127.0.0.2',
          generation: 18,
          heartbeat: 1,
          alive: false,
          states: [],
        },
      ],
    };
    expect(renderGossipInfo(gossip)).toBe(
      lines(
        '/127.0.0.1',
        '  generation:17',
        '  heartbeat:99',
        '  STATUS:3:NORMAL,-1',
        '  RPC_READY:9:true',
        '  TOKENS:4:<hidden>',
        '/127.0.0.2',
        '  generation:18',
        '  heartbeat:1',
        '  TOKENS: not present',
      ),
    );
  });
});

describe('tablestats and faults', () => {
  it('prints per-table statistics, sizes in bytes or human readable', () => {
    const stats = {
      totalTables: 1,
      keyspaces: [
        {
          name: 'ks',
          tables: [
            {
              name: 't',
              sstableCount: 2,
              spaceUsedLiveBytes: 5123,
              spaceUsedTotalBytes: 5123,
              memtableDataBytes: 1500,
              partitionsEstimate: 3,
            },
          ],
        },
      ],
    };
    const body = (live: string, memtable: string) =>
      lines(
        'Total number of tables: 1',
        '----------------',
        'Keyspace : ks',
        '\t\tTable: t',
        '\t\tSSTable count: 2',
        `\t\tSpace used (live): ${live}`,
        `\t\tSpace used (total): ${live}`,
        '\t\tNumber of partitions (estimate): 3',
        `\t\tMemtable data size: ${memtable}`,
        '',
        '----------------',
      );
    expect(renderTableStats(stats)).toBe(body('5123', '1500'));
    expect(renderTableStats(stats, true)).toBe(body('5 KiB', '1.46 KiB'));
  });

  it('prints fault rules as a table, or says there are none', () => {
    const faults = {
      rules: [
        {
          id: 1,
          rule: { action: 'drop' as const, verbs: ['MUTATION_REQ', 'READ_REQ'], peers: ['127.0.0.2:7000'] },
        },
        {
          id: 2,
          rule: { action: 'delay' as const, delayMs: 50, direction: 'inbound' as const, probability: 0.5 },
        },
      ],
    };
    expect(renderFaults(faults)).toBe(
      lines(
        'ID  Action  Verbs                  Peers           Direction  Delay (ms)  Probability',
        '1   drop    MUTATION_REQ,READ_REQ  127.0.0.2:7000  both       -           1',
        '2   delay   all                    all             inbound    50          0.5',
      ),
    );
    expect(renderFaults({ rules: [] })).toBe('No fault rules.\n');
  });
});
