/**
 * What joining and leaving read from configuration and the data directory: the YAML properties
 * (auto_bootstrap, initial_token, allocate_tokens_for_local_replication_factor, ring_delay_ms,
 * consistent_rangemovement, stream_throughput_outbound) with Cassandra's messages for bad values,
 * and node-identity.json with its bootstrap state (files written before it existed stay valid).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeConfigError, parseConfigYaml, resolveConfig } from '../../../node/index.js';
import { LocalIdentity } from '../../../node/local-info.js';
import { tempDir } from '../../storage/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('joining and leaving configuration', () => {
  it('reads the YAML properties with their cassandra.yaml names and Cassandra defaults', () => {
    const yaml = [
      'auto_bootstrap: false',
      'initial_token: -100,200',
      'num_tokens: 2',
      'allocate_tokens_for_local_replication_factor: 2',
      'ring_delay_ms: 1500',
      'consistent_rangemovement: false',
      'stream_throughput_outbound: 8MiB/s',
    ].join('\n');
    const config = resolveConfig({ dataDir: '/d', ...parseConfigYaml(yaml) });
    expect(config).toMatchObject({
      autoBootstrap: false,
      initialTokens: [-100n, 200n],
      allocateTokensForLocalReplicationFactor: 2,
      consistentRangeMovement: false,
    });
    expect(config.streaming.ringDelayMs).toBe(1500);
    expect(config.streaming.throughputBytesPerSecond).toBe(8 * 1024 * 1024);
    const defaults = resolveConfig({ dataDir: '/d' });
    expect(defaults).toMatchObject({ autoBootstrap: true, initialTokens: [], consistentRangeMovement: true });
    expect(defaults.streaming.ringDelayMs).toBe(30_000);
    expect(
      resolveConfig({ dataDir: '/d', ...parseConfigYaml('stream_throughput_outbound_megabits_per_sec: 200') })
        .streaming.throughputBytesPerSecond,
    ).toBe(25_000_000);
  });

  it('refuses initial_token that does not match num_tokens or is not tokens', () => {
    expect(() => resolveConfig({ dataDir: '/d', numTokens: 4, initialToken: '1,2' })).toThrow(
      'The number of initial tokens (by initial_token) specified (2) is different from num_tokens value (4)',
    );
    expect(() => resolveConfig({ dataDir: '/d', initialToken: '1,2' })).toThrow(
      'initial_token was set but num_tokens is not!',
    );
    expect(resolveConfig({ dataDir: '/d', initialToken: '42' }).numTokens).toBe(1);
    expect(() => resolveConfig({ dataDir: '/d', numTokens: 1, initialToken: 'abc' })).toThrow(
      NodeConfigError,
    );
    expect(() => parseConfigYaml('auto_bootstrap: maybe')).toThrow(NodeConfigError);
    expect(() => parseConfigYaml('stream_throughput_outbound: fast')).toThrow(NodeConfigError);
  });
});

describe('node-identity.json', () => {
  it('keeps the host id, the tokens once chosen and the bootstrap state across loads', async () => {
    const { dir, cleanup } = await tempDir('sibyl-identity-');
    cleanups.push(cleanup);
    const identity = await LocalIdentity.load(dir, 2, { uuid: () => '11111111-1111-4111-8111-111111111111' });
    expect(identity.current).toEqual({
      hostId: '11111111-1111-4111-8111-111111111111',
      tokens: [],
      bootstrapState: 'NEEDS_BOOTSTRAP',
    });
    await identity.update({ tokens: ['-5', '7'], bootstrapState: 'IN_PROGRESS' });
    const again = await LocalIdentity.load(dir, 2, { uuid: () => 'never used' });
    expect(again.current).toEqual({
      hostId: identity.hostId,
      tokens: ['-5', '7'],
      bootstrapState: 'IN_PROGRESS',
    });
    await expect(LocalIdentity.load(dir, 3, { uuid: () => 'x' })).rejects.toThrow(
      'Cannot change the number of tokens from 2 to 3 (num_tokens)',
    );
  });

  it('takes a file written before bootstrap states existed for a node that joined', async () => {
    const { dir, cleanup } = await tempDir('sibyl-identity-');
    cleanups.push(cleanup);
    const path = join(dir, 'node-identity.json');
    await writeFile(path, JSON.stringify({ hostId: '22222222-2222-4222-8222-222222222222', tokens: ['1'] }));
    const identity = await LocalIdentity.load(dir, 1, { uuid: () => 'x' });
    expect(identity.bootstrapState).toBe('COMPLETED');
    await writeFile(path, JSON.stringify({ hostId: identity.hostId, tokens: ['1'], bootstrapState: 'LOST' }));
    await expect(LocalIdentity.load(dir, 1, { uuid: () => 'x' })).rejects.toThrow(
      "unknown bootstrapState 'LOST'",
    );
    expect(JSON.parse(await readFile(path, 'utf8')).bootstrapState).toBe('LOST');
  });
});
