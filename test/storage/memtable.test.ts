import { describe, expect, it } from 'vitest';
import { Memtable } from '../../storage/memtable.js';
import { bytesClusteringComparator, compareKeys } from '../../storage/model.js';
import { cell, ck, key, partition, row, text } from './helpers.js';

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
