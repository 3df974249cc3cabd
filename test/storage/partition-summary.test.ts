/**
 * `summarizePartition`, the validating walk a replica runs on the bytes it receives instead of
 * decoding them: for any partition it gives what decoding gives (key, row count, counter deltas,
 * the statistics `StatsCollector` gathers), and for any damaged bytes it throws exactly the
 * `CorruptionError` `decodePartition` throws (message, file and offset).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../../common/errors.js';
import { counterIdFromHostId, encodeContext } from '../../storage/counter-context.js';
import { counterDeltaCell, counterShardsCell, hasCounterDeltas } from '../../storage/counters.js';
import type { Partition } from '../../storage/model.js';
import { bytesClusteringComparator } from '../../storage/model.js';
import { decodePartition, encodePartition, summarizePartition } from '../../storage/partition-codec.js';
import { StatsCollector } from '../../storage/stats-collector.js';
import { cell, ck, EVERYTHING, key, partition, plain, row } from './helpers.js';
import { partitionArbitrary } from './partition-arbitrary.js';

const KEYS = [key(1), key(2), { token: -(2n ** 63n), key: Buffer.alloc(0) }];
const anyPartition = fc
  .integer({ min: 0, max: 2 })
  .chain((clusteringArity) => partitionArbitrary({ keys: KEYS, clusteringArity, counterDeltas: true }));

/** What `summarizePartition` or `decodePartition` does with `bytes`: its result or its error. */
function outcome<T>(run: () => T): { ok: T } | { error: string; file: string; offset: number } {
  try {
    return { ok: run() };
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    const e = error as CorruptionError;
    return { error: e.message, file: e.file, offset: e.offset };
  }
}

/** Column names cells and column deletions of `p` use (what StatsCollector.add adds). */
function usedColumns(p: Partition): string[] {
  const names = new Set<string>();
  for (const r of [...(p.staticRow ? [p.staticRow] : []), ...p.rows]) {
    for (const c of r.cells) names.add(c.column);
    for (const d of r.columnDeletions) names.add(d.column);
  }
  return [...names].sort();
}

/** One row and nothing else: no deletions of any kind, no static row, no collection or counter cells. */
function isSinglePlainRow(p: Partition): boolean {
  const [only] = p.rows;
  return (
    p.rows.length === 1 &&
    p.deletion === null &&
    p.staticRow === null &&
    p.rangeTombstones.length === 0 &&
    only!.deletion === null &&
    only!.columnDeletions.length === 0 &&
    only!.cells.every((c) => c.path === null && c.counter === undefined)
  );
}

/** The same summary and the same error as decoding, whatever `bytes` hold. */
function expectSameAsDecoding(bytes: Uint8Array, source: string, baseOffset: number): void {
  const decoded = outcome(() => decodePartition(bytes, source, baseOffset));
  const summary = outcome(() => summarizePartition(bytes, source, baseOffset));
  if ('ok' in decoded && 'ok' in summary) {
    const p = decoded.ok;
    const s = summary.ok;
    expect(plain(s.key)).toEqual(plain(p.key));
    expect(s.rowCount).toBe(p.rows.length);
    expect(s.hasCounterDeltas).toBe(hasCounterDeltas(p));
    expect([...s.columns].sort()).toEqual(usedColumns(p));
    expect(plain(s.firstClustering)).toEqual(plain(p.rows[0]?.clustering ?? null));
    expect(plain(s.lastClustering)).toEqual(plain(p.rows.at(-1)?.clustering ?? null));
    expect(s.singlePlainRow).toBe(isSinglePlainRow(p));
    expect(s.firstRowHasLiveness).toBe((p.rows[0]?.liveness ?? null) !== null);
    const fromPartition = new StatsCollector(bytesClusteringComparator);
    fromPartition.add(p);
    const fromSummary = new StatsCollector(bytesClusteringComparator);
    fromSummary.addSummary(s);
    expect(plain(fromSummary.result())).toEqual(plain(fromPartition.result()));
  } else {
    expect(summary).toEqual(decoded);
  }
}

const COUNTER_ID = counterIdFromHostId('0000000a-0000-4000-8000-00000000000a');

/** A few partitions with known content, for the byte-by-byte checks. */
const FIXTURES: Record<string, Partition> = {
  everything: EVERYTHING,
  counters: partition(key(7), [
    row(ck(1), [
      counterDeltaCell('d', -3n, 5),
      counterShardsCell('n', encodeContext([{ counterId: COUNTER_ID, clock: 3n, count: 9n }]), 6),
    ]),
  ]),
  // As `sibyl stress write` writes: a 10-byte key, a row marker and five 34-byte cells.
  stress: partition({ token: 99n, key: Buffer.alloc(10, 7) }, [
    row(
      [],
      ['C0', 'C1', 'C2', 'C3', 'C4'].map((c) => cell(c, 'v'.repeat(34), 1_700_000_000_000_000)),
      { liveness: { timestamp: 1_700_000_000_000_000, ttl: 0, localExpirationTime: 0x7fffffff } },
    ),
  ]),
};

describe('summarizePartition: what decoding gives', () => {
  it('equals the decoded partition and its statistics for random partitions', () => {
    fc.assert(
      fc.property(anyPartition, (p) => expectSameAsDecoding(encodePartition(p), 'p.db', 0)),
      { numRuns: 400 },
    );
  });

  it('feeds a StatsCollector exactly as the decoded partitions do, over many partitions', () => {
    fc.assert(
      fc.property(fc.array(anyPartition, { minLength: 1, maxLength: 6 }), (partitions) => {
        const fromPartitions = new StatsCollector(bytesClusteringComparator);
        const fromSummaries = new StatsCollector(bytesClusteringComparator);
        for (const p of partitions) {
          const bytes = encodePartition(p);
          fromPartitions.add(decodePartition(bytes));
          fromSummaries.addSummary(summarizePartition(bytes));
        }
        expect(plain(fromSummaries.result())).toEqual(plain(fromPartitions.result()));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves the statistics of a partition without timestamps at their starting values', () => {
    const empty = partition(key(5), []);
    const bytes = encodePartition(empty);
    const s = summarizePartition(bytes);
    expect(s.rowCount).toBe(0);
    expect(s.columns).toEqual([]);
    const fromSummary = new StatsCollector(bytesClusteringComparator);
    fromSummary.addSummary(s);
    fromSummary.addSummary(summarizePartition(encodePartition(FIXTURES.stress!)));
    const fromPartition = new StatsCollector(bytesClusteringComparator);
    fromPartition.add(empty);
    fromPartition.add(FIXTURES.stress!);
    expect(plain(fromSummary.result())).toEqual(plain(fromPartition.result()));
    expect(fromSummary.result().minTimestamp).toBe(1_700_000_000_000_000);
    expect(fromSummary.result().maxTimestamp).toBe(1_700_000_000_000_000);
  });

  it('counts the static row apart from the rows, as the memtable does', () => {
    const s = summarizePartition(encodePartition(FIXTURES.everything!));
    expect(s.rowCount).toBe(2);
    expect(s.tombstoneCount).toBe(5); // partition, range, row, column deletion, cell tombstone
    expect([...s.columns].sort()).toEqual(['a', 'b', 'm', 's', 't']);
    expect(s.hasCounterDeltas).toBe(false);
    expect(summarizePartition(encodePartition(FIXTURES.counters!)).hasCounterDeltas).toBe(true);
  });

  it('collects only the column names cells and column deletions use', () => {
    // A column table holding a name no cell uses (our encoder never writes one; another could).
    const bytes = Buffer.from(encodePartition(partition(key(3), [row([], [cell('v', 'x', 1)])])));
    const tableAt = 1 + 8 + 1 + 4; // version, token, key length, key
    expect([...bytes.subarray(tableAt, tableAt + 3)]).toEqual([1, 1, 'v'.charCodeAt(0)]);
    const withUnused = Buffer.concat([
      bytes.subarray(0, tableAt),
      Buffer.from([2, 1, 'v'.charCodeAt(0), 6, ...Buffer.from('unused')]),
      bytes.subarray(tableAt + 3),
    ]);
    expect(summarizePartition(withUnused).columns).toEqual(['v']);
    expectSameAsDecoding(withUnused, 'x', 0);
  });
});

describe('summarizePartition: the same corruption errors as decodePartition', () => {
  it('TruncatedAtEveryByteGivesTheDecodersError', () => {
    for (const p of Object.values(FIXTURES)) {
      const bytes = encodePartition(p);
      for (let end = 0; end < bytes.length; end++) {
        const truncated = bytes.subarray(0, end);
        expect(() => summarizePartition(truncated, 'f.db', 100)).toThrow(CorruptionError);
        expectSameAsDecoding(truncated, 'f.db', 100);
      }
    }
  });

  it('DamagedBytesGiveTheDecodersResultOrError (random partitions, random byte changes)', () => {
    fc.assert(
      fc.property(
        anyPartition,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (p, changes) => {
          const bytes = Buffer.from(encodePartition(p));
          for (const [at, value] of changes) bytes[at % bytes.length] = value;
          expectSameAsDecoding(bytes, 'damaged.db', 7);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('UnknownVersionIsCorruption', () => {
    const bytes = Buffer.from(encodePartition(FIXTURES.stress!));
    for (const version of [0, 3, 99]) {
      bytes[0] = version;
      expect(() => summarizePartition(bytes, 'x.db', 7)).toThrow(
        `corrupt data in x.db at offset 7: unknown partition format version ${version}`,
      );
      expectSameAsDecoding(bytes, 'x.db', 7);
    }
  });

  it('ColumnIndexOutOfRangeIsCorruption', () => {
    // The worked example of docs/formats/partition.md: the cell's column index follows its cflags
    // (offset 39) at offset 40, before its timestamp, value length and value.
    const bytes = Buffer.from(
      encodePartition(
        partition(key(1), [
          row([], [cell('v', 'A', 10)], {
            liveness: { timestamp: 10, ttl: 0, localExpirationTime: 0x7fffffff },
          }),
        ]),
      ),
    );
    expect(bytes.length).toBe(51);
    expect(bytes[40]).toBe(0);
    bytes[40] = 5;
    expect(() => summarizePartition(bytes, 'c.db')).toThrow(
      'corrupt data in c.db at offset 41: column index 5 out of range',
    );
    expectSameAsDecoding(bytes, 'c.db', 0);
  });

  it('InvalidCounterCellIsCorruption (both flags, a delta of 7 bytes, a counter with a TTL)', () => {
    const base = encodePartition(partition(key(2), [row([], [counterDeltaCell('hits', 1n, 5)])]));
    const flagsAt = base.length - 1 - 8 - 8 - 1 - 1; // value, length, timestamp, column index, flags
    expect(base[flagsAt]).toBe(0x09);
    const bothFlags = Buffer.from(base);
    bothFlags[flagsAt] = 0x19;
    const withTtl = Buffer.from(base);
    withTtl[flagsAt] = 0x0d;
    const shortDelta = Buffer.from(base.subarray(0, base.length - 1));
    shortDelta[shortDelta.length - 8] = 7;
    for (const bytes of [bothFlags, withTtl, shortDelta]) {
      expect(() => summarizePartition(bytes, 'n.db')).toThrow(
        /invalid counter cell in column hits|truncated/,
      );
      expectSameAsDecoding(bytes, 'n.db', 0);
    }
    expect(() => summarizePartition(bothFlags, 'n.db')).toThrow(
      /n\.db at offset \d+: invalid counter cell in column hits/,
    );
  });

  it('TrailingBytesAreCorruption', () => {
    const bytes = Buffer.concat([encodePartition(FIXTURES.everything!), Buffer.from([0])]);
    expect(() => summarizePartition(bytes, 't.db')).toThrow(
      `corrupt data in t.db at offset ${bytes.length - 1}: trailing bytes after partition`,
    );
    expectSameAsDecoding(bytes, 't.db', 0);
  });

  it('VarintOfMoreThan32BitsIsCorruption', () => {
    const bytes = Buffer.from(encodePartition(FIXTURES.stress!));
    // The key's length (10) as a 5-byte varint of 2^32 + 10: five bytes, but over 32 bits.
    const tooBig = Buffer.concat([bytes.subarray(0, 9), Buffer.from([0x8a, 0x80, 0x80, 0x80, 0x10])]);
    expect(() => summarizePartition(tooBig, 'v.db')).toThrow(
      'corrupt data in v.db at offset 14: varint too long',
    );
    expectSameAsDecoding(tooBig, 'v.db', 0);
    const sixBytes = Buffer.concat([bytes.subarray(0, 9), Buffer.from([0x8a, 0x80, 0x80, 0x80, 0x80, 0])]);
    expect(() => summarizePartition(sixBytes, 'v.db')).toThrow('varint too long');
    expectSameAsDecoding(sixBytes, 'v.db', 0);
  });
});

describe('decodePartition with cached column names', () => {
  it('round-trips random partitions (names cached, non-ASCII and too long to cache)', () => {
    fc.assert(
      fc.property(anyPartition, (p) => {
        expect(plain(decodePartition(encodePartition(p)))).toEqual(plain(p));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a name from a buffer that is then reused, and invalid UTF-8 as Buffer does', () => {
    const bytes = Buffer.from(encodePartition(partition(key(1), [row([], [cell('q', 'x', 1)])])));
    expect(decodePartition(bytes).rows[0]!.cells[0]!.column).toBe('q');
    const nameAt = bytes.indexOf('q');
    bytes[nameAt] = 'r'.charCodeAt(0);
    expect(decodePartition(bytes).rows[0]!.cells[0]!.column).toBe('r');
    bytes[nameAt] = 0xff;
    const plainArray = new Uint8Array(bytes); // not a Buffer: decoded through a view
    expect(decodePartition(plainArray).rows[0]!.cells[0]!.column).toBe(Buffer.from([0xff]).toString());
    expect(summarizePartition(plainArray).columns).toEqual([Buffer.from([0xff]).toString()]);
  });
});
