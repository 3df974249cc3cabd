/**
 * Replicated counters in storage (storage/counters.ts): counter cell reconciliation (property
 * tests), the leader step on real engines in temp dirs — many increments across flushes and
 * compactions, many in flight on one cell, a shard mutation applied twice, replicas converging
 * whatever the order — deletions, and a kill -9 of a process incrementing a counter.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SibylError } from '../../common/errors.js';
import {
  counterIdFromHostId,
  decodeContext,
  encodeContext,
  findShard,
} from '../../storage/counter-context.js';
import {
  counterCellValue,
  counterDeltaCell,
  counterShardsCell,
  reconcileCounterCells,
  withCounterTotals,
} from '../../storage/counters.js';
import type { Cell, DecoratedKey, Mutation } from '../../storage/model.js';
import { bytesClusteringComparator, tombstoneCell } from '../../storage/model.js';
import { encodePartition } from '../../storage/partition-codec.js';
import { livePartition } from '../../storage/read-filter.js';
import { mergePartitions } from '../../storage/reconcile.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { COUNTER_TABLE, counterKey, counterUpdate } from './fixtures/counter-table.js';
import { ck, partition, row, tempDir } from './helpers.js';

const HOST_A = '0000000a-0000-4000-8000-00000000000a';
const HOST_B = '0000000b-0000-4000-8000-00000000000b';
const HOST_C = '0000000c-0000-4000-8000-00000000000c';
const A = counterIdFromHostId(HOST_A);
const B = counterIdFromHostId(HOST_B);
const NOW_SECONDS = 1_800_000_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openEngine(): Promise<StorageEngine> {
  const { dir, cleanup } = await tempDir('sibyl-counters-');
  cleanups.push(cleanup);
  // Compaction on the calling thread: a handful of tiny SSTables, and no worker start-up per test.
  const engine = await StorageEngine.open({
    dataDir: dir,
    options: { flushInWorkerThread: false, compactionMinThreshold: 2 },
  });
  await engine.addTable(COUNTER_TABLE);
  await engine.replayCommitLog();
  cleanups.push(() => engine.close({ flush: false }));
  return engine;
}

/** The value of counter `column` of row `clustering` as a read shows it (null: no live cell). */
async function readCounter(
  engine: StorageEngine,
  key: DecoratedKey,
  column = 'n',
  clustering = ck(),
): Promise<bigint | null> {
  const read = await engine.read(COUNTER_TABLE.id, key);
  const live = read === null ? null : livePartition(read, NOW_SECONDS);
  const found = live?.rows.find((r) => bytesClusteringComparator(r.clustering, clustering) === 0);
  const cell = found?.cells.find((c) => c.column === column);
  return cell === undefined ? null : counterCellValue(cell);
}

/** The counter context of one cell as stored (merged over memtable and SSTables). */
async function storedContext(engine: StorageEngine, key: DecoratedKey, column = 'n'): Promise<Uint8Array> {
  const read = await engine.read(COUNTER_TABLE.id, key);
  const cell = read?.rows[0]?.cells.find((c) => c.column === column);
  expect(cell?.counter).toBe('shards');
  return cell!.value!;
}

describe('counter cell reconciliation', () => {
  const ids = [A, B, counterIdFromHostId(HOST_C)];
  const shardCellArb = fc
    .record({
      shards: fc.uniqueArray(
        fc.record({
          id: fc.integer({ min: 0, max: 2 }),
          clock: fc.bigInt({ min: 1n, max: 4n }),
          count: fc.bigInt({ min: -1000n, max: 1000n }),
        }),
        { selector: (s) => s.id, maxLength: 3 },
      ),
      timestamp: fc.integer({ min: 1, max: 5 }),
    })
    .map(({ shards, timestamp }) =>
      counterShardsCell(
        'n',
        encodeContext(shards.map((s) => ({ counterId: ids[s.id]!, clock: s.clock, count: s.count }))),
        timestamp,
      ),
    );
  const same = (x: Cell, y: Cell) => {
    expect(Buffer.from(x.value!).toString('hex')).toBe(Buffer.from(y.value!).toString('hex'));
    expect(x.timestamp).toBe(y.timestamp);
  };

  it('merges shard cells commutatively, associatively and idempotently, keeping the greatest timestamp', () => {
    fc.assert(
      fc.property(shardCellArb, shardCellArb, shardCellArb, (a, b, c) => {
        same(reconcileCounterCells(a, b), reconcileCounterCells(b, a));
        same(
          reconcileCounterCells(reconcileCounterCells(a, b), c),
          reconcileCounterCells(a, reconcileCounterCells(b, c)),
        );
        same(reconcileCounterCells(a, a), a);
        const ab = reconcileCounterCells(a, b);
        same(reconcileCounterCells(ab, b), ab);
        expect(ab.timestamp).toBe(Math.max(a.timestamp, b.timestamp));
      }),
    );
  });

  it('a tombstone wins over counter shards whatever the timestamps (a deleted counter stays deleted)', () => {
    const shards = counterShardsCell('n', encodeContext([{ counterId: A, clock: 9n, count: 5n }]), 1_000);
    const tombstone = tombstoneCell('n', 10, NOW_SECONDS);
    expect(reconcileCounterCells(shards, tombstone)).toBe(tombstone);
    expect(reconcileCounterCells(tombstone, shards)).toBe(tombstone);
  });

  it('two increments of one cell in one batch add up', () => {
    const merged = reconcileCounterCells(counterDeltaCell('n', 3n, 5), counterDeltaCell('n', -10n, 7));
    expect(merged.counter).toBe('delta');
    expect(counterCellValue(merged)).toBe(-7n);
    expect(merged.timestamp).toBe(7);
  });

  it('a shard shadowed by a row deletion does not lend its clock to a newer shard', () => {
    const old = counterShardsCell('n', encodeContext([{ counterId: A, clock: 5n, count: 5n }]), 10);
    const fresh = counterShardsCell('n', encodeContext([{ counterId: A, clock: 1n, count: 2n }]), 30);
    const deletion = { markedForDeleteAt: 20, localDeletionTime: NOW_SECONDS };
    const key = counterKey('k');
    const versions = [
      partition(key, [row(ck(), [old])]),
      partition(key, [row(ck(), [], { deletion })]),
      partition(key, [row(ck(), [fresh])]),
    ];
    for (const order of [versions, [...versions].reverse(), [versions[1]!, versions[2]!, versions[0]!]]) {
      const merged = mergePartitions(order, bytesClusteringComparator);
      expect(counterCellValue(merged.rows[0]!.cells[0]!)).toBe(2n);
    }
  });
});

describe('the leader step on a real engine', () => {
  it('a counter incremented many times across flushes and compactions reads the right total', async () => {
    const engine = await openEngine();
    const key = counterKey('page');
    let expected = 0n;
    let timestamp = 1_000;
    for (let i = 1; i <= 300; i++) {
      const delta = BigInt((i % 7) - 3);
      expected += delta;
      await engine.applyCounterUpdate(counterUpdate(key, { n: delta }, timestamp++), A);
      if (i % 25 === 0) await engine.flush();
      if (i % 100 === 0) await engine.compact();
    }
    expect(engine.table(COUNTER_TABLE.id).liveSSTables.length).toBeGreaterThan(0);
    expect(await readCounter(engine, key)).toBe(expected);
    await engine.compact();
    expect(engine.table(COUNTER_TABLE.id).liveSSTables.length).toBe(1);
    expect(await readCounter(engine, key)).toBe(expected);
    // One shard (this replica's), its clock the number of increments.
    expect(findShard(await storedContext(engine, key), A)).toEqual({ clock: 300n, count: expected });
  });

  it('loses no increment when many are in flight on one cell (no lock above storage)', async () => {
    const engine = await openEngine();
    const key = counterKey('hot');
    const increments = Array.from({ length: 1_000 }, (_, i) => BigInt((i % 5) + 1));
    const expected = increments.reduce((sum, d) => sum + d, 0n);
    const inFlight = increments.map((delta, i) =>
      engine.applyCounterUpdate(counterUpdate(key, { a: delta, b: -delta }, 5_000 + i), A),
    );
    // A flush while they run: the leader's read must see the flushing memtable too.
    await Promise.all([...inFlight.slice(0, 500), engine.flush(), ...inFlight.slice(500)]);
    expect(await readCounter(engine, key, 'a')).toBe(expected);
    expect(await readCounter(engine, key, 'b')).toBe(-expected);
    expect(findShard(await storedContext(engine, key, 'a'), A)?.clock).toBe(1_000n);
  });

  it('the shard mutation applied twice (a replayed hint) does not count twice', async () => {
    const leader = await openEngine();
    const replica = await openEngine();
    const key = counterKey('hinted');
    const shards: Mutation[] = [];
    for (let i = 0; i < 10; i++) {
      shards.push(await leader.applyCounterUpdate(counterUpdate(key, { n: 2n }, 100 + i), A));
    }
    // What travels: counter cells with only the leader's shard, cumulative.
    const last = shards[9]!.partition.rows[0]!.cells[0]!;
    expect(last.counter).toBe('shards');
    expect(decodeContext(last.value!)).toEqual([{ counterId: A, clock: 10n, count: 20n }]);
    for (const m of shards) await replica.apply(m);
    await replica.flush();
    for (const m of shards) await replica.apply(m); // every hint replayed again
    await replica.apply(shards[3]!); // and an old one once more, after newer ones
    expect(await readCounter(replica, key)).toBe(20n);
    expect(await readCounter(leader, key)).toBe(20n);
  });

  it('replicas converge to the same value whatever order they apply each other’s shards in', async () => {
    const a = await openEngine();
    const b = await openEngine();
    const c = await openEngine();
    const key = counterKey('shared');
    const fromA: Mutation[] = [];
    const fromB: Mutation[] = [];
    let ts = 1;
    for (let i = 0; i < 20; i++) {
      // Two coordinators pick different leaders for increments of the same cell.
      fromA.push(await a.applyCounterUpdate(counterUpdate(key, { n: 3n }, ts++), A));
      fromB.push(await b.applyCounterUpdate(counterUpdate(key, { n: -1n }, ts++), B));
    }
    for (const m of [...fromB].reverse()) await a.apply(m);
    for (const m of fromA.filter((_, i) => i % 2 === 0)) await b.apply(m); // only some arrived...
    await b.flush();
    for (const m of fromA) await b.apply(m); // ...then all (read repair, hints)
    const shuffled = [...fromA, ...fromB].sort((x, y) => encodeKeyOf(x) - encodeKeyOf(y));
    for (const [i, m] of shuffled.entries()) {
      await c.apply(m);
      if (i % 9 === 0) await c.flush();
    }
    await c.compact();
    const expected = 20n * 3n - 20n;
    for (const engine of [a, b, c]) expect(await readCounter(engine, key)).toBe(expected);
    const bytes = await Promise.all([a, b, c].map(async (e) => hexOf(await e.read(COUNTER_TABLE.id, key))));
    expect(new Set(bytes).size).toBe(1);
  });

  it('the plain write path refuses counter deltas: only a leader applies them', async () => {
    const engine = await openEngine();
    const error = await engine.apply(counterUpdate(counterKey('x'), { n: 1n }, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SibylError);
    expect((error as SibylError).code).toBe('INVALID_MUTATION');
    expect(await engine.read(COUNTER_TABLE.id, counterKey('x'))).toBeNull();
  });
});

describe('deleting counters', () => {
  it('a deleted counter cell stays deleted, even when incremented later', async () => {
    const engine = await openEngine();
    const key = counterKey('gone');
    await engine.applyCounterUpdate(counterUpdate(key, { n: 5n }, 10), A);
    await engine.flush();
    const tombstone = partition(key, [row(ck(), [tombstoneCell('n', 20, NOW_SECONDS)])]);
    await engine.applyCounterUpdate({ tableId: COUNTER_TABLE.id, partition: tombstone }, A);
    await engine.applyCounterUpdate(counterUpdate(key, { n: 7n }, 30), A);
    expect(await readCounter(engine, key)).toBeNull();
    await engine.compact();
    expect(await readCounter(engine, key)).toBeNull();
  });

  for (const level of ['row', 'partition'] as const) {
    it(`after a ${level} deletion, increments count from zero on the leader and on a replica`, async () => {
      const leader = await openEngine();
      const replica = await openEngine();
      const key = counterKey('reset');
      const sent: Mutation[] = [];
      const increment = async (timestamp: number) =>
        sent.push(await leader.applyCounterUpdate(counterUpdate(key, { n: 1n }, timestamp), A));
      for (let i = 0; i < 5; i++) await increment(10 + i);
      await leader.flush();
      const deletion = { markedForDeleteAt: 100, localDeletionTime: NOW_SECONDS };
      const deleted =
        level === 'row' ? partition(key, [row(ck(), [], { deletion })]) : partition(key, [], { deletion });
      sent.push(await leader.applyCounterUpdate({ tableId: COUNTER_TABLE.id, partition: deleted }, A));
      for (let i = 0; i < 2; i++) await increment(200 + i);
      expect(await readCounter(leader, key)).toBe(2n);
      // The replica merges everything in its memtable: the old shards must not survive the merge.
      for (const m of sent) await replica.apply(m);
      expect(await readCounter(replica, key)).toBe(2n);
      await leader.compact();
      expect(await readCounter(leader, key)).toBe(2n);
    });
  }
});

describe('a reading client', () => {
  it('sees each counter cell as the 8-byte sum of its shards', () => {
    const cells = [
      counterShardsCell(
        'a',
        encodeContext([
          { counterId: A, clock: 3n, count: 40n },
          { counterId: B, clock: 1n, count: 2n },
        ]),
        5,
      ),
    ];
    const shown = withCounterTotals(partition(counterKey('k'), [row(ck(), cells)]));
    const cell = shown.rows[0]!.cells[0]!;
    expect(cell.counter).toBeUndefined();
    expect(Buffer.from(cell.value!).readBigInt64BE()).toBe(42n);
  });
});

describe('crash safety (SIGKILL) of counters', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  /** Runs the counter writer until it has acknowledged `killAfter` increments, then kills it. */
  async function incrementUntilKilled(dataDir: string, killAfter: number): Promise<number> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/storage/fixtures/counter-writer.ts', dataDir, HOST_A],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let acked = 0;
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line !== 'ack') continue;
      if (++acked === killAfter) child.kill('SIGKILL');
    }
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    return acked;
  }

  it('keeps every acknowledged increment through kill -9 and commit log replay', async () => {
    const { dir, cleanup } = await tempDir('sibyl-counter-crash-');
    cleanups.push(cleanup);
    let acknowledged = 0;
    for (let round = 0; round < 2; round++) {
      acknowledged += await incrementUntilKilled(dir, 1_500 + Math.floor(Math.random() * 1_500));
      const engine = await StorageEngine.open({ dataDir: dir });
      await engine.addTable(COUNTER_TABLE);
      await engine.replayCommitLog();
      const total = await readCounter(engine, counterKey('page'));
      await engine.close({ flush: false });
      // Every acknowledged increment is there; at most the 16 in flight when killed are extra.
      expect(total).not.toBeNull();
      expect(Number(total)).toBeGreaterThanOrEqual(acknowledged);
      expect(Number(total)).toBeLessThanOrEqual(acknowledged + 16);
      acknowledged = Number(total); // the next round continues from what survived
    }
  });
});

function hexOf(p: unknown): string {
  return p === null
    ? 'null'
    : Buffer.from(encodePartition(p as Parameters<typeof encodePartition>[0])).toString('hex');
}

/** A deterministic shuffle key for a shard mutation (its clock, mixed with its counter id). */
function encodeKeyOf(m: Mutation): number {
  const cell = m.partition.rows[0]!.cells[0]!;
  const [shard] = decodeContext(cell.value!);
  return (Number(shard!.clock) * 7919 + shard!.counterId[0]! * 31) % 101;
}
