/** Shared by the batchlog tests: a node's storage (engine + CQL), user mutations, batches. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../common/clock.js';
import type { StorageOptions } from '../../../common/limits.js';
import type { DataStore } from '../../../cql/executor/data-store.js';
import { QueryProcessor } from '../../../cql/query-processor.js';
import { CqlTypes, deserialize, serialize } from '../../../cql/types/index.js';
import { serializePartitionKey } from '../../../ring/composite-key.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import type { Mutation } from '../../../storage/model.js';
import { insertPartition } from '../../../storage/model.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import { tempDir } from '../../storage/helpers.js';

/** The user table every batchlog test writes to; the same id on every node, as schema agreement gives. */
export const TABLE_ID = '5a1e0000-0000-4000-8000-00000000ba7c';

export interface StorageNode {
  readonly dir: string;
  engine: StorageEngine;
  processor: QueryProcessor;
  /** Closes the engine (without flushing: as a crash leaves it) and reopens it from the same files. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The DataStore a node's QueryProcessor writes through (default: the local engine). */
export type StoreFactory = (engine: StorageEngine) => DataStore;

async function openStorage(
  dir: string,
  clock: Clock,
  options: Partial<StorageOptions>,
  makeStore: StoreFactory | undefined,
): Promise<{ engine: StorageEngine; processor: QueryProcessor }> {
  const engine = await StorageEngine.open({
    dataDir: dir,
    clock,
    options: { flushInWorkerThread: false, ...options },
  });
  const processor = await QueryProcessor.open(engine, {
    clock,
    random: (n) => randomBytes(n),
    randomUuid: () => randomUUID(),
    ...(makeStore ? { store: makeStore(engine) } : {}),
  });
  return { engine, processor };
}

/** A node's storage with system tables and `ks.t (k int PRIMARY KEY, v text)`. */
export async function storageNode(
  clock: Clock,
  options: Partial<StorageOptions> = {},
  makeStore?: StoreFactory,
): Promise<StorageNode> {
  const { dir, cleanup } = await tempDir('sibyl-batchlog-');
  let { engine, processor } = await openStorage(dir, clock, options, makeStore);
  await processor.execute(
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    {},
  );
  await processor.execute(`CREATE TABLE ks.t (k int PRIMARY KEY, v text) WITH id = ${TABLE_ID}`, {});
  const node: StorageNode = {
    dir,
    get engine() {
      return engine;
    },
    get processor() {
      return processor;
    },
    async restart() {
      await engine.close({ flush: false });
      ({ engine, processor } = await openStorage(dir, clock, options, makeStore));
    },
    async close() {
      await engine.close({ flush: false }).catch(() => {});
      await cleanup();
    },
  };
  return node;
}

/** `INSERT INTO ks.t (k, v) VALUES (k, v)` as the executor builds it. */
export function userMutation(k: number, v: string, timestampMicros = 1_700_000_000_000_000): Mutation {
  const key = serializePartitionKey([serialize(CqlTypes.int, k)]);
  return {
    tableId: TABLE_ID,
    partition: insertPartition({ token: getToken(key), key }, [], { v: Buffer.from(v) }, timestampMicros),
  };
}

/** `v` of row `k` on a node, read through CQL (null when absent). */
export async function readValue(processor: QueryProcessor, k: number): Promise<string | null> {
  const result = await processor.execute(`SELECT v FROM ks.t WHERE k = ${k}`, {});
  if (result.kind !== 'rows') throw new Error('expected rows');
  const cell = result.result.rows[0]?.[0];
  return cell ? (deserialize(CqlTypes.text, cell) as string) : null;
}

/** The ids in a node's system.batches, read through CQL. */
export async function batchIds(processor: QueryProcessor): Promise<string[]> {
  const result = await processor.execute('SELECT id FROM system.batches', {});
  if (result.kind !== 'rows') throw new Error('expected rows');
  return result.result.rows.map((row) => deserialize(CqlTypes.timeuuid, row[0]!) as string).sort();
}
