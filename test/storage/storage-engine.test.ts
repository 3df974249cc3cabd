/**
 * The storage engine as a whole: slices, paging scans, guardrails, restart and replay, segment
 * recycling, truncate and drop, corruption surfacing through reads.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { CorruptionError, TombstoneOverwhelmingError } from '../../common/errors.js';
import type { StorageOptions } from '../../common/limits.js';
import type { Clustering, ClusteringComparator, DecoratedKey, Partition } from '../../storage/model.js';
import { bytesClusteringComparator } from '../../storage/model.js';
import { livePartition } from '../../storage/read-filter.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import type { TableDefinition } from '../../storage/table-store.js';
import { bytesTable, cell, ck, partition, pk, row, tempDir } from './helpers.js';

/** A clustering order with the first column DESC, as `CLUSTERING ORDER BY (c DESC)` makes. */
const descending: ClusteringComparator = (a, b) => -bytesClusteringComparator(a, b);

const TABLE = bytesTable('11111111-0000-4000-8000-000000000001', 'events');

const clusteringValues = (p: Partition | null) =>
  (p?.rows ?? []).map((r) => Buffer.from(r.clustering[0]!).readUInt32BE());

let dir: string;
let cleanup: () => Promise<void>;
let engine: StorageEngine;
const clock = new ManualClock();

async function open(
  options: Partial<StorageOptions> = {},
  table: TableDefinition = TABLE,
): Promise<StorageEngine> {
  engine = await StorageEngine.open({ dataDir: dir, clock, options });
  await engine.addTable(table);
  await engine.replayCommitLog();
  return engine;
}

async function writeRows(k: DecoratedKey, from: number, to: number, ts = 10): Promise<void> {
  for (let c = from; c <= to; c++) {
    await engine.apply({
      tableId: TABLE.id,
      partition: partition(k, [row(ck(c), [cell('v', `v${c}`, ts)])]),
    });
  }
}

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('sibyl-engine-'));
});
afterEach(async () => {
  await engine?.close();
  await cleanup();
});

describe('clustering slices', () => {
  it('reads ranges ASC and DESC across memtable and SSTables', async () => {
    await open();
    const k = pk('p');
    await writeRows(k, 0, 4);
    await engine.flush();
    await writeRows(k, 5, 9);
    const slice = { start: { prefix: ck(2), inclusive: true }, end: { prefix: ck(7), inclusive: false } };
    expect(clusteringValues(await engine.read(TABLE.id, k, slice))).toEqual([2, 3, 4, 5, 6]);
    expect(clusteringValues(await engine.read(TABLE.id, k, { ...slice, reversed: true }))).toEqual([
      6, 5, 4, 3, 2,
    ]);
    expect(
      clusteringValues(await engine.read(TABLE.id, k, { start: { prefix: ck(8), inclusive: false } })),
    ).toEqual([9]);
  });

  it('orders rows by the table comparator (DESC clustering)', async () => {
    await open({}, { ...TABLE, clusteringComparator: descending, clusteringComparatorSpec: undefined });
    const k = pk('p');
    await writeRows(k, 0, 3);
    await engine.flush();
    await writeRows(k, 4, 5);
    expect(clusteringValues(await engine.read(TABLE.id, k))).toEqual([5, 4, 3, 2, 1, 0]);
  });
});

describe('range scans', () => {
  it('returns partitions in token order and resumes after a (key, clustering) paging position', async () => {
    await open();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map(pk);
    for (const k of keys) await writeRows(k, 0, 2);
    await engine.flush();
    await writeRows(keys[0]!, 3, 3);
    const scanned: Partition[] = [];
    for await (const p of engine.scan(TABLE.id)) scanned.push(p);
    const tokens = scanned.map((p) => p.key.token);
    expect(tokens).toEqual([...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(scanned.length).toBe(6);
    const third = scanned[2]!;
    const page: Partition[] = [];
    for await (const p of engine.scan(TABLE.id, {
      from: { key: third.key, inclusive: true },
      afterClustering: ck(1),
    })) {
      page.push(p);
    }
    expect(page[0]!.key).toEqual(third.key);
    expect(clusteringValues(page[0]!)).toEqual([2]);
    expect(page.length).toBe(4);
    const bounded: Partition[] = [];
    for await (const p of engine.scan(TABLE.id, { to: { key: third.key, inclusive: false } }))
      bounded.push(p);
    expect(bounded.length).toBe(2);
  });
});

describe('tombstone guardrails', () => {
  it('warns past tombstone_warn_threshold and fails past tombstone_failure_threshold', async () => {
    await open({ tombstoneWarnThreshold: 5, tombstoneFailureThreshold: 20 });
    const k = pk('graveyard');
    for (let c = 0; c < 10; c++) {
      await engine.apply({ tableId: TABLE.id, partition: partition(k, [row(ck(c), [cell('v', null, 10)])]) });
    }
    expect(livePartition((await engine.read(TABLE.id, k))!, 0)).toBeNull();
    for (let c = 10; c < 30; c++) {
      await engine.apply({ tableId: TABLE.id, partition: partition(k, [row(ck(c), [cell('v', null, 10)])]) });
    }
    await expect(engine.read(TABLE.id, k)).rejects.toThrow(TombstoneOverwhelmingError);
    await expect(engine.read(TABLE.id, k)).rejects.toThrow(
      /Scanned over 30 tombstones during query on ks.events/,
    );
  });
});

describe('restart', () => {
  it('replays only what is newer than the SSTables, and recycles flushed segments', async () => {
    await open({ commitlogSegmentSizeBytes: 64 * 1024, maxMutationSizeBytes: 16 * 1024 });
    const k = pk('p');
    await writeRows(k, 0, 2999);
    const segmentsBefore = engine.commitLogSegments().length;
    expect(segmentsBefore).toBeGreaterThan(1);
    await engine.flush();
    expect(engine.commitLogSegments().length).toBeLessThan(segmentsBefore);
    await writeRows(k, 3000, 3009);
    await engine.close({ flush: false });
    engine = await StorageEngine.open({ dataDir: dir, clock });
    await engine.addTable(TABLE);
    const replay = await engine.replayCommitLog();
    expect(replay.replayed).toBe(10);
    expect(clusteringValues(await engine.read(TABLE.id, k)).length).toBe(3010);
  });

  it('skips records of tables it does not know and replays them once the table is added', async () => {
    await open();
    const other: TableDefinition = { ...TABLE, id: '22222222-0000-4000-8000-000000000002', name: 'other' };
    await engine.addTable(other);
    await engine.apply({
      tableId: other.id,
      partition: partition(pk('x'), [row(ck(1), [cell('v', 'kept', 5)])]),
    });
    await engine.close({ flush: false });
    engine = await StorageEngine.open({ dataDir: dir, clock });
    await engine.addTable(TABLE);
    expect((await engine.replayCommitLog()).unknownTable).toBe(1);
    await engine.addTable(other);
    expect((await engine.replayCommitLog()).replayed).toBe(1);
    expect(clusteringValues(await engine.read(other.id, pk('x')))).toEqual([1]);
  });

  it('a clean shutdown flushes every memtable: nothing to replay', async () => {
    await open();
    await writeRows(pk('p'), 0, 9);
    await engine.close();
    await open();
    expect(clusteringValues(await engine.read(TABLE.id, pk('p'))).length).toBe(10);
    await engine.close();
    engine = await StorageEngine.open({ dataDir: dir, clock });
    await engine.addTable(TABLE);
    expect((await engine.replayCommitLog()).replayed).toBe(0);
  });
});

describe('truncate and drop', () => {
  it('truncate removes all data, which stays gone after restart', async () => {
    await open();
    await writeRows(pk('p'), 0, 4);
    await engine.flush();
    await writeRows(pk('q'), 0, 4);
    await engine.truncate(TABLE.id);
    expect(await engine.read(TABLE.id, pk('p'))).toBeNull();
    await engine.close({ flush: false });
    await open();
    expect(await engine.read(TABLE.id, pk('p'))).toBeNull();
    expect(await engine.read(TABLE.id, pk('q'))).toBeNull();
  });

  it('drop deletes the SSTable files', async () => {
    await open();
    await writeRows(pk('p'), 0, 4);
    await engine.flush();
    await engine.dropTable(TABLE.id);
    const tableDir = join(dir, 'data', 'ks', (await readdir(join(dir, 'data', 'ks')))[0]!);
    expect((await readdir(tableDir)).filter((f) => f.endsWith('.db'))).toEqual([]);
  });
});

describe('corruption', () => {
  it('a flipped byte in an SSTable surfaces as CorruptionError, never as data', async () => {
    await open({ chunkCacheSizeBytes: 0 });
    await writeRows(pk('p'), 0, 99);
    await engine.close();
    const tableDir = join(dir, 'data', 'ks', (await readdir(join(dir, 'data', 'ks')))[0]!);
    const dataFile = join(tableDir, (await readdir(tableDir)).find((f) => f.endsWith('Data.db'))!);
    const bytes = await readFile(dataFile);
    bytes[Math.floor(bytes.length / 3)]! ^= 0x40;
    await writeFile(dataFile, bytes);
    await open({ chunkCacheSizeBytes: 0 });
    await expect(engine.read(TABLE.id, pk('p'))).rejects.toThrow(CorruptionError);
  });
});

describe('compaction', () => {
  it('size-tiered compaction in the worker merges four flushes into one SSTable, keeping every row', async () => {
    await open();
    const k = pk('p');
    for (let i = 0; i < 4; i++) {
      await writeRows(k, i * 10, i * 10 + 9, 10 + i);
      await engine.flush();
    }
    const table = engine.table(TABLE.id);
    await expect.poll(() => table.liveSSTables.length, { timeout: 20_000 }).toBe(1);
    expect(clusteringValues(await engine.read(TABLE.id, k)).length).toBe(40);
  });

  it('major compaction purges tombstones older than gc_grace and keeps younger ones', async () => {
    await open({}, { ...TABLE, gcGraceSeconds: 100 });
    const k = pk('p');
    await writeRows(k, 0, 9);
    await engine.apply({
      tableId: TABLE.id,
      partition: partition(k, [], {
        deletion: { markedForDeleteAt: 20, localDeletionTime: clock.nowMs() / 1000 },
      }),
    });
    await engine.flush();
    await engine.compact();
    const kept = await engine.read(TABLE.id, k);
    expect(kept?.deletion?.markedForDeleteAt).toBe(20);
    clock.advance(200_000);
    await engine.compact();
    expect(await engine.read(TABLE.id, k)).toBeNull();
  });
});

describe('write limits', () => {
  it('rejects a mutation over max_mutation_size with a clear error and keeps serving', async () => {
    await open({ maxMutationSizeBytes: 1024, commitlogSegmentSizeBytes: 64 * 1024 });
    const k = pk('big');
    const big = partition(k, [row([] as Clustering, [cell('v', 'x'.repeat(2000), 1)])]);
    await expect(engine.apply({ tableId: TABLE.id, partition: big })).rejects.toThrow(
      /too large for the maximum size of 1024/,
    );
    expect(await engine.read(TABLE.id, k)).toBeNull();
    await writeRows(k, 0, 0);
    expect(clusteringValues(await engine.read(TABLE.id, k))).toEqual([0]);
  });
});
