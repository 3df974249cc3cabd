/**
 * CQL layer benchmark (issue: CQL on one node): 200k prepared INSERTs and 200k prepared SELECTs by
 * key through the query processor (no network), next to the same writes and reads done directly on
 * the storage engine in the same run, both with 64 operations in flight. Goal: the CQL layer keeps at
 * least 65% of the engine's throughput (ratio >= 0.65).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../common/clock.js';
import { QueryProcessor } from '../cql/query-processor.js';
import { getToken } from '../ring/murmur3-partitioner.js';
import { insertPartition } from '../storage/model.js';
import { StorageEngine } from '../storage/storage-engine.js';
import { slidingWindow, type WindowResult } from './window.js';

const OPERATIONS = Number(process.env.BENCH_CQL_OPS ?? 200_000);
const IN_FLIGHT = 64;

function bigintKey(i: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigInt64BE(BigInt(i) * 2654435761n);
  return key;
}

async function open(dir: string): Promise<{ engine: StorageEngine; processor: QueryProcessor }> {
  const engine = await StorageEngine.open({ dataDir: dir });
  const processor = await QueryProcessor.open(engine, {
    clock: systemClock,
    random: (n) => randomBytes(n),
    randomUuid: () => randomUUID(),
  });
  const session = {};
  await processor.execute(
    "CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    session,
  );
  await processor.execute('CREATE TABLE bench.cql_kv (k bigint PRIMARY KEY, v blob)', session);
  await processor.execute('CREATE TABLE bench.raw_kv (k bigint PRIMARY KEY, v blob)', session);
  return { engine, processor };
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sibyl-bench-cql-'));
  const { engine, processor } = await open(root);
  try {
    const keys = Array.from({ length: OPERATIONS }, (_, i) => bigintKey(i));
    const values = Array.from({ length: OPERATIONS }, () => randomBytes(100));
    const raw = processor.schema.view.keyspace('bench')!.tables.get('raw_kv')!;
    const now = Date.now() * 1000;

    const storageWrite = await slidingWindow(OPERATIONS, IN_FLIGHT, (i) =>
      engine.apply({
        tableId: raw.id,
        partition: insertPartition(
          { token: getToken(keys[i]!), key: keys[i]! },
          [],
          { v: values[i]! },
          now + i,
        ),
      }),
    );
    const storageRead = await slidingWindow(OPERATIONS, IN_FLIGHT, async (i) => {
      const key = keys[(i * 7919) % OPERATIONS]!;
      if (!(await engine.read(raw.id, { token: getToken(key), key }))) throw new Error('raw row missing');
    });

    const insert = processor.prepare('INSERT INTO bench.cql_kv (k, v) VALUES (?, ?)', {});
    const select = processor.prepare('SELECT v FROM bench.cql_kv WHERE k = ?', {});
    const cqlInsert = await slidingWindow(OPERATIONS, IN_FLIGHT, (i) =>
      processor.executePrepared(insert.id, [keys[i]!, values[i]!]),
    );
    const cqlSelect = await slidingWindow(OPERATIONS, IN_FLIGHT, async (i) => {
      const result = await processor.executePrepared(select.id, [keys[(i * 7919) % OPERATIONS]!]);
      if (result.kind !== 'rows' || result.result.rows.length !== 1) throw new Error('cql row missing');
    });
    report(storageWrite, storageRead, cqlInsert, cqlSelect);
  } finally {
    await engine.close({ flush: false });
    await rm(root, { recursive: true, force: true });
  }
}

function report(
  storageWrite: WindowResult,
  storageRead: WindowResult,
  cqlInsert: WindowResult,
  cqlSelect: WindowResult,
): void {
  const line = (name: string, r: WindowResult) =>
    `${name.padEnd(24)} ${String(r.opsPerSecond).padStart(9)} ops/s   p50 ${r.p50Micros} µs   p99 ${r.p99Micros} µs`;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  console.log(`cql: ${OPERATIONS} prepared INSERTs and SELECTs, ${IN_FLIGHT} in flight`);
  console.log(line('storage engine write', storageWrite));
  console.log(line('cql prepared INSERT', cqlInsert));
  console.log(line('storage engine read', storageRead));
  console.log(line('cql prepared SELECT', cqlSelect));
  console.log(
    JSON.stringify({
      bench: 'cql',
      insert_ops: cqlInsert.opsPerSecond,
      select_ops: cqlSelect.opsPerSecond,
      storage_write_ops: storageWrite.opsPerSecond,
      storage_read_ops: storageRead.opsPerSecond,
      insert_vs_storage: ratio(cqlInsert.opsPerSecond, storageWrite.opsPerSecond),
      select_vs_storage: ratio(cqlSelect.opsPerSecond, storageRead.opsPerSecond),
    }),
  );
}
