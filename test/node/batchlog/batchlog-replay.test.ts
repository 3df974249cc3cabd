/**
 * The replay loop on an injected clock (SimulatedScheduler), with real storage engines: a batch
 * whose coordinator died after storing it and writing only its first mutation is replayed once it
 * is older than the batchlog timeout (2 × write_request_timeout) — every mutation lands on its
 * replica and the batch is deleted; a younger batch waits; a failed replay is retried next round;
 * the throttle spaces replays by their size; a batch of a dropped table is skipped with a log line,
 * one past gc_grace_seconds expires.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchlogOptions } from '../../../common/limits.js';
import { KiB } from '../../../common/limits.js';
import type { Logger } from '../../../common/logger.js';
import { timeuuidFromMs } from '../../../cql/types/index.js';
import type { ReplayTableInfo } from '../../../node/batchlog/index.js';
import {
  BatchlogService,
  decideReplay,
  encodeBatchMutation,
  ReplayThrottle,
  replayRateBytesPerSecond,
} from '../../../node/batchlog/index.js';
import type { MessagingService } from '../../../node/messaging/index.js';
import { SimulatedScheduler } from '../../../node/sim/scheduler.js';
import type { Mutation } from '../../../storage/model.js';
import { until } from '../cluster/cluster-helpers.js';
import { quiet, startTcpService } from '../messaging/helpers.js';
import { batchIds, readValue, type StorageNode, storageNode, TABLE_ID, userMutation } from './helpers.js';

const NODE_BYTES = new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]);
const WRITE_TIMEOUT_MS = 2_000; // Cassandra's write_request_timeout: the batchlog timeout is 4 s

let scheduler: SimulatedScheduler;
/** Replicas of ks.t: even keys on the first, odd keys on the second. */
let replicas: StorageNode[];
let holder: StorageNode;
const services: { messaging: MessagingService; batchlog: BatchlogService }[] = [];

const replicaOf = (mutation: Mutation): StorageNode => {
  const k = Buffer.from(mutation.partition.key.key).readInt32BE(0);
  return replicas[k % 2]!;
};

/** The coordinator's write path at ONE, reduced to its effect: each mutation applied on its replica. */
async function writeToReplicas(mutations: Mutation[]): Promise<void> {
  await Promise.all(mutations.map((m) => replicaOf(m).engine.apply(m)));
}

const liveTable = (): ReplayTableInfo | undefined => ({ gcGraceSeconds: 864_000 });

interface HolderSettings {
  readonly options?: Partial<BatchlogOptions>;
  readonly tableInfo?: (tableId: string) => ReplayTableInfo | undefined;
  readonly endpointCount?: () => number;
  readonly log?: Logger;
}

async function batchlogOn(
  storage: StorageNode,
  replay: (mutations: Mutation[]) => Promise<void>,
  settings: HolderSettings = {},
): Promise<BatchlogService> {
  const messaging = await startTcpService(services.length + 1, { writeRequestTimeoutMs: WRITE_TIMEOUT_MS });
  const batchlog = new BatchlogService({
    messaging,
    engine: storage.engine,
    replay,
    tableInfo: settings.tableInfo ?? ((id) => (id === TABLE_ID ? liveTable() : undefined)),
    ...(settings.endpointCount ? { endpointCount: settings.endpointCount } : {}),
    scheduler,
    options: { batchlogReplayInitialDelayMs: 1_000, ...settings.options },
    log: settings.log ?? quiet,
  });
  services.push({ messaging, batchlog });
  return batchlog;
}

/** Advances virtual time, then waits (really) until `rounds` replay rounds have completed. */
async function advanceToRound(batchlog: BatchlogService, ms: number, rounds: number): Promise<void> {
  await scheduler.advance(ms);
  await until(`replay round ${rounds} completed`, () => batchlog.metrics.replayRounds >= rounds, 10_000);
  expect(batchlog.metrics.replayRounds).toBe(rounds);
}

/** Stores a batch in the holder's system.batches as if a coordinator had written it `ageMs` ago. */
async function storeAged(
  batchlog: BatchlogService,
  mutations: Mutation[],
  ageMs: number,
  tick = 0,
): Promise<string> {
  const id = timeuuidFromMs(scheduler.nowMs() - ageMs, NODE_BYTES, tick);
  await batchlog.table.write(id, mutations.map(encodeBatchMutation));
  return id;
}

beforeEach(async () => {
  scheduler = new SimulatedScheduler(Date.now());
  replicas = [await storageNode(scheduler), await storageNode(scheduler)];
  holder = await storageNode(scheduler);
});

afterEach(async () => {
  for (const { batchlog, messaging } of services.splice(0)) {
    await batchlog.close();
    await messaging.close();
  }
  for (const node of [...replicas, holder]) await node.close();
});

describe('batchlog replay', () => {
  it('replays a batch whose coordinator died after writing its first mutation, once older than the timeout', async () => {
    const coordinatorStorage = await storageNode(scheduler);
    try {
      const coordinator = await batchlogOn(coordinatorStorage, writeToReplicas);
      const batchlog = await batchlogOn(holder, writeToReplicas);
      coordinator.start();
      batchlog.start();
      expect(batchlog.batchlogTimeoutMs).toBe(2 * WRITE_TIMEOUT_MS);

      // The coordinator stores the batch on the holder (over TCP), writes the first mutation, dies.
      const mutations = [userMutation(10, 'ten'), userMutation(11, 'eleven'), userMutation(12, 'twelve')];
      const id = coordinator.newBatchId();
      await coordinator.store(id, mutations, [services[1]!.messaging.address]);
      await writeToReplicas([mutations[0]!]);
      await coordinator.close();

      // First round (after the 1 s initial delay): the batch is 1 s old, younger than 4 s: left alone.
      await advanceToRound(batchlog, 1_000, 1);
      expect(await batchIds(holder.processor)).toEqual([id]);
      expect(await readValue(replicas[0]!.processor, 10)).toBe('ten');
      expect(await readValue(replicas[1]!.processor, 11)).toBeNull();
      expect(await readValue(replicas[0]!.processor, 12)).toBeNull();

      // Next round, 10 s later: replayed, every mutation is on its replica, the batch is gone.
      await advanceToRound(batchlog, 10_000, 2);
      expect(await readValue(replicas[0]!.processor, 10)).toBe('ten');
      expect(await readValue(replicas[1]!.processor, 11)).toBe('eleven');
      expect(await readValue(replicas[0]!.processor, 12)).toBe('twelve');
      expect(await batchIds(holder.processor)).toEqual([]);
      expect(batchlog.metrics).toMatchObject({ batchesReplayed: 1, replayFailures: 0, batchesSkipped: 0 });
    } finally {
      await coordinatorStorage.close();
    }
  });

  it('replays only the batches older than the batchlog timeout', async () => {
    const batchlog = await batchlogOn(holder, writeToReplicas);
    await storeAged(batchlog, [userMutation(1, 'old-1'), userMutation(2, 'old-2')], 4_001);
    const young = await storeAged(batchlog, [userMutation(3, 'young-3'), userMutation(4, 'young-4')], 3_000);
    const result = await batchlog.replayFailedBatches();
    expect(result).toMatchObject({ ran: true, replayed: 1, waiting: 1, failed: 0 });
    expect(await batchIds(holder.processor)).toEqual([young]);
    expect(await readValue(replicas[1]!.processor, 1)).toBe('old-1');
    expect(await readValue(replicas[1]!.processor, 3)).toBeNull();
  });

  it('keeps a batch whose replay failed and retries it in the next round', async () => {
    let attempts = 0;
    const flaky = async (mutations: Mutation[]) => {
      attempts++;
      if (attempts === 1) throw new Error('replica unreachable and hints overloaded');
      await writeToReplicas(mutations);
    };
    const batchlog = await batchlogOn(holder, flaky);
    batchlog.start();
    const id = await storeAged(batchlog, [userMutation(5, 'five'), userMutation(6, 'six')], 60_000);

    await advanceToRound(batchlog, 1_000, 1);
    expect(batchlog.metrics.replayFailures).toBe(1);
    expect(await batchIds(holder.processor)).toEqual([id]);
    expect(await readValue(replicas[1]!.processor, 5)).toBeNull();

    await advanceToRound(batchlog, 10_000, 2);
    expect(attempts).toBe(2);
    expect(await readValue(replicas[1]!.processor, 5)).toBe('five');
    expect(await readValue(replicas[0]!.processor, 6)).toBe('six');
    expect(await batchIds(holder.processor)).toEqual([]);
    expect(batchlog.metrics.batchesReplayed).toBe(1);
  });

  it("spaces replays by batchlog_replay_throttle, shared among the ring's endpoints", async () => {
    const replayedAt: number[] = [];
    const timed = async (mutations: Mutation[]) => {
      replayedAt.push(scheduler.nowMs());
      await writeToReplicas(mutations);
    };
    // 2 KiB/s over 2 endpoints: 1 KiB/s for this node.
    const batchlog = await batchlogOn(holder, timed, {
      options: { batchlogReplayThrottleBytesPerSecond: 2 * KiB },
      endpointCount: () => 2,
    });
    const value = 'x'.repeat(1_000);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const mutations = [userMutation(100 + 2 * i, value), userMutation(101 + 2 * i, value)];
      sizes.push(mutations.map(encodeBatchMutation).reduce((sum, b) => sum + b.length, 0));
      await storeAged(batchlog, mutations, 60_000, i);
    }
    const round = batchlog.replayFailedBatches();
    let done = false;
    void round.then(() => {
      done = true;
    });
    const deadline = Date.now() + 15_000;
    while (!done) {
      if (Date.now() > deadline) throw new Error('throttled round did not finish');
      await scheduler.advance(50);
    }
    expect((await round).replayed).toBe(4);
    expect(replayedAt).toHaveLength(4);
    // Each replay waits until the previous one's bytes are paid for at 1 KiB/s (the first goes at once).
    const size = sizes[0]!;
    expect(sizes.every((s) => s === size)).toBe(true);
    for (let i = 1; i < replayedAt.length; i++) {
      expect(replayedAt[i]! - replayedAt[i - 1]!).toBeGreaterThanOrEqual(Math.floor((size * 1000) / KiB));
    }
    expect(await batchIds(holder.processor)).toEqual([]);
  });

  it('skips, with a log line, a batch writing to a table that no longer exists, and expires one past gc_grace_seconds', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      }),
    );
    let gcGraceSeconds = 864_000;
    const replayed: Mutation[][] = [];
    const record = async (mutations: Mutation[]) => {
      replayed.push(mutations);
    };
    const batchlog = await batchlogOn(holder, record, {
      tableInfo: (id) => (id === TABLE_ID ? { gcGraceSeconds } : undefined),
      log,
    });
    const dropped = { ...userMutation(20, 'gone'), tableId: 'd7000000-0000-4000-8000-000000000000' };
    const skipped = await storeAged(batchlog, [userMutation(21, 'kept?'), dropped], 60_000);
    const result = await batchlog.replayFailedBatches();
    expect(result).toMatchObject({ skipped: 1, replayed: 0 });
    expect(replayed).toEqual([]);
    expect(await batchIds(holder.processor)).toEqual([]);
    expect(lines.join('')).toContain(
      `Skipped batch replay of ${skipped} due to Unknown table id d7000000-0000-4000-8000-000000000000`,
    );

    gcGraceSeconds = 30;
    // Another id (tick 1): the skipped batch's id is deleted for good, a rewrite of it stays shadowed.
    await storeAged(batchlog, [userMutation(22, 'a'), userMutation(23, 'b')], 60_000, 1);
    expect(await batchlog.replayFailedBatches()).toMatchObject({ expired: 1, replayed: 0 });
    expect(replayed).toEqual([]);
    expect(await batchIds(holder.processor)).toEqual([]);
    expect(batchlog.metrics).toMatchObject({ batchesSkipped: 1, batchesExpired: 1 });
  });

  it('does nothing while the ring has no endpoints', async () => {
    const batchlog = await batchlogOn(holder, writeToReplicas, { endpointCount: () => 0 });
    const id = await storeAged(batchlog, [userMutation(30, 'a'), userMutation(31, 'b')], 60_000);
    expect(await batchlog.replayFailedBatches()).toMatchObject({ ran: false, replayed: 0 });
    expect(await batchIds(holder.processor)).toEqual([id]);
  });
});

describe('replay decisions and throttle arithmetic', () => {
  const now = 1_700_000_100_000;
  const batch = (ageMs: number, version = 1) => ({
    id: timeuuidFromMs(now - ageMs, NODE_BYTES),
    writtenAtMs: now - ageMs,
    version,
    mutations: [encodeBatchMutation(userMutation(1, 'a')), encodeBatchMutation(userMutation(2, 'b'))],
    sizeBytes: 0,
  });

  it('waits, replays, expires, skips and drops truncated tables as Cassandra', () => {
    const info =
      (extra: Partial<ReplayTableInfo> = {}) =>
      () => ({ gcGraceSeconds: 864_000, ...extra });
    expect(decideReplay(batch(3_999), now, 4_000, info()).kind).toBe('wait');
    const replay = decideReplay(batch(4_000), now, 4_000, info());
    expect(replay.kind === 'replay' && replay.mutations.map((m) => m.tableId)).toEqual([TABLE_ID, TABLE_ID]);
    expect(decideReplay(batch(10_000), now, 4_000, info({ gcGraceSeconds: 10 })).kind).toBe('expire');
    expect(decideReplay(batch(10_000), now, 4_000, info({ truncatedAtMs: now - 5_000 })).kind).toBe('expire');
    expect(decideReplay(batch(10_000), now, 4_000, info({ truncatedAtMs: now - 20_000 })).kind).toBe(
      'replay',
    );
    expect(decideReplay(batch(10_000, 2), now, 4_000, info())).toEqual({
      kind: 'skip',
      reason: 'unknown batchlog format version 2',
    });
    const corrupt = { ...batch(10_000), mutations: [new Uint8Array([36, 1, 2])] };
    expect(decideReplay(corrupt, now, 4_000, info()).kind).toBe('skip');
  });

  it("divides the throttle in whole KiB among endpoints (a share under 1 KiB is unthrottled, as Cassandra's)", () => {
    expect(replayRateBytesPerSecond(1024 * KiB, 1)).toBe(1024 * KiB);
    expect(replayRateBytesPerSecond(1024 * KiB, 3)).toBe(341 * KiB);
    expect(replayRateBytesPerSecond(1024 * KiB, 2048)).toBeNull();
    expect(replayRateBytesPerSecond(0, 1)).toBeNull();
    const throttle = new ReplayThrottle();
    throttle.setRate(1000);
    expect(throttle.acquire(500, 0)).toBe(0); // the first acquisition is free, its cost paid by the next
    expect(throttle.acquire(500, 0)).toBe(500);
    expect(throttle.acquire(100, 2_000)).toBe(0); // idle long enough: nothing owed
    throttle.setRate(null);
    expect(throttle.acquire(1_000_000, 2_000)).toBe(0);
  });
});
