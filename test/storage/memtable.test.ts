import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memtable } from '../../storage/memtable.js';
import type { Partition } from '../../storage/model.js';
import { bytesClusteringComparator, compareKeys } from '../../storage/model.js';
import { encodePartition, summarizePartition } from '../../storage/partition-codec.js';
import { cell, ck, key, partition, plain, row, text } from './helpers.js';
import { partitionArbitrary } from './partition-arbitrary.js';

describe('Memtable', () => {
  it('keeps rows sorted by clustering and merges equal rows', () => {
    const m = new Memtable(bytesClusteringComparator);
    const k = key(1);
    for (const c of [5, 1, 3, 9, 3]) m.apply(partition(k, [row(ck(c), [cell('v', `v${c}`, c)])]));
    m.apply(partition(k, [row(ck(3), [cell('v', 'newer', 100)])]));
    const p = m.get(k)!;
    expect(p.rows.map((r) => r.clustering[0]![3])).toEqual([1, 3, 5, 9]);
    expect(text(p.rows[1]!.cells[0]!.value)).toBe('newer');
    expect(m.rowCount).toBe(4);
  });

  it('scans partitions in token order, including partitions added between scans', () => {
    const m = new Memtable(bytesClusteringComparator);
    const order = [50, 3, 99, -7, 12];
    for (const n of order) m.apply(partition(key(n + 10), [row([], [cell('v', 'x', 1)])]));
    expect([...m.scan()].length).toBe(5);
    for (const n of [1, 70, 20]) m.apply(partition(key(n), [row([], [cell('v', 'x', 1)])]));
    const keys = [...m.scan()].map((p) => p.key);
    for (let i = 1; i < keys.length; i++) expect(compareKeys(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
    expect(keys.length).toBe(8);
    const from = [...m.scan({ key: key(20), inclusive: false })].map((p) => p.key);
    expect(from[0]).toEqual(key(22));
  });

  it('orders negative tokens before positive ones', () => {
    const m = new Memtable(bytesClusteringComparator);
    // Includes tokens that differ only in the low 32 bits, on both sides of its sign bit.
    const keys = [
      2n ** 62n,
      -(2n ** 63n),
      -1n,
      0n,
      2n ** 63n - 1n,
      -(2n ** 40n),
      0x80000000n,
      0x7fffffffn,
      0xffffffffn,
      1n,
      -0x80000000n,
    ];
    for (const [i, token] of keys.entries()) {
      m.apply(partition({ token, key: Buffer.from([i]) }, [row([], [cell('v', 'x', 1)])]));
    }
    expect([...m.scan()].map((p) => p.key.token)).toEqual(
      [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it('a snapshot does not change with later writes and size grows with data', () => {
    const m = new Memtable(bytesClusteringComparator);
    const k = key(1);
    m.apply(partition(k, [row(ck(1), [cell('v', 'a', 1)])]));
    const before = m.sizeBytes;
    const snap = m.get(k)!;
    m.apply(partition(k, [row(ck(2), [cell('v', 'b'.repeat(1000), 1)])]));
    expect(snap.rows.length).toBe(1);
    expect(m.sizeBytes).toBeGreaterThan(before + 1000);
    expect(m.minTimestamp).toBe(1);
  });
});

/** Everything a memtable shows: reads, scans, counts, sizes, statistics and what a flush writes. */
function observe(m: Memtable, keys: readonly Partition['key'][]) {
  const shown = {
    partitionCount: m.partitionCount,
    rowCount: m.rowCount,
    sizeBytes: m.sizeBytes,
    minTimestamp: m.minTimestamp,
    stats: plain(m.collectedStats()),
    reads: keys.map((k) => plain(m.get(k))),
    scan: plain([...m.scan()]),
  };
  const { slabs, entries } = m.freezeForFlush();
  const flushed: string[] = [];
  for (let i = 0; i < entries.length; i += 3) {
    const slab = Buffer.from(slabs[entries[i]!]!);
    flushed.push(slab.subarray(entries[i + 1]!, entries[i + 1]! + entries[i + 2]!).toString('hex'));
  }
  return { ...shown, flushed, slabBytes: m.slabBytes };
}

describe('Memtable.applyEncoded (bytes and their summary)', () => {
  // Two keys share a token: the hash chain must tell them apart by their bytes.
  const KEYS = [key(1), key(2), key(3), { token: key(1).token, key: Buffer.from([9]) }];

  it('leaves the memtable exactly as apply does, for new keys and keys written again', () => {
    const ops = fc.integer({ min: 0, max: 2 }).chain((clusteringArity) =>
      fc.array(
        fc.oneof(
          {
            weight: 6,
            arbitrary: partitionArbitrary({ keys: KEYS, clusteringArity, counterDeltas: false }),
          },
          { weight: 1, arbitrary: fc.constant('scan' as const) },
        ),
        { minLength: 1, maxLength: 12 },
      ),
    );
    fc.assert(
      fc.property(ops, (list) => {
        const decoded = new Memtable(bytesClusteringComparator);
        const encoded = new Memtable(bytesClusteringComparator);
        for (const op of list) {
          if (op === 'scan') {
            expect(plain([...encoded.scan()])).toEqual(plain([...decoded.scan()]));
            continue;
          }
          decoded.apply(op);
          const bytes = encodePartition(op);
          encoded.applyEncoded(bytes, summarizePartition(bytes));
          expect(encoded.rowCount).toBe(decoded.rowCount);
          expect(encoded.sizeBytes).toBe(decoded.sizeBytes);
        }
        expect(observe(encoded, KEYS)).toEqual(observe(decoded, KEYS));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a new key in its serialized form: the bytes given are the bytes a flush writes', () => {
    const m = new Memtable(bytesClusteringComparator);
    const bytes = encodePartition(partition(key(4), [row(ck(1), [cell('v', 'a', 1)])]));
    m.applyEncoded(bytes, summarizePartition(bytes));
    const { slabs, entries } = m.freezeForFlush();
    const stored = Buffer.from(slabs[entries[0]!]!).subarray(entries[1]!, entries[1]! + entries[2]!);
    expect(stored.equals(Buffer.from(bytes))).toBe(true);
    expect(m.rowCount).toBe(1);
  });
});
