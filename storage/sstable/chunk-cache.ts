import { assert } from '../../common/errors.js';

export const MAX_CHUNKS_PER_FILE = 2 ** 26;

/**
 * An LRU of verified, decompressed chunks shared by every SSTable reader of a process (Cassandra's
 * file cache). Keyed by (file id, chunk index); file ids are never reused, so entries of a closed
 * file can never be hit again and simply age out.
 */
export class ChunkCache {
  /** Map iteration order is insertion order: the first entry is the least recently used. */
  private readonly entries = new Map<number, Buffer>();
  private sizeBytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacityBytes: number) {
    assert(capacityBytes >= 0, 'cache capacity must not be negative');
  }

  /** Fits a safe integer: file ids < 2^27, chunk indexes < 2^26 (1 TiB of 16 KiB chunks per file). */
  static key(fileId: number, chunkIndex: number): number {
    return fileId * MAX_CHUNKS_PER_FILE + chunkIndex;
  }

  /** A hit moves the chunk to the most recently used end. `countMiss: false` when a caller falls back to a load that counts it. */
  get(key: number, countMiss = true): Buffer | undefined {
    const chunk = this.entries.get(key);
    if (chunk === undefined) {
      if (countMiss) this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, chunk);
    return chunk;
  }

  /** Looks without counting or reordering (sequential scans must not skew the LRU). */
  peek(key: number): Buffer | undefined {
    return this.entries.get(key);
  }

  put(key: number, chunk: Buffer): void {
    if (chunk.length > this.capacityBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.sizeBytes -= previous.length;
      this.entries.delete(key);
    }
    this.entries.set(key, chunk);
    this.sizeBytes += chunk.length;
    for (const [oldest, value] of this.entries) {
      if (this.sizeBytes <= this.capacityBytes) break;
      this.entries.delete(oldest);
      this.sizeBytes -= value.length;
    }
    assert(this.sizeBytes <= this.capacityBytes, 'chunk cache over capacity after eviction');
  }

  get usedBytes(): number {
    return this.sizeBytes;
  }

  get chunkCount(): number {
    return this.entries.size;
  }
}

let nextFileId = 1;
/** A process-wide unique id for a chunked file reader (the cache key's first half). */
export function allocateFileId(): number {
  const id = nextFileId++;
  assert(id < 2 ** 27, 'chunk cache file ids exhausted');
  return id;
}
