/** batchlog_replay_throttle and the batchlog limits, read with cassandra.yaml's names and checked. */
import { describe, expect, it } from 'vitest';
import { batchlogOptions, KiB } from '../../../common/limits.js';
import { NodeConfigError, parseConfigYaml, resolveConfig } from '../../../node/config.js';

describe('batchlog configuration', () => {
  it("defaults to Cassandra's: 1024 KiB/s, a round every 10 s, timeout 2 × write_request_timeout", () => {
    const resolved = resolveConfig({ dataDir: '/tmp/x' });
    expect(resolved.batchlog).toMatchObject({
      batchlogReplayThrottleBytesPerSecond: 1024 * KiB,
      batchlogReplayIntervalMs: 10_000,
      batchlogReplayTimeoutMs: null,
    });
  });

  it('reads batchlog_replay_throttle (4.1 size) and batchlog_replay_throttle_in_kb (4.0)', () => {
    expect(parseConfigYaml('batchlog_replay_throttle: 512KiB').batchlog).toEqual({
      batchlogReplayThrottleBytesPerSecond: 512 * KiB,
    });
    expect(parseConfigYaml('batchlog_replay_throttle_in_kb: 0').batchlog).toEqual({
      batchlogReplayThrottleBytesPerSecond: 0,
    });
    expect(() => parseConfigYaml('batchlog_replay_throttle: fast')).toThrow(
      'Invalid value for batchlog_replay_throttle: "fast" (expected a size such as "16MiB")',
    );
  });

  it('refuses values that break the relations between batchlog limits', () => {
    expect(() =>
      resolveConfig({ dataDir: '/tmp/x', batchlog: { batchlogReplayThrottleBytesPerSecond: -1 } }),
    ).toThrow(NodeConfigError);
    expect(() => batchlogOptions({ batchlogReplayIntervalMs: 0 })).toThrow(
      /replay interval must be positive/,
    );
    expect(() => batchlogOptions({ batchlogReplayTimeoutMs: 0 })).toThrow(/replay timeout must be positive/);
  });
});
