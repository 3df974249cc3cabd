/**
 * The cluster view fed with fake hosts (no sockets are opened): topology refreshes add and remove
 * hosts, STATUS_CHANGE marks them, plans use only live local hosts with the token's owner first,
 * and SCHEMA_CHANGE forgets the prepared statements of the table.
 */
import { describe, expect, it } from 'vitest';
import { CqlTypes } from '../../cql/types/index.js';
import { Cluster } from '../../driver/cluster.js';
import type { ClusterHost } from '../../driver/control-connection.js';
import { PreparedCache } from '../../driver/prepared-cache.js';
import { type Token, toToken } from '../../ring/token.js';

const connection = {
  connectTimeoutMs: 100,
  readTimeoutMs: 100,
  heartbeatIntervalMs: 1000,
  maxRequestsPerConnection: 8,
};

function clusterHost(host: string, dataCenter: string, tokens: number[]): ClusterHost {
  return {
    endpoint: { host, port: 9042 },
    info: {
      dataCenter,
      rack: 'rack1',
      tokens: tokens.map((t) => toToken(BigInt(t))),
      hostId: undefined,
      releaseVersion: '4.1.0',
    },
  };
}

function makeCluster(prepared = new PreparedCache(10)): Cluster {
  return new Cluster({
    localDataCenter: 'dc1',
    connection,
    connectionsPerHost: 1,
    backoff: { baseDelayMs: 10, maxDelayMs: 100 },
    keyspace: () => undefined,
    prepared,
  });
}

const a = clusterHost('10.0.0.1', 'dc1', [-100, 100]);
const b = clusterHost('10.0.0.2', 'dc1', [0, 200]);
const c = clusterHost('10.0.0.3', 'dc2', [50]);
const token = (n: number): Token => toToken(BigInt(n));

describe('cluster view', () => {
  it('plans over live local hosts only, the token owner first', () => {
    const cluster = makeCluster();
    cluster.hostsChanged(a, [b, c]);
    expect(cluster.hosts.map((h) => h.key)).toEqual(['10.0.0.1:9042', '10.0.0.2:9042', '10.0.0.3:9042']);
    expect(new Set(cluster.queryPlan(undefined, undefined))).toEqual(
      new Set(['10.0.0.1:9042', '10.0.0.2:9042']),
    );
    for (let i = 0; i < 4; i++) {
      expect(cluster.queryPlan(token(150), undefined)).toEqual(['10.0.0.2:9042', '10.0.0.1:9042']);
      expect(cluster.queryPlan(token(60), undefined)).toEqual(['10.0.0.1:9042', '10.0.0.2:9042']);
    }
    cluster.shutdown();
  });

  it('follows replication: a remote replica is skipped, the local one is preferred', () => {
    const cluster = makeCluster();
    cluster.hostsChanged(a, [b, c]);
    cluster.replications(new Map([['ks', { kind: 'simple', replicationFactor: 2 }]]));
    // Token 30: owner C (dc2, not usable), then A at 100.
    expect(cluster.replicas(token(30), 'ks')).toEqual(['10.0.0.3:9042', '10.0.0.1:9042']);
    expect(cluster.queryPlan(token(30), 'ks')[0]).toBe('10.0.0.1:9042');
    cluster.shutdown();
  });

  it('adds and removes hosts on a topology refresh', () => {
    const cluster = makeCluster();
    cluster.hostsChanged(a, [b]);
    cluster.hostsChanged(a, [clusterHost('10.0.0.4', 'dc1', [300])]);
    expect(cluster.hosts.map((h) => h.key)).toEqual(['10.0.0.1:9042', '10.0.0.4:9042']);
    expect(cluster.queryPlan(token(150), undefined)[0]).toBe('10.0.0.4:9042');
    cluster.shutdown();
  });

  it('marks a host without open connections down on STATUS_CHANGE DOWN and leaves it out of plans', () => {
    const cluster = makeCluster();
    cluster.hostsChanged(a, [b]);
    cluster.statusChange('10.0.0.2', false);
    expect(cluster.hosts.find((h) => h.key === '10.0.0.2:9042')?.up).toBe(false);
    expect(cluster.queryPlan(token(150), undefined)).toEqual(['10.0.0.1:9042']);
    expect(cluster.candidates().map((e) => e.host)).toEqual(['10.0.0.1']);
    cluster.shutdown();
  });

  it('forgets the prepared statements of a changed table', async () => {
    const prepared = new PreparedCache(10);
    const cluster = makeCluster(prepared);
    const spec = { keyspace: 'ks', table: 't', name: 'k', type: CqlTypes.int };
    await prepared.getOrPrepare('ks', 'q', async () => ({
      id: Uint8Array.of(1),
      query: 'q',
      keyspace: 'ks',
      variables: [spec],
      partitionKeyIndexes: [0],
      resultColumns: undefined,
    }));
    cluster.schemaChange({ change: 'UPDATED', target: 'TABLE', keyspace: 'ks', name: 'other' });
    expect(prepared.size).toBe(1);
    cluster.schemaChange({ change: 'UPDATED', target: 'TABLE', keyspace: 'ks', name: 't' });
    expect(prepared.size).toBe(0);
  });
});
