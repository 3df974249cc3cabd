/**
 * Writing a frozen memtable to an SSTable: the work a flush does off the event loop.
 *
 * The memtable's serialized partitions live in SharedArrayBuffer slabs, so a worker thread reads
 * them in place while the event loop keeps serving reads from the same bytes. The task sorts the
 * partitions by (token, key) itself and writes them unchanged: a flush neither decodes nor encodes.
 */
import { assert } from '../common/errors.js';
import type { DecoratedKey } from './model.js';
import { serializedKeySpan } from './partition-codec.js';
import type { SSTableStats, SSTableWriterOptions } from './sstable/sstable.js';
import { ChunkCache, SSTableWriter } from './sstable/sstable.js';

export interface FlushTask {
  readonly dir: string;
  readonly generation: number;
  readonly options: SSTableWriterOptions;
  readonly stats: SSTableStats;
  readonly slabs: readonly SharedArrayBuffer[];
  /** Three numbers per partition: slab index, offset, length. */
  readonly entries: Float64Array;
}

export interface FlushResult {
  readonly generation: number;
  readonly partitions: number;
}

/** Per partition: where its bytes are and its token in two halves (for a sort without bigints). */
interface Located {
  readonly view: Buffer;
  readonly tokenHigh: number;
  readonly tokenLow: number;
  readonly key: DecoratedKey;
}

function locate(slab: Buffer, offset: number, length: number): Located {
  const view = slab.subarray(offset, offset + length);
  const { start, length: keyLength } = serializedKeySpan(view, 0);
  return {
    view,
    tokenHigh: view.readInt32BE(1),
    tokenLow: view.readUInt32BE(5),
    key: { token: view.readBigInt64BE(1), key: view.subarray(start, start + keyLength) },
  };
}

function compareLocated(a: Located, b: Located): number {
  if (a.tokenHigh !== b.tokenHigh) return a.tokenHigh - b.tokenHigh;
  if (a.tokenLow !== b.tokenLow) return a.tokenLow - b.tokenLow;
  return Buffer.compare(a.key.key, b.key.key);
}

/** Runs a flush task; in a worker thread or, when asked, on the calling thread. */
export async function runFlushTask(task: FlushTask, cache: ChunkCache): Promise<FlushResult> {
  const slabs = task.slabs.map((s) => Buffer.from(s));
  const count = task.entries.length / 3;
  assert(Number.isInteger(count) && count > 0, 'flush task without partitions');
  const located: Located[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const slab = slabs[task.entries[i * 3]!];
    assert(slab !== undefined, 'flush entry names a missing slab');
    located[i] = locate(slab, task.entries[i * 3 + 1]!, task.entries[i * 3 + 2]!);
  }
  located.sort(compareLocated);
  const writer = await SSTableWriter.create(
    { dir: task.dir, generation: task.generation },
    task.options,
    cache,
  );
  try {
    for (const p of located) await writer.append(p.key, p.view);
    const reader = await writer.finish(task.stats);
    await reader.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { generation: task.generation, partitions: count };
}

/** A small cache for background work: readers opened by flushes and compactions serve no reads. */
export function backgroundCache(): ChunkCache {
  return new ChunkCache(4 * 1024 * 1024);
}
