/**
 * HintsService on real files, with injected time (SimulatedScheduler), liveness and delivery:
 * storing and not storing (disabled, max_hint_window), replay in order with original timestamps,
 * resumption after a failed delivery, gc_grace expiry, the throttle (asserted on virtual time),
 * pause/resume, truncation, the pending list, reopening, corrupt and torn files.
 */
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HintsOptions } from '../../../common/limits.js';
import { hintsOptions } from '../../../common/limits.js';
import type { HintDelivery, HintsLiveness } from '../../../node/hints/hints-service.js';
import { HintsService } from '../../../node/hints/hints-service.js';
import type { PeerAddress } from '../../../node/messaging/index.js';
import { SimulatedScheduler } from '../../../node/sim/scheduler.js';
import type { HostId } from '../../../ring/endpoint.js';
import { HINTS_HEADER_BYTES, hintRecordSize } from '../../../storage/hints/format.js';
import type { HintsStoreOptions } from '../../../storage/hints/hints-store.js';
import { HintsStore } from '../../../storage/hints/hints-store.js';
import type { Mutation } from '../../../storage/model.js';
import { plain, tempDir } from '../../storage/helpers.js';
import { hintBytes, hintPartition, storeOptions, TABLE_ID } from '../../storage/hints/helpers.js';

const B = '00000000-0000-4000-8000-00000000000b' as HostId;
const C = '00000000-0000-4000-8000-00000000000c' as HostId;
const OTHER_TABLE = '22222222-0000-4000-8000-000000000002';

class FakeCluster implements HintsLiveness {
  readonly alive = new Set<HostId>();
  readonly downSince = new Map<HostId, number>();
  endpoints = 3;
  isAlive(hostId: HostId): boolean {
    return this.alive.has(hostId);
  }
  downSinceMs(hostId: HostId): number | undefined {
    return this.downSince.get(hostId);
  }
  endpointCount(): number {
    return this.endpoints;
  }
  up(hostId: HostId): void {
    this.alive.add(hostId);
    this.downSince.delete(hostId);
  }
  down(hostId: HostId, sinceMs: number): void {
    this.alive.delete(hostId);
    this.downSince.set(hostId, sinceMs);
  }
}

interface Delivered {
  readonly target: HostId;
  readonly mutation: Mutation;
  readonly creationMs: number;
  readonly recordBytes: number;
}

let dir: string;
let cleanup: () => Promise<void>;
let scheduler: SimulatedScheduler;
let cluster: FakeCluster;
let delivered: Delivered[];
let grace: Map<string, number>;
let logLines: Array<Record<string, unknown>>;
let service: HintsService | undefined;
let hintsStore: HintsStore;

const recordingDeliver: HintDelivery = async (target, mutation, hint) => {
  const recordBytes = hintRecordSize(Buffer.byteLength(mutation.tableId), hint.partitionBytes.length);
  delivered.push({ target, mutation, creationMs: hint.creationMs, recordBytes });
};

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('sibyl-hints-service-'));
  scheduler = new SimulatedScheduler();
  cluster = new FakeCluster();
  delivered = [];
  grace = new Map([[TABLE_ID, 864_000]]);
  logLines = [];
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  await cleanup();
});

async function start(
  options: Partial<HintsOptions> = {},
  deliver: HintDelivery = recordingDeliver,
  store: Partial<HintsStoreOptions> = {},
): Promise<HintsService> {
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  hintsStore = await HintsStore.open(dir, storeOptions(scheduler, { log, ...store }));
  service = new HintsService({
    store: hintsStore,
    options: hintsOptions({ hintedHandoffThrottleBytesPerSecond: 0, ...options }),
    scheduler,
    liveness: cluster,
    deliver,
    gcGraceSeconds: (tableId) => grace.get(tableId),
    log,
  });
  return service;
}

function mutation(n: number, tableId = TABLE_ID, valueBytes = 20): Mutation {
  return { tableId, partition: hintPartition(n, valueBytes) };
}

function storeHints(target: HostId, from: number, to: number, tableId = TABLE_ID): void {
  for (let n = from; n < to; n++) service!.store(target, mutation(n, tableId));
}

const deliveredSerials = () =>
  delivered
    .map((d) => Buffer.from(d.mutation.partition.rows[0]!.cells[0]!.value!).toString().split('-')[1])
    .map(Number);

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('storing', () => {
  it('delivers hints stored for a down target once it is up: in order, original timestamps, files deleted', async () => {
    await start();
    cluster.down(B, scheduler.nowMs() - 1_000);
    const createdAt = scheduler.nowMs();
    storeHints(B, 0, 50);
    expect(service!.metrics.hintsCreated).toBe(50);
    await service!.dispatch(B);
    expect(delivered).toEqual([]);
    expect(service!.listPendingHints()).toMatchObject([{ hostId: B, totalFiles: 1 }]);

    await scheduler.advance(2_000);
    cluster.up(B);
    service!.onEndpointUp(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 50));
    for (const [n, hint] of delivered.entries()) {
      expect(hint.target).toBe(B);
      expect(hint.creationMs).toBe(createdAt);
      expect(hint.mutation.tableId).toBe(TABLE_ID);
      expect(plain(hint.mutation.partition)).toEqual(plain(hintPartition(n)));
      expect(hint.mutation.partition.rows[0]!.cells[0]!.timestamp).toBe(1_000_000 + n);
    }
    expect(service!.metrics.hintsReplayed).toBe(50);
    expect(service!.listPendingHints()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('stores nothing when hinted handoff is disabled, and counts the drop', async () => {
    await start({ hintedHandoffEnabled: false });
    storeHints(B, 0, 3);
    expect(service!.metrics).toMatchObject({ hintsCreated: 0, hintsDropped: 3 });
    expect(service!.metrics.droppedByReason.disabled).toBe(3);
    expect(service!.listPendingHints()).toEqual([]);
    await service!.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('stores no hint for a target down longer than max_hint_window', async () => {
    await start({ maxHintWindowMs: 60_000 });
    cluster.down(B, scheduler.nowMs() - 60_001);
    cluster.down(C, scheduler.nowMs() - 60_000);
    service!.store(B, mutation(1));
    service!.store(C, mutation(2));
    expect(service!.metrics.droppedByReason['window-expired']).toBe(1);
    expect(service!.metrics.hintsCreated).toBe(1);
    expect(service!.listPendingHints().map((info) => info.hostId)).toEqual([C]);
  });

  it('drops hints past the write buffer as overloaded, with one warning', async () => {
    await start({}, recordingDeliver, { maxBufferedBytes: 4_096 });
    storeHints(B, 0, 100);
    const overloaded = service!.metrics.droppedByReason.overloaded;
    expect(overloaded).toBeGreaterThan(0);
    expect(service!.metrics.hintsCreated).toBe(100 - overloaded);
    expect(logLines.filter((line) => String(line.msg).includes('overloaded'))).toHaveLength(1);
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 100 - overloaded));
  });

  it('stores hints for a live replica that timed out (no down time), replayed by the periodic check', async () => {
    await start({ hintsDispatchIntervalMs: 10_000 });
    cluster.up(B);
    storeHints(B, 0, 5);
    await scheduler.advance(10_000);
    await waitFor(() => delivered.length === 5);
    expect(deliveredSerials()).toEqual(range(0, 5));
  });
});

describe('transfer (decommission)', () => {
  it('hands every hint, for down and live targets alike, to the given node, which keeps them for their targets', async () => {
    const via: (string | undefined)[] = [];
    await start({}, async (target, mutation, hint, peer) => {
      via.push(peer);
      await recordingDeliver(target, mutation, hint);
    });
    cluster.down(B, scheduler.nowMs() - 1_000);
    storeHints(B, 0, 20);
    storeHints(C, 20, 30);
    await service!.transferTo('127.0.0.9:7000' as PeerAddress);
    expect(deliveredSerials().sort((a, b) => a - b)).toEqual(range(0, 30));
    expect(new Set(delivered.map((d) => d.target))).toEqual(new Set([B, C]));
    expect(new Set(via)).toEqual(new Set(['127.0.0.9:7000']));
    expect(service!.listPendingHints()).toEqual([]);
    // Afterwards replays go to the targets themselves again (no `via`), and only to live ones.
    storeHints(B, 30, 31);
    await service!.dispatch(B);
    expect(delivered).toHaveLength(30);
  });
});

describe('replay', () => {
  it('stops at a failed delivery and resumes later from where it stopped: no loss, no repeat', async () => {
    let calls = 0;
    await start({ maxHintsInFlightPerDelivery: 1 }, async (target, m, hint) => {
      if (++calls === 20) throw new Error('replica timed out');
      await recordingDeliver(target, m, hint);
    });
    cluster.down(B, scheduler.nowMs());
    storeHints(B, 0, 50);
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 19));
    expect(service!.metrics.deliveryFailures).toBe(1);
    expect(service!.listPendingHints()).toMatchObject([{ hostId: B, totalFiles: 1 }]);
    storeHints(B, 50, 55);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 55));
    expect(service!.metrics.hintsReplayed).toBe(55);
    expect(await readdir(dir)).toEqual([]);
  });

  it('with deliveries in flight, a failure loses nothing and repeats at most the window after it', async () => {
    const window = 8;
    let calls = 0;
    await start({ maxHintsInFlightPerDelivery: window }, async (target, m, hint) => {
      const call = ++calls;
      await new Promise((resolve) => setImmediate(resolve));
      if (call === 30) throw new Error('replica timed out');
      await recordingDeliver(target, m, hint);
    });
    storeHints(B, 0, 100);
    cluster.up(B);
    await service!.dispatch(B);
    await service!.dispatch(B);
    const serials = deliveredSerials();
    expect(new Set(serials)).toEqual(new Set(range(0, 100)));
    expect(serials.length - 100).toBeLessThan(window);
    expect(service!.listPendingHints()).toEqual([]);
  });

  it('drops hints older than their table’s gc_grace_seconds, and hints of dropped tables', async () => {
    grace.set(OTHER_TABLE, 60);
    await start();
    storeHints(B, 0, 4, OTHER_TABLE);
    storeHints(B, 4, 6, TABLE_ID);
    storeHints(B, 6, 7, '33333333-0000-4000-8000-000000000003');
    await scheduler.advance(60_000);
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual([4, 5]);
    expect(service!.metrics.droppedByReason.expired).toBe(4);
    expect(service!.metrics.droppedByReason['unknown-table']).toBe(1);
    expect(service!.metrics.hintsReplayed).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it('throttles replay to hinted_handoff_throttle divided by the other nodes (virtual time)', async () => {
    const throttle = 8_192;
    cluster.endpoints = 3;
    await start({ hintedHandoffThrottleBytesPerSecond: throttle, hintsDispatchIntervalMs: 3_600_000 });
    for (let n = 0; n < 60; n++) service!.store(B, mutation(n, TABLE_ID, 400));
    cluster.up(B);
    const rate = throttle / 2;
    const recordBytes = hintRecordSize(Buffer.byteLength(TABLE_ID), hintBytesLength(400));
    const startMs = scheduler.nowMs();
    const done = service!.dispatch(B);
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    const deadline = Date.now() + 20_000;
    while (!finished) {
      const bytes = delivered.reduce((sum, d) => sum + d.recordBytes, 0);
      expect(bytes).toBeLessThanOrEqual((rate * (scheduler.nowMs() - startMs)) / 1000 + recordBytes);
      if (Date.now() > deadline) throw new Error('replay did not finish');
      await scheduler.advance(50);
    }
    const total = 60 * recordBytes;
    expect(delivered.length).toBe(60);
    // Finishing takes at least (total - one record) / rate: the undivided rate would take half that.
    expect(scheduler.nowMs() - startMs).toBeGreaterThanOrEqual(((total - recordBytes) / rate) * 1000);
  });

  it('pausehandoff stops a replay after the hint on its way; resumehandoff finishes it', async () => {
    await start({ maxHintsInFlightPerDelivery: 1 }, async (target, m, hint) => {
      await recordingDeliver(target, m, hint);
      if (delivered.length === 10) service!.pauseHandoff();
    });
    storeHints(B, 0, 30);
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 10));
    expect(service!.isHandoffPaused).toBe(true);
    await service!.dispatch(B);
    await scheduler.advance(60_000);
    expect(delivered).toHaveLength(10);
    service!.resumeHandoff();
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 30));
  });

  it('a corrupt file: hints before the damage are delivered, the damage is reported, the file set aside', async () => {
    const { name, path, recordBytes } = await tenHintsInOneFile();
    const damagedAt = HINTS_HEADER_BYTES + 4 * recordBytes;
    const bytes = await readFile(path);
    bytes[damagedAt + 30]! ^= 0x01;
    await writeFile(path, bytes);

    await start();
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual([0, 1, 2, 3]);
    expect(service!.metrics.corruptFiles).toBe(1);
    const report = logLines.find((line) => line.level === 50);
    expect(report?.msg).toContain('corrupt');
    expect(report?.err).toMatchObject({ code: 'CORRUPTION', file: path, offset: damagedAt });
    expect(report).toMatchObject({ file: path, offset: damagedAt });
    expect(service!.listPendingHints()).toMatchObject([{ hostId: B, totalFiles: 0, corruptedFiles: 1 }]);
    expect(await readdir(dir)).toEqual([`${name}.corrupt`]);
    await service!.truncateHints(B);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a record whose checksum holds but whose partition does not decode is reported as corruption', async () => {
    await start();
    storeHints(B, 0, 3);
    hintsStore.append(B, TABLE_ID, scheduler.nowMs(), Buffer.from([0x7f, 1, 2, 3]));
    storeHints(B, 3, 5);
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual([0, 1, 2]);
    expect(service!.metrics.corruptFiles).toBe(1);
    expect(service!.listPendingHints()).toMatchObject([{ hostId: B, totalFiles: 0, corruptedFiles: 1 }]);
  });

  it('a torn tail: the hints before it are delivered, a warning names file and offset, the file is deleted', async () => {
    const { path, recordBytes } = await tenHintsInOneFile();
    await truncate(path, HINTS_HEADER_BYTES + 9 * recordBytes + 5);

    await start();
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 9));
    expect(service!.metrics.tornTails).toBe(1);
    const warning = logLines.find((line) => line.level === 40);
    expect(warning).toMatchObject({ file: path, offset: HINTS_HEADER_BYTES + 9 * recordBytes });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('tools', () => {
  it('listPendingHints: per host, its files and their oldest and newest creation times', async () => {
    await start({}, recordingDeliver, { maxFileSizeBytes: 4_096 + 36, maxRecordSizeBytes: 4_096 });
    const first = scheduler.nowMs();
    storeHints(C, 0, 1);
    storeHints(B, 0, 40);
    await scheduler.advance(3_000);
    storeHints(B, 40, 80);
    await service!.close();
    const recordBytes = hintRecordSize(Buffer.byteLength(TABLE_ID), hintBytesLength(20));
    const perFile = Math.floor(4_096 / recordBytes);
    await start();
    const [b, c] = service!.listPendingHints();
    expect(b).toMatchObject({ hostId: B, totalFiles: Math.ceil(80 / perFile) });
    expect(b!.totalFiles).toBeGreaterThan(1);
    expect(b!.oldestCreationMs).toBe(first);
    expect(b!.newestCreationMs).toBeGreaterThanOrEqual(first + 3_000);
    expect(b!.totalSizeBytes).toBe(80 * recordBytes + b!.totalFiles * HINTS_HEADER_BYTES);
    expect(c).toMatchObject({ hostId: C, totalFiles: 1, oldestCreationMs: first, newestCreationMs: first });
  });

  it('truncateHints deletes one host’s hints, or everyone’s, stopping a replay in progress', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await start({ maxHintsInFlightPerDelivery: 1 }, async (target, m, hint) => {
      await gate;
      await recordingDeliver(target, m, hint);
    });
    storeHints(B, 0, 20);
    storeHints(C, 0, 5);
    cluster.up(B);
    const replay = service!.dispatch(B);
    const truncating = service!.truncateHints(B);
    release();
    await Promise.all([replay, truncating]);
    expect(delivered.length).toBeLessThanOrEqual(1);
    expect(service!.listPendingHints().map((info) => info.hostId)).toEqual([C]);
    await service!.truncateHints();
    expect(service!.listPendingHints()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('close writes and fsyncs; a new service on the directory lists and replays the hints', async () => {
    await start();
    storeHints(B, 0, 25);
    await service!.close();
    expect(service!.metrics.hintsCreated).toBe(25);
    service!.store(B, mutation(99));
    expect(service!.metrics.droppedByReason.closed).toBe(1);
    await start();
    expect(service!.listPendingHints()).toMatchObject([{ hostId: B, totalFiles: 1 }]);
    cluster.up(B);
    await service!.dispatch(B);
    expect(deliveredSerials()).toEqual(range(0, 25));
  });
});

/** Ten hints for B in one file, the service closed: that file and the size of one record in it. */
async function tenHintsInOneFile(): Promise<{ name: string; path: string; recordBytes: number }> {
  await start();
  storeHints(B, 0, 10);
  await service!.close();
  const [name] = await readdir(dir);
  return {
    name: name!,
    path: join(dir, name!),
    recordBytes: hintRecordSize(Buffer.byteLength(TABLE_ID), hintBytesLength(20)),
  };
}

function hintBytesLength(valueBytes: number): number {
  return hintBytes(0, valueBytes).length;
}

/** Polls a condition every few milliseconds of real time (IO runs on the thread pool). */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
