/**
 * `sibyl stress engine`: writes rows through the storage engine alone (no node, no network),
 * flushes and compacts, reads them back and prints throughput. A way to see the engine work (and its
 * files) without a node.
 */
import { randomBytes } from 'node:crypto';
import { getToken } from '../../ring/murmur3-partitioner.js';
import {
  bytesClusteringComparator,
  bytesClusteringComparatorSpec,
  insertPartition,
} from '../../storage/model.js';
import { StorageEngine } from '../../storage/storage-engine.js';

const STRESS_TABLE = {
  id: '57e55000-0000-4000-8000-000000000001',
  keyspace: 'sibyl_stress',
  name: 'kv',
  clusteringComparator: bytesClusteringComparator,
  clusteringComparatorSpec: bytesClusteringComparatorSpec,
  gcGraceSeconds: 864_000,
  compression: 'lz4' as const,
};

export interface EngineStressOptions {
  readonly rows: number;
  readonly valueSizeBytes: number;
  readonly dataDir: string;
}

async function window(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** Returns true when every row written was read back. */
export async function runEngineStress(options: EngineStressOptions): Promise<boolean> {
  const { rows, valueSizeBytes, dataDir } = options;
  const engine = await StorageEngine.open({ dataDir });
  await engine.addTable(STRESS_TABLE);
  const replay = await engine.replayCommitLog();
  if (replay.replayed > 0) console.log(`replayed ${replay.replayed} commit log records`);
  const keys = Array.from({ length: rows }, () => randomBytes(16));
  const now = Date.now() * 1000;
  const writes = await window(rows, 64, (i) =>
    engine.apply({
      tableId: STRESS_TABLE.id,
      partition: insertPartition(
        { token: getToken(keys[i]!), key: keys[i]! },
        [],
        { v: randomBytes(valueSizeBytes) },
        now + i,
      ),
    }),
  );
  console.log(`wrote ${rows} rows: ${writes} writes/s`);
  await engine.flush();
  await engine.compact();
  let found = 0;
  const reads = await window(rows, 64, async (i) => {
    const key = keys[i]!;
    if (await engine.read(STRESS_TABLE.id, { token: getToken(key), key })) found++;
  });
  console.log(`read ${found}/${rows} rows back: ${reads} reads/s`);
  const table = engine.table(STRESS_TABLE.id);
  console.log(`sstables: ${table.liveSSTables.length}, data in ${dataDir}`);
  await engine.close();
  return found === rows;
}
