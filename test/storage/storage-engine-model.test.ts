/**
 * Property test: random sequences of writes, deletions (cell, row, range, partition), TTLs and
 * equal timestamps, with random flushes, compactions, clock moves and restarts (close without
 * flush, then commit log replay), read back exactly as a simple in-memory model says.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, nowSeconds } from '../../common/clock.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { Cell, DecoratedKey, Partition, Row } from '../../storage/model.js';
import {
  bytesClusteringComparator,
  bytesClusteringComparatorSpec,
  NO_DELETION_TIME,
} from '../../storage/model.js';
import { livePartition } from '../../storage/read-filter.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import type { TableDefinition } from '../../storage/table-store.js';
import { ck, tempDir } from './helpers.js';

/** Real Murmur3 tokens, so partitions spread over the whole token range. */
function modelKey(k: number): DecoratedKey {
  const bytes = Buffer.from([0, 0, 0, k]);
  return { token: getToken(bytes), key: bytes };
}

type Op =
  | {
      kind: 'write';
      k: number;
      c: number;
      column: string;
      value: string | null;
      ts: number;
      ttl: number;
      marker: boolean;
    }
  | { kind: 'deleteRow'; k: number; c: number; ts: number }
  | { kind: 'deleteRange'; k: number; from: number; to: number; ts: number }
  | { kind: 'deletePartition'; k: number; ts: number }
  | { kind: 'flush' }
  | { kind: 'compact' }
  | { kind: 'restart' }
  | { kind: 'advance'; seconds: number };

const TABLE: TableDefinition = {
  id: '00000000-0000-4000-8000-00000000beef',
  keyspace: 'ks',
  name: 't',
  clusteringComparator: bytesClusteringComparator,
  clusteringComparatorSpec: bytesClusteringComparatorSpec,
  gcGraceSeconds: 864_000,
  compression: 'lz4',
  compactionMinThreshold: 2,
};

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      k: fc.integer({ min: 0, max: 2 }),
      c: fc.integer({ min: 0, max: 3 }),
      column: fc.constantFrom('a', 'b'),
      value: fc.option(fc.constantFrom('x', 'y', 'zz', ''), { freq: 5 }),
      ts: fc.integer({ min: 1, max: 6 }),
      ttl: fc.constantFrom(0, 0, 0, 5, 20),
      marker: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('deleteRow' as const),
      k: fc.integer({ min: 0, max: 2 }),
      c: fc.integer({ min: 0, max: 3 }),
      ts: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('deleteRange' as const),
      k: fc.integer({ min: 0, max: 2 }),
      from: fc.integer({ min: 0, max: 3 }),
      to: fc.integer({ min: 0, max: 3 }),
      ts: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deletePartition' as const),
      k: fc.integer({ min: 0, max: 2 }),
      ts: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 15 }) }),
  },
);

/** The model: every write and deletion kept as given; reads decide with the rules stated plainly. */
class Model {
  readonly cells: {
    k: number;
    c: number;
    column: string;
    value: string | null;
    ts: number;
    expiresAt: number | null;
  }[] = [];
  readonly markers: { k: number; c: number; ts: number; expiresAt: number | null }[] = [];
  readonly deletions: { k: number; from: number; to: number; ts: number }[] = [];

  private deleted(k: number, c: number, ts: number): boolean {
    return this.deletions.some((d) => d.k === k && d.from <= c && c <= d.to && ts <= d.ts);
  }

  /** The winning cell: greatest timestamp; on a tie tombstone > expiring > plain, then later expiry, then greater value. */
  private winner(list: Model['cells']) {
    const rank = (x: Model['cells'][number]) => (x.value === null ? 2 : x.expiresAt !== null ? 1 : 0);
    return list.reduce((best, x) => {
      if (x.ts !== best.ts) return x.ts > best.ts ? x : best;
      if (rank(x) !== rank(best)) return rank(x) > rank(best) ? x : best;
      if ((x.expiresAt ?? 0) !== (best.expiresAt ?? 0))
        return (x.expiresAt ?? 0) > (best.expiresAt ?? 0) ? x : best;
      return Buffer.compare(Buffer.from(x.value ?? ''), Buffer.from(best.value ?? '')) > 0 ? x : best;
    });
  }

  /** Live rows of partition k at `now`: clustering -> column -> value. */
  read(k: number, now: number): Map<number, Record<string, string>> {
    const rows = new Map<number, Record<string, string>>();
    for (let c = 0; c <= 3; c++) {
      const values: Record<string, string> = {};
      for (const column of ['a', 'b']) {
        const versions = this.cells.filter((x) => x.k === k && x.c === c && x.column === column);
        if (versions.length === 0) continue;
        const w = this.winner(versions);
        if (w.value === null || (w.expiresAt !== null && now >= w.expiresAt) || this.deleted(k, c, w.ts))
          continue;
        values[column] = w.value;
      }
      const markers = this.markers.filter((m) => m.k === k && m.c === c);
      const marker =
        markers.length === 0
          ? null
          : markers.reduce((best, m) => {
              if (m.ts !== best.ts) return m.ts > best.ts ? m : best;
              // On a tie an expiring marker beats a plain one, and the later expiry wins.
              return (m.expiresAt ?? -1) > (best.expiresAt ?? -1) ? m : best;
            });
      const markerLive =
        marker !== null &&
        (marker.expiresAt === null || now < marker.expiresAt) &&
        !this.deleted(k, c, marker.ts);
      if (markerLive || Object.keys(values).length > 0) rows.set(c, values);
    }
    return rows;
  }
}

function toPartition(op: Op, now: number): Partition | null {
  const row = (c: number, extra: Partial<Row>): Row => ({
    clustering: ck(c),
    liveness: null,
    deletion: null,
    columnDeletions: [],
    cells: [],
    ...extra,
  });
  const base = (k: number) => ({
    key: modelKey(k),
    deletion: null,
    staticRow: null,
    rangeTombstones: [],
    rows: [] as Row[],
  });
  switch (op.kind) {
    case 'write': {
      const cell: Cell = {
        column: op.column,
        path: null,
        value: op.value === null ? null : Buffer.from(op.value),
        timestamp: op.ts,
        ttl: op.value === null ? 0 : op.ttl,
        localDeletionTime: op.value === null ? now : op.ttl > 0 ? now + op.ttl : NO_DELETION_TIME,
      };
      const liveness = op.marker
        ? { timestamp: op.ts, ttl: op.ttl, localExpirationTime: op.ttl > 0 ? now + op.ttl : NO_DELETION_TIME }
        : null;
      return { ...base(op.k), rows: [row(op.c, { cells: [cell], liveness })] };
    }
    case 'deleteRow':
      return {
        ...base(op.k),
        rows: [row(op.c, { deletion: { markedForDeleteAt: op.ts, localDeletionTime: now } })],
      };
    case 'deleteRange':
      return {
        ...base(op.k),
        rangeTombstones: [
          {
            start: { prefix: ck(op.from), inclusive: true },
            end: { prefix: ck(op.to), inclusive: true },
            deletion: { markedForDeleteAt: op.ts, localDeletionTime: now },
          },
        ],
      };
    case 'deletePartition':
      return { ...base(op.k), deletion: { markedForDeleteAt: op.ts, localDeletionTime: now } };
    default:
      return null;
  }
}

function recordInModel(model: Model, op: Op, now: number): void {
  if (op.kind === 'write') {
    const expiresAt = op.value !== null && op.ttl > 0 ? now + op.ttl : null;
    model.cells.push({ k: op.k, c: op.c, column: op.column, value: op.value, ts: op.ts, expiresAt });
    if (op.marker)
      model.markers.push({ k: op.k, c: op.c, ts: op.ts, expiresAt: op.ttl > 0 ? now + op.ttl : null });
  } else if (op.kind === 'deleteRow') model.deletions.push({ k: op.k, from: op.c, to: op.c, ts: op.ts });
  else if (op.kind === 'deleteRange') model.deletions.push({ k: op.k, from: op.from, to: op.to, ts: op.ts });
  else if (op.kind === 'deletePartition') model.deletions.push({ k: op.k, from: 0, to: 3, ts: op.ts });
}

function asRows(p: Partition | null): Map<number, Record<string, string>> {
  const rows = new Map<number, Record<string, string>>();
  for (const r of p?.rows ?? []) {
    const values: Record<string, string> = {};
    for (const c of r.cells) values[c.column] = Buffer.from(c.value!).toString();
    rows.set(Buffer.from(r.clustering[0]!).readUInt32BE(), values);
  }
  return rows;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function openEngine(dir: string, clock: ManualClock, inWorker: boolean): Promise<StorageEngine> {
  const engine = await StorageEngine.open({
    dataDir: dir,
    clock,
    options: {
      flushInWorkerThread: inWorker,
      memtableFlushThresholdBytes: 4096,
      sstableChunkSizeBytes: 4096,
      commitlogSegmentSizeBytes: 64 * 1024,
      maxMutationSizeBytes: 16 * 1024,
    },
  });
  await engine.addTable(TABLE);
  await engine.replayCommitLog();
  return engine;
}

async function check(
  engine: StorageEngine,
  model: Model,
  clock: ManualClock,
  keys: DecoratedKey[],
): Promise<void> {
  const now = nowSeconds(clock);
  for (let k = 0; k < keys.length; k++) {
    const read = await engine.read(TABLE.id, keys[k]!);
    expect(asRows(read && livePartition(read, now)), `partition ${k}`).toEqual(model.read(k, now));
  }
  const scanned = new Map<number, Map<number, Record<string, string>>>();
  for await (const p of engine.scan(TABLE.id)) {
    const live = livePartition(p, now);
    if (live) scanned.set(Buffer.from(p.key.key).readUInt32BE(), asRows(live));
  }
  for (let k = 0; k < keys.length; k++) {
    const expected = model.read(k, now);
    expect(scanned.get(k) ?? new Map(), `scan of partition ${k}`).toEqual(expected);
  }
}

describe.each([
  { where: 'in the worker thread', inWorker: true },
  { where: 'on the event loop', inWorker: false },
])('storage engine against a model, flushing and compacting $where', ({ inWorker }) => {
  it('reads back what the model says after random operations, flushes, compactions and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 80 }), async (ops) => {
        const { dir, cleanup } = await tempDir('sibyl-model-');
        cleanups.push(cleanup);
        const clock = new ManualClock();
        const model = new Model();
        const keys = [0, 1, 2].map(modelKey);
        let engine = await openEngine(dir, clock, inWorker);
        try {
          for (const op of ops) {
            const now = nowSeconds(clock);
            const p = toPartition(op, now);
            if (p) {
              await engine.apply({ tableId: TABLE.id, partition: p });
              recordInModel(model, op, now);
            } else if (op.kind === 'flush') await engine.flush();
            else if (op.kind === 'compact') await engine.compact();
            else if (op.kind === 'advance') clock.advance(op.seconds * 1000);
            else if (op.kind === 'restart') {
              await engine.close({ flush: false });
              engine = await openEngine(dir, clock, inWorker);
            }
          }
          await check(engine, model, clock, keys);
          await engine.close();
          engine = await openEngine(dir, clock, inWorker);
          await check(engine, model, clock, keys);
        } finally {
          await engine.close();
          await cleanup();
        }
      }),
      { numRuns: 120 },
    );
  });
});
