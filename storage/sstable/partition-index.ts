/**
 * Finds partitions through the in-memory summary and the Index stream: a binary search in the
 * summary, then a scan of one region of at most `interval` Index entries. Reads no Data.
 */
import { CorruptionError } from '../../common/errors.js';
import type { ChunkedFileReader } from './chunked-file-reader.js';
import { DATA_ENTRY_FIXED_BYTES, INDEX_ENTRY_FIXED_BYTES, readU64 } from './format.js';
import type { IndexSummary } from './index-summary.js';
import { compareEncodedKey, type SearchKey } from './keys.js';

export interface IndexEntry {
  /** Stream position of the data_entry in Data. */
  readonly position: number;
  readonly partitionLength: number;
}

export class PartitionIndex {
  constructor(
    private readonly summary: IndexSummary,
    private readonly index: ChunkedFileReader,
  ) {}

  /**
   * The Data entry of `search`, or null. Synchronous when the Index chunk is cached (the common case
   * of a hot point read), a promise otherwise.
   */
  find(search: SearchKey): IndexEntry | null | Promise<IndexEntry | null> {
    const entry = this.summary.floor(search);
    if (entry < 0) return null;
    const start = this.summary.regionStart(entry);
    const length = this.summary.regionEnd(entry) - start;
    const region = this.index.cachedView(start, length);
    if (region !== undefined) return this.findInRegion(region, start, search);
    return this.index.bytesAt(start, length).then((bytes) => this.findInRegion(bytes, start, search));
  }

  private findInRegion(region: Buffer, start: number, search: SearchKey): IndexEntry | null {
    const at = this.scanRegion(region, start, search, true);
    if (at < 0 || compareEncodedKey(region, at, search) !== 0) return null;
    const keyEnd = at + 10 + region.readUInt16LE(at + 8);
    return { position: readU64(region, keyEnd), partitionLength: region.readUInt32LE(keyEnd + 8) };
  }

  /**
   * The Data position of the first partition at or after `search` (strictly after when not
   * `inclusive`); the Data stream length when there is none.
   */
  async lowerBound(search: SearchKey, inclusive: boolean, dataLength: number): Promise<number> {
    const entry = this.summary.floor(search);
    if (entry < 0) return 0;
    const start = this.summary.regionStart(entry);
    const region = await this.index.bytesAt(start, this.summary.regionEnd(entry) - start);
    const at = this.scanRegion(region, start, search, inclusive);
    if (at >= 0) return readU64(region, at + 10 + region.readUInt16LE(at + 8));
    const last = this.lastEntryOf(region, start);
    // Every entry of the region sorts before the bound: start right after the last one's data.
    const keyLength = region.readUInt16LE(last + 8);
    const keyEnd = last + 10 + keyLength;
    const next =
      readU64(region, keyEnd) + DATA_ENTRY_FIXED_BYTES + keyLength + region.readUInt32LE(keyEnd + 8);
    return Math.min(next, dataLength);
  }

  /**
   * Offset in `region` of the first entry ≥ `search` (> when not `inclusive`), or -1. Bounded: a region
   * holds at most `interval` entries.
   */
  private scanRegion(region: Buffer, start: number, search: SearchKey, inclusive: boolean): number {
    let at = 0;
    for (let seen = 0; at < region.length; seen++) {
      this.checkEntry(region, at, start, seen);
      const order = compareEncodedKey(region, at, search);
      if (order > 0 || (order === 0 && inclusive)) return at;
      at += INDEX_ENTRY_FIXED_BYTES + region.readUInt16LE(at + 8);
    }
    return -1;
  }

  private lastEntryOf(region: Buffer, start: number): number {
    let at = 0;
    let last = 0;
    for (let seen = 0; at < region.length; seen++) {
      this.checkEntry(region, at, start, seen);
      last = at;
      at += INDEX_ENTRY_FIXED_BYTES + region.readUInt16LE(at + 8);
    }
    return last;
  }

  private checkEntry(region: Buffer, at: number, start: number, seen: number): void {
    const fits =
      at + 10 <= region.length && at + INDEX_ENTRY_FIXED_BYTES + region.readUInt16LE(at + 8) <= region.length;
    if (!fits || seen >= this.summary.interval) {
      throw new CorruptionError(
        this.index.path,
        -1,
        `index entry at stream position ${start + at} does not fit its summary region`,
      );
    }
  }
}
