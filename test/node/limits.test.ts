/**
 * The native server's limits on a node configured low: backpressure on concurrent requests answers
 * everything (late, never dropped), frames over the configured size are refused, connections past
 * the maximum are closed. A restart keeps the host id and tokens and the data.
 */
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartupMessage } from '../../cql/protocol/index.js';
import { encodeFrame, Opcode, startupOptions } from '../../cql/protocol/index.js';
import type { SibylNode } from '../../node/index.js';
import { startNode } from '../../node/index.js';
import { tempDir } from '../storage/helpers.js';
import { RawClient } from './raw-client.js';

const STARTUP: StartupMessage = { type: 'STARTUP', options: startupOptions() };
let node: SibylNode;
let dir: string;
let cleanup: () => Promise<void>;

const limited = () =>
  startNode({
    dataDir: dir,
    nativePort: 0,
    logLevel: 'warn',
    nativeTransport: {
      maxConcurrentRequestsPerConnection: 2,
      maxFrameBodyBytes: 64 * 1024,
      maxConnections: 3,
    },
  });

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('sibyl-limits-'));
  node = await limited();
});

afterAll(async () => {
  await node?.close();
  await cleanup?.();
});

describe('native server limits', () => {
  it('answers every request when more are sent than may be in flight', async () => {
    const raw = await RawClient.open(node.port);
    await raw.request(STARTUP);
    const query = 'SELECT key FROM system.local';
    for (let stream = 0; stream < 200; stream++)
      raw.send({ type: 'QUERY', query, parameters: { consistency: 'ONE', skipMetadata: false } }, stream);
    const answers = await raw.next(200);
    expect(new Set(answers.map((a) => a.header.streamId)).size).toBe(200);
    expect(answers.every((a) => a.message.type === 'RESULT')).toBe(true);
    raw.close();
  });

  it('refuses a frame over the configured size and closes that connection', async () => {
    const raw = await RawClient.open(node.port);
    await raw.request(STARTUP);
    const body = Buffer.alloc(100 * 1024);
    raw.sendBytes(
      encodeFrame({ version: 4, isResponse: false, flags: 0, streamId: 4, opcode: Opcode.QUERY }, body),
    );
    const [answer] = await raw.next(1);
    expect(answer!.message.type === 'ERROR' && answer!.message.error.message).toBe(
      'Request is too big: length 102400 exceeds maximum allowed length 65536.',
    );
    await raw.closedPromise;
  });

  it('keeps host id, tokens and data across a restart', async () => {
    const client = new cassandra.Client({
      contactPoints: [`127.0.0.1:${node.port}`],
      localDataCenter: 'datacenter1',
    });
    await client.connect();
    await client.execute(
      "CREATE KEYSPACE r WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    await client.execute('CREATE TABLE r.t (k int PRIMARY KEY, v text)');
    await client.execute("INSERT INTO r.t (k, v) VALUES (1, 'kept')");
    await client.shutdown();
    const { hostId, tokens } = node;
    await node.close();
    node = await limited();
    expect(node.hostId).toBe(hostId);
    expect(node.tokens).toEqual(tokens);
    const result = await node.processor.execute('SELECT v FROM r.t WHERE k = 1', {});
    expect(result.kind === 'rows' && Buffer.from(result.result.rows[0]![0]!).toString()).toBe('kept');
  });

  // Last: the server sees the closes of these connections a little after the test ends.
  it('closes connections past native_transport_max_concurrent_connections', async () => {
    const open = await Promise.all([0, 1, 2].map(() => RawClient.open(node.port)));
    for (const raw of open) expect((await raw.request(STARTUP)).message.type).toBe('READY');
    const extra = await RawClient.open(node.port);
    await extra.closedPromise;
    for (const raw of open) raw.close();
  });
});
