/**
 * Writes one SSTable (docs/formats/sstable.md): partitions stream into Data and Index as they are
 * appended; Summary, Filter and Statistics are written at `finish`, then every file is fsynced and
 * renamed from its temporary name, the TOC last.
 */
import { open, rename, rm } from 'node:fs/promises';
import { assert } from '../../common/errors.js';
import { logger } from '../../common/logger.js';
import { compareKeys, type DecoratedKey } from '../model.js';
import { BloomFilter } from './bloom-filter.js';
import type { ChunkCache } from './chunk-cache.js';
import { ChunkedFileWriter } from './chunked-file-writer.js';
import { BINARY_COMPONENTS, componentPath, type SSTableDescriptor } from './file-names.js';
import {
  ComponentCode,
  type CompressionName,
  DATA_ENTRY_FIXED_BYTES,
  INDEX_ENTRY_FIXED_BYTES,
  MAX_KEY_BYTES,
  MAX_PARTITION_BYTES,
  writeU64,
} from './format.js';
import { IndexSummaryBuilder } from './index-summary.js';
import { encodeKey } from './keys.js';
import { SSTableReader } from './sstable-reader.js';
import { type SSTableStats, serializeStatistics } from './statistics.js';
import { serializeToc } from './toc.js';

const log = logger('sstable');

export interface SSTableWriterOptions {
  chunkSizeBytes: number;
  compression: CompressionName;
  expectedPartitions: number;
  bloomFilterFalsePositiveChance: number;
  indexSummaryInterval: number;
}

export class SSTableWriter {
  private firstKey: DecoratedKey | null = null;
  private lastKey: DecoratedKey | null = null;
  private partitionCount = 0;
  private state: 'open' | 'finishing' | 'done' = 'open';
  /** Entry headers are encoded here, then copied into the chunk buffers. */
  private readonly scratch = Buffer.allocUnsafe(INDEX_ENTRY_FIXED_BYTES + MAX_KEY_BYTES);
  private readonly filter: BloomFilter;
  private readonly summary: IndexSummaryBuilder;

  private constructor(
    readonly descriptor: SSTableDescriptor,
    private readonly cache: ChunkCache,
    private readonly data: ChunkedFileWriter,
    private readonly index: ChunkedFileWriter,
    options: SSTableWriterOptions,
  ) {
    this.filter = BloomFilter.forExpected(options.expectedPartitions, options.bloomFilterFalsePositiveChance);
    this.summary = new IndexSummaryBuilder(options.indexSummaryInterval);
  }

  /** `cache` is where the reader returned by `finish` caches its chunks. */
  static async create(
    desc: SSTableDescriptor,
    options: SSTableWriterOptions,
    cache: ChunkCache,
  ): Promise<SSTableWriter> {
    const chunked = { chunkSizeBytes: options.chunkSizeBytes, compression: options.compression };
    const data = await ChunkedFileWriter.create(
      componentPath(desc, 'Data', true),
      ComponentCode.Data,
      chunked,
    );
    try {
      const index = await ChunkedFileWriter.create(
        componentPath(desc, 'Index', true),
        ComponentCode.Index,
        chunked,
      );
      return new SSTableWriter(desc, cache, data, index, options);
    } catch (error) {
      await data.abort();
      await rm(data.path, { force: true });
      throw error;
    }
  }

  /** Appends one partition; keys must strictly increase. Memory stays bounded by a flush threshold. */
  async append(key: DecoratedKey, partition: Uint8Array): Promise<void> {
    assert(this.state === 'open', 'append after finish or abort');
    assert(
      this.lastKey === null || compareKeys(this.lastKey, key) < 0,
      'SSTable keys must strictly increase',
    );
    assert(key.key.length <= MAX_KEY_BYTES, `partition key of ${key.key.length} bytes is too long`);
    assert(partition.length <= MAX_PARTITION_BYTES, `partition of ${partition.length} bytes is too large`);
    const dataPosition = this.data.streamPosition;
    let end = encodeKey(this.scratch, 0, key);
    this.scratch.writeUInt32LE(partition.length, end);
    this.data.write(this.scratch.subarray(0, end + 4));
    this.data.write(partition);

    this.summary.add(key, this.index.streamPosition);
    end = encodeKey(this.scratch, 0, key);
    writeU64(this.scratch, dataPosition, end);
    this.scratch.writeUInt32LE(partition.length, end + 8);
    this.index.write(this.scratch.subarray(0, end + 12));
    this.filter.add(key);

    const copy = { token: key.token, key: Uint8Array.prototype.slice.call(key.key) };
    this.firstKey ??= copy;
    this.lastKey = copy;
    this.partitionCount++;
    assert(
      this.data.streamPosition === dataPosition + DATA_ENTRY_FIXED_BYTES + key.key.length + partition.length,
      'data entry size',
    );
    await this.data.flushIfFull();
    await this.index.flushIfFull();
  }

  /** Writes the remaining components, makes the SSTable visible atomically and opens it. */
  async finish(stats: SSTableStats): Promise<SSTableReader> {
    assert(this.state === 'open', 'finish twice or after abort');
    assert(
      this.partitionCount > 0 && this.firstKey !== null && this.lastKey !== null,
      'an SSTable needs a partition',
    );
    this.state = 'finishing';
    const desc = this.descriptor;
    const indexLength = this.index.streamPosition;
    const sizes = {
      Data: await this.data.finish(),
      Index: await this.index.finish(),
      Summary: await writeSynced(
        componentPath(desc, 'Summary', true),
        this.summary.build(indexLength).serialize(),
      ),
      Filter: await writeSynced(componentPath(desc, 'Filter', true), this.filter.serialize()),
      Statistics: await writeSynced(
        componentPath(desc, 'Statistics', true),
        serializeStatistics({
          stats,
          partitionCount: this.partitionCount,
          firstKey: this.firstKey,
          lastKey: this.lastKey,
        }),
      ),
    };
    for (const component of BINARY_COMPONENTS) {
      await rename(componentPath(desc, component, true), componentPath(desc, component));
    }
    await writeSynced(componentPath(desc, 'TOC', true), serializeToc(sizes));
    await rename(componentPath(desc, 'TOC', true), componentPath(desc, 'TOC'));
    await syncDirectory(desc.dir);
    this.state = 'done';
    log.debug(
      { generation: desc.generation, partitions: this.partitionCount, dataBytes: sizes.Data },
      'sstable written',
    );
    return SSTableReader.open(desc, this.cache);
  }

  /** Abandons the SSTable and removes whatever it wrote. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    await this.data.abort();
    await this.index.abort();
    const desc = this.descriptor;
    await rm(componentPath(desc, 'TOC'), { force: true });
    for (const component of [...BINARY_COMPONENTS, 'TOC'] as const) {
      await rm(componentPath(desc, component, true), { force: true });
      if (component !== 'TOC') await rm(componentPath(desc, component), { force: true });
    }
    this.state = 'done';
  }
}

/** Creates `path` (which must not exist), writes `bytes`, fsyncs; returns the size. */
async function writeSynced(path: string, bytes: Buffer): Promise<number> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return bytes.length;
}

/** Makes the renames durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
