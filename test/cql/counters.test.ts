/**
 * Counters through the QueryProcessor on a real storage engine: many increments in flight at once
 * (prepared statements, protocol batches, a flush among them) give the exact totals with no lock in
 * cql/; a counter write reads nothing and is handed to the store as a counter write; consistency
 * levels Cassandra refuses for counters are refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { LocalDataStore } from '../../cql/executor/index.js';
import { decoratedKey } from '../../cql/executor/keys.js';
import type { QueryResult, Session } from '../../cql/query-processor.js';
import { QueryProcessor } from '../../cql/query-processor.js';
import { CqlTypes, deserialize, serialize } from '../../cql/types/index.js';
import { counterIdFromHostId, decodeContext } from '../../storage/counter-context.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { tempDir } from '../storage/helpers.js';
import { RecordingStore } from './executor/fixture.js';

const HOST_ID = '0000000a-0000-4000-8000-00000000000a';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(): Promise<{ engine: StorageEngine; processor: QueryProcessor; store: RecordingStore }> {
  const { dir, cleanup } = await tempDir('sibyl-cql-counters-');
  cleanups.push(cleanup);
  const clock = new ManualClock();
  const engine = await StorageEngine.open({ dataDir: dir, clock, options: { flushInWorkerThread: false } });
  cleanups.push(() => engine.close({ flush: false }));
  const store = new RecordingStore(new LocalDataStore(engine, counterIdFromHostId(HOST_ID)));
  const processor = await QueryProcessor.open(engine, {
    clock,
    random: (n) => randomBytes(n),
    randomUuid: () => randomUUID(),
    store,
  });
  const session: Session = {};
  await processor.execute(
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    session,
  );
  await processor.execute(
    'CREATE TABLE ks.hits (page text, day int, n counter, m counter, PRIMARY KEY (page, day))',
    session,
  );
  return { engine, processor, store };
}

const bigint = (n: bigint) => serialize(CqlTypes.bigint, n);
const text = (s: string) => serialize(CqlTypes.text, s);
const int = (n: number) => serialize(CqlTypes.int, n);

function rows(result: QueryResult): (bigint | string | number | null)[][] {
  if (result.kind !== 'rows') throw new Error(`expected rows, got ${result.kind}`);
  const types = result.result.columns.map((c) => c.type);
  return result.result.rows.map((r) =>
    r.map((v, i) => (v === null ? null : (deserialize(types[i]!, v) as bigint | string | number))),
  );
}

describe('counters through the query processor', () => {
  it('many increments in flight give the exact totals (no lock in cql/)', async () => {
    const { engine, processor } = await open();
    const session: Session = {};
    const update = processor.prepare(
      'UPDATE ks.hits SET n = n + ?, m = m - ? WHERE page = ? AND day = ?',
      session,
    );
    const pages = ['home', 'about', 'blog'];
    const expected = new Map<string, bigint>();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < 1_500; i++) {
      const page = pages[i % 3]!;
      const delta = BigInt((i % 11) - 4);
      expected.set(page, (expected.get(page) ?? 0n) + delta);
      inFlight.push(processor.executePrepared(update.id, [bigint(delta), bigint(delta), text(page), int(1)]));
      if (i === 700) inFlight.push(engine.flush());
      if (i % 100 === 0) {
        // A protocol counter batch among them: two increments of one cell add up.
        expected.set('home', (expected.get('home') ?? 0n) + 2n);
        inFlight.push(
          processor.executeBatch(
            [
              { kind: 'prepared', id: update.id, values: [bigint(1n), bigint(1n), text('home'), int(1)] },
              {
                kind: 'query',
                query: "UPDATE ks.hits SET n = n + 1, m = m - 1 WHERE page = 'home' AND day = 1",
                values: [],
              },
            ],
            'counter',
            session,
          ),
        );
      }
    }
    await Promise.all(inFlight);
    const result = rows(await processor.execute('SELECT page, n, m FROM ks.hits', session));
    expect(new Map(result.map(([page, n]) => [page as string, n as bigint]))).toEqual(expected);
    for (const [, n, m] of result) expect(m).toBe(-(n as bigint));
    // One shard, this node's, whose clock counts the leader steps of the cell.
    const table = processor.schema.schema.table('ks', 'hits')!;
    const stored = await engine.read(table.id, decoratedKey(table, [text('blog')]));
    const shards = decodeContext(stored!.rows[0]!.cells.find((c) => c.column === 'n')!.value!);
    expect(shards.map((s) => s.counterId)).toEqual([counterIdFromHostId(HOST_ID)]);
    expect(shards[0]!.clock).toBe(500n);
  });

  it('a counter update reads nothing and reaches the store as a counter write of delta cells', async () => {
    const { processor, store } = await open();
    const session: Session = {};
    await processor.execute("UPDATE ks.hits SET n = n + 5 WHERE page = 'x' AND day = 2", session);
    await processor.execute(
      "BEGIN COUNTER BATCH UPDATE ks.hits SET n = n + 1 WHERE page = 'x' AND day = 2 APPLY BATCH",
      session,
    );
    await processor.execute("DELETE m FROM ks.hits WHERE page = 'x' AND day = 2", session);
    expect(store.reads).toBe(0);
    expect(store.writes.map((w) => w.options.counter)).toEqual([true, true, true]);
    const [first] = store.writes[0]!.mutations;
    expect(first!.partition.rows[0]!.cells.map((c) => [c.column, c.counter])).toEqual([['n', 'delta']]);
    expect(rows(await processor.execute("SELECT n, m FROM ks.hits WHERE page = 'x'", session))).toEqual([
      [6n, null],
    ]);
  });

  it('refuses consistency levels Cassandra refuses for counter writes', async () => {
    const { processor } = await open();
    const session: Session = {};
    const cql = "UPDATE ks.hits SET n = n + 1 WHERE page = 'x' AND day = 1";
    await expect(processor.execute(cql, session, [], { consistency: 'ANY' })).rejects.toThrow(
      'Consistency level ANY is not yet supported for counter table hits',
    );
    await expect(processor.execute(cql, session, [], { consistency: 'SERIAL' })).rejects.toThrow(
      'Counter operations are inherently non-serializable',
    );
    await expect(
      processor.executeBatch([{ kind: 'query', query: cql, values: [] }], 'counter', session, {
        consistency: 'ANY',
      }),
    ).rejects.toThrow('Consistency level ANY is not yet supported for counter table hits');
    expect(rows(await processor.execute('SELECT n FROM ks.hits', session))).toEqual([]);
  });
});
