/**
 * One table's LSM: the live memtable, memtables being flushed, and the SSTables, with the read
 * path that merges them, flush, and size-tiered compaction in the background.
 *
 * Concurrency on one event loop: a flush or compaction swaps the SSTable list in one synchronous
 * step; readers take references (ref/unref) on the SSTables they read, so a compaction can retire
 * SSTables while reads are in flight. Flushes of one table run one after another, so commit log
 * positions are recorded in order.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Clock } from '../common/clock.js';
import { nowSeconds } from '../common/clock.js';
import { assert, TombstoneOverwhelmingError } from '../common/errors.js';
import type { StorageOptions } from '../common/limits.js';
import type { Logger } from '../common/logger.js';
import type { BackgroundExecutor } from './background-executor.js';
import type { CommitLogPosition } from './commitlog/commit-log.js';
import { comparePositions } from './commitlog/commit-log.js';
import { pickSizeTiered } from './compaction/compaction-picker.js';
import type { CompactionTask, ComparatorSpec } from './compaction/compaction-task.js';
import { Memtable } from './memtable.js';
import type { Clustering, ClusteringComparator, ClusteringSlice, DecoratedKey, Partition } from './model.js';
import { compareKeys } from './model.js';
import type { PartitionSummary } from './partition-codec.js';
import { decodePartition } from './partition-codec.js';
import { countTombstones, slicePartition } from './read-filter.js';
import { mergePartitions } from './reconcile.js';
import type { ChunkCache, SSTableReader, SSTableWriterOptions } from './sstable/sstable.js';
import { listSSTables, openSSTable } from './sstable/sstable.js';
import { readTruncationRecord, writeTruncationRecord } from './truncation-record.js';

export interface TableDefinition {
  /** A uuid, stable for the table's life (directory name and commit log records use it). */
  readonly id: string;
  readonly keyspace: string;
  readonly name: string;
  readonly clusteringComparator: ClusteringComparator;
  readonly gcGraceSeconds: number;
  readonly compression: 'lz4' | 'none';
  readonly compactionMinThreshold?: number;
  /** How a worker thread can rebuild `clusteringComparator`; without it compaction runs on the event loop. */
  readonly clusteringComparatorSpec?: ComparatorSpec;
  readonly compactionMaxThreshold?: number;
}

export interface KeyBound {
  readonly key: DecoratedKey;
  readonly inclusive: boolean;
}

export interface ScanRange {
  /** Start at this key; with `afterClustering`, skip that partition's rows up to and including it. */
  readonly from?: KeyBound;
  readonly afterClustering?: Clustering;
  readonly to?: KeyBound;
}

export interface TableEnvironment {
  readonly dir: string;
  readonly options: StorageOptions;
  readonly clock: Clock;
  readonly cache: ChunkCache;
  readonly executor: BackgroundExecutor;
  readonly log: Logger;
  /** The commit log position now: a flush records that its memtable holds everything before it. */
  readonly commitLogPosition: () => CommitLogPosition;
  /** Called after a flush made the table durable up to `position`. */
  readonly onFlushed: (tableId: string, position: CommitLogPosition) => Promise<void>;
}

interface FlushingMemtable {
  readonly memtable: Memtable;
  readonly position: CommitLogPosition;
}

export class TableStore {
  private memtable: Memtable;
  private readonly flushing: FlushingMemtable[] = [];
  private sstables: SSTableReader[] = [];
  private nextGeneration = 1;
  private flushChain: Promise<void> = Promise.resolve();
  private compacting = false;
  private closed = false;
  private backgroundError: unknown = null;
  /** Retired SSTables whose files are still in use by a read (or being deleted). */
  private readonly retiring = new Set<SSTableReader>();
  /** The commit log position up to which this table's data is in SSTables. */
  flushedPosition: CommitLogPosition | null = null;

  private constructor(
    readonly definition: TableDefinition,
    private readonly env: TableEnvironment,
  ) {
    this.memtable = new Memtable(definition.clusteringComparator);
  }

  static async open(definition: TableDefinition, env: TableEnvironment): Promise<TableStore> {
    const store = new TableStore(definition, env);
    store.flushedPosition = await readTruncationRecord(env.dir);
    const generations = await listSSTables(env.dir);
    for (const generation of generations) {
      const reader = await openSSTable({ dir: env.dir, generation }, env.cache);
      store.sstables.push(reader);
      store.nextGeneration = Math.max(store.nextGeneration, generation + 1);
      const position = reader.stats.commitLogPosition;
      if (position && (!store.flushedPosition || comparePositions(position, store.flushedPosition) > 0)) {
        store.flushedPosition = position;
      }
    }
    return store;
  }

  get liveSSTables(): readonly SSTableReader[] {
    return this.sstables;
  }

  get memtableSizeBytes(): number {
    return this.memtable.sizeBytes;
  }

  /** Adds a write (and its serialized form) to the memtable; the commit log append is the caller's. */
  apply(update: Partition, encoded: Uint8Array): void {
    assert(!this.closed, 'write to a closed table');
    this.memtable.apply(update, encoded);
  }

  /** Adds a write given as checked bytes and their summary (`summarizePartition`) to the memtable. */
  applyEncoded(encoded: Uint8Array, summary: PartitionSummary): void {
    assert(!this.closed, 'write to a closed table');
    this.memtable.applyEncoded(encoded, summary);
  }

  /** True when the memtables waiting for flush hold so much that writers should wait. */
  get overloaded(): boolean {
    let bytes = 0;
    for (const f of this.flushing) bytes += f.memtable.sizeBytes;
    return bytes > this.env.options.memtableFlushThresholdBytes * 2;
  }

  /** Resolves when the flushes queued so far have finished. */
  async flushesDone(): Promise<void> {
    await this.flushChain;
  }

  /**
   * Reads one partition merged from every memtable and SSTable, sliced, with its tombstones
   * (shadowed data removed). Null when no source has the partition.
   */
  async read(key: DecoratedKey, slice: ClusteringSlice = {}): Promise<Partition | null> {
    const versions: Partition[] = [];
    const own = this.memtable.get(key);
    if (own) versions.push(own);
    for (const f of this.flushing) {
      const p = f.memtable.get(key);
      if (p) versions.push(p);
    }
    const sstables = this.acquire();
    try {
      for (const sstable of sstables) {
        if (compareKeys(key, sstable.firstKey) < 0 || compareKeys(key, sstable.lastKey) > 0) continue;
        if (!sstable.mightContain(key)) continue;
        const bytes = await sstable.get(key);
        if (bytes) versions.push(decodePartition(bytes, sstable.dataFile));
      }
    } finally {
      this.release(sstables);
    }
    if (versions.length === 0) return null;
    const merged = mergePartitions(versions, this.definition.clusteringComparator);
    this.checkTombstones(merged);
    return slicePartition(merged, slice, this.definition.clusteringComparator);
  }

  private checkTombstones(p: Partition): void {
    const { tombstoneWarnThreshold, tombstoneFailureThreshold } = this.env.options;
    const tombstones = countTombstones(p, nowSeconds(this.env.clock));
    if (tombstones <= tombstoneWarnThreshold) return;
    const table = `${this.definition.keyspace}.${this.definition.name}`;
    const keyHex = Buffer.from(p.key.key).toString('hex');
    if (tombstones > tombstoneFailureThreshold)
      throw new TombstoneOverwhelmingError(tombstones, table, keyHex);
    this.env.log.warn(
      { table, key: keyHex, tombstones },
      `Read ${tombstones} tombstones in ${table} (key 0x${keyHex})`,
    );
  }

  /** SSTables leave the live set: their files go when the last reader lets go of them. */
  private retire(list: readonly SSTableReader[]): void {
    for (const s of list) {
      s.markObsolete();
      this.retiring.add(s);
      this.unrefTracked(s); // the reference the live set held
    }
  }

  /** Drops a reference; once a retired SSTable's deletion starts, forget it when it is done. */
  private unrefTracked(s: SSTableReader): void {
    void s.unref();
    const deletion = this.retiring.has(s) ? s.whenDeleted() : null;
    if (deletion) void deletion.then(() => this.retiring.delete(s));
  }

  private acquire(): SSTableReader[] {
    const list = this.sstables;
    for (const s of list) s.ref();
    return list;
  }

  private release(list: readonly SSTableReader[]): void {
    for (const s of list) this.unrefTracked(s);
  }

  /**
   * Merged partitions in (token, key) order over a key range, with tombstones. Sources are walked
   * in step, so memory holds one partition per source.
   */
  async *scan(range: ScanRange = {}): AsyncGenerator<Partition> {
    const sources: AsyncIterator<Partition>[] = [];
    const fromBound = range.from;
    sources.push(toAsync(this.memtable.scan(fromBound)));
    for (const f of this.flushing) sources.push(toAsync(f.memtable.scan(fromBound)));
    const sstables = this.acquire();
    try {
      for (const sstable of sstables) sources.push(decodeScan(sstable, fromBound, range.to));
      yield* this.mergeSources(sources, range);
    } finally {
      await Promise.all(sources.map((s) => s.return?.()));
      this.release(sstables);
    }
  }

  private async *mergeSources(
    sources: AsyncIterator<Partition>[],
    range: ScanRange,
  ): AsyncGenerator<Partition> {
    const compare = this.definition.clusteringComparator;
    let first = true;
    for await (let merged of mergeInKeyOrder(sources, compare)) {
      if (range.to && pastEnd(merged.key, range.to)) return;
      if (first && range.afterClustering && range.from && compareKeys(merged.key, range.from.key) === 0) {
        merged = slicePartition(
          merged,
          { start: { prefix: range.afterClustering, inclusive: false } },
          compare,
        );
        merged = { ...merged, staticRow: null };
      }
      first = false;
      this.checkTombstones(merged);
      yield merged;
    }
  }

  /**
   * Switches to a new memtable and writes the old one to an SSTable. Resolves when written.
   * An empty memtable is not written, but still records its position as flushed.
   */
  flush(): Promise<void> {
    const old = this.memtable;
    const position = this.env.commitLogPosition();
    this.memtable = new Memtable(this.definition.clusteringComparator);
    const entry: FlushingMemtable = { memtable: old, position };
    this.flushing.push(entry);
    const run = this.flushChain.then(() => this.writeFlush(entry));
    this.flushChain = run.catch((error) => {
      this.backgroundError = error;
      this.env.log.error({ err: error, table: this.definition.name }, 'flush failed');
    });
    return run;
  }

  private async writeFlush(entry: FlushingMemtable): Promise<void> {
    let reader: SSTableReader | null = null;
    const memtable = entry.memtable;
    if (!memtable.isEmpty()) {
      const { slabs, entries } = memtable.freezeForFlush();
      const generation = this.nextGeneration++;
      await this.env.executor.flush({
        dir: this.env.dir,
        generation,
        options: this.writerOptions(memtable.partitionCount),
        stats: { ...memtable.collectedStats(), commitLogPosition: entry.position },
        slabs,
        entries,
      });
      reader = await openSSTable({ dir: this.env.dir, generation }, this.env.cache);
    }
    // One synchronous step: the data moves from the flushing memtable to the SSTable list.
    if (reader) this.sstables = [...this.sstables, reader];
    this.flushing.splice(this.flushing.indexOf(entry), 1);
    if (!this.flushedPosition || comparePositions(entry.position, this.flushedPosition) > 0) {
      this.flushedPosition = entry.position;
    }
    await this.env.onFlushed(this.definition.id, entry.position);
    this.maybeCompact();
  }

  private writerOptions(expectedPartitions: number): SSTableWriterOptions {
    const { options } = this.env;
    return {
      chunkSizeBytes: options.sstableChunkSizeBytes,
      compression: this.definition.compression,
      expectedPartitions: Math.max(1, expectedPartitions),
      bloomFilterFalsePositiveChance: options.bloomFilterFalsePositiveChance,
      indexSummaryInterval: options.sstableIndexSummaryInterval,
    };
  }

  /** Starts a size-tiered compaction in the background if a bucket is ready. */
  maybeCompact(): void {
    if (this.compacting || this.closed) return;
    const { options } = this.env;
    const candidates = pickSizeTiered(
      this.sstables.map((s) => ({ generation: s.generation, sizeBytes: s.dataSizeBytes, reader: s })),
      {
        minThreshold: this.definition.compactionMinThreshold ?? options.compactionMinThreshold,
        maxThreshold: this.definition.compactionMaxThreshold ?? options.compactionMaxThreshold,
        bucketLow: options.compactionBucketLow,
        bucketHigh: options.compactionBucketHigh,
        minSSTableSizeBytes: options.compactionMinSSTableSizeBytes,
      },
    );
    if (!candidates) return;
    this.compacting = true;
    this.compact(candidates.map((c) => c.reader)).then(
      () => {
        this.compacting = false;
        this.maybeCompact(); // another bucket may be ready
      },
      (error) => {
        // No immediate retry (it would likely fail the same way): the next flush tries again.
        this.compacting = false;
        this.backgroundError = error;
        this.env.log.error({ err: error, table: this.definition.name }, 'compaction failed');
      },
    );
  }

  /** Compacts every SSTable into one (nodetool compact). Waits for a running compaction first. */
  async majorCompaction(): Promise<void> {
    await this.flushesDone();
    while (this.compacting) await yieldToEventLoop();
    if (this.sstables.length === 0) return;
    this.compacting = true;
    try {
      await this.compact(this.sstables);
    } finally {
      this.compacting = false;
    }
  }

  /** Merges `inputs` into one SSTable (in the background executor) and swaps it in. */
  private async compact(inputs: readonly SSTableReader[]): Promise<void> {
    const started = Date.now();
    for (const s of inputs) s.ref();
    try {
      const inputSet = new Set(inputs);
      const result = await this.env.executor.compact(
        this.compactionTask(inputs, inputSet),
        this.definition.clusteringComparator,
      );
      const output =
        result.outputGeneration === null
          ? null
          : await openSSTable({ dir: this.env.dir, generation: result.outputGeneration }, this.env.cache);
      // One synchronous step: the output replaces the inputs.
      this.sstables = [...this.sstables.filter((s) => !inputSet.has(s)), ...(output ? [output] : [])];
      this.retire(inputs);
      this.env.log.info(
        {
          table: this.definition.name,
          inputs: inputs.map((s) => s.generation),
          output: result.outputGeneration,
          partitions: result.partitions,
          copiedUndecoded: result.copiedUndecoded,
          ms: Date.now() - started,
        },
        'compacted',
      );
    } finally {
      for (const s of inputs) this.unrefTracked(s);
    }
  }

  private compactionTask(
    inputs: readonly SSTableReader[],
    inputSet: ReadonlySet<SSTableReader>,
  ): CompactionTask {
    const now = nowSeconds(this.env.clock);
    let position: CommitLogPosition | null = null;
    for (const s of inputs) {
      const p = s.stats.commitLogPosition;
      if (p && (!position || comparePositions(p, position) > 0)) position = p;
    }
    let memtableMinTimestamp = this.memtable.minTimestamp;
    for (const f of this.flushing)
      memtableMinTimestamp = Math.min(memtableMinTimestamp, f.memtable.minTimestamp);
    const others = this.sstables
      .filter((s) => !inputSet.has(s))
      .map((s) => ({ firstKey: s.firstKey, lastKey: s.lastKey, minTimestamp: s.stats.minTimestamp }));
    return {
      dir: this.env.dir,
      inputs: inputs.map((s) => s.generation),
      outputGeneration: this.nextGeneration++,
      options: this.writerOptions(0),
      nowSeconds: now,
      gcBefore: now - this.definition.gcGraceSeconds,
      memtableMinTimestamp,
      others,
      commitLogPosition: position,
      largePartitionWarningBytes: this.env.options.largePartitionWarningBytes,
      yieldEveryRows: this.env.options.yieldEveryRows,
      ...(this.definition.clusteringComparatorSpec
        ? { comparator: this.definition.clusteringComparatorSpec }
        : {}),
    };
  }

  /** Drops all data (TRUNCATE): the memtable is discarded and every SSTable retired. */
  async truncate(): Promise<void> {
    await this.flushesDone();
    while (this.compacting) await yieldToEventLoop();
    this.memtable = new Memtable(this.definition.clusteringComparator);
    const old = this.sstables;
    this.sstables = [];
    this.retire(old);
    this.flushedPosition = this.env.commitLogPosition();
    await writeTruncationRecord(this.env.dir, this.flushedPosition);
    await this.env.onFlushed(this.definition.id, this.flushedPosition);
  }

  /** A failure of background work (flush or compaction), for status and tests. */
  get lastBackgroundError(): unknown {
    return this.backgroundError;
  }

  async close(flush: boolean): Promise<void> {
    if (flush && !this.memtable.isEmpty()) await this.flush();
    await this.flushesDone();
    while (this.compacting) await yieldToEventLoop();
    this.closed = true;
    for (const s of this.sstables) await s.close();
    // Reads are over once the caller closes; wait for retired files to be gone.
    await Promise.all([...this.retiring].map((s) => s.whenDeleted()));
  }
}

/** K-way merge of partition streams sorted by key; versions of one key are merged into one. */
async function* mergeInKeyOrder(
  sources: AsyncIterator<Partition>[],
  compare: ClusteringComparator,
): AsyncGenerator<Partition> {
  const heads: (Partition | null)[] = await Promise.all(
    sources.map(async (s) => (await s.next()).value ?? null),
  );
  for (;;) {
    let smallest: DecoratedKey | null = null;
    for (const head of heads)
      if (head && (!smallest || compareKeys(head.key, smallest) < 0)) smallest = head.key;
    if (smallest === null) return;
    const versions: Partition[] = [];
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head && compareKeys(head.key, smallest) === 0) {
        versions.push(head);
        heads[i] = (await sources[i]!.next()).value ?? null;
      }
    }
    yield mergePartitions(versions, compare);
  }
}

function pastEnd(key: DecoratedKey, to: KeyBound): boolean {
  const c = compareKeys(key, to.key);
  return to.inclusive ? c > 0 : c >= 0;
}

async function* toAsyncGenerator(source: Iterator<Partition>): AsyncGenerator<Partition> {
  for (let r = source.next(); !r.done; r = source.next()) yield r.value;
}

function toAsync(source: Iterator<Partition>): AsyncIterator<Partition> {
  return toAsyncGenerator(source);
}

async function* decodeScanGenerator(
  sstable: SSTableReader,
  from?: KeyBound,
  to?: KeyBound,
): AsyncGenerator<Partition> {
  for await (const entry of sstable.scan(from, to)) yield decodePartition(entry.partition, sstable.dataFile);
}

function decodeScan(sstable: SSTableReader, from?: KeyBound, to?: KeyBound): AsyncIterator<Partition> {
  return decodeScanGenerator(sstable, from, to);
}
