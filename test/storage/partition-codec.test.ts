import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../../common/errors.js';
import { decodePartition, decodePartitionKey, encodePartition } from '../../storage/partition-codec.js';
import { cell, ck, key, partition, plain, row } from './helpers.js';

const full = partition(
  key(42),
  [
    row(ck(1, 2), [cell('a', 'x', 10), cell('b', null, 11)], {
      liveness: { timestamp: 10, ttl: 0, localExpirationTime: 0x7fffffff },
    }),
    row(
      ck(3, 4),
      [
        cell('m', 'v', -5, { path: Buffer.from('k1') }),
        cell('t', 'ttl', 2 ** 52, { ttl: 60, localDeletionTime: 1_700_000_060 }),
      ],
      {
        deletion: { markedForDeleteAt: 9, localDeletionTime: 1_700_000_000 },
        columnDeletions: [
          { column: 'm', deletion: { markedForDeleteAt: -6, localDeletionTime: 1_700_000_001 } },
        ],
      },
    ),
  ],
  {
    deletion: { markedForDeleteAt: 1, localDeletionTime: 1_600_000_000 },
    staticRow: row([], [cell('s', 'static', 3)]),
    rangeTombstones: [
      {
        start: { prefix: ck(1), inclusive: true },
        end: { prefix: [], inclusive: false },
        deletion: { markedForDeleteAt: 2, localDeletionTime: 1_600_000_001 },
      },
    ],
  },
);

describe('partition codec', () => {
  it('round-trips every kind of content', () => {
    const bytes = encodePartition(full);
    const back = decodePartition(bytes);
    expect(plain(back)).toEqual(plain(full));
    expect(plain(decodePartitionKey(bytes))).toEqual(plain(full.key));
  });

  it('keeps negative and extreme tokens and timestamps', () => {
    const p = partition({ token: -(2n ** 63n), key: Buffer.alloc(0) }, [
      row([], [cell('c', 'v', Number.MIN_SAFE_INTEGER + 1)]),
    ]);
    const back = decodePartition(encodePartition(p));
    expect(back.key.token).toBe(-(2n ** 63n));
    expect(back.rows[0]!.cells[0]!.timestamp).toBe(Number.MIN_SAFE_INTEGER + 1);
  });

  it('TruncatedPartitionIsCorruption', () => {
    const bytes = encodePartition(full);
    expect(() => decodePartition(bytes.subarray(0, bytes.length - 3), 'f.db', 100)).toThrow(CorruptionError);
  });

  it('TrailingBytesAreCorruption', () => {
    const bytes = Buffer.concat([encodePartition(full), Buffer.from([0])]);
    expect(() => decodePartition(bytes)).toThrow(/trailing bytes/);
  });

  it('UnknownVersionIsCorruption', () => {
    const bytes = Buffer.from(encodePartition(full));
    bytes[0] = 99;
    expect(() => decodePartition(bytes, 'x.db', 7)).toThrow(
      /x\.db at offset 7: unknown partition format version 99/,
    );
  });
});
