/**
 * A logged batch whose coordinator is killed mid-way is fully applied after batchlog replay: three
 * nodes in this process on 127.0.0.1–3, each with its own storage engine, TCP messaging on a common
 * storage port and a BatchlogService. Node 1 runs a CQL BATCH through a store that follows
 * `writeLoggedBatch`: the batchlog goes to nodes 2 and 3, the first mutation reaches its replica,
 * then node 1 dies (messaging and storage closed). Nodes 2 and 3 replay the batch once it is older
 * than the batchlog timeout; every row ends up on its replica and both batchlogs are emptied.
 *
 * Replica placement is the test's (key k on node k mod 3); the replay writes to the replica's engine
 * in-process, standing in for the coordinator's write path at ONE that the real node will inject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import type { DataStore } from '../../../cql/executor/data-store.js';
import { LocalDataStore } from '../../../cql/executor/data-store.js';
import type { BatchlogTopology } from '../../../node/batchlog/index.js';
import { BatchlogService, tableInfoFromSchema, writeLoggedBatch } from '../../../node/batchlog/index.js';
import type { MessagingService } from '../../../node/messaging/index.js';
import { MessagingService as Messaging, TcpTransport, toPeerAddress } from '../../../node/messaging/index.js';
import type { Mutation } from '../../../storage/model.js';
import type { StorageEngine } from '../../../storage/storage-engine.js';
import { commonFreePorts, HOSTS, until } from '../cluster/cluster-helpers.js';
import { hostIdFor, quiet } from '../messaging/helpers.js';
import { batchIds, readValue, type StorageNode, storageNode } from './helpers.js';

const WRITE_TIMEOUT_MS = 1_000; // batchlog timeout: 2 s

interface ClusterNode {
  readonly storage: StorageNode;
  readonly messaging: MessagingService;
  readonly batchlog: BatchlogService;
  alive: boolean;
}

const nodes: ClusterNode[] = [];
let killed: Promise<void> | undefined;

const keyOf = (m: Mutation) => Buffer.from(m.partition.key.key).readInt32BE(0);
const replicaOf = (m: Mutation): ClusterNode => nodes[keyOf(m) % 3]!;

/** Stands in for the coordinator's replica write: the mutation lands on its replica, if it is up. */
async function writeToReplica(m: Mutation): Promise<void> {
  const replica = replicaOf(m);
  if (!replica.alive) throw new Error(`replica ${replica.messaging.address} is down`);
  await replica.storage.engine.apply(m);
}

function topologyOf(local: ClusterNode): BatchlogTopology {
  const candidate = (n: ClusterNode) => ({
    address: n.batchlog.localAddress,
    dataCenter: 'dc1',
    rack: 'rack1',
  });
  return {
    local: candidate(local),
    endpoints: nodes.map(candidate),
    isAlive: (address) => nodes.some((n) => n.alive && n.batchlog.localAddress === address),
  };
}

/** Node 1's store: logged batches through the batchlog; it dies right after its first replica write. */
function dyingCoordinatorStore(engine: StorageEngine): DataStore {
  const local = new LocalDataStore(engine);
  return {
    read: (...args) => local.read(...args),
    scan: (...args) => local.scan(...args),
    async apply(mutations, options) {
      if (options.batchType !== 'logged') return local.apply(mutations, options);
      const coordinator = nodes[0]!;
      await writeLoggedBatch(mutations, options.consistency, {
        batchlog: coordinator.batchlog,
        topology: topologyOf(coordinator),
        writeEach: async (batched) => {
          await writeToReplica(batched[0]!);
          killed = kill(coordinator);
          throw new Error('coordinator killed mid-way');
        },
      });
    },
  };
}

async function kill(node: ClusterNode): Promise<void> {
  node.alive = false;
  await node.batchlog.close();
  await node.messaging.close();
  await node.storage.engine.close({ flush: false });
}

beforeAll(async () => {
  const [storagePort] = (await commonFreePorts(HOSTS, 1)) as [number];
  for (const [index, host] of HOSTS.entries()) {
    const storage = await storageNode(systemClock, {}, index === 0 ? dyingCoordinatorStore : undefined);
    const messaging = await Messaging.start({
      transport: new TcpTransport(),
      hostId: hostIdFor(index + 1),
      listenAddress: toPeerAddress(`${host}:${storagePort}`),
      options: { writeRequestTimeoutMs: WRITE_TIMEOUT_MS },
      log: quiet,
    });
    const batchlog = new BatchlogService({
      messaging,
      engine: storage.engine,
      replay: (mutations) => Promise.all(mutations.map(writeToReplica)).then(() => undefined),
      tableInfo: tableInfoFromSchema(() => storage.processor.schema.view),
      endpointCount: () => 3,
      options: { batchlogReplayInitialDelayMs: 0, batchlogReplayIntervalMs: 250 },
      log: quiet,
    });
    batchlog.start();
    nodes.push({ storage, messaging, batchlog, alive: true });
  }
});

afterAll(async () => {
  await killed;
  for (const node of nodes) {
    if (node.alive) {
      await node.batchlog.close();
      await node.messaging.close();
    }
    await node.storage.close();
  }
});

describe('a logged batch across three nodes', () => {
  it('is fully applied by batchlog replay after its coordinator is killed mid-way', async () => {
    const [coordinator, second, third] = nodes as [ClusterNode, ClusterNode, ClusterNode];
    const batch = `BEGIN BATCH
      INSERT INTO ks.t (k, v) VALUES (1, 'one');
      INSERT INTO ks.t (k, v) VALUES (2, 'two');
      INSERT INTO ks.t (k, v) VALUES (4, 'four');
      INSERT INTO ks.t (k, v) VALUES (5, 'five');
    APPLY BATCH`;
    await expect(coordinator.storage.processor.execute(batch, {})).rejects.toThrow(
      /coordinator killed mid-way/,
    );
    await killed;

    // The batchlog is on both other nodes; of the rows, only the first mutation's has landed.
    expect(await batchIds(second.storage.processor)).toHaveLength(1);
    expect(await batchIds(third.storage.processor)).toEqual(await batchIds(second.storage.processor));
    const rows = async () =>
      Promise.all([1, 2, 4, 5].map((k) => readValue(nodes[k % 3]!.storage.processor, k)));
    expect((await rows()).filter((v) => v !== null)).toHaveLength(1);

    await until(
      'every row is on its replica and both batchlogs are empty',
      async () =>
        (await rows()).every((v) => v !== null) &&
        (await batchIds(second.storage.processor)).length === 0 &&
        (await batchIds(third.storage.processor)).length === 0,
      20_000,
    );
    expect(await rows()).toEqual(['one', 'two', 'four', 'five']);
    expect(
      second.batchlog.metrics.batchesReplayed + third.batchlog.metrics.batchesReplayed,
    ).toBeGreaterThanOrEqual(1);
  });
});
