/**
 * BATCH_STORE_REQ / BATCH_REMOVE_REQ over real TCP messaging between nodes with real storage
 * engines: a stored batch is in the receiving node's system.batches (read through CQL), a removal
 * deletes it there, a missing endpoint makes the batchlog write a WriteTimeout of writeType
 * BATCH_LOG, and malformed payloads are refused without writing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { KiB } from '../../../common/limits.js';
import { InvalidRequestError, WriteTimeoutError } from '../../../cql/errors.js';
import { BatchlogService } from '../../../node/batchlog/index.js';
import type { MessagingService, PeerAddress } from '../../../node/messaging/index.js';
import { RemoteFailureError, Verb } from '../../../node/messaging/index.js';
import { until } from '../cluster/cluster-helpers.js';
import { quiet, startTcpService } from '../messaging/helpers.js';
import { batchIds, type StorageNode, storageNode, userMutation } from './helpers.js';

interface TestNode {
  readonly storage: StorageNode;
  readonly messaging: MessagingService;
  readonly batchlog: BatchlogService;
}

const nodes: TestNode[] = [];

async function startNodeAt(index: number): Promise<TestNode> {
  const storage = await storageNode(systemClock, { maxMutationSizeBytes: 64 * KiB });
  const messaging = await startTcpService(index, { writeRequestTimeoutMs: 1_000 });
  const batchlog = new BatchlogService({
    messaging,
    engine: storage.engine,
    replay: async () => {},
    tableInfo: () => undefined,
    options: { batchlogReplayInitialDelayMs: 3_600_000 }, // the loop is not under test here
    log: quiet,
  });
  batchlog.start();
  return { storage, messaging, batchlog };
}

/** A port nothing listens on: a node that is down. */
async function deadEndpoint(): Promise<PeerAddress> {
  const probe = await startTcpService(99);
  const address = probe.address;
  await probe.close();
  return address;
}

beforeAll(async () => {
  for (let index = 1; index <= 3; index++) nodes.push(await startNodeAt(index));
});

afterAll(async () => {
  for (const node of nodes) {
    await node.batchlog.close();
    await node.messaging.close();
    await node.storage.close();
  }
});

const node = (index: number) => nodes[index - 1]!;

describe('batchlog verbs over TCP', () => {
  it("BATCH_STORE puts the batch in the receiving node's system.batches, BATCH_REMOVE deletes it", async () => {
    const coordinator = node(1);
    const id = coordinator.batchlog.newBatchId();
    const mutations = [userMutation(1, 'one'), userMutation(2, 'two')];
    const holders = [node(2).messaging.address, node(3).messaging.address];
    await coordinator.batchlog.store(id, mutations, holders);

    for (const holder of [node(2), node(3)]) {
      expect(await batchIds(holder.storage.processor)).toEqual([id]);
      const stored = await holder.batchlog.table.read(id);
      expect(stored?.mutations).toHaveLength(2);
      expect(holder.batchlog.metrics.batchesStored).toBe(1);
    }
    expect(await batchIds(coordinator.storage.processor)).toEqual([]);

    coordinator.batchlog.remove(id, holders);
    await until('both holders removed the batch', async () => {
      const lists = await Promise.all([node(2), node(3)].map((n) => batchIds(n.storage.processor)));
      return lists.every((ids) => ids.length === 0);
    });
    expect(node(2).batchlog.metrics.batchesRemoved).toBe(1);
  });

  it('a coordinator that is its own batchlog endpoint stores and removes locally', async () => {
    const coordinator = node(1);
    const id = coordinator.batchlog.newBatchId();
    await coordinator.batchlog.store(
      id,
      [userMutation(3, 'x'), userMutation(4, 'y')],
      [coordinator.batchlog.localAddress],
    );
    expect(await batchIds(coordinator.storage.processor)).toEqual([id]);
    coordinator.batchlog.remove(id, [coordinator.batchlog.localAddress]);
    await until(
      'the local batch is removed',
      async () => (await batchIds(coordinator.storage.processor)).length === 0,
    );
  });

  it('an endpoint that does not answer makes the batchlog write a WriteTimeout(TWO, 1 of 2, BATCH_LOG)', async () => {
    const coordinator = node(1);
    const id = coordinator.batchlog.newBatchId();
    const dead = await deadEndpoint();
    const failure = await coordinator.batchlog
      .store(id, [userMutation(5, 'a'), userMutation(6, 'b')], [node(2).messaging.address, dead])
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(WriteTimeoutError);
    expect(failure).toMatchObject({ consistency: 'TWO', received: 1, blockFor: 2, writeType: 'BATCH_LOG' });
    expect((failure as Error).message).toBe('Operation timed out - received only 1 responses.');
    expect(coordinator.batchlog.metrics.batchlogWriteTimeouts).toBe(1);
    // The endpoint that did answer holds the batch: replay will cover it if the coordinator gives up.
    expect(await batchIds(node(2).storage.processor)).toContain(id);
    node(2).batchlog.remove(id, [node(2).batchlog.localAddress]);
  });

  it('refuses malformed payloads with INVALID_BATCH and writes nothing', async () => {
    const sender = node(1).messaging;
    const target = node(3).messaging.address;
    const cases: unknown[] = [
      null,
      { id: 'a6d4bd42-6e1d-4a43-9b5e-0d2b6bd7c1f1', mutations: [new Uint8Array([1, 65, 0])] }, // not a timeuuid
      { id: node(1).batchlog.newBatchId(), mutations: [] },
      { id: node(1).batchlog.newBatchId(), mutations: ['text'] },
      { id: node(1).batchlog.newBatchId(), mutations: [new Uint8Array([36, 1])] }, // table id cut short
    ];
    for (const payload of cases) {
      const error = await sender.request(target, Verb.BATCH_STORE_REQ, payload as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RemoteFailureError);
      expect((error as RemoteFailureError).reason).toBe('INVALID_BATCH');
    }
    const removal = await sender.request(target, Verb.BATCH_REMOVE_REQ, { id: 'nope' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((removal as RemoteFailureError).reason).toBe('INVALID_BATCH');
    expect(await batchIds(node(3).storage.processor)).toEqual([]);
  });

  it('refuses a batch too large to be stored as one mutation, before sending anything', async () => {
    const coordinator = node(1);
    const big = 'x'.repeat(40 * KiB);
    const error = await coordinator.batchlog
      .store(
        coordinator.batchlog.newBatchId(),
        [userMutation(7, big), userMutation(8, big)],
        [node(2).messaging.address],
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(
      /^Rejected an oversized mutation \(\d+\/65536\) for keyspace: system/,
    );
    expect(await batchIds(node(2).storage.processor)).toEqual([]);
  });
});
