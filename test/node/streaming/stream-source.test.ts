/**
 * The source side's building blocks: token ranges turned into storage key bounds that miss no key
 * the range holds (tokens at and around its bounds, MIN_TOKEN as "to the end", keys sharing a
 * token; memtable and SSTable alike), a large partition cut into pieces that give it back, and the
 * outbound throttle's arithmetic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { partitionPieces, scanRangeOf, Throttle } from '../../../node/streaming/stream-source.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../../ring/token.js';
import { normalize, TokenRange } from '../../../ring/token-range.js';
import { bytesClusteringComparator, type DecoratedKey } from '../../../storage/model.js';
import { decodePartition } from '../../../storage/partition-codec.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import { cell, ck, partition, plain, row, tempDir } from '../../storage/helpers.js';

const t = (value: bigint | number) => BigInt(value) as Token;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const TOKENS = [MIN_TOKEN + 1n, -1001n, -1000n, -999n, 0n, 1n, 999n, 1000n, 1001n, MAX_TOKEN - 1n, MAX_TOKEN];

function keysAt(token: bigint): DecoratedKey[] {
  // Two keys per token: the bounds are cut on tokens, the key bytes must not matter.
  return [0x00, 0xff].map((byte) => ({ token, key: Uint8Array.of(byte, Number(token & 0x7fn)) }));
}

describe('scanRangeOf', () => {
  it('bounds a scan so that every key of the range comes back, from memtables and SSTables', async () => {
    const { dir, cleanup } = await tempDir('sibyl-stream-scan-');
    cleanups.push(cleanup);
    const engine = await StorageEngine.open({ dataDir: dir, options: { flushInWorkerThread: false } });
    cleanups.unshift(() => engine.close());
    const definition = {
      id: '00000000-0000-4000-8000-0000000000aa',
      keyspace: 'ks',
      name: 't',
      clusteringComparator: bytesClusteringComparator,
      gcGraceSeconds: 864_000,
      compression: 'none' as const,
    };
    await engine.addTable(definition);
    const keys = TOKENS.flatMap(keysAt);
    for (const [index, key] of keys.entries()) {
      await engine.apply({
        tableId: definition.id,
        partition: partition(key, [row(ck(1), [cell('v', 'x', 1)])]),
      });
      if (index === keys.length / 2) await engine.flush(); // half in an SSTable, half in the memtable
    }
    const ranges = [
      new TokenRange(t(-1000), t(1000)),
      new TokenRange(t(1000), MIN_TOKEN),
      new TokenRange(MIN_TOKEN, t(-999)),
      new TokenRange(t(999), t(-999)), // wraps: cut at the seam first
      new TokenRange(t(0), t(0)), // the whole ring
    ];
    for (const range of ranges) {
      const expected = keys.filter((key) => range.contains(key.token as Token)).map((key) => plain(key));
      const found: unknown[] = [];
      for (const piece of normalize([range])) {
        for await (const scanned of engine.scan(definition.id, scanRangeOf(piece))) {
          if (piece.contains(scanned.key.token as Token)) found.push(plain(scanned.key));
        }
      }
      expect(found, `range ${range}`).toEqual(expected);
    }
  });
});

describe('partitionPieces', () => {
  it('cuts a partition larger than a batch into pieces that give it back', () => {
    const key = { token: 42n, key: Uint8Array.of(1) };
    const rows = Array.from({ length: 300 }, (_, index) => row(ck(index), [cell('v', 'x'.repeat(1000), 5)]));
    const whole = partition(key, rows, {
      deletion: { markedForDeleteAt: 1, localDeletionTime: 1_700_000_000 },
      staticRow: row([], [cell('s', 'static', 2)]),
    });
    const pieces = partitionPieces(whole, 16 * 1024);
    expect(pieces.length).toBeGreaterThan(10);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(16 * 1024 + 1100);
    const decoded = pieces.map((piece) => decodePartition(piece));
    expect(plain(decoded.flatMap((p) => p.rows))).toEqual(plain(rows));
    expect(plain(decoded[0]!.staticRow)).toEqual(plain(whole.staticRow));
    expect(decoded[0]!.deletion).toEqual(whole.deletion);
    expect(decoded.slice(1).every((p) => p.deletion === null && p.staticRow === null)).toBe(true);
    expect(partitionPieces(partition(key, rows.slice(0, 2)), 16 * 1024)).toHaveLength(1);
  });
});

describe('Throttle', () => {
  it('spaces answers by their bytes at the configured rate, never holding one past its cap', () => {
    let now = 0;
    const throttle = new Throttle(1000, () => now, 5_000);
    expect(throttle.delayFor(500)).toBe(500);
    expect(throttle.delayFor(500)).toBe(1000);
    now = 3_000; // idle meanwhile: no debt carried
    expect(throttle.delayFor(100)).toBe(100);
    expect(throttle.delayFor(10_000)).toBe(5_000);
    expect(new Throttle(0, () => now, 5_000).delayFor(1 << 30)).toBe(0);
  });
});
