import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../../common/errors.js';
import { counterIdFromHostId, encodeContext } from '../../storage/counter-context.js';
import { counterDeltaCell, counterShardsCell } from '../../storage/counters.js';
import {
  decodePartition,
  decodePartitionKey,
  encodePartition,
  lastEncodingHadCounterDeltas,
  PARTITION_FORMAT_VERSION,
} from '../../storage/partition-codec.js';
import { cell, ck, EVERYTHING, key, partition, plain, row } from './helpers.js';

const COUNTER_ID = counterIdFromHostId('0000000a-0000-4000-8000-00000000000a');
const shards = () =>
  counterShardsCell(
    'hits',
    encodeContext([
      { counterId: COUNTER_ID, clock: 3n, count: -7n },
      { counterId: counterIdFromHostId('0000000b-0000-4000-8000-00000000000b'), clock: 1n, count: 2n },
    ]),
    12,
  );

describe('partition codec', () => {
  it('round-trips every kind of content', () => {
    const bytes = encodePartition(EVERYTHING);
    const back = decodePartition(bytes);
    expect(plain(back)).toEqual(plain(EVERYTHING));
    expect(plain(decodePartitionKey(bytes))).toEqual(plain(EVERYTHING.key));
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
    const bytes = encodePartition(EVERYTHING);
    expect(() => decodePartition(bytes.subarray(0, bytes.length - 3), 'f.db', 100)).toThrow(CorruptionError);
  });

  it('TrailingBytesAreCorruption', () => {
    const bytes = Buffer.concat([encodePartition(EVERYTHING), Buffer.from([0])]);
    expect(() => decodePartition(bytes)).toThrow(/trailing bytes/);
  });

  it('UnknownVersionIsCorruption', () => {
    const bytes = Buffer.from(encodePartition(EVERYTHING));
    bytes[0] = 99;
    expect(() => decodePartition(bytes, 'x.db', 7)).toThrow(
      /x\.db at offset 7: unknown partition format version 99/,
    );
  });
});

describe('partition codec: counter cells (format version 2)', () => {
  it('round-trips counter shard and delta cells, which keep their kind', () => {
    const p = partition(key(7), [row(ck(1), [counterDeltaCell('a', -3n, 5), shards()])]);
    const bytes = encodePartition(p);
    expect(bytes[0]).toBe(PARTITION_FORMAT_VERSION);
    expect(PARTITION_FORMAT_VERSION).toBe(2);
    const back = decodePartition(bytes);
    expect(plain(back)).toEqual(plain(p));
    expect(back.rows[0]!.cells.map((c) => c.counter)).toEqual(['delta', 'shards']);
  });

  it('tells the write path when an encoding carried counter deltas', () => {
    encodePartition(partition(key(1), [row([], [counterDeltaCell('a', 1n, 1)])]));
    expect(lastEncodingHadCounterDeltas()).toBe(true);
    encodePartition(partition(key(1), [row([], [shards()])]));
    expect(lastEncodingHadCounterDeltas()).toBe(false);
  });

  it('reads format version 1 partitions (written before counter cells existed)', () => {
    const p = partition(key(3), [row(ck(2), [cell('v', 'old', 4)])]);
    const bytes = Buffer.from(encodePartition(p));
    bytes[0] = 1;
    expect(plain(decodePartition(bytes))).toEqual(plain(p));
  });

  it('InvalidCounterContextIsCorruption', () => {
    const bytes = Buffer.from(encodePartition(partition(key(3), [row([], [shards()])])));
    // The cell's value is its last 64 bytes, after its 1-byte length: swap the two shards.
    const value = bytes.subarray(bytes.length - 64);
    const swapped = Buffer.concat([value.subarray(32), value.subarray(0, 32)]);
    swapped.copy(value);
    expect(() => decodePartition(bytes, 'c.db')).toThrow(
      /c\.db at offset \d+: invalid counter cell in column hits/,
    );
  });
});
