import { describe, expect, it } from 'vitest';
import { bytesClusteringComparator as cmp } from '../../storage/model.js';
import { livePartition } from '../../storage/read-filter.js';
import { mergePartitions, reconcileCells } from '../../storage/reconcile.js';
import { cell, ck, key, partition, row, text } from './helpers.js';

describe('reconcileCells (Cassandra tie-breaks)', () => {
  it('higher timestamp wins', () => {
    expect(text(reconcileCells(cell('c', 'a', 2), cell('c', 'b', 1)).value)).toBe('a');
    expect(text(reconcileCells(cell('c', 'a', 1), cell('c', 'b', 2)).value)).toBe('b');
  });
  it('on equal timestamps a deletion wins over a write', () => {
    expect(reconcileCells(cell('c', 'a', 5), cell('c', null, 5)).value).toBeNull();
    expect(reconcileCells(cell('c', null, 5), cell('c', 'a', 5)).value).toBeNull();
  });
  it('on equal timestamps between writes the greater value wins', () => {
    expect(text(reconcileCells(cell('c', 'abc', 5), cell('c', 'abd', 5)).value)).toBe('abd');
    expect(text(reconcileCells(cell('c', 'b', 5), cell('c', 'abc', 5)).value)).toBe('b');
  });
  it('on equal timestamps an expiring cell beats a plain one, a tombstone beats an expiring one', () => {
    const expiring = cell('c', 'a', 5, { ttl: 10, localDeletionTime: 100 });
    expect(reconcileCells(cell('c', 'z', 5), expiring)).toBe(expiring);
    const tomb = cell('c', null, 5, { localDeletionTime: 50 });
    expect(reconcileCells(expiring, tomb)).toBe(tomb);
  });
  it('is commutative', () => {
    const cells = [
      cell('c', 'a', 5),
      cell('c', 'b', 5),
      cell('c', null, 5),
      cell('c', 'a', 6),
      cell('c', 'q', 5, { ttl: 3, localDeletionTime: 9 }),
    ];
    for (const a of cells) for (const b of cells) expect(reconcileCells(a, b)).toEqual(reconcileCells(b, a));
  });
});

describe('mergePartitions', () => {
  it('merges rows and removes what deletions shadow', () => {
    const k = key(1);
    const merged = mergePartitions(
      [
        partition(k, [
          row(ck(1), [cell('a', 'old', 1)]),
          row(ck(2), [cell('a', 'keep', 10)]),
          row(ck(3), [cell('a', 'x', 3)]),
        ]),
        partition(k, [row(ck(1), [cell('b', 'new', 4)])], {
          rangeTombstones: [
            {
              start: { prefix: ck(3), inclusive: true },
              end: { prefix: ck(5), inclusive: true },
              deletion: { markedForDeleteAt: 5, localDeletionTime: 1 },
            },
          ],
        }),
        partition(k, [], { deletion: { markedForDeleteAt: 2, localDeletionTime: 1 } }),
      ],
      cmp,
    );
    const live = livePartition(merged, 0)!;
    expect(live.rows.map((r) => r.cells.map((c) => `${c.column}=${text(c.value)}`))).toEqual([
      ['b=new'],
      ['a=keep'],
    ]);
  });
  it('a row deletion at the same timestamp as a write shadows it', () => {
    const k = key(1);
    const merged = mergePartitions(
      [
        partition(k, [row(ck(1), [cell('a', 'v', 7)])]),
        partition(k, [row(ck(1), [], { deletion: { markedForDeleteAt: 7, localDeletionTime: 1 } })]),
      ],
      cmp,
    );
    expect(livePartition(merged, 0)).toBeNull();
  });
  it('a collection deletion shadows older elements only', () => {
    const k = key(1);
    const el = (path: string, ts: number) => cell('m', 'v', ts, { path: Buffer.from(path) });
    const merged = mergePartitions(
      [
        partition(k, [row(ck(1), [el('a', 1), el('b', 3)])]),
        partition(k, [
          row(ck(1), [], {
            columnDeletions: [{ column: 'm', deletion: { markedForDeleteAt: 2, localDeletionTime: 1 } }],
          }),
        ]),
      ],
      cmp,
    );
    expect(livePartition(merged, 0)!.rows[0]!.cells.map((c) => text(c.path))).toEqual(['b']);
  });
  it('expired TTL cells read as absent', () => {
    const k = key(1);
    const p = partition(k, [row(ck(1), [cell('a', 'v', 1, { ttl: 10, localDeletionTime: 110 })])]);
    expect(livePartition(p, 109)).not.toBeNull();
    expect(livePartition(p, 110)).toBeNull();
  });
});
