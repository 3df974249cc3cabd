/**
 * The coordinator's timeouts from the YAML, with cassandra.yaml's names: Cassandra 4.1 durations and
 * the older `_in_ms` integers, defaults as Cassandra's, bad values refused with the property named.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigYaml, resolveConfig } from '../../../node/config.js';

const resolve = (yaml: string) => resolveConfig({ dataDir: '/tmp/sibyl-config', ...parseConfigYaml(yaml) });

describe('request timeouts in sibyl.yaml', () => {
  it("defaults to Cassandra's: write 2 s, read 5 s, range 10 s, counter write 5 s, truncate 60 s", () => {
    expect(resolve('').coordinator).toMatchObject({
      writeRequestTimeoutMs: 2_000,
      readRequestTimeoutMs: 5_000,
      rangeRequestTimeoutMs: 10_000,
      counterWriteRequestTimeoutMs: 5_000,
      truncateRequestTimeoutMs: 60_000,
    });
  });

  it('reads durations and _in_ms integers', () => {
    const config = resolve(
      [
        'write_request_timeout: 3000ms',
        'read_request_timeout: 7s',
        'range_request_timeout_in_ms: 20000',
        'counter_write_request_timeout_in_ms: 4000',
        'truncate_request_timeout: 2m',
      ].join('\n'),
    );
    expect(config.coordinator).toMatchObject({
      writeRequestTimeoutMs: 3_000,
      readRequestTimeoutMs: 7_000,
      rangeRequestTimeoutMs: 20_000,
      counterWriteRequestTimeoutMs: 4_000,
      truncateRequestTimeoutMs: 120_000,
    });
  });

  it('refuses a timeout that is not a positive duration', () => {
    expect(() => resolve('write_request_timeout: soon')).toThrow(/write_request_timeout/);
    expect(() => resolve('read_request_timeout_in_ms: 0')).toThrow(
      'Invalid value for read_request_timeout: 0 (expected a positive duration)',
    );
  });
});
