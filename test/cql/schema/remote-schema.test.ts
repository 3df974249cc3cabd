/**
 * Schema rows merged from a peer (`schemaPartitions` → `applyRemoteSchema`): the receiver ends on the
 * sender's schema and version, hears the changes as events, a drop travels as a tombstone, the
 * newer write wins whatever the order, and a payload naming a system keyspace is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SchemaChangeEvent, SchemaPartition } from '../../../cql/schema/index.js';
import { CqlTypes, serialize } from '../../../cql/types/index.js';
import { rejection, SchemaFixture } from './helpers.js';

const KEYSPACE = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}";

describe('merging a peer schema', () => {
  let a: SchemaFixture;
  let b: SchemaFixture;
  beforeEach(async () => {
    a = await SchemaFixture.create();
    b = await SchemaFixture.create();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  async function sync(from: SchemaFixture, to: SchemaFixture): Promise<SchemaChangeEvent[]> {
    return to.manager.applyRemoteSchema(await from.manager.schemaPartitions());
  }

  it('gives the receiver the same schema and version, announced as events in order', async () => {
    await a.ddl(KEYSPACE);
    await a.ddl('CREATE TYPE ks.point (x int, y int)');
    await a.ddl('CREATE TABLE ks.t (k int PRIMARY KEY, p frozen<point>)');
    const heard: SchemaChangeEvent[] = [];
    b.manager.schema.onChange((event) => heard.push(event));
    const events = await sync(a, b);
    expect(events).toEqual([
      { change: 'CREATED', target: 'KEYSPACE', keyspace: 'ks' },
      { change: 'CREATED', target: 'TYPE', keyspace: 'ks', name: 'point' },
      { change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' },
    ]);
    expect(heard).toEqual(events);
    expect(b.manager.schema.version).toBe(a.manager.schema.version);
    const table = b.manager.schema.table('ks', 't');
    expect(table?.id).toBe(a.manager.schema.table('ks', 't')?.id);
    expect(b.engine.hasTable(table!.id)).toBe(true);
    expect(await sync(a, b)).toEqual([]); // the same rows again change nothing
  });

  it('carries drops and alterations, and keeps them across a restart', async () => {
    await a.ddl(KEYSPACE);
    await a.ddl('CREATE TABLE ks.gone (k int PRIMARY KEY)');
    await a.ddl('CREATE TABLE ks.kept (k int PRIMARY KEY)');
    await sync(a, b);
    const goneId = b.manager.schema.table('ks', 'gone')!.id;
    await a.ddl('DROP TABLE ks.gone');
    await a.ddl('ALTER TABLE ks.kept ADD v text');
    expect(await sync(a, b)).toEqual([
      { change: 'UPDATED', target: 'TABLE', keyspace: 'ks', name: 'kept' },
      { change: 'DROPPED', target: 'TABLE', keyspace: 'ks', name: 'gone' },
    ]);
    expect(b.engine.hasTable(goneId)).toBe(false);
    await b.restart();
    expect(b.manager.schema.version).toBe(a.manager.schema.version);
  });

  it('lets the newer write win whichever way the rows travel', async () => {
    await a.ddl(KEYSPACE);
    await sync(a, b);
    b.clock.advance(10);
    await b.ddl("ALTER KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
    await sync(a, b); // older rows: nothing changes on b
    expect(b.manager.schema.keyspace('ks')?.replication.replication_factor).toBe('3');
    await sync(b, a);
    expect(a.manager.schema.keyspace('ks')?.replication.replication_factor).toBe('3');
    expect(a.manager.schema.version).toBe(b.manager.schema.version);
    // A later local DDL on a is written above the timestamps it merged, so it wins in turn.
    await a.ddl('CREATE TABLE ks.after (k int PRIMARY KEY)');
    await sync(a, b);
    expect(b.manager.schema.table('ks', 'after')).toBeDefined();
  });

  it('refuses rows of a system keyspace or of a table that is not exchanged', async () => {
    const key = serialize(CqlTypes.text, 'system');
    const empty = { deletion: null, staticRow: null, rangeTombstones: [], rows: [] };
    const system: SchemaPartition = { table: 'keyspaces', partition: { key, ...empty } };
    expect((await rejection(b.manager.applyRemoteSchema([system]))).code).toBe('INVALID_SCHEMA_PAYLOAD');
    const other = { table: 'indexes', partition: { key: serialize(CqlTypes.text, 'ks'), ...empty } };
    const refused = await rejection(b.manager.applyRemoteSchema([other as unknown as SchemaPartition]));
    expect(refused.code).toBe('INVALID_SCHEMA_PAYLOAD');
  });
});
