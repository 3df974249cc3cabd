/**
 * Storage engine benchmark (issue: storage engine): 1M writes of a 16-byte random partition key
 * with a 100-byte random value, then 200k random reads, through Sibyl's engine and through
 * LevelDB (classic-level), both driven by 64 operations in flight, neither fsyncing per write
 * (Sibyl's commit log in periodic mode, LevelDB without sync).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ClassicLevel } from 'classic-level';
import { getToken } from '../ring/murmur3-partitioner.js';
import { Memtable } from '../storage/memtable.js';
import {
  bytesClusteringComparator,
  bytesClusteringComparatorSpec,
  insertPartition,
} from '../storage/model.js';
import { StorageEngine } from '../storage/storage-engine.js';
import { slidingWindow, type WindowResult } from './window.js';

const WRITES = Number(process.env.BENCH_WRITES ?? 1_000_000);
const READS = Number(process.env.BENCH_READS ?? 200_000);
const IN_FLIGHT = 64;
const TABLE = '5a1b0000-0000-4000-8000-000000000001';

function makeData(n: number): { keys: Buffer[]; values: Buffer[] } {
  const keyBytes = randomBytes(16 * n);
  const valueBytes = randomBytes(100 * n);
  const keys: Buffer[] = new Array(n);
  const values: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = keyBytes.subarray(i * 16, i * 16 + 16);
    values[i] = valueBytes.subarray(i * 100, i * 100 + 100);
  }
  return { keys, values };
}

function readOrder(n: number, reads: number): number[] {
  return Array.from({ length: reads }, () => Math.floor(Math.random() * n));
}

/** Event-loop delay while `run` runs: DESIGN.md calls a p99 above a few milliseconds under load a bug. */
async function withLoopDelay<T>(run: () => Promise<T>): Promise<{ result: T; loopP99Ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const result = await run();
  histogram.disable();
  return { result, loopP99Ms: Math.round(histogram.percentile(99) / 1e4) / 100 };
}

async function benchSibyl(dir: string, keys: Buffer[], values: Buffer[], order: number[]) {
  // BENCH_MEMTABLE_MB makes memtables small enough that flushes and compactions run during the writes.
  const memtableMb = process.env.BENCH_MEMTABLE_MB;
  const engine = await StorageEngine.open({
    dataDir: dir,
    options: {
      commitlogSync: 'periodic',
      ...(memtableMb ? { memtableFlushThresholdBytes: Number(memtableMb) * 1024 * 1024 } : {}),
    },
  });
  await engine.addTable({
    id: TABLE,
    keyspace: 'bench',
    name: 'kv',
    clusteringComparator: bytesClusteringComparator,
    clusteringComparatorSpec: bytesClusteringComparatorSpec,
    gcGraceSeconds: 864_000,
    compression: 'lz4',
  });
  const now = Date.now() * 1000;
  const { result: write, loopP99Ms } = await withLoopDelay(() =>
    slidingWindow(keys.length, IN_FLIGHT, (i) =>
      engine.apply({
        tableId: TABLE,
        partition: insertPartition(
          { token: getToken(keys[i]!), key: keys[i]! },
          [],
          { v: values[i]! },
          now + i,
        ),
      }),
    ),
  );
  const readAll = async () => {
    let found = 0;
    const result = await slidingWindow(order.length, IN_FLIGHT, async (i) => {
      const k = keys[order[i]!]!;
      if (await engine.read(TABLE, { token: getToken(k), key: k })) found++;
    });
    if (found !== order.length) throw new Error(`sibyl found ${found} of ${order.length} keys`);
    return result;
  };
  const sstables = engine.table(TABLE).liveSSTables.length;
  const read = await readAll();
  // The same reads once everything is in SSTables (the memtable flushed): the on-disk read path.
  await engine.flush();
  const readFromSSTables = await readAll();
  await engine.close({ flush: false });
  return { write, read, readFromSSTables, sstables, loopP99Ms };
}

async function benchLevel(dir: string, keys: Buffer[], values: Buffer[], order: number[]) {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const write = await slidingWindow(keys.length, IN_FLIGHT, (i) => db.put(keys[i]!, values[i]!));
  let found = 0;
  const read = await slidingWindow(order.length, IN_FLIGHT, async (i) => {
    if ((await db.get(keys[order[i]!]!)) !== undefined) found++;
  });
  await db.close();
  if (found !== order.length) throw new Error(`leveldb found ${found} of ${order.length} keys`);
  return { write, read };
}

/** Heap objects plus slab bytes a memtable of `rows` rows holds, in MiB per million rows. */
function memtableMemory(keys: Buffer[], values: Buffer[]): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  const used = () => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  const before = used();
  const memtable = new Memtable(bytesClusteringComparator);
  for (let i = 0; i < keys.length; i++) {
    memtable.apply(
      insertPartition(
        { token: getToken(keys[i]!), key: Buffer.from(keys[i]!) },
        [],
        { v: Buffer.from(values[i]!) },
        i,
      ),
    );
  }
  // SharedArrayBuffer slabs are not in arrayBuffers: count them as the memtable reports them.
  const after = used() + memtable.slabBytes;
  const perMillion = ((after - before) / (1024 * 1024)) * (1_000_000 / keys.length);
  if (memtable.rowCount !== keys.length) throw new Error('memtable lost rows');
  return Math.round(perMillion);
}

const line = (name: string, r: WindowResult) =>
  `${name.padEnd(36)} ${String(r.opsPerSecond).padStart(9)} ops/s   p50 ${r.p50Micros} µs   p99 ${r.p99Micros} µs`;

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sibyl-bench-storage-'));
  try {
    const { keys, values } = makeData(WRITES);
    const order = readOrder(WRITES, READS);
    const level = await benchLevel(join(root, 'level'), keys, values, order);
    const sibyl = await benchSibyl(join(root, 'sibyl'), keys, values, order);
    console.log(`storage: ${WRITES} writes, ${READS} reads, ${IN_FLIGHT} in flight`);
    console.log(line('sibyl write', sibyl.write));
    console.log(line('leveldb write', level.write));
    console.log(line('sibyl read', sibyl.read));
    console.log(line('leveldb read', level.read));
    console.log(line('sibyl read (all data in SSTables)', sibyl.readFromSSTables));
    console.log(`sibyl SSTables after the writes: ${sibyl.sstables}`);
    console.log(`sibyl event-loop delay p99 during the writes: ${sibyl.loopP99Ms} ms`);
    const memory = memtableMemory(keys.slice(0, Math.min(WRITES, 500_000)), values);
    console.log(`memtable resident memory: ${memory} MiB per million rows`);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'storage',
        sibyl_write_ops: sibyl.write.opsPerSecond,
        level_write_ops: level.write.opsPerSecond,
        write_ratio: ratio(sibyl.write.opsPerSecond, level.write.opsPerSecond),
        sibyl_read_ops: sibyl.read.opsPerSecond,
        level_read_ops: level.read.opsPerSecond,
        read_ratio: ratio(sibyl.read.opsPerSecond, level.read.opsPerSecond),
        sibyl_sstable_read_ops: sibyl.readFromSSTables.opsPerSecond,
        sstable_read_ratio: ratio(sibyl.readFromSSTables.opsPerSecond, level.read.opsPerSecond),
        memtable_mib_per_million_rows: memory,
      }),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
