/** The schema lives in system_schema: it survives a crash and reproduces the same version. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyspaceMetadata, SchemaChangeEvent } from '../../../cql/schema/index.js';
import { schemaTable } from '../../../cql/schema/index.js';
import { decodeRow } from '../../../cql/schema/schema-rows.js';
import { CqlTypes, deserialize, serialize } from '../../../cql/types/index.js';
import { serializePartitionKey } from '../../../ring/composite-key.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { insertPartition } from '../../../storage/model.js';
import { livePartition } from '../../../storage/read-filter.js';
import { SchemaFixture } from './helpers.js';

const SCRIPT = [
  "CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 2} AND durable_writes = false",
  'CREATE TYPE ks.address (street text, zip int)',
  'CREATE TYPE ks.person (name text, home frozen<address>)',
  "CREATE TABLE ks.t (k int, c text, d timestamp, s frozen<person> STATIC, v map<text, int>, a address, PRIMARY KEY ((k, c), d)) WITH CLUSTERING ORDER BY (d DESC) AND comment = 'c' AND gc_grace_seconds = 5 AND compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '10'}",
  'CREATE TABLE ks.counts (k int PRIMARY KEY, n counter)',
  'ALTER TABLE ks.t ADD extra int',
  'ALTER TABLE ks.t DROP v USING TIMESTAMP 1700000000123456',
  'ALTER TYPE ks.address ADD city text',
];

/** Metadata as comparable plain data (maps to sorted entries). */
function plain(keyspaces: Iterable<KeyspaceMetadata>): unknown {
  const toPlain = (value: unknown): unknown => {
    if (value instanceof Map)
      return [...value.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, toPlain(v)]);
    if (Array.isArray(value)) return value.map(toPlain);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
    return value;
  };
  return toPlain([...keyspaces].sort((a, b) => (a.name < b.name ? -1 : 1)));
}

describe('schema persistence', () => {
  let f: SchemaFixture;
  beforeEach(async () => {
    f = await SchemaFixture.create();
  });
  afterEach(async () => {
    await f.close();
  });

  it('a restart without flush reproduces the same schema and version', async () => {
    for (const statement of SCRIPT) await f.ddl(statement);
    const before = plain(f.manager.view.keyspaces());
    const version = f.manager.view.version;
    await f.restart();
    expect(plain(f.manager.view.keyspaces())).toEqual(before);
    expect(f.manager.view.version).toBe(version);
    const t = f.manager.schema.table('ks', 't')!;
    expect(t.droppedColumns.get('v')).toEqual({
      type: { kind: 'map', key: CqlTypes.text, value: CqlTypes.int, frozen: false },
      droppedTime: 1_700_000_000_123_000,
      kind: 'regular',
    });
    expect(
      f.manager.schema
        .keyspace('ks')!
        .types.get('address')!
        .fields.map((x) => x.name),
    ).toEqual(['street', 'zip', 'city']);
    // The table's column of the altered type follows the type.
    expect(t.columns.get('a')!.type).toMatchObject({ kind: 'udt', name: 'address', frozen: false });
    expect((t.columns.get('a')!.type as { fields: readonly unknown[] }).fields).toHaveLength(3);
  });

  it('the version changes on every change, not on a no-op, and is stable across restarts', async () => {
    const versions = new Set([f.manager.view.version]);
    for (const statement of SCRIPT) {
      await f.ddl(statement);
      versions.add(f.manager.view.version);
    }
    expect(versions.size).toBe(SCRIPT.length + 1);
    const last = f.manager.view.version;
    await f.ddl('CREATE TABLE IF NOT EXISTS ks.counts (k int PRIMARY KEY, n counter)');
    expect(f.manager.view.version).toBe(last);
    await f.restart();
    await f.restart();
    expect(f.manager.view.version).toBe(last);
    await f.ddl('DROP KEYSPACE ks');
    expect(f.manager.view.version).toBe('59adb24e-f3cd-3e02-97f0-5b395827453f');
  });

  it('user tables are usable after a crash: unflushed writes are replayed into them', async () => {
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    await f.ddl('CREATE TABLE ks.kv (k int PRIMARY KEY, v text)');
    const id = f.manager.schema.table('ks', 'kv')!.id;
    const keyBytes = serializePartitionKey([serialize(CqlTypes.int, 7)]);
    const key = { token: getToken(keyBytes), key: keyBytes };
    await f.engine.apply({
      tableId: id,
      partition: insertPartition(key, [], { v: serialize(CqlTypes.text, 'seven') }, 1),
    });
    await f.restart();
    expect(f.manager.schema.table('ks', 'kv')!.id).toBe(id);
    const read = await f.engine.read(id, key);
    const cell = read!.rows[0]!.cells.find((c) => c.column === 'v')!;
    expect(deserialize(CqlTypes.text, cell.value!)).toBe('seven');
  });

  it('DROP TABLE and DROP KEYSPACE remove storage, and the tables stay gone after restart', async () => {
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    await f.ddl('CREATE TABLE ks.a (k int PRIMARY KEY)');
    await f.ddl('CREATE TABLE ks.b (k int PRIMARY KEY)');
    const a = f.manager.schema.table('ks', 'a')!.id;
    const b = f.manager.schema.table('ks', 'b')!.id;
    await f.ddl('DROP TABLE ks.a');
    expect(f.engine.hasTable(a)).toBe(false);
    expect(f.engine.hasTable(b)).toBe(true);
    await f.restart();
    expect(f.manager.schema.table('ks', 'a')).toBeUndefined();
    expect(f.engine.hasTable(b)).toBe(true);
    await f.ddl('DROP KEYSPACE ks');
    expect(f.engine.hasTable(b)).toBe(false);
    await f.restart();
    expect(f.manager.view.keyspace('ks')).toBeUndefined();
    // The name can be used again, for a new table with a new id.
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    await f.ddl('CREATE TABLE ks.b (k int PRIMARY KEY, v int)');
    expect(f.manager.schema.table('ks', 'b')!.id).not.toBe(b);
    await f.restart();
    expect([...f.manager.schema.table('ks', 'b')!.columns.keys()]).toEqual(['k', 'v']);
  });

  it('TRUNCATE empties the table; errors for unknown tables and system tables', async () => {
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    await f.ddl('CREATE TABLE ks.kv (k int PRIMARY KEY, v int)');
    const id = f.manager.schema.table('ks', 'kv')!.id;
    const keyBytes = serialize(CqlTypes.int, 1);
    const key = { token: getToken(keyBytes), key: keyBytes };
    await f.engine.apply({ tableId: id, partition: insertPartition(key, [], { v: keyBytes }, 1) });
    await f.manager.truncate({ name: 'kv' }, { keyspace: 'ks' });
    expect(await f.engine.read(id, key)).toBeNull();
    await expect(f.manager.truncate({ keyspace: 'ks', name: 'nope' }, {})).rejects.toMatchObject({
      protocolCode: 0x2200,
      message: 'unconfigured table nope',
    });
    await expect(f.manager.truncate({ keyspace: 'system', name: 'local' }, {})).rejects.toMatchObject({
      protocolCode: 0x2100,
    });
  });

  it('listeners hear every change, in order, and not no-ops', async () => {
    const events: SchemaChangeEvent[] = [];
    const stop = f.manager.schema.onChange((e) => events.push(e));
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    await f.ddl('CREATE TABLE ks.t (k int PRIMARY KEY)');
    await f.ddl('CREATE TABLE IF NOT EXISTS ks.t (k int PRIMARY KEY)');
    await f.ddl('CREATE TYPE ks.u (a int)');
    stop();
    await f.ddl('DROP KEYSPACE ks');
    expect(events).toEqual([
      { change: 'CREATED', target: 'KEYSPACE', keyspace: 'ks' },
      { change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' },
      { change: 'CREATED', target: 'TYPE', keyspace: 'ks', name: 'u' },
    ]);
  });

  it('concurrent DDL statements run one at a time', async () => {
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        f.ddl(`CREATE TABLE IF NOT EXISTS ks.t${i % 3} (k int PRIMARY KEY)`),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect([...f.manager.view.keyspace('ks')!.tables.keys()].sort()).toEqual(['t0', 't1', 't2']);
    const version = f.manager.view.version;
    await f.restart();
    expect(f.manager.view.version).toBe(version);
  });

  it('writes system_schema rows as Cassandra stores them', async () => {
    await f.ddl(
      "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '3'}",
    );
    await f.ddl(
      'CREATE TABLE ks.t (k int, c text, v list<int>, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC)',
    );
    const rows = async (table: 'keyspaces' | 'tables' | 'columns') => {
      const all: Map<string, unknown>[] = [];
      for await (const p of f.engine.scan(schemaTable(table).id)) {
        const live = livePartition(p, Math.floor(f.clock.nowMs() / 1000));
        const keyspace = deserialize(CqlTypes.text, p.key.key);
        for (const row of live?.rows ?? [])
          all.push(new Map([['keyspace_name', keyspace], ...decodeRow(table, row)]));
      }
      return all.filter((r) => r.get('keyspace_name') === 'ks');
    };
    const [keyspace] = await rows('keyspaces');
    expect(keyspace!.get('replication')).toEqual(
      new Map([
        ['class', 'org.apache.cassandra.locator.SimpleStrategy'],
        ['replication_factor', '3'],
      ]),
    );
    expect(keyspace!.get('durable_writes')).toBe(true);
    const [table] = await rows('tables');
    expect(table!.get('flags')).toEqual(['compound']);
    expect(table!.get('id')).toBe(f.manager.schema.table('ks', 't')!.id);
    expect(table!.get('compaction')).toEqual(
      new Map([
        ['class', 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy'],
        ['max_threshold', '32'],
        ['min_threshold', '4'],
      ]),
    );
    expect(table!.get('speculative_retry')).toBe('99p');
    const columns = (await rows('columns')).map((r) => [
      r.get('column_name'),
      r.get('kind'),
      r.get('position'),
      r.get('clustering_order'),
      r.get('type'),
      Buffer.from(r.get('column_name_bytes') as Uint8Array).toString(),
    ]);
    expect(columns).toEqual([
      ['c', 'clustering', 0, 'desc', 'text', 'c'],
      ['k', 'partition_key', 0, 'none', 'int', 'k'],
      ['v', 'regular', -1, 'none', 'list<int>', 'v'],
    ]);
  });
});
