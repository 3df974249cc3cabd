/**
 * `StorageEngine.applyEncoded`, the write path of a replica's received bytes: checked by the summary
 * walk, stored as they are. Whatever is written through it reads, scans, flushes (data and
 * statistics) and replays exactly as the same partitions written through `apply`; what `apply`
 * refuses it refuses with the same error; corrupt bytes are refused and leave nothing behind.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { CorruptionError, SibylError } from '../../common/errors.js';
import type { StorageOptions } from '../../common/limits.js';
import { counterDeltaCell } from '../../storage/counters.js';
import type { Partition } from '../../storage/model.js';
import { encodePartition } from '../../storage/partition-codec.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { bytesTable, cell, ck, partition, pk, plain, row, tempDir } from './helpers.js';
import { partitionArbitrary } from './partition-arbitrary.js';

const TABLE = bytesTable('22222222-0000-4000-8000-000000000002', 'received');

const KEYS = ['k0', 'k1', 'k2', 'k3'].map(pk);
const clock = new ManualClock();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An engine in a fresh directory; `reopen` closes it without flushing and replays its commit log. */
async function engineIn(options: Partial<StorageOptions> = {}) {
  const { dir, cleanup } = await tempDir('sibyl-encoded-');
  const open = async () => {
    const engine = await StorageEngine.open({
      dataDir: dir,
      clock,
      options: { flushInWorkerThread: false, ...options },
    });
    await engine.addTable(TABLE);
    const replay = await engine.replayCommitLog();
    return { engine, replay };
  };
  const state = { ...(await open()) };
  cleanups.push(async () => {
    await state.engine.close({ flush: false });
    await cleanup();
  });
  return {
    get engine() {
      return state.engine;
    },
    async reopen() {
      await state.engine.close({ flush: false });
      Object.assign(state, await open());
      return state.replay;
    },
  };
}

/** What a table shows: each key read, and a full scan. */
async function contents(engine: StorageEngine) {
  const reads = [];
  for (const key of KEYS) reads.push(plain(await engine.read(TABLE.id, key)));
  const scanned = [];
  for await (const p of engine.scan(TABLE.id)) scanned.push(plain(p));
  return { reads, scanned };
}

/** Each SSTable's statistics; the commit log segment id is a clock reading, so only its offset. */
function sstableStats(engine: StorageEngine) {
  return engine
    .table(TABLE.id)
    .liveSSTables.map((s) => plain({ ...s.stats, commitLogPosition: s.stats.commitLogPosition?.offset }));
}

describe('StorageEngine.applyEncoded', () => {
  it('reads, scans, flushes and replays as apply does', async () => {
    const mutations = fc.integer({ min: 0, max: 2 }).chain((clusteringArity) =>
      fc.array(partitionArbitrary({ keys: KEYS, clusteringArity, counterDeltas: false }), {
        minLength: 1,
        maxLength: 8,
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutations, fc.nat({ max: 8 }), async (partitions, flushAfter) => {
        const decoded = await engineIn();
        const encoded = await engineIn();
        for (const [i, p] of partitions.entries()) {
          await decoded.engine.apply({ tableId: TABLE.id, partition: p });
          await encoded.engine.applyEncoded(TABLE.id, encodePartition(p), true, 'test');
          if (i === flushAfter) await Promise.all([decoded.engine.flush(), encoded.engine.flush()]);
        }
        const before = await contents(decoded.engine);
        expect(await contents(encoded.engine)).toEqual(before);
        // Restart without flushing: the commit log replays (through the summary) what it holds.
        const replays = [await decoded.reopen(), await encoded.reopen()];
        expect(replays[1]).toEqual(replays[0]);
        // (Range tombstones equal but for their deletion time may come back in another order once
        // they sit in other memtables and SSTables, so restarted engines are compared with each other.)
        const restarted = await contents(decoded.engine);
        expect(await contents(encoded.engine)).toEqual(restarted);
        await Promise.all([decoded.engine.flush(), encoded.engine.flush()]);
        expect(await contents(encoded.engine)).toEqual(await contents(decoded.engine));
        expect(sstableStats(encoded.engine)).toEqual(sstableStats(decoded.engine));
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('is durable as apply is: durable writes replay after a crash, non-durable ones do not', async () => {
    const e = await engineIn();
    const kept = partition(KEYS[0]!, [row(ck(1), [cell('v', 'kept', 1)])]);
    const lost = partition(KEYS[1]!, [row(ck(1), [cell('v', 'lost', 1)])]);
    await e.engine.applyEncoded(TABLE.id, encodePartition(kept), true);
    await e.engine.applyEncoded(TABLE.id, encodePartition(lost), false);
    expect(await e.engine.read(TABLE.id, KEYS[1]!)).not.toBeNull();
    const replay = await e.reopen();
    expect(replay.replayed).toBe(1);
    expect(plain(await e.engine.read(TABLE.id, KEYS[0]!))).toEqual(plain(kept));
    expect(await e.engine.read(TABLE.id, KEYS[1]!)).toBeNull();
  });

  it('refuses what apply refuses, with the same errors', async () => {
    const e = await engineIn({ maxMutationSizeBytes: 1024, commitlogSegmentSizeBytes: 64 * 1024 });
    const refusals: Partition[] = [
      partition(KEYS[0]!, [row(ck(1), [counterDeltaCell('hits', 1n, 5)])]),
      partition(KEYS[1]!, [row(ck(1), [cell('v', 'x'.repeat(2000), 1)])]),
    ];
    for (const p of refusals) {
      const bytes = encodePartition(p);
      const byApply = await e.engine
        .apply({ tableId: TABLE.id, partition: p }, true, bytes)
        .catch((error: unknown) => error);
      const byBytes = await e.engine.applyEncoded(TABLE.id, bytes).catch((error: unknown) => error);
      expect(byBytes).toBeInstanceOf(SibylError);
      expect(byBytes).toEqual(byApply);
      expect((byBytes as SibylError).code).toBe((byApply as SibylError).code);
      expect(await e.engine.read(TABLE.id, p.key)).toBeNull();
    }
    const unknown = await e.engine
      .applyEncoded('33333333-0000-4000-8000-000000000003', encodePartition(refusals[1]!))
      .catch((error: unknown) => error);
    expect((unknown as SibylError).code).toBe('UNKNOWN_TABLE');
    expect((await e.reopen()).replayed).toBe(0);
  });

  it('refuses corrupt bytes as CorruptionError naming the source, and stores nothing', async () => {
    const e = await engineIn();
    const good = encodePartition(partition(KEYS[2]!, [row(ck(1), [cell('v', 'x', 1)])]));
    for (const corrupt of [good.subarray(0, good.length - 1), Buffer.concat([good, Buffer.from([0])])]) {
      const error = await e.engine
        .applyEncoded(TABLE.id, corrupt, true, 'MUTATION_REQ from 127.0.0.9:7000')
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CorruptionError);
      expect((error as CorruptionError).message).toMatch(
        /^corrupt data in MUTATION_REQ from 127\.0\.0\.9:7000 at offset \d+: /,
      );
    }
    expect(await e.engine.read(TABLE.id, KEYS[2]!)).toBeNull();
    expect(e.engine.table(TABLE.id).memtableSizeBytes).toBe(0);
    expect((await e.reopen()).replayed).toBe(0);
  });
});
