/**
 * One node's storage: the commit log shared by all tables, and one TableStore per table.
 *
 * Write path (DESIGN.md): validate → commit log append → memtable → acknowledge when the append is
 * durable for the sync mode. The append reserves its log position and the memtable takes the write
 * in the same synchronous step, so a memtable switch (flush) can never fall between the two: the
 * position recorded by a flush covers exactly the writes in the flushed memtable.
 *
 * Start-up: `open` removes SSTables left half-written by a crash, tables are added (their SSTables
 * tell how far each is flushed), then `replayCommitLog` replays what is newer and flushes it. It may
 * be called again after more tables are added (schema tables first, then the tables they describe):
 * records of tables unknown at a replay are counted and skipped.
 *
 * Counter updates (storage/counters.ts) come in through `applyCounterUpdate`, the leader step; the
 * plain write path refuses their delta cells, which are never stored.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { SibylError } from '../common/errors.js';
import type { StorageOptions } from '../common/limits.js';
import { storageOptions } from '../common/limits.js';
import { logger } from '../common/logger.js';
import type { BackgroundExecutor } from './background-executor.js';
import { InProcessExecutor, WorkerExecutor } from './background-executor.js';
import { CommitLog, comparePositions } from './commitlog/commit-log.js';
import type { CounterId } from './counter-context.js';
import { hasCounterDeltas, leaderShardUpdate, PartitionLocks } from './counters.js';
import { commitLogDirectory, tableDirectory } from './directories.js';
import type { ClusteringSlice, DecoratedKey, Mutation, Partition } from './model.js';
import { encodePartitionView, lastEncodingHadCounterDeltas, summarizePartition } from './partition-codec.js';
import { ChunkCache, removeIncompleteSSTables } from './sstable/sstable.js';
import type { ScanRange, TableDefinition } from './table-store.js';
import { TableStore } from './table-store.js';

export interface StorageEngineConfig {
  readonly dataDir: string;
  readonly options?: Partial<StorageOptions>;
  readonly clock?: Clock;
}

export interface ReplayResult {
  readonly replayed: number;
  readonly skipped: number;
  readonly unknownTable: number;
  readonly tornTailDropped: boolean;
}

export class StorageEngine {
  private readonly tables = new Map<string, TableStore>();
  private readonly log = logger('storage');
  private readonly counterLocks = new PartitionLocks();
  private closed = false;

  private constructor(
    readonly dataDir: string,
    readonly options: StorageOptions,
    private readonly clock: Clock,
    private readonly commitLog: CommitLog,
    private readonly cache: ChunkCache,
    private readonly executor: BackgroundExecutor,
  ) {}

  static async open(config: StorageEngineConfig): Promise<StorageEngine> {
    const options = storageOptions(config.options);
    await mkdir(join(config.dataDir, 'data'), { recursive: true });
    const commitLog = await CommitLog.open(commitLogDirectory(config.dataDir), {
      segmentSizeBytes: options.commitlogSegmentSizeBytes,
      sync: options.commitlogSync,
      syncPeriodMs: options.commitlogSyncPeriodMs,
      groupWindowMs: options.commitlogSyncGroupWindowMs,
      maxRecordSizeBytes: options.maxMutationSizeBytes + 1024,
    });
    const cache = new ChunkCache(options.chunkCacheSizeBytes);
    const executor = options.flushInWorkerThread ? new WorkerExecutor() : new InProcessExecutor();
    return new StorageEngine(
      config.dataDir,
      options,
      config.clock ?? systemClock,
      commitLog,
      cache,
      executor,
    );
  }

  /** Opens a table's SSTables (removing any a crash left half-written). */
  async addTable(definition: TableDefinition): Promise<TableStore> {
    if (this.tables.has(definition.id)) throw new Error(`table ${definition.id} already added`);
    const dir = tableDirectory(this.dataDir, definition.keyspace, definition.name, definition.id);
    await mkdir(dir, { recursive: true });
    await removeIncompleteSSTables(dir); // it logs what it removed
    const table = await TableStore.open(definition, {
      dir,
      options: this.options,
      clock: this.clock,
      cache: this.cache,
      executor: this.executor,
      log: logger('table').child({ table: `${definition.keyspace}.${definition.name}` }),
      commitLogPosition: () => this.commitLog.currentPosition(),
      onFlushed: (tableId, position) => this.commitLog.discardCompletedSegments(tableId, position),
    });
    this.tables.set(definition.id, table);
    return table;
  }

  /** Forgets a table and deletes its files (DROP TABLE). */
  async dropTable(tableId: string): Promise<void> {
    const table = this.table(tableId);
    await table.truncate();
    await table.close(false);
    this.tables.delete(tableId);
  }

  table(tableId: string): TableStore {
    const table = this.tables.get(tableId);
    if (!table) throw new SibylError('UNKNOWN_TABLE', `Unknown table id ${tableId}`);
    return table;
  }

  hasTable(tableId: string): boolean {
    return this.tables.has(tableId);
  }

  /** Replays the commit log into the known tables, then flushes what it replayed. */
  async replayCommitLog(): Promise<ReplayResult> {
    let replayed = 0;
    let unknownTable = 0;
    const touched = new Set<TableStore>();
    const result = await this.commitLog.replay(
      (tableId) => this.tables.get(tableId)?.flushedPosition ?? null,
      (tableId, payload, position) => {
        const table = this.tables.get(tableId);
        if (!table) {
          unknownTable++;
          return;
        }
        const flushed = table.flushedPosition;
        if (flushed && comparePositions(position, flushed) <= 0) return;
        table.applyEncoded(payload, summarizePartition(payload, `commit log record of table ${tableId}`));
        touched.add(table);
        replayed++;
      },
    );
    for (const table of touched) await table.flush();
    if (replayed > 0 || result.tornTailDropped) {
      this.log.info(
        { replayed, unknownTable, tornTailDropped: result.tornTailDropped },
        'commit log replayed',
      );
    }
    return { replayed, skipped: result.skipped, unknownTable, tornTailDropped: result.tornTailDropped };
  }

  /**
   * Applies a mutation; resolves when it is as durable as the commit log's sync mode promises.
   * `durable: false` (a keyspace with durable_writes = false) skips the commit log.
   * `encoded`, when the caller has it, is an encoding of exactly this partition (`encodePartition`'s,
   * or bytes `decodePartition` turned into it: a coordinator's wire form); it is written as it is
   * instead of encoding the partition again. Bytes without a decoded partition: `applyEncoded`.
   */
  async apply(mutation: Mutation, durable = true, encoded?: Uint8Array): Promise<void> {
    if (this.closed) throw new SibylError('STORAGE_CLOSED', 'storage engine is closed');
    const table = this.table(mutation.tableId);
    // Encoded once into a shared buffer; the commit log and the memtable copy what they keep.
    const bytes = encoded ?? encodePartitionView(mutation.partition);
    const deltas =
      encoded === undefined ? lastEncodingHadCounterDeltas() : hasCounterDeltas(mutation.partition);
    this.checkWrite(mutation.tableId, bytes, deltas);
    const appended = durable ? this.commitLog.append(mutation.tableId, bytes) : null;
    table.apply(mutation.partition, bytes);
    this.flushIfFull(table);
    if (appended) await appended;
    // Backpressure: writers wait while flushes lag far behind.
    if (table.overloaded) await table.flushesDone();
  }

  /**
   * Applies one encoded partition as it is (a replica's received mutation or read repair): the bytes
   * are checked by `summarizePartition` (the `CorruptionError`s of `decodePartition`, naming `source`)
   * without building the partition, refused as `apply` refuses, then appended to the commit log and
   * kept by the memtable as they are. Same durability and backpressure as `apply`.
   */
  async applyEncoded(
    tableId: string,
    bytes: Uint8Array,
    durable = true,
    source = 'partition',
  ): Promise<void> {
    // Checked first, as a replica decoded what it received before looking for the table.
    const summary = summarizePartition(bytes, source);
    if (this.closed) throw new SibylError('STORAGE_CLOSED', 'storage engine is closed');
    const table = this.table(tableId);
    this.checkWrite(tableId, bytes, summary.hasCounterDeltas);
    const appended = durable ? this.commitLog.append(tableId, bytes) : null;
    table.applyEncoded(bytes, summary);
    this.flushIfFull(table);
    if (appended) await appended;
    // Backpressure: writers wait while flushes lag far behind.
    if (table.overloaded) await table.flushesDone();
  }

  /** Refuses counter deltas (stored only through `applyCounterUpdate`) and oversized mutations. */
  private checkWrite(tableId: string, bytes: Uint8Array, counterDeltas: boolean): void {
    if (counterDeltas) {
      throw new SibylError(
        'INVALID_MUTATION',
        `A counter update for table ${tableId} must be applied by its leader replica (applyCounterUpdate), not as a plain mutation`,
      );
    }
    if (bytes.length > this.options.maxMutationSizeBytes) {
      throw new SibylError(
        'MUTATION_TOO_LARGE',
        `Mutation of ${bytes.length} bytes is too large for the maximum size of ${this.options.maxMutationSizeBytes}`,
      );
    }
  }

  /** Starts a flush when the memtable has reached its threshold (in the write's synchronous step). */
  private flushIfFull(table: TableStore): void {
    if (table.memtableSizeBytes >= this.options.memtableFlushThresholdBytes)
      void table.flush().catch(() => {});
  }

  /**
   * Applies a counter update as its leader replica (Cassandra's CounterMutation.applyCounterMutation):
   * under a lock on the partition, reads this replica's current shard of each delta cell (the shard
   * of `counterId`, this node's host id) and writes the shard `(clock + 1, count + delta)` through
   * `apply` (commit log, memtable). Resolves with the mutation written — counter cells carrying only
   * this replica's shard, plus the update's deletions — once it is as durable as `apply` promises:
   * that mutation is what the other replicas and hints receive.
   */
  async applyCounterUpdate(mutation: Mutation, counterId: CounterId, durable = true): Promise<Mutation> {
    if (this.closed) throw new SibylError('STORAGE_CLOSED', 'storage engine is closed');
    const table = this.table(mutation.tableId);
    const key = mutation.partition.key;
    const lockKey = `${mutation.tableId}/${Buffer.from(key.key).toString('hex')}`;
    const step = await this.counterLocks.run(lockKey, async () => {
      const current = await table.read(key);
      const shards: Mutation = {
        tableId: mutation.tableId,
        partition: leaderShardUpdate(
          mutation.partition,
          current,
          counterId,
          table.definition.clusteringComparator,
        ),
      };
      // `apply` writes the memtable before its first await: once it returns, the next step of this
      // partition reads this shard, so the lock need not wait for the commit log's sync.
      const written = this.apply(shards, durable);
      written.catch(() => {}); // awaited below; this only keeps the rejection from being unhandled
      return { shards, written };
    });
    await step.written;
    return step.shards;
  }

  read(tableId: string, key: DecoratedKey, slice?: ClusteringSlice): Promise<Partition | null> {
    return this.table(tableId).read(key, slice);
  }

  scan(tableId: string, range?: ScanRange): AsyncGenerator<Partition> {
    return this.table(tableId).scan(range);
  }

  /** Flushes one table, or every table. */
  async flush(tableId?: string): Promise<void> {
    const tables = tableId ? [this.table(tableId)] : [...this.tables.values()];
    await Promise.all(tables.map((t) => t.flush()));
  }

  /** Major compaction of one table, or every table (nodetool compact). */
  async compact(tableId?: string): Promise<void> {
    const tables = tableId ? [this.table(tableId)] : [...this.tables.values()];
    for (const t of tables) await t.majorCompaction();
  }

  async truncate(tableId: string): Promise<void> {
    await this.table(tableId).truncate();
  }

  /** Commit log segment files on disk (for tests and operators). */
  commitLogSegments(): string[] {
    return this.commitLog.segmentFiles();
  }

  /** Clean shutdown: flush every memtable (when asked), sync and close the commit log. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const flush = options.flush ?? true;
    for (const table of this.tables.values()) await table.close(flush);
    await this.commitLog.close();
    await this.executor.close();
  }
}
