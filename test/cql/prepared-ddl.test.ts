/**
 * Cassandra prepares any statement, and drivers told to prepare everything send DDL and TRUNCATE as
 * PREPARE + EXECUTE: those run as their text would, in the keyspace of the session that prepared them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { QueryProcessor, type Session } from '../../cql/query-processor.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { tempDir } from '../storage/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(): Promise<QueryProcessor> {
  const { dir, cleanup } = await tempDir('sibyl-prepared-ddl-');
  cleanups.push(cleanup);
  const clock = new ManualClock();
  const engine = await StorageEngine.open({ dataDir: dir, clock, options: { flushInWorkerThread: false } });
  cleanups.push(() => engine.close({ flush: false }));
  return QueryProcessor.open(engine, {
    clock,
    random: (n) => randomBytes(n),
    randomUuid: () => randomUUID(),
  });
}

it('prepares and executes CREATE KEYSPACE, CREATE TABLE (session keyspace) and TRUNCATE', async () => {
  const processor = await open();
  const session: Session = {};
  const createKs = processor.prepare(
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    session,
  );
  expect(createKs.bindMarkers).toEqual([]);
  const created = await processor.executePrepared(createKs.id);
  expect(created).toMatchObject({ kind: 'schema_change', change: { change: 'CREATED', target: 'KEYSPACE' } });

  session.keyspace = 'ks';
  const createTable = processor.prepare('CREATE TABLE t (k int PRIMARY KEY, v int)', session);
  // The keyspace is the one of the session that prepared it, whatever the session does next.
  session.keyspace = undefined;
  await processor.executePrepared(createTable.id);
  await processor.execute('INSERT INTO ks.t (k, v) VALUES (1, 2)', session);

  const truncate = processor.prepare('TRUNCATE ks.t', session);
  expect(await processor.executePrepared(truncate.id)).toEqual({ kind: 'void', warnings: [] });
  const rows = await processor.execute('SELECT * FROM ks.t', session);
  expect(rows.kind === 'rows' && rows.result.rows.length).toBe(0);

  // Executed again: Cassandra's error for an existing keyspace, as the text would give.
  await expect(processor.executePrepared(createKs.id)).rejects.toThrow('Cannot add existing keyspace "ks"');
});

it("refuses bind markers in a schema statement, as Cassandra's grammar does", async () => {
  const processor = await open();
  expect(() => processor.prepare('CREATE TABLE ks.t (k int PRIMARY KEY) WITH comment = ?', {})).toThrow(
    "no viable alternative at input '?'",
  );
});
