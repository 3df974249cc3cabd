/**
 * The prepared key-value workload of the CQL benchmarks (200k INSERTs, then SELECTs by key), run on
 * the in-process QueryProcessor of an embedded storage engine: `bench cql` compares it with the
 * storage engine, `bench client` uses it as the reference the network path is measured against.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock } from '../common/clock.js';
import { QueryProcessor } from '../cql/query-processor.js';
import { StorageEngine } from '../storage/storage-engine.js';
import { slidingWindow, type WindowResult } from './window.js';

/** Keys spread over the ring (a multiplicative hash of i), as 8-byte bigint values. */
export function bigintKey(i: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigInt64BE(BigInt(i) * 2654435761n);
  return key;
}

/** The key a read of operation `i` looks up: a stride over every written key, not the write order. */
export function readIndex(i: number, count: number): number {
  return (i * 7919) % count;
}

export interface EmbeddedProcessor {
  readonly engine: StorageEngine;
  readonly processor: QueryProcessor;
}

/** An engine in `dir` with keyspace `bench` and a `(k bigint PRIMARY KEY, v blob)` table per name. */
export async function openProcessor(dir: string, tables: readonly string[]): Promise<EmbeddedProcessor> {
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
  for (const table of tables) {
    await processor.execute(`CREATE TABLE bench.${table} (k bigint PRIMARY KEY, v blob)`, session);
  }
  return { engine, processor };
}

/**
 * `warmUpCount` keys, distinct from the measured ones (negative), written and read first and not
 * measured: the JIT has compiled the hot path before the clock starts.
 */
export function warmUpKeys(warmUpCount: number): Buffer[] {
  return Array.from({ length: warmUpCount }, (_, i) => bigintKey(-(i + 1)));
}

/**
 * Prepared INSERTs of every (key, value), then as many prepared SELECTs by key, each row checked;
 * with `warmUpCount`, the same on other keys first, unmeasured.
 */
export async function runPreparedKv(
  processor: QueryProcessor,
  table: string,
  keys: readonly Buffer[],
  values: readonly Buffer[],
  inFlight: number,
  warmUpCount = 0,
): Promise<{ insert: WindowResult; select: WindowResult }> {
  const insertStatement = processor.prepare(`INSERT INTO bench.${table} (k, v) VALUES (?, ?)`, {});
  const selectStatement = processor.prepare(`SELECT v FROM bench.${table} WHERE k = ?`, {});
  if (warmUpCount > 0) {
    const warmKeys = warmUpKeys(warmUpCount);
    await preparedKvPhases(processor, insertStatement.id, selectStatement.id, warmKeys, values, inFlight);
  }
  return preparedKvPhases(processor, insertStatement.id, selectStatement.id, keys, values, inFlight);
}

async function preparedKvPhases(
  processor: QueryProcessor,
  insertId: Uint8Array,
  selectId: Uint8Array,
  keys: readonly Buffer[],
  values: readonly Buffer[],
  inFlight: number,
): Promise<{ insert: WindowResult; select: WindowResult }> {
  const count = keys.length;
  const insert = await slidingWindow(count, inFlight, (i) =>
    processor.executePrepared(insertId, [keys[i]!, values[i]!]),
  );
  const select = await slidingWindow(count, inFlight, async (i) => {
    const result = await processor.executePrepared(selectId, [keys[readIndex(i, count)]!]);
    if (result.kind !== 'rows' || result.result.rows.length !== 1) throw new Error('cql row missing');
  });
  return { insert, select };
}

/** One aligned line: name, ops/s, p50 and p99. */
export function windowLine(name: string, r: WindowResult): string {
  return `${name.padEnd(28)} ${String(r.opsPerSecond).padStart(9)} ops/s   p50 ${r.p50Micros} µs   p99 ${r.p99Micros} µs`;
}
