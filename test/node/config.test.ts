import { describe, expect, it } from 'vitest';
import { NodeConfigError, parseConfigYaml, resolveConfig } from '../../node/index.js';

describe('node configuration', () => {
  it('reads cassandra.yaml names, durations and sizes', () => {
    const config = parseConfigYaml(
      [
        'cluster_name: Prod',
        'num_tokens: 8',
        'listen_address: 127.0.0.2',
        'native_transport_port: 19042',
        'commitlog_sync: batch',
        'commitlog_sync_period: 2s',
        'data_file_directories: [/var/lib/sibyl, /unused]',
        'native_transport_max_frame_size: 32MiB',
        'endpoint_snitch: SimpleSnitch',
        'seed_provider:',
        '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
        '    parameters:',
        '      - seeds: "127.0.0.1, 127.0.0.2"',
      ].join('\n'),
    );
    expect(config).toMatchObject({
      clusterName: 'Prod',
      numTokens: 8,
      listenAddress: '127.0.0.2',
      nativePort: 19042,
      dataDir: '/var/lib/sibyl',
      seeds: ['127.0.0.1', '127.0.0.2'],
      storage: { commitlogSync: 'batch', commitlogSyncPeriodMs: 2000 },
      nativeTransport: { maxFrameBodyBytes: 32 * 1024 * 1024 },
    });
    expect(parseConfigYaml('commitlog_sync_period_in_ms: 10000').storage).toEqual({
      commitlogSyncPeriodMs: 10_000,
    });
  });

  it('names an unknown property', () => {
    expect(() => parseConfigYaml('cluster_name: x\ncommitlog_sink: periodic', 'my.yaml')).toThrow(
      'Invalid yaml in my.yaml. Please remove properties [commitlog_sink] from your configuration (unknown property)',
    );
  });

  it('names the property and the value that is wrong', () => {
    expect(() => parseConfigYaml('commitlog_sync: sometimes')).toThrow(
      'Invalid value for commitlog_sync: "sometimes" (expected periodic, batch or group)',
    );
    expect(() => parseConfigYaml('commitlog_sync_period: 10 parsecs')).toThrow(
      /commitlog_sync_period: "10 parsecs"/,
    );
    expect(() => parseConfigYaml('num_tokens: many')).toThrow(NodeConfigError);
    expect(() =>
      resolveConfig({ dataDir: 'd', nativeTransport: { maxFrameBodyBytes: 512 * 1024 * 1024 } }),
    ).toThrow(/native_transport_max_frame_size/);
    expect(() => resolveConfig({ dataDir: 'd', listenAddress: 'localhost!' })).toThrow(/listen_address/);
  });

  it('defaults as Cassandra', () => {
    const config = resolveConfig({ dataDir: 'd' });
    expect(config).toMatchObject({
      listenAddress: '127.0.0.1',
      rpcAddress: '127.0.0.1',
      broadcastRpcAddress: '127.0.0.1',
      nativePort: 9042,
      clusterName: 'Test Cluster',
      dc: 'datacenter1',
      rack: 'rack1',
      numTokens: 16,
    });
  });
});
