/**
 * CQL layer benchmark (issue: CQL on one node): 200k prepared INSERTs and 200k prepared SELECTs by
 * key through the query processor (no network), next to the same writes and reads done directly on
 * the storage engine in the same run, both with 64 operations in flight. Goal: the CQL layer keeps at
 * least 65% of the engine's throughput (ratio >= 0.65).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getToken } from '../ring/murmur3-partitioner.js';
import { insertPartition } from '../storage/model.js';
import { bigintKey, openProcessor, readIndex, runPreparedKv, windowLine } from './cql-workload.js';
import { slidingWindow, type WindowResult } from './window.js';

const OPERATIONS = Number(process.env.BENCH_CQL_OPS ?? 200_000);
const IN_FLIGHT = 64;

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sibyl-bench-cql-'));
  const { engine, processor } = await openProcessor(root, ['cql_kv', 'raw_kv']);
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
      const key = keys[readIndex(i, OPERATIONS)]!;
      if (!(await engine.read(raw.id, { token: getToken(key), key }))) throw new Error('raw row missing');
    });

    const cql = await runPreparedKv(processor, 'cql_kv', keys, values, IN_FLIGHT);
    report(storageWrite, storageRead, cql.insert, cql.select);
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
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  console.log(`cql: ${OPERATIONS} prepared INSERTs and SELECTs, ${IN_FLIGHT} in flight`);
  console.log(windowLine('storage engine write', storageWrite));
  console.log(windowLine('cql prepared INSERT', cqlInsert));
  console.log(windowLine('storage engine read', storageRead));
  console.log(windowLine('cql prepared SELECT', cqlSelect));
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
