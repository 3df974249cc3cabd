/**
 * Reads one complete SSTable: small components are verified and kept in memory at open; Data and
 * Index are read chunk by chunk through the shared ChunkCache. Reference counted, so compaction can
 * retire it while reads are in flight.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { assert, CorruptionError } from '../../common/errors.js';
import { logger } from '../../common/logger.js';
import { compareKeys, type DecoratedKey } from '../model.js';
import { BloomFilter } from './bloom-filter.js';
import type { ChunkCache } from './chunk-cache.js';
import { ChunkedFileReader, SequentialReader } from './chunked-file-reader.js';
import { BINARY_COMPONENTS, type Component, componentPath, type SSTableDescriptor } from './file-names.js';
import { ComponentCode, DATA_ENTRY_FIXED_BYTES } from './format.js';
import { IndexSummary } from './index-summary.js';
import { compareEncodedKey, compareSearchKeys, type SearchKey, searchKey } from './keys.js';
import { PartitionIndex } from './partition-index.js';
import { deserializeStatistics, type SSTableStats, type StatisticsComponent } from './statistics.js';
import { type ComponentSizes, parseToc } from './toc.js';

const log = logger('sstable');

export interface KeyBound {
  readonly key: DecoratedKey;
  readonly inclusive: boolean;
}

interface SmallComponents {
  readonly sizes: ComponentSizes;
  readonly tocBytes: number;
  readonly statistics: StatisticsComponent;
  readonly summary: IndexSummary;
  readonly filter: BloomFilter;
}

export class SSTableReader {
  readonly generation: number;
  readonly stats: SSTableStats;
  readonly partitionCount: number;
  readonly firstKey: DecoratedKey;
  readonly lastKey: DecoratedKey;
  /** On-disk size of the Data file (compaction buckets use it). */
  readonly dataSizeBytes: number;
  /** On-disk size of all components, TOC included. */
  readonly onDiskSizeBytes: number;
  /** Path of the Data component (names the file in errors about partition bytes). */
  readonly dataFile: string;
  private readonly filter: BloomFilter;
  private readonly partitionIndex: PartitionIndex;
  private readonly lastSearch: SearchKey;
  private refs = 1;
  private obsolete = false;
  private closed = false;
  private deletion: Promise<void> | null = null;

  private constructor(
    readonly descriptor: SSTableDescriptor,
    small: SmallComponents,
    private readonly data: ChunkedFileReader,
    private readonly index: ChunkedFileReader,
  ) {
    this.generation = descriptor.generation;
    this.stats = small.statistics.stats;
    this.partitionCount = small.statistics.partitionCount;
    this.firstKey = small.statistics.firstKey;
    this.lastKey = small.statistics.lastKey;
    this.dataSizeBytes = small.sizes.Data;
    this.dataFile = data.path;
    this.onDiskSizeBytes = BINARY_COMPONENTS.reduce((sum, c) => sum + small.sizes[c], small.tocBytes);
    this.filter = small.filter;
    this.partitionIndex = new PartitionIndex(small.summary, index);
    this.lastSearch = searchKey(this.lastKey);
  }

  /** Opens a complete SSTable, verifying the TOC, component sizes and small components' checksums. */
  static async open(desc: SSTableDescriptor, cache: ChunkCache): Promise<SSTableReader> {
    const small = await readSmallComponents(desc);
    const data = await ChunkedFileReader.open(componentPath(desc, 'Data'), ComponentCode.Data, cache);
    let index: ChunkedFileReader | null = null;
    try {
      index = await ChunkedFileReader.open(componentPath(desc, 'Index'), ComponentCode.Index, cache);
      if (index.streamLength !== small.summary.indexLength) {
        throw new CorruptionError(index.path, -1, 'index stream length disagrees with the summary');
      }
      return new SSTableReader(desc, small, data, index);
    } catch (error) {
      await data.close();
      await index?.close();
      throw error;
    }
  }

  /** False means certainly absent; true means maybe present. */
  mightContain(key: DecoratedKey): boolean {
    return this.filter.mightContain(key);
  }

  /**
   * The partition stored under `key` (a fresh buffer the caller owns), or null. A miss the filter or
   * index rejects reads no Data chunk. When the chunks are cached nothing below awaits.
   */
  async get(key: DecoratedKey): Promise<Uint8Array | null> {
    assert(!this.closed, 'get on a closed SSTable');
    if (!this.filter.mightContain(key)) return null;
    const search = searchKey(key);
    if (compareSearchKeys(search, this.lastSearch) > 0) return null;
    this.ref();
    try {
      const found = this.partitionIndex.find(search);
      const entry = found instanceof Promise ? await found : found;
      if (entry === null) return null;
      const headerLength = DATA_ENTRY_FIXED_BYTES + key.key.length;
      const total = headerLength + entry.partitionLength;
      const view = this.data.cachedView(entry.position, total);
      const bytes = view ?? (await this.data.copyAt(entry.position, total));
      if (
        compareEncodedKey(bytes, 0, search) !== 0 ||
        bytes.readUInt32LE(headerLength - 4) !== entry.partitionLength
      ) {
        throw new CorruptionError(
          this.data.path,
          -1,
          `data entry at stream position ${entry.position} disagrees with the index`,
        );
      }
      if (view === undefined) return bytes.subarray(headerLength);
      const partition = Buffer.allocUnsafe(entry.partitionLength);
      view.copy(partition, 0, headerLength);
      return partition;
    } finally {
      this.release();
    }
  }

  /** Partitions in key order from `from` (or the first) up to `to` (or the last). */
  async *scan(from?: KeyBound, to?: KeyBound): AsyncGenerator<{ key: DecoratedKey; partition: Uint8Array }> {
    assert(!this.closed, 'scan on a closed SSTable');
    this.ref();
    try {
      const dataLength = this.data.streamLength;
      const start = from
        ? await this.partitionIndex.lowerBound(searchKey(from.key), from.inclusive, dataLength)
        : 0;
      const cursor = new SequentialReader(this.data, start);
      while (cursor.position < dataLength) {
        const entryStart = cursor.position;
        const head = await cursor.read(10, false);
        const key = { token: head.readBigInt64LE(0), key: await cursor.read(head.readUInt16LE(8), true) };
        if (to !== undefined) {
          const order = compareKeys(key, to.key);
          if (order > 0 || (order === 0 && !to.inclusive)) return;
        }
        const length = (await cursor.read(4, false)).readUInt32LE(0);
        if (entryStart + DATA_ENTRY_FIXED_BYTES + key.key.length + length > dataLength) {
          throw new CorruptionError(
            this.data.path,
            -1,
            `data entry at stream position ${entryStart} overruns the stream`,
          );
        }
        yield { key, partition: await cursor.read(length, true) };
      }
    } finally {
      this.release();
    }
  }

  /** Re-reads every component and every chunk; throws CorruptionError on the first bad one. */
  async verify(): Promise<void> {
    assert(!this.closed, 'verify on a closed SSTable');
    this.ref();
    try {
      await readSmallComponents(this.descriptor);
      await this.index.verifyAll();
      await this.data.verifyAll();
      let count = 0;
      let previous: DecoratedKey | null = null;
      for await (const { key } of this.scan()) {
        if (previous !== null && compareKeys(previous, key) >= 0) {
          throw new CorruptionError(this.data.path, -1, `keys out of order at partition ${count}`);
        }
        previous = key;
        count++;
      }
      if (count !== this.partitionCount) {
        throw new CorruptionError(
          this.data.path,
          -1,
          `${count} partitions, statistics say ${this.partitionCount}`,
        );
      }
    } finally {
      this.release();
    }
  }

  /** Data chunks asked for (from the cache or the disk) since open. */
  get dataChunkAccesses(): number {
    return this.data.chunkAccesses;
  }

  /** Index chunks asked for (from the cache or the disk) since open. */
  get indexChunkAccesses(): number {
    return this.index.chunkAccesses;
  }

  ref(): void {
    assert(this.refs > 0 && !this.closed, 'ref of a released SSTable');
    this.refs++;
  }

  /** Drops a reference; the last one of an obsolete SSTable deletes its files. Never rejects. */
  unref(): Promise<void> {
    this.release();
    return this.deletion ?? Promise.resolve();
  }

  private release(): void {
    assert(this.refs > 0, 'unref below zero');
    if (--this.refs === 0 && this.obsolete) this.deletion ??= this.deleteFiles();
  }

  /** Replaced (by compaction): the files go once the last reference is dropped. */
  markObsolete(): void {
    this.obsolete = true;
    if (this.refs === 0) this.deletion ??= this.deleteFiles();
  }

  /** Resolves once the files of an obsolete SSTable are deleted. */
  whenDeleted(): Promise<void> | null {
    return this.deletion;
  }

  get referenceCount(): number {
    return this.refs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.data.close();
    await this.index.close();
  }

  private async deleteFiles(): Promise<void> {
    try {
      await this.close();
      // TOC first: from then on the SSTable is incomplete, and a crash leaves only garbage.
      for (const component of ['TOC', ...BINARY_COMPONENTS] as Component[]) {
        await rm(componentPath(this.descriptor, component), { force: true });
      }
      log.info({ generation: this.generation, dir: this.descriptor.dir }, 'deleted obsolete sstable');
    } catch (error) {
      log.error({ err: error, generation: this.generation }, 'failed to delete obsolete sstable');
    }
  }
}

async function readSmallComponents(desc: SSTableDescriptor): Promise<SmallComponents> {
  const tocPath = componentPath(desc, 'TOC');
  const tocFile = await readFile(tocPath);
  const sizes = parseToc(tocFile, tocPath);
  for (const component of BINARY_COMPONENTS) {
    const path = componentPath(desc, component);
    const size = (await stat(path)).size;
    if (size !== sizes[component]) {
      throw new CorruptionError(
        path,
        Math.min(size, sizes[component]),
        `file is ${size} bytes, TOC says ${sizes[component]}`,
      );
    }
  }
  const read = async (component: Component) => {
    const path = componentPath(desc, component);
    return { bytes: await readFile(path), path };
  };
  const statisticsFile = await read('Statistics');
  const summaryFile = await read('Summary');
  const filterFile = await read('Filter');
  return {
    sizes,
    tocBytes: tocFile.length,
    statistics: deserializeStatistics(statisticsFile.bytes, statisticsFile.path),
    summary: IndexSummary.deserialize(summaryFile.bytes, summaryFile.path),
    filter: BloomFilter.deserialize(filterFile.bytes, filterFile.path),
  };
}

/** Same as SSTableReader.open. */
export function openSSTable(desc: SSTableDescriptor, cache: ChunkCache): Promise<SSTableReader> {
  return SSTableReader.open(desc, cache);
}
