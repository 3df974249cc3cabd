/**
 * One compaction: merge SSTables into one, purging what gc_grace and overlap allow. Runs in the
 * storage worker thread (the table's clustering comparator is then rebuilt there from a serializable
 * `ComparatorSpec`) or on the calling thread.
 *
 * A partition found in only one input SSTable that holds no tombstones and no TTLs has nothing to
 * merge or purge: its bytes are copied as they are, undecoded. Statistics of the output are those
 * of the decoded partitions combined with the inputs' statistics for the copied ones (bounds stay
 * bounds).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { logger } from '../../common/logger.js';
import type { ClusteringComparator, DecoratedKey, Partition } from '../model.js';
import { compareKeys, NO_DELETION_TIME } from '../model.js';
import { decodePartition, encodePartition } from '../partition-codec.js';
import { mergePartitions } from '../reconcile.js';
import type { ChunkCache, SSTableReader, SSTableStats, SSTableWriterOptions } from '../sstable/sstable.js';
import { openSSTable, SSTableWriter } from '../sstable/sstable.js';
import type { CollectedStats } from '../stats-collector.js';
import { StatsCollector } from '../stats-collector.js';
import { purgePartition } from './purge.js';

/** How a worker thread rebuilds a comparator: a module to import and a factory to call. */
export interface ComparatorSpec {
  readonly module: string;
  readonly exportName: string;
  readonly argument?: unknown;
}

/** An SSTable outside the compaction: tombstones covering its keys must outlive its oldest data. */
export interface OverlapBound {
  readonly firstKey: DecoratedKey;
  readonly lastKey: DecoratedKey;
  readonly minTimestamp: number;
}

export interface CompactionTask {
  readonly dir: string;
  readonly inputs: readonly number[];
  readonly outputGeneration: number;
  readonly options: SSTableWriterOptions;
  readonly nowSeconds: number;
  readonly gcBefore: number;
  /** The smallest timestamp in the table's memtables when the compaction started. */
  readonly memtableMinTimestamp: number;
  readonly others: readonly OverlapBound[];
  readonly commitLogPosition: SSTableStats['commitLogPosition'];
  readonly largePartitionWarningBytes: number;
  readonly yieldEveryRows: number;
  readonly comparator?: ComparatorSpec;
}

export interface CompactionResult {
  /** Null when everything was purged. */
  readonly outputGeneration: number | null;
  readonly partitions: number;
  readonly copiedUndecoded: number;
}

const log = logger('compaction');

export async function resolveComparator(spec: ComparatorSpec): Promise<ClusteringComparator> {
  const module = (await import(spec.module)) as Record<string, (argument: unknown) => ClusteringComparator>;
  const factory = module[spec.exportName];
  if (typeof factory !== 'function')
    throw new Error(`${spec.module} has no comparator factory ${spec.exportName}`);
  return factory(spec.argument);
}

/** The next partition of one input, as its scan yields it (serialized). */
interface Head {
  key: DecoratedKey;
  partition: Uint8Array;
}

export async function runCompactionTask(
  task: CompactionTask,
  cache: ChunkCache,
  compare: ClusteringComparator,
): Promise<CompactionResult> {
  const readers: SSTableReader[] = [];
  try {
    for (const generation of task.inputs)
      readers.push(await openSSTable({ dir: task.dir, generation }, cache));
    return await mergeInto(task, readers, cache, compare);
  } finally {
    for (const r of readers) await r.close();
  }
}

async function mergeInto(
  task: CompactionTask,
  readers: SSTableReader[],
  cache: ChunkCache,
  compare: ClusteringComparator,
): Promise<CompactionResult> {
  const expected = readers.reduce((n, r) => n + r.partitionCount, 0);
  const writer = await SSTableWriter.create(
    { dir: task.dir, generation: task.outputGeneration },
    { ...task.options, expectedPartitions: Math.max(1, expected) },
    cache,
  );
  const collector = new StatsCollector(compare);
  const copiedFrom = new Set<SSTableReader>();
  let written = 0;
  let copied = 0;
  try {
    const sources = readers.map((r) => r.scan()[Symbol.asyncIterator]());
    const heads: (Head | null)[] = await Promise.all(
      sources.map(async (s) => (await s.next()).value ?? null),
    );
    for (;;) {
      const picked = pickSmallest(heads);
      if (picked.length === 0) break;
      const versions: { reader: SSTableReader; head: Head }[] = [];
      for (const i of picked) {
        versions.push({ reader: readers[i]!, head: heads[i]! });
        heads[i] = (await sources[i]!.next()).value ?? null;
      }
      const only = versions.length === 1 ? versions[0]! : null;
      if (only && !mayNeedPurge(only.reader.stats)) {
        warnIfLarge(task, only.head.key, only.head.partition.length);
        await writer.append(only.head.key, only.head.partition);
        copiedFrom.add(only.reader);
        copied++;
      } else {
        const purged = mergeAndPurge(task, versions, compare);
        if (purged === null) continue;
        collector.add(purged);
        const bytes = encodePartition(purged);
        warnIfLarge(task, purged.key, bytes.length);
        await writer.append(purged.key, bytes);
      }
      if (++written % task.yieldEveryRows === 0) await yieldToEventLoop();
    }
    if (written === 0) {
      await writer.abort();
      return { outputGeneration: null, partitions: 0, copiedUndecoded: 0 };
    }
    const stats = combineStats(
      collector.result(),
      [...copiedFrom].map((r) => r.stats),
      compare,
    );
    const reader = await writer.finish({ ...stats, commitLogPosition: task.commitLogPosition });
    await reader.close();
    return { outputGeneration: task.outputGeneration, partitions: written, copiedUndecoded: copied };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function pickSmallest(heads: readonly (Head | null)[]): number[] {
  let smallest: DecoratedKey | null = null;
  let picked: number[] = [];
  for (let i = 0; i < heads.length; i++) {
    const head = heads[i];
    if (!head) continue;
    const c = smallest === null ? -1 : compareKeys(head.key, smallest);
    if (c < 0) {
      smallest = head.key;
      picked = [i];
    } else if (c === 0) picked.push(i);
  }
  return picked;
}

/** An SSTable without tombstones or TTLs has nothing a compaction could purge. */
function mayNeedPurge(stats: SSTableStats): boolean {
  return stats.tombstoneCount > 0 || stats.minLocalDeletionTime !== NO_DELETION_TIME;
}

function mergeAndPurge(
  task: CompactionTask,
  versions: readonly { reader: SSTableReader; head: Head }[],
  compare: ClusteringComparator,
): Partition | null {
  const partitions = versions.map((v) => decodePartition(v.head.partition, v.reader.dataFile));
  const merged = mergePartitions(partitions, compare);
  return purgePartition(merged, {
    nowSeconds: task.nowSeconds,
    gcBefore: task.gcBefore,
    maxPurgeableTimestamp: maxPurgeableTimestamp(task, merged.key),
  });
}

/** The oldest timestamp outside the compaction that a tombstone for `key` might shadow. */
function maxPurgeableTimestamp(task: CompactionTask, key: DecoratedKey): number {
  let min = task.memtableMinTimestamp;
  for (const other of task.others) {
    if (other.minTimestamp >= min) continue;
    if (compareKeys(key, other.firstKey) < 0 || compareKeys(key, other.lastKey) > 0) continue;
    min = other.minTimestamp;
  }
  return min;
}

function warnIfLarge(task: CompactionTask, key: DecoratedKey, bytes: number): void {
  if (bytes <= task.largePartitionWarningBytes) return;
  log.warn({ dir: task.dir, key: Buffer.from(key.key).toString('hex'), bytes }, 'Writing large partition');
}

function combineStats(
  decoded: CollectedStats,
  copied: readonly SSTableStats[],
  compare: ClusteringComparator,
): CollectedStats {
  const out = { ...decoded, columns: new Set(decoded.columns) };
  for (const s of copied) {
    out.minTimestamp = Math.min(out.minTimestamp, s.minTimestamp);
    out.maxTimestamp = Math.max(out.maxTimestamp, s.maxTimestamp);
    out.minLocalDeletionTime = Math.min(out.minLocalDeletionTime, s.minLocalDeletionTime);
    if (s.minClustering && (!out.minClustering || compare(s.minClustering, out.minClustering) < 0)) {
      out.minClustering = s.minClustering;
    }
    if (s.maxClustering && (!out.maxClustering || compare(s.maxClustering, out.maxClustering) > 0)) {
      out.maxClustering = s.maxClustering;
    }
    for (const c of s.columns) out.columns.add(c);
  }
  return { ...out, columns: [...out.columns].sort() };
}
