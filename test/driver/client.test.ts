/**
 * Sibyl's driver against a real node started in this process, over TCP on 127.0.0.1: connect and
 * metadata, DDL, every common type through prepared and unprepared statements, paging, batches,
 * error codes, token routing that agrees with the server, compression.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CqlDecimal,
  CqlDuration,
  CqlTypes,
  LocalDate,
  LocalTime,
  serialize,
  tupleOf,
  udt,
} from '../../cql/types/index.js';
import type { EmbeddedNode } from '../../driver/embedded.js';
import {
  Client,
  DriverError,
  errorCodes,
  NoHostAvailableError,
  ResponseError,
  type Row,
} from '../../driver/index.js';
import { removeDir, startTestNode, tempDir } from './helpers.js';

let dir: string;
let node: EmbeddedNode;
let client: Client;

beforeAll(async () => {
  dir = await tempDir();
  node = await startTestNode(dir);
  client = await node.client();
  await client.execute(
    "CREATE KEYSPACE drv WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  await client.execute('USE drv');
  await client.execute('CREATE TYPE address (street text, zip int)');
  await client.execute(`CREATE TABLE everything (
    id int PRIMARY KEY, big bigint, name text, u uuid, tu timeuuid, ts timestamp, flag boolean,
    d double, dec decimal, vi varint, data blob, nums list<int>, tags set<text>, scores map<text, int>,
    home frozen<address>, pair frozen<tuple<int, text>>, day date, at time, ip inet, small smallint,
    tiny tinyint, f float, span duration)`);
  await client.execute('CREATE TABLE pages (p int, c int, v text, PRIMARY KEY (p, c))');
  await client.execute('CREATE TABLE composite (a int, b text, c int, v text, PRIMARY KEY ((a, b), c))');
});

afterAll(async () => {
  await node?.close();
  await removeDir(dir);
});

const sample = {
  id: 1,
  big: 9007199254740993n,
  name: 'Ada Lovelace ✓',
  u: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  tu: '8e1e1b40-4a2c-11ef-8000-0a0b0c0d0e0f',
  ts: new Date('2026-11-26T10:00:00.123Z'),
  flag: true,
  d: 3.25,
  dec: CqlDecimal.parse('12.50'),
  vi: -123456789012345678901234567890n,
  data: Uint8Array.of(0, 1, 2, 255),
  nums: [3, 1, 2],
  tags: ['a', 'b'],
  scores: new Map([
    ['x', 1],
    ['y', 2],
  ]),
  home: { street: 'Main St', zip: 12345 },
  pair: [7, 'seven'],
  day: LocalDate.parse('2024-02-29'),
  at: LocalTime.parse('12:34:56.789'),
  ip: '10.0.0.1',
  small: -3,
  tiny: 5,
  f: 1.5,
  span: CqlDuration.parse('1h30m'),
};
const columns = Object.keys(sample);
const insertCql = `INSERT INTO everything (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

describe('connect', () => {
  it('reads the node from system.local with its data center and tokens', () => {
    expect(client.hosts).toEqual([
      { endpoint: node.contactPoint, dataCenter: 'datacenter1', up: true, tokens: 16 },
    ]);
  });

  it('refuses a localDataCenter that is not the contact point’s, naming the right one', async () => {
    const wrong = new Client({ contactPoints: [node.contactPoint], localDataCenter: 'dc9' });
    await expect(wrong.connect()).rejects.toThrow(/'dc9'.*'datacenter1'/);
    await wrong.shutdown();
  });

  it('fails with NoHostAvailableError and the per-host cause when nothing listens', async () => {
    const dead = new Client({ contactPoints: ['127.0.0.1:1'], localDataCenter: 'datacenter1' });
    const error = await dead.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHostAvailableError);
    expect([...(error as NoHostAvailableError).innerErrors.keys()]).toEqual(['127.0.0.1:1']);
    await dead.shutdown();
    await expect(dead.execute('SELECT * FROM system.local')).rejects.toBeInstanceOf(DriverError);
  });

  it('fails connect for a missing keyspace, and connects once it exists', async () => {
    await expect(node.client({ keyspace: 'later' })).rejects.toMatchObject({ code: errorCodes.INVALID });
    const early = new Client({
      contactPoints: [node.contactPoint],
      localDataCenter: 'datacenter1',
      keyspace: 'later',
    });
    await expect(early.connect()).rejects.toMatchObject({ code: errorCodes.INVALID });
    await client.execute(
      "CREATE KEYSPACE later WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    await early.connect();
    expect(early.keyspace).toBe('later');
    await early.shutdown();
  });

  it('runs requests in the keyspace given at connect', async () => {
    const inKeyspace = await node.client({ keyspace: 'drv' });
    const result = await inKeyspace.execute('SELECT * FROM everything WHERE id = 404');
    expect(result.rows).toEqual([]);
    await inKeyspace.shutdown();
  });
});

describe('types round-trip to equal JS values', () => {
  it('through a prepared statement (values bound by marker types)', async () => {
    await client.execute(
      insertCql,
      columns.map((c) => sample[c as keyof typeof sample]),
      { prepare: true },
    );
    const result = await client.execute('SELECT * FROM everything WHERE id = ?', [1], { prepare: true });
    expect(result.rowLength).toBe(1);
    expect(result.first()).toEqual(sample);
  });

  it('through an unprepared statement (types inferred, or hinted where JS cannot tell)', async () => {
    const hints = {
      id: 'int',
      u: 'uuid',
      tu: 'timeuuid',
      vi: 'varint',
      nums: 'list<int>',
      scores: 'map<text, int>',
      home: udt('drv', 'address', [
        { name: 'street', type: CqlTypes.text },
        { name: 'zip', type: CqlTypes.int },
      ]),
      pair: tupleOf([CqlTypes.int, CqlTypes.text]),
      ip: 'inet',
      small: 'smallint',
      tiny: 'tinyint',
      f: 'float',
    };
    const values = { ...sample, id: 2, tags: new Set(sample.tags) };
    const named = columns.map((c) => `:${c}`).join(', ');
    await client.execute(`INSERT INTO everything (${columns.join(', ')}) VALUES (${named})`, values, {
      hints,
    });
    const result = await client.execute('SELECT * FROM everything WHERE id = 2');
    expect(result.first()).toEqual({ ...sample, id: 2 });
  });

  it('reads a missing value as null and leaves unset values untouched', async () => {
    await client.execute('INSERT INTO everything (id, name) VALUES (?, ?)', [3, null], { prepare: true });
    await client.execute('UPDATE everything SET big = ?, name = ? WHERE id = ?', [7n, undefined, 3], {
      prepare: true,
    });
    const row = (await client.execute('SELECT id, big, name FROM everything WHERE id = 3')).first();
    expect(row).toEqual({ id: 3, big: 7n, name: null });
  });
});

describe('paging', () => {
  beforeAll(async () => {
    const insert = 'INSERT INTO pages (p, c, v) VALUES (?, ?, ?)';
    await Promise.all(
      Array.from({ length: 250 }, (_, c) => client.execute(insert, [1, c, `v${c}`], { prepare: true })),
    );
  });

  it('returns one page per execute and resumes from pageState', async () => {
    const query = 'SELECT c FROM pages WHERE p = ?';
    const first = await client.execute(query, [1], { prepare: true, fetchSize: 100 });
    expect(first.rowLength).toBe(100);
    expect(first.pageState).toMatch(/^[0-9a-f]+$/);
    const second = await client.execute(query, [1], {
      prepare: true,
      fetchSize: 100,
      pageState: first.pageState,
    });
    expect(second.rows[0]).toEqual({ c: 100 });
    const third = await client.execute(query, [1], {
      prepare: true,
      fetchSize: 100,
      pageState: second.rawPageState,
    });
    expect(third.rowLength).toBe(50);
    expect(third.pageState).toBeUndefined();
  });

  it('streams every row, fetching pages as they are consumed', async () => {
    const seen: number[] = [];
    for await (const row of client.stream('SELECT c FROM pages WHERE p = 1', [], { fetchSize: 64 })) {
      seen.push(row.c as number);
    }
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('eachRow delivers every page with autoPage, or one page and nextPage without', async () => {
    const all = await new Promise<number>((resolve, reject) => {
      let count = 0;
      client.eachRow(
        'SELECT c FROM pages WHERE p = 1',
        [],
        { fetchSize: 100, autoPage: true },
        () => count++,
        (error, result) => (error ? reject(error) : resolve(result?.rowLength === count ? count : -1)),
      );
    });
    expect(all).toBe(250);
    const paged = await new Promise<number[]>((resolve, reject) => {
      const rows: Row[] = [];
      const lengths: number[] = [];
      client.eachRow(
        'SELECT c FROM pages WHERE p = 1',
        [],
        { fetchSize: 200, prepare: true },
        (_, row) => rows.push(row),
        (error, result) => {
          if (error) return reject(error);
          lengths.push(result!.rowLength);
          if (result?.nextPage) result.nextPage();
          else resolve(lengths);
        },
      );
    });
    expect(paged).toEqual([200, 50]);
  });
});

describe('batch', () => {
  it('applies prepared and unprepared statements in one logged batch', async () => {
    await client.batch(
      [
        { query: 'INSERT INTO pages (p, c, v) VALUES (?, ?, ?)', params: [2, 1, 'one'] },
        { query: 'INSERT INTO pages (p, c, v) VALUES (?, ?, ?)', params: [2, 2, 'two'] },
      ],
      { prepare: true },
    );
    await client.batch(
      [
        "INSERT INTO pages (p, c, v) VALUES (2, 3, 'three')",
        "UPDATE pages SET v = 'uno' WHERE p = 2 AND c = 1",
      ],
      {
        logged: false,
      },
    );
    const rows = (await client.execute('SELECT c, v FROM pages WHERE p = 2')).rows;
    expect(rows).toEqual([
      { c: 1, v: 'uno' },
      { c: 2, v: 'two' },
      { c: 3, v: 'three' },
    ]);
  });

  it('runs counter batches', async () => {
    await client.execute('CREATE TABLE hits (k text PRIMARY KEY, n counter)');
    const bump = { query: 'UPDATE hits SET n = n + ? WHERE k = ?', params: [5n, 'home'] };
    await client.batch([bump, bump], { counter: true, prepare: true });
    expect((await client.execute("SELECT n FROM hits WHERE k = 'home'")).first()).toEqual({ n: 10n });
  });
});

describe('errors carry the server code and fields', () => {
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected an error'),
      (e: unknown) => e,
    );

  it('syntax error 0x2000', async () => {
    const error = await failure(client.execute('SELEC * FROM everything'));
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ code: errorCodes.SYNTAX_ERROR, name: 'SyntaxError' });
  });

  it('invalid request 0x2200', async () => {
    const error = await failure(client.execute('SELECT * FROM no_such_table'));
    expect(error).toMatchObject({ code: 0x2200, name: 'InvalidRequest' });
    // Also when preparing, and when a prepared statement gets a value of the wrong type is refused client-side.
    await expect(client.execute('SELECT * FROM no_such_table', [], { prepare: true })).rejects.toMatchObject({
      code: 0x2200,
    });
    await expect(
      client.execute('SELECT * FROM everything WHERE id = ?', ['x'], { prepare: true }),
    ).rejects.toThrow(/Parameter id \(int\)/);
  });

  it('already exists 0x2400 with keyspace and table', async () => {
    const error = await failure(client.execute('CREATE TABLE pages (p int PRIMARY KEY)'));
    expect(error).toMatchObject({ code: 0x2400, name: 'AlreadyExists', keyspace: 'drv', table: 'pages' });
  });
});

describe('token-aware routing', () => {
  it('computes the same token as the server for single and composite partition keys', async () => {
    const insert = await client.prepare('INSERT INTO composite (a, b, c, v) VALUES (?, ?, ?, ?)');
    expect(insert.partitionKeyIndexes).toEqual([0, 1]);
    await client.execute('INSERT INTO composite (a, b, c, v) VALUES (?, ?, ?, ?)', [42, 'key', 1, 'v'], {
      prepare: true,
    });
    const server = await client.execute(
      'SELECT token(a, b) AS t FROM composite WHERE a = 42 AND b = ?',
      ['key'],
      {
        prepare: true,
      },
    );
    const components = [serialize(CqlTypes.int, 42), serialize(CqlTypes.text, 'key')];
    const { getToken } = await import('../../ring/murmur3-partitioner.js');
    const { serializePartitionKey } = await import('../../ring/composite-key.js');
    expect(server.first()?.t).toBe(getToken(serializePartitionKey(components)));
    expect(client.getReplicas('drv', components)).toEqual([node.contactPoint]);
  });

  it('routes to the coordinator owning the token', async () => {
    const result = await client.execute('SELECT * FROM composite WHERE a = ? AND b = ?', [42, 'key'], {
      prepare: true,
    });
    expect(result.info.queriedHost).toBe(node.contactPoint);
  });
});

describe('compression', () => {
  it('talks lz4 and snappy', async () => {
    for (const compression of ['lz4', 'snappy'] as const) {
      const compressed = await node.client({ compression, keyspace: 'drv' });
      const text = 'x'.repeat(50_000);
      await compressed.execute('INSERT INTO pages (p, c, v) VALUES (?, ?, ?)', [3, 1, text], {
        prepare: true,
      });
      expect((await compressed.execute('SELECT v FROM pages WHERE p = 3')).first()).toEqual({ v: text });
      await compressed.shutdown();
    }
  });
});
