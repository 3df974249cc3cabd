/**
 * Hinted handoff between two nodes over real TCP messaging, each with a real storage engine and the
 * service `startHints` builds: a replayed hint is applied by the replica's HINT_REQ handler with
 * its original timestamps; expired, unknown-table, forwarded and malformed hints.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { resolveConfig } from '../../../node/config.js';
import type { HintsService } from '../../../node/hints/hints-service.js';
import type { HintsEndpoints } from '../../../node/hints/start-hints.js';
import { startHints } from '../../../node/hints/start-hints.js';
import type { MessagingService, PeerAddress } from '../../../node/messaging/index.js';
import { Verb } from '../../../node/messaging/index.js';
import type { HostId } from '../../../ring/endpoint.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import type { DecoratedKey, Mutation } from '../../../storage/model.js';
import { bytesClusteringComparator } from '../../../storage/model.js';
import { encodePartition } from '../../../storage/partition-codec.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import type { TableDefinition } from '../../../storage/table-store.js';
import { cell, partition, plain, row, tempDir } from '../../storage/helpers.js';
import { hostIdFor, quiet, startTcpService } from '../messaging/helpers.js';

const TABLE: TableDefinition = {
  id: '11111111-0000-4000-8000-000000000001',
  keyspace: 'ks',
  name: 'hinted',
  clusteringComparator: bytesClusteringComparator,
  gcGraceSeconds: 3_600,
  compression: 'none',
};

interface TestNode {
  readonly hostId: HostId;
  readonly engine: StorageEngine;
  readonly messaging: MessagingService;
  readonly hints: HintsService;
  readonly dataDir: string;
  readonly cleanup: () => Promise<void>;
}

class Endpoints implements HintsEndpoints {
  readonly addresses = new Map<HostId, PeerAddress>();
  readonly alive = new Set<HostId>();
  isAlive(hostId: HostId): boolean {
    return this.alive.has(hostId);
  }
  downSinceMs(hostId: HostId): number | undefined {
    return this.alive.has(hostId) ? undefined : systemClock.nowMs() - 1_000;
  }
  endpointCount(): number {
    return this.addresses.size;
  }
  addressOf(hostId: HostId): PeerAddress | undefined {
    return this.addresses.get(hostId);
  }
}

let endpoints: Endpoints;
let nodes: TestNode[];

async function startTestNode(index: number): Promise<TestNode> {
  const { dir, cleanup } = await tempDir('sibyl-hint-handler-');
  const engine = await StorageEngine.open({ dataDir: dir, options: { flushInWorkerThread: false } });
  await engine.addTable(TABLE);
  await engine.replayCommitLog();
  const messaging = await startTcpService(index);
  const hints = await startHints({
    config: resolveConfig({ dataDir: dir }),
    engine,
    messaging,
    endpoints,
    clock: systemClock,
    log: quiet,
  });
  endpoints.addresses.set(messaging.hostId, messaging.address);
  return { hostId: messaging.hostId, engine, messaging, hints, dataDir: dir, cleanup };
}

beforeEach(async () => {
  endpoints = new Endpoints();
  nodes = [await startTestNode(1), await startTestNode(2)];
});

afterEach(async () => {
  for (const node of nodes) {
    await node.hints.close();
    await node.messaging.close();
    await node.engine.close();
    await node.cleanup();
  }
});

function pk(name: string): DecoratedKey {
  const key = Buffer.from(name);
  return { token: getToken(key), key };
}

function write(name: string, value: string, timestamp: number, tableId = TABLE.id): Mutation {
  return { tableId, partition: partition(pk(name), [row([], [cell('v', value, timestamp)])]) };
}

describe('HINT_REQ over TCP', () => {
  it('a hint replayed to its replica is applied there with its original timestamp', async () => {
    const [coordinator, replica] = nodes as [TestNode, TestNode];
    const writes = [write('k1', 'one', 1_111), write('k2', 'two', 2_222), write('k1', 'newer', 3_333)];
    for (const mutation of writes) coordinator.hints.store(replica.hostId, mutation);
    expect(coordinator.hints.listPendingHints()).toMatchObject([{ hostId: replica.hostId, totalFiles: 1 }]);
    expect(await replica.engine.read(TABLE.id, pk('k1'))).toBeNull();

    endpoints.alive.add(replica.hostId);
    coordinator.hints.onEndpointUp(replica.hostId);
    await coordinator.hints.dispatch(replica.hostId);

    expect(coordinator.hints.metrics.hintsReplayed).toBe(3);
    const k1 = await replica.engine.read(TABLE.id, pk('k1'));
    expect(k1?.rows[0]?.cells[0]).toMatchObject({ timestamp: 3_333 });
    expect(Buffer.from(k1!.rows[0]!.cells[0]!.value!).toString()).toBe('newer');
    const k2 = await replica.engine.read(TABLE.id, pk('k2'));
    expect(plain(k2)).toEqual(plain(writes[1]!.partition));
    expect(coordinator.hints.listPendingHints()).toEqual([]);
    expect(await readdir(`${coordinator.dataDir}/hints`)).toEqual([]);
  });

  it('a hint older than the table’s gc_grace_seconds, or of an unknown table, is answered but not applied', async () => {
    const [sender, replica] = nodes as [TestNode, TestNode];
    const old = write('old', 'stale', 10);
    const response = await sender.messaging.request(replica.messaging.address, Verb.HINT_REQ, {
      hostId: replica.hostId,
      creationMs: systemClock.nowMs() - (TABLE.gcGraceSeconds + 1) * 1000,
      tableId: TABLE.id,
      partition: encodePartition(old.partition),
    });
    expect(response).toBeNull();
    expect(await replica.engine.read(TABLE.id, pk('old'))).toBeNull();
    const unknown = write('gone', 'x', 10, '99999999-0000-4000-8000-000000000009');
    await expect(
      sender.messaging.request(replica.messaging.address, Verb.HINT_REQ, {
        hostId: replica.hostId,
        creationMs: systemClock.nowMs(),
        tableId: unknown.tableId,
        partition: encodePartition(unknown.partition),
      }),
    ).resolves.toBeNull();
  });

  it('a hint for another host is kept by the receiver as a hint for that host', async () => {
    const [sender, receiver] = nodes as [TestNode, TestNode];
    const third = hostIdFor(3);
    const mutation = write('k', 'v', 5);
    const createdAt = systemClock.nowMs() - 5_000;
    await sender.messaging.request(receiver.messaging.address, Verb.HINT_REQ, {
      hostId: third,
      creationMs: createdAt,
      tableId: TABLE.id,
      partition: encodePartition(mutation.partition),
    });
    expect(await receiver.engine.read(TABLE.id, pk('k'))).toBeNull();
    expect(receiver.hints.listPendingHints()).toMatchObject([{ hostId: third, totalFiles: 1 }]);
    expect(receiver.hints.metrics.hintsCreated).toBe(1);
  });

  it('a malformed HINT_REQ fails with INVALID_HINT, so the sender keeps its hint', async () => {
    const [sender, receiver] = nodes as [TestNode, TestNode];
    await expect(
      sender.messaging.request(receiver.messaging.address, Verb.HINT_REQ, {
        hostId: receiver.hostId,
        creationMs: 'yesterday',
      } as never),
    ).rejects.toMatchObject({ code: 'REMOTE_FAILURE', reason: 'INVALID_HINT' });
  });
});
