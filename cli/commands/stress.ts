/**
 * `sibyl stress`: writes rows through the storage engine, flushes and compacts, reads them back
 * and prints throughput. A way to see the engine work (and its files) before the node exists.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
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

export function registerStress(program: Command): void {
  program
    .command('stress')
    .description('write, flush, compact and read back rows through the storage engine')
    .option('--rows <n>', 'rows to write', '200000')
    .option('--value-size <bytes>', 'bytes per value', '100')
    .option('--data-dir <dir>', 'data directory', './sibyl-stress')
    .action(async (opts: { rows: string; valueSize: string; dataDir: string }) => {
      const rows = Number(opts.rows);
      const valueSize = Number(opts.valueSize);
      const engine = await StorageEngine.open({ dataDir: opts.dataDir });
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
            { v: randomBytes(valueSize) },
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
      console.log(`sstables: ${table.liveSSTables.length}, data in ${opts.dataDir}`);
      await engine.close();
      if (found !== rows) process.exitCode = 1;
    });
}
