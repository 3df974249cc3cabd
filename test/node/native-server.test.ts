/**
 * A real node on 127.0.0.1 (free port) driven by the DataStax Node.js driver (which opens with a
 * protocol version above v4 and must step down) and by raw sockets sending what no driver sends:
 * garbage, oversized frames, bodies that do not parse. The driver keeps working throughout.
 */
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolValue, StartupMessage } from '../../cql/protocol/index.js';
import {
  ErrorCode,
  encodeFrame,
  lz4Compressor,
  Opcode,
  snappyCompressor,
  startupOptions,
} from '../../cql/protocol/index.js';
import { CqlTypes, serialize } from '../../cql/types/index.js';
import type { SibylNode } from '../../node/index.js';
import { RELEASE_VERSION, startNode } from '../../node/index.js';
import { tempDir } from '../storage/helpers.js';
import { RawClient } from './raw-client.js';

let node: SibylNode;
let client: cassandra.Client;
let cleanup: () => Promise<void>;

const STARTUP: StartupMessage = { type: 'STARTUP', options: startupOptions() };

function newClient(port: number, keyspace?: string): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [`127.0.0.1:${port}`],
    localDataCenter: 'datacenter1',
    protocolOptions: { port },
    ...(keyspace ? { keyspace } : {}),
  });
}

beforeAll(async () => {
  const temp = await tempDir('sibyl-native-');
  cleanup = temp.cleanup;
  node = await startNode({ dataDir: temp.dir, nativePort: 0, logLevel: 'warn' });
  client = newClient(node.port);
  await client.connect();
  await client.execute(
    "CREATE KEYSPACE app WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  await client.execute('CREATE TABLE app.events (k int, c int, v text, PRIMARY KEY (k, c))');
});

afterAll(async () => {
  await client?.shutdown();
  await node?.close();
  await cleanup?.();
});

describe('the DataStax driver against a node', () => {
  it('connects after stepping down to v4 and reads system.local as Cassandra fills it', async () => {
    expect(client.getState().getConnectedHosts()).toHaveLength(1);
    const host = client.getState().getConnectedHosts()[0]!;
    expect(host.datacenter).toBe('datacenter1');
    expect(host.rack).toBe('rack1');
    expect(host.cassandraVersion).toBe(RELEASE_VERSION);
    const local = (await client.execute("SELECT * FROM system.local WHERE key = 'local'")).first();
    expect(local.get('host_id').toString()).toBe(node.hostId);
    expect(local.get('tokens')).toHaveLength(16);
    expect(local.get('partitioner')).toBe('org.apache.cassandra.dht.Murmur3Partitioner');
    expect(local.get('cluster_name')).toBe('Test Cluster');
    expect(local.get('rpc_address').toString()).toBe('127.0.0.1');
    expect((await client.execute('SELECT * FROM system.peers')).rowLength).toBe(0);
    expect((await client.execute('SELECT * FROM system.peers_v2')).rowLength).toBe(0);
  });

  it('keeps system.local.schema_version current and sees the schema in client.metadata', async () => {
    await client.execute('CREATE TABLE app.meta (id uuid PRIMARY KEY, name text, tags set<text>)');
    const version = (
      await client.execute("SELECT schema_version FROM system.local WHERE key = 'local'")
    ).first();
    expect(version.get('schema_version').toString()).toBe(node.processor.schema.schema.version);
    expect(Object.keys(client.metadata.keyspaces)).toEqual(
      expect.arrayContaining(['app', 'system', 'system_schema']),
    );
    const table = await client.metadata.getTable('app', 'meta');
    expect(table?.partitionKeys.map((c) => c.name)).toEqual(['id']);
    expect(table?.columns.map((c) => c.name).sort()).toEqual(['id', 'name', 'tags']);
  });

  it('inserts and selects with prepared statements, typed values included', async () => {
    const insert = 'INSERT INTO app.events (k, c, v) VALUES (?, ?, ?)';
    for (let c = 0; c < 5; c++) await client.execute(insert, [1, c, `v${c}`], { prepare: true });
    const result = await client.execute('SELECT c, v FROM app.events WHERE k = ? AND c >= ?', [1, 3], {
      prepare: true,
    });
    expect(result.rows.map((r) => [r.get('c'), r.get('v')])).toEqual([
      [3, 'v3'],
      [4, 'v4'],
    ]);
    const unset = await client.execute(insert, [1, 4, undefined], { prepare: true });
    expect(unset.rowLength ?? 0).toBe(0);
    const kept = await client.execute('SELECT v FROM app.events WHERE k = 1 AND c = 4');
    expect(kept.first().get('v')).toBe('v4');
  });

  const ROWS = 10_000;

  it('pages through 10k rows with eachRow and with stream', async () => {
    const insert = 'INSERT INTO app.events (k, c, v) VALUES (?, ?, ?)';
    for (let from = 0; from < ROWS; from += 500) {
      const writes = [];
      for (let c = from; c < from + 500; c++)
        writes.push(client.execute(insert, [2, c, 'x'], { prepare: true }));
      await Promise.all(writes);
    }
    let seen = 0;
    await new Promise<void>((resolve, reject) =>
      client.eachRow(
        'SELECT c FROM app.events WHERE k = ?',
        [2],
        { prepare: true, fetchSize: 1000, autoPage: true },
        (_n, row) => {
          expect(row.get('c')).toBe(seen);
          seen++;
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    expect(seen).toBe(ROWS);
    let streamed = 0;
    // The driver's typings call the stream an EventEmitter; it is a Readable, hence async-iterable.
    const stream = client.stream('SELECT c FROM app.events WHERE k = 2', [], { fetchSize: 1333 });
    for await (const _row of stream as unknown as AsyncIterable<cassandra.types.Row>) streamed++;
    expect(streamed).toBe(ROWS);
    const firstPage = await client.execute('SELECT c FROM app.events WHERE k = 2', [], { fetchSize: 100 });
    expect(firstPage.rowLength).toBe(100);
    const second = await client.execute('SELECT c FROM app.events WHERE k = 2', [], {
      fetchSize: 100,
      pageState: firstPage.pageState,
    });
    expect(second.first().get('c')).toBe(100);
  });

  it('runs batches of query strings and prepared statements', async () => {
    await client.batch(
      [
        { query: 'INSERT INTO app.events (k, c, v) VALUES (?, ?, ?)', params: [3, 1, 'a'] },
        { query: "INSERT INTO app.events (k, c, v) VALUES (3, 2, 'b')" },
        { query: 'UPDATE app.events SET v = ? WHERE k = ? AND c = ?', params: ['c', 3, 3] },
      ],
      { prepare: true },
    );
    await client.batch(
      [
        { query: "INSERT INTO app.events (k, c, v) VALUES (4, 1, 'd')" },
        { query: 'DELETE FROM app.events WHERE k = 3 AND c = 1' },
      ],
      { logged: false },
    );
    await client.execute('CREATE TABLE app.hits (page text PRIMARY KEY, n counter)');
    const bump = 'UPDATE app.hits SET n = n + ? WHERE page = ?';
    const counterBatch = [
      { query: bump, params: [cassandra.types.Long.fromNumber(2), 'home'] },
      { query: bump, params: [cassandra.types.Long.fromNumber(3), 'home'] },
    ];
    await client.batch(counterBatch, { prepare: true, counter: true });
    const hits = await client.execute("SELECT n FROM app.hits WHERE page = 'home'");
    expect(hits.first().get('n').toNumber()).toBe(5);
    const mixed = await client.batch(counterBatch, { prepare: true }).catch((e: unknown) => e);
    expect((mixed as Error).message).toBe('Cannot include a counter statement in a logged batch');
    const rows = await client.execute('SELECT k, c, v FROM app.events WHERE k IN (3, 4)');
    expect(rows.rows.map((r) => `${r.get('k')}/${r.get('c')}/${r.get('v')}`)).toEqual([
      '3/2/b',
      '3/3/c',
      '4/1/d',
    ]);
  });

  it('returns typed errors with the protocol codes', async () => {
    const invalid = await client.execute('SELECT * FROM app.missing').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(cassandra.errors.ResponseError);
    expect((invalid as cassandra.errors.ResponseError).code).toBe(cassandra.types.responseErrorCodes.invalid);
    expect((invalid as Error).message).toBe('unconfigured table missing');
    const syntax = await client.execute('SELEC * FROM app.events').catch((e: unknown) => e);
    expect((syntax as cassandra.errors.ResponseError).code).toBe(0x2000);
    const exists = await client
      .execute('CREATE TABLE app.events (k int PRIMARY KEY)')
      .catch((e: unknown) => e);
    expect((exists as cassandra.errors.ResponseError).code).toBe(0x2400);
    const batch = await client
      .batch(['SELECT * FROM app.events'], { prepare: false })
      .catch((e: unknown) => e);
    expect((batch as cassandra.errors.ResponseError).code).toBe(0x2200);
  });

  it('uses the session keyspace of USE per connection', async () => {
    const scoped = newClient(node.port, 'app');
    try {
      await scoped.connect();
      const result = await scoped.execute('SELECT v FROM events WHERE k = 3 AND c = 2');
      expect(result.first().get('v')).toBe('b');
    } finally {
      await scoped.shutdown();
    }
  });
});

describe('raw connections', () => {
  it('answers a v5 opening in v5 with the message drivers step down on, then closes', async () => {
    const raw = await RawClient.open(node.port);
    const frame = encodeFrame(
      { version: 5, isResponse: false, flags: 0, streamId: 0, opcode: Opcode.OPTIONS },
      new Uint8Array(0),
    );
    raw.sendBytes(frame);
    const bytes = await new Promise<Buffer>((resolve) => raw.socket.once('data', resolve));
    expect(bytes[0]).toBe(0x85);
    expect(bytes.toString('latin1')).toContain('Invalid or unsupported protocol version (5)');
    await raw.closedPromise;
  });

  it('refuses requests before STARTUP, negotiates lz4 and snappy, echoes stream ids', async () => {
    for (const compressor of [lz4Compressor, snappyCompressor]) {
      const raw = await RawClient.open(node.port);
      const early = await raw.request(
        {
          type: 'QUERY',
          query: 'SELECT * FROM system.local',
          parameters: { consistency: 'ONE', skipMetadata: false },
        },
        7,
      );
      expect(early.header.streamId).toBe(7);
      expect(early.message.type === 'ERROR' && early.message.error.code).toBe(ErrorCode.PROTOCOL_ERROR);
      const startup: StartupMessage = { type: 'STARTUP', options: startupOptions(compressor.name) };
      expect((await raw.request(startup, 1)).message.type).toBe('READY');
      raw.compressor = compressor;
      const query = 'SELECT release_version FROM system.local';
      for (let stream = 100; stream < 110; stream++)
        raw.send({ type: 'QUERY', query, parameters: { consistency: 'ONE', skipMetadata: false } }, stream);
      const answers = await raw.next(10);
      expect(answers.map((a) => a.header.streamId).sort()).toEqual([
        100, 101, 102, 103, 104, 105, 106, 107, 108, 109,
      ]);
      const first = answers[0]!.message;
      expect(first.type === 'RESULT' && first.result.kind === 'rows' && first.result.rows.length).toBe(1);
      raw.close();
    }
  });

  it('answers an oversized frame and garbage with a ProtocolError and closes only that connection', async () => {
    const big = await RawClient.open(node.port);
    expect((await big.request(STARTUP)).message.type).toBe('READY');
    // A header announcing a body longer than the limit: answered at once, before any body byte.
    const header = encodeFrame(
      { version: 4, isResponse: false, flags: 0, streamId: 9, opcode: Opcode.QUERY },
      new Uint8Array(0),
    );
    header.writeInt32BE(300 * 1024 * 1024, 5);
    big.sendBytes(header);
    const [tooBig] = await big.next(1);
    expect(tooBig!.header.streamId).toBe(9);
    expect(tooBig!.message.type === 'ERROR' && tooBig!.message.error.message).toContain('Request is too big');
    await big.closedPromise;

    const garbage = await RawClient.open(node.port);
    garbage.sendBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await garbage.closedPromise;

    const malformed = await RawClient.open(node.port);
    expect((await malformed.request(STARTUP)).message.type).toBe('READY');
    const body = Buffer.from([0, 0, 0, 50, 0x41]); // a [long string] claiming 50 bytes, holding 1
    malformed.sendBytes(
      encodeFrame({ version: 4, isResponse: false, flags: 0, streamId: 3, opcode: Opcode.QUERY }, body),
    );
    const [error] = await malformed.next(1);
    expect(error!.message.type === 'ERROR' && error!.message.error.code).toBe(ErrorCode.PROTOCOL_ERROR);
    await malformed.closedPromise;

    const alive = await client.execute('SELECT v FROM app.events WHERE k = 3 AND c = 2', [], {
      prepare: true,
    });
    expect(alive.first().get('v')).toBe('b');
  });

  it('pushes SCHEMA_CHANGE events to connections that registered', async () => {
    const raw = await RawClient.open(node.port);
    await raw.request(STARTUP);
    expect((await raw.request({ type: 'REGISTER', events: ['SCHEMA_CHANGE'] })).message.type).toBe('READY');
    await client.execute('CREATE TABLE app.evented (k int PRIMARY KEY)');
    const [event] = await raw.next(1);
    expect(event!.header.streamId).toBe(-1);
    expect(event!.message).toEqual({
      type: 'EVENT',
      event: { type: 'SCHEMA_CHANGE', change: 'CREATED', target: 'TABLE', keyspace: 'app', name: 'evented' },
    });
    raw.close();
  });

  it('executes named values, unset values and skips metadata on request', async () => {
    const raw = await RawClient.open(node.port);
    await raw.request(STARTUP);
    const prepared = await raw.request({
      type: 'PREPARE',
      query: 'INSERT INTO app.events (k, c, v) VALUES (:k, :c, :v)',
    });
    if (prepared.message.type !== 'RESULT' || prepared.message.result.kind !== 'prepared')
      throw new Error('not prepared');
    expect(prepared.message.result.partitionKeyIndexes).toEqual([0]);
    const int = (n: number): ProtocolValue => serialize(CqlTypes.int, n);
    const values: ProtocolValue[] = [int(5), int(1), serialize(CqlTypes.text, 'named')];
    const executed = await raw.request({
      type: 'EXECUTE',
      id: prepared.message.result.id,
      parameters: {
        consistency: 'ONE',
        skipMetadata: false,
        values: [values[2]!, values[0]!, values[1]!],
        valueNames: ['v', 'k', 'c'],
      },
    });
    expect(executed.message.type === 'RESULT' && executed.message.result.kind).toBe('void');
    const select = await raw.request({ type: 'PREPARE', query: 'SELECT v FROM app.events WHERE k = ?' });
    if (select.message.type !== 'RESULT' || select.message.result.kind !== 'prepared')
      throw new Error('not prepared');
    const rows = await raw.request({
      type: 'EXECUTE',
      id: select.message.result.id,
      parameters: { consistency: 'ONE', skipMetadata: true, values: [int(5)] },
    });
    if (rows.message.type !== 'RESULT' || rows.message.result.kind !== 'rows') throw new Error('no rows');
    expect(rows.message.result.metadata.columns).toBeUndefined();
    expect(Buffer.from(rows.message.result.rows[0]![0]!).toString()).toBe('named');
    const unknown = await raw.request({
      type: 'EXECUTE',
      id: new Uint8Array(16),
      parameters: { consistency: 'ONE', skipMetadata: false },
    });
    expect(unknown.message.type === 'ERROR' && unknown.message.error.code).toBe(ErrorCode.UNPREPARED);
    raw.close();
  });
});
