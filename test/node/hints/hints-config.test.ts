/** The hinted handoff properties of sibyl.yaml (cassandra.yaml's names) and their defaults. */
import { describe, expect, it } from 'vitest';
import { hintsDefaults, KiB, MiB } from '../../../common/limits.js';
import { parseConfigYaml, resolveConfig } from '../../../node/config.js';

describe('hints configuration', () => {
  it('defaults as Cassandra: enabled, 3 h window, 1024 KiB/s, 128 MiB files, 10 s flush, DATA_DIR/hints', () => {
    const { hints } = resolveConfig({ dataDir: '/data' });
    expect(hints).toMatchObject({
      hintedHandoffEnabled: true,
      maxHintWindowMs: 3 * 3_600_000,
      hintedHandoffThrottleBytesPerSecond: 1024 * KiB,
      maxHintsFileSizeBytes: 128 * MiB,
      hintsFlushPeriodMs: 10_000,
      maxHintsDeliveryThreads: 2,
      hintsDirectory: '/data/hints',
    });
    expect(hints.hintsDispatchIntervalMs).toBe(hintsDefaults.hintsDispatchIntervalMs);
  });

  it('reads the 4.1 names with units', () => {
    const parsed = parseConfigYaml(
      [
        'hinted_handoff_enabled: false',
        'max_hint_window: 2h',
        'hinted_handoff_throttle: 2048KiB',
        'hints_directory: /var/hints',
        'max_hints_file_size: 64MiB',
        'hints_flush_period: 5000ms',
        'max_hints_delivery_threads: 4',
      ].join('\n'),
    );
    expect(resolveConfig({ dataDir: '/data', ...parsed }).hints).toMatchObject({
      hintedHandoffEnabled: false,
      maxHintWindowMs: 7_200_000,
      hintedHandoffThrottleBytesPerSecond: 2048 * KiB,
      hintsDirectory: '/var/hints',
      maxHintsFileSizeBytes: 64 * MiB,
      hintsFlushPeriodMs: 5_000,
      maxHintsDeliveryThreads: 4,
    });
  });

  it('reads the older names with units in the name', () => {
    const parsed = parseConfigYaml(
      [
        'max_hint_window_in_ms: 60000',
        'hinted_handoff_throttle_in_kb: 512',
        'max_hints_file_size_in_mb: 32',
        'hints_flush_period_in_ms: 1000',
      ].join('\n'),
    );
    expect(resolveConfig({ dataDir: '/data', ...parsed }).hints).toMatchObject({
      maxHintWindowMs: 60_000,
      hintedHandoffThrottleBytesPerSecond: 512 * KiB,
      maxHintsFileSizeBytes: 32 * MiB,
      hintsFlushPeriodMs: 1_000,
    });
  });

  it('refuses bad values with a ConfigurationException naming the property', () => {
    expect(() => parseConfigYaml('hinted_handoff_enabled: maybe')).toThrow(
      'Invalid value for hinted_handoff_enabled: "maybe" (expected true or false)',
    );
    expect(() => parseConfigYaml('max_hint_window: 3 hours')).toThrow(/Invalid value for max_hint_window/);
    expect(() => resolveConfig({ dataDir: '/d', ...parseConfigYaml('max_hints_file_size: 1MiB') })).toThrow(
      /Invalid value for max_hints_file_size: 1048576 \(expected larger than max_mutation_size/,
    );
    expect(() => resolveConfig({ dataDir: '/d', hints: { hintsFlushPeriodMs: 0 } })).toThrow(
      /Invalid value for hints_flush_period/,
    );
  });
});
