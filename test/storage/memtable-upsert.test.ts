/**
 * A write of a row the memtable already holds in serialized form, by a version that supersedes it
 * whole (an upsert: same row, newer timestamps, a cell for every column the old one had), replaces
 * the bytes instead of decoding and merging. Whatever path a pair of writes takes, the memtable must
 * hold what merging the two versions gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memtable } from '../../storage/memtable.js';
import type { Cell, Clustering, DecoratedKey, LivenessInfo, Partition } from '../../storage/model.js';
import { bytesClusteringComparator, NO_DELETION_TIME } from '../../storage/model.js';
import { encodePartition, summarizePartition, supersedes } from '../../storage/partition-codec.js';
import { mergePartitions } from '../../storage/reconcile.js';
import { key } from './helpers.js';

const COLUMNS = ['a', 'b', 'c'] as const;
const KEY: DecoratedKey = key(7);

function version(
  clustering: Clustering,
  liveness: LivenessInfo | null,
  cells: readonly Cell[],
  extra: Partial<Partition> = {},
): Partition {
  return {
    key: KEY,
    deletion: null,
    staticRow: null,
    rangeTombstones: [],
    rows: [{ clustering, liveness, deletion: null, columnDeletions: [], cells }],
    ...extra,
  };
}

/** A one-row version of some of the columns: live, expiring or deleted cells, timestamps in [min, max]. */
function plainVersion(min: number, max: number, columns: fc.Arbitrary<string[]>): fc.Arbitrary<Partition> {
  const timestamp = fc.integer({ min, max });
  return fc
    .record({
      clustering: fc.constantFrom<Clustering>([], [Uint8Array.of(1)], [Uint8Array.of(2)]),
      liveness: fc.option(
        fc.record({
          timestamp,
          ttl: fc.constant(0),
          localExpirationTime: fc.constant(NO_DELETION_TIME),
        }),
      ),
      cells: columns.chain((names) =>
        fc.tuple(
          ...names.map((column) =>
            fc
              .record({
                timestamp,
                kind: fc.constantFrom('live', 'expiring', 'tombstone'),
                value: fc.integer({ min: 0, max: 3 }),
              })
              .map(
                ({ timestamp: ts, kind, value }): Cell => ({
                  column,
                  path: null,
                  value: kind === 'tombstone' ? null : Uint8Array.of(value),
                  timestamp: ts,
                  ttl: kind === 'expiring' ? 100 : 0,
                  localDeletionTime: kind === 'live' ? NO_DELETION_TIME : 1_000 + ts,
                }),
              ),
          ),
        ),
      ),
    })
    .map(({ clustering, liveness, cells }) => version(clustering, liveness, cells));
}

const someColumns = fc.subarray([...COLUMNS], { minLength: 1 });
/** Any two versions, or an older one and a newer one of every column (mostly upserts). */
const pairs = fc.oneof(
  fc.tuple(plainVersion(1, 6, someColumns), plainVersion(1, 6, someColumns)),
  fc.tuple(plainVersion(1, 3, someColumns), plainVersion(4, 6, fc.constant([...COLUMNS]))),
);

/** A live cell whose value is its timestamp. */
function cell(column: string, ts: number): Cell {
  return {
    column,
    path: null,
    value: Uint8Array.of(ts),
    timestamp: ts,
    ttl: 0,
    localDeletionTime: NO_DELETION_TIME,
  };
}

/** A row marker (INSERT's liveness info) at `ts`. */
function marker(ts: number): LivenessInfo {
  return { timestamp: ts, ttl: 0, localExpirationTime: NO_DELETION_TIME };
}

/** Partitions compared by their encoding (values come back as Buffers or Uint8Arrays). */
function same(actual: Partition | null, expected: Partition): void {
  expect(actual).not.toBeNull();
  expect(Buffer.from(encodePartition(actual!)).equals(Buffer.from(encodePartition(expected)))).toBe(true);
}

function stored(m: Memtable): Buffer {
  const { slabs, entries } = m.freezeForFlush();
  return Buffer.from(slabs[entries[0]!]!).subarray(entries[1]!, entries[1]! + entries[2]!);
}

describe('Memtable upserts', () => {
  it('holds what merging the two versions gives, whether the newer one replaced the bytes or merged', () => {
    let replaced = 0;
    fc.assert(
      fc.property(pairs, fc.boolean(), ([older, newer], encodedPath) => {
        const m = new Memtable(bytesClusteringComparator);
        const olderBytes = encodePartition(older);
        const newerBytes = encodePartition(newer);
        m.applyEncoded(olderBytes, summarizePartition(olderBytes));
        if (encodedPath) m.applyEncoded(newerBytes, summarizePartition(newerBytes));
        else m.apply(newer, newerBytes);
        const expected = mergePartitions([older, newer], bytesClusteringComparator);
        same(m.get(KEY), expected);
        expect(m.rowCount).toBe(expected.rows.length);
        if (supersedes(summarizePartition(newerBytes), summarizePartition(olderBytes))) {
          replaced++;
          expect(stored(m).equals(Buffer.from(newerBytes))).toBe(true);
        }
      }),
      { numRuns: 600, seed: 20261126 },
    );
    expect(replaced).toBeGreaterThan(50); // the replacing path was exercised, not only the merge
  });

  it('replaces a row written again with newer timestamps in every column, without decoding it', () => {
    const m = new Memtable(bytesClusteringComparator);
    const first = encodePartition(
      version(
        [],
        marker(1),
        COLUMNS.map((c) => cell(c, 1)),
      ),
    );
    const second = encodePartition(
      version(
        [],
        marker(2),
        COLUMNS.map((c) => cell(c, 2)),
      ),
    );
    m.applyEncoded(first, summarizePartition(first));
    m.applyEncoded(second, summarizePartition(second));
    expect(stored(m).equals(Buffer.from(second))).toBe(true);
    expect(m.rowCount).toBe(1);
  });

  it('merges when the newer version leaves out a column, lacks the row marker, ties a timestamp or has more than a row', () => {
    const one = [Uint8Array.of(1)];
    const older = version(one, marker(1), [cell('a', 1), cell('b', 1)]);
    const cases: Partition[] = [
      version(one, marker(2), [cell('a', 2)]), // b is not rewritten
      version(one, null, [cell('a', 2), cell('b', 2)]), // an UPDATE: the old row marker stays
      version(one, marker(1), [cell('a', 2), cell('b', 2)]), // a timestamp equal to the older one
      version([Uint8Array.of(2)], marker(2), [cell('a', 2), cell('b', 2)]), // another row
      {
        ...version(one, marker(2), [cell('a', 2), cell('b', 2)]),
        rows: [
          {
            clustering: one,
            liveness: marker(2),
            deletion: null,
            columnDeletions: [],
            cells: [cell('a', 2), cell('b', 2)],
          },
          {
            clustering: [Uint8Array.of(3)],
            liveness: marker(2),
            deletion: null,
            columnDeletions: [],
            cells: [cell('a', 2)],
          },
        ],
      },
    ];
    const olderSummary = summarizePartition(encodePartition(older));
    for (const newer of cases) {
      expect(supersedes(summarizePartition(encodePartition(newer)), olderSummary)).toBe(false);
      const m = new Memtable(bytesClusteringComparator);
      m.apply(older);
      m.apply(newer);
      same(m.get(KEY), mergePartitions([older, newer], bytesClusteringComparator));
    }
  });
});
