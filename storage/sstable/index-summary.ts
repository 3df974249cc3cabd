/**
 * The Summary component (docs/formats/sstable.md "Summary"): every `interval`-th Index entry, kept
 * in memory so a lookup reads at most one region of `interval` Index entries.
 */
import { assert } from '../../common/errors.js';
import type { DecoratedKey } from '../model.js';
import { BodyReader, BodyWriter, ComponentCode, frameSmallFile, unframeSmallFile } from './format.js';
import { type SearchKey, searchKey } from './keys.js';

export class IndexSummary {
  private readonly his: Int32Array;
  private readonly los: Uint32Array;

  constructor(
    readonly interval: number,
    private readonly tokens: readonly bigint[],
    private readonly keys: readonly Uint8Array[],
    private readonly positions: Float64Array,
    /** The Index stream length: the end of the last region. */
    readonly indexLength: number,
  ) {
    assert(tokens.length === keys.length && keys.length === positions.length, 'summary arrays disagree');
    assert(interval >= 1, 'summary interval must be positive');
    this.his = new Int32Array(tokens.length);
    this.los = new Uint32Array(tokens.length);
    tokens.forEach((token, j) => {
      const split = searchKey({ token, key: keys[j]! });
      this.his[j] = split.hi;
      this.los[j] = split.lo;
    });
  }

  get count(): number {
    return this.positions.length;
  }

  /** The last entry whose key is ≤ `search`, or -1 when `search` sorts before every entry. */
  floor(search: SearchKey): number {
    let low = 0;
    let high = this.positions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.compareEntry(middle, search) <= 0) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  regionStart(entry: number): number {
    return this.positions[entry]!;
  }

  regionEnd(entry: number): number {
    return entry + 1 < this.positions.length ? this.positions[entry + 1]! : this.indexLength;
  }

  private compareEntry(entry: number, search: SearchKey): number {
    const hi = this.his[entry]!;
    if (hi !== search.hi) return hi < search.hi ? -1 : 1;
    const lo = this.los[entry]!;
    if (lo !== search.lo) return lo < search.lo ? -1 : 1;
    return Buffer.compare(this.keys[entry]!, search.key);
  }

  serialize(): Buffer {
    const body = new BodyWriter();
    body.u32(this.interval);
    body.u32(this.count);
    body.u64(this.indexLength);
    for (let j = 0; j < this.count; j++) {
      body.i64(this.tokens[j]!);
      body.u16(this.keys[j]!.length);
      body.bytes(this.keys[j]!);
      body.u64(this.positions[j]!);
    }
    return frameSmallFile(ComponentCode.Summary, body.finish());
  }

  static deserialize(file: Buffer, path: string): IndexSummary {
    const body = new BodyReader(unframeSmallFile(file, ComponentCode.Summary, path), path, 16);
    const interval = body.u32();
    const count = body.u32();
    const indexLength = body.u64();
    if (interval < 1 || count < 1) throw body.corrupt(`bad summary: interval ${interval}, ${count} entries`);
    const tokens: bigint[] = [];
    const keys: Uint8Array[] = [];
    const positions = new Float64Array(count);
    for (let j = 0; j < count; j++) {
      tokens.push(body.i64());
      keys.push(body.bytes(body.u16()));
      positions[j] = body.u64();
      if (positions[j]! >= indexLength || (j > 0 && positions[j]! <= positions[j - 1]!)) {
        throw body.corrupt(`summary entry ${j} points outside or backwards in the index`);
      }
    }
    body.end();
    return new IndexSummary(interval, tokens, keys, positions, indexLength);
  }
}

/** Collects summary entries while the writer appends Index entries. */
export class IndexSummaryBuilder {
  private readonly tokens: bigint[] = [];
  private readonly keys: Uint8Array[] = [];
  private readonly positions: number[] = [];
  private seen = 0;

  constructor(private readonly interval: number) {
    assert(Number.isInteger(interval) && interval >= 1, 'summary interval must be a positive integer');
  }

  /** Called for every Index entry, in order. */
  add(key: DecoratedKey, indexPosition: number): void {
    if (this.seen++ % this.interval !== 0) return;
    this.tokens.push(key.token);
    this.keys.push(Uint8Array.prototype.slice.call(key.key));
    this.positions.push(indexPosition);
  }

  build(indexLength: number): IndexSummary {
    return new IndexSummary(
      this.interval,
      this.tokens,
      this.keys,
      Float64Array.from(this.positions),
      indexLength,
    );
  }
}
