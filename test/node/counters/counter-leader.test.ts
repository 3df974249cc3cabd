/**
 * The counter leader over real TCP messaging on 127.0.0.x: a coordinator sends counter updates
 * with COUNTER_MUTATION_REQ; the leader applies them on its engine and replicates the shard
 * mutation it wrote (a plain MUTATION_REQ) to another replica's engine before answering. Both
 * replicas end with the same counter; bad payloads are refused with a stable code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messagingOptions } from '../../../common/limits.js';
import type { ConsistencyName } from '../../../cql/errors.js';
import {
  CounterLeader,
  counterMutationPayload,
  parseCounterMutationPayload,
} from '../../../node/counters/counter-leader.js';
import type { MessagingService } from '../../../node/messaging/index.js';
import {
  RemoteFailureError,
  specOf,
  TcpTransport,
  timeoutMsOf,
  toPeerAddress,
  Verb,
} from '../../../node/messaging/index.js';
import { counterIdFromHostId, decodeContext } from '../../../storage/counter-context.js';
import { counterCellValue } from '../../../storage/counters.js';
import type { DecoratedKey } from '../../../storage/model.js';
import { decodePartition, encodePartition } from '../../../storage/partition-codec.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import { COUNTER_TABLE, counterKey, counterUpdate } from '../../storage/fixtures/counter-table.js';
import { tempDir } from '../../storage/helpers.js';
import { hostIdFor, startTcpService } from '../messaging/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function service(index: number): Promise<MessagingService> {
  const messaging = await startTcpService(index, {}, new TcpTransport(), toPeerAddress(`127.0.0.${index}:0`));
  cleanups.push(() => messaging.close());
  return messaging;
}

async function engine(): Promise<StorageEngine> {
  const { dir, cleanup } = await tempDir('sibyl-counter-leader-');
  cleanups.push(cleanup);
  const opened = await StorageEngine.open({ dataDir: dir, options: { flushInWorkerThread: false } });
  await opened.addTable(COUNTER_TABLE);
  await opened.replayCommitLog();
  cleanups.push(() => opened.close({ flush: false }));
  return opened;
}

async function counterValue(e: StorageEngine, key: DecoratedKey): Promise<bigint | null> {
  const cell = (await e.read(COUNTER_TABLE.id, key))?.rows[0]?.cells[0];
  return cell === undefined ? null : counterCellValue(cell);
}

/** Coordinator (1), leader (2) and another replica (3), the leader replicating to the replica. */
async function cluster() {
  const coordinator = await service(1);
  const leaderMessaging = await service(2);
  const replicaMessaging = await service(3);
  const leaderEngine = await engine();
  const replicaEngine = await engine();
  replicaMessaging.registerHandler(Verb.MUTATION_REQ, async (message) => {
    const { tableId, partition, durable } = message.payload;
    await replicaEngine.apply({ tableId, partition: decodePartition(partition) }, durable);
    return null;
  });
  const replicated: ConsistencyName[] = [];
  const leader = new CounterLeader({
    engine: leaderEngine,
    hostId: hostIdFor(2),
    // What the coordinator's write path will do; here: the one other replica, acknowledged.
    replicate: async (shards, consistency, durable) => {
      replicated.push(consistency);
      await leaderMessaging.request(replicaMessaging.address, Verb.MUTATION_REQ, {
        tableId: shards.tableId,
        partition: encodePartition(shards.partition),
        durable,
      });
    },
  });
  leader.register(leaderMessaging);
  cleanups.push(async () => leader.unregister(leaderMessaging));
  return { coordinator, leaderMessaging, leaderEngine, replicaEngine, replicated, leader };
}

describe('counter leader', () => {
  it('applies each update as leader and replicates its shard before answering; replicas agree', async () => {
    const c = await cluster();
    const key = counterKey('page');
    const updates = Array.from({ length: 300 }, (_, i) => BigInt((i % 7) - 2));
    const expected = updates.reduce((sum, d) => sum + d, 0n);
    await Promise.all(
      updates.map((delta, i) =>
        c.coordinator.request(
          c.leaderMessaging.address,
          Verb.COUNTER_MUTATION_REQ,
          counterMutationPayload({
            mutation: counterUpdate(key, { n: delta }, 1_000 + i),
            consistency: 'QUORUM',
            durable: true,
          }),
        ),
      ),
    );
    // Every answer came after its shard reached the replica: nothing left to wait for.
    expect(await counterValue(c.leaderEngine, key)).toBe(expected);
    expect(await counterValue(c.replicaEngine, key)).toBe(expected);
    expect(new Set(c.replicated)).toEqual(new Set(['QUORUM']));
    const stored = (await c.replicaEngine.read(COUNTER_TABLE.id, key))!.rows[0]!.cells[0]!;
    expect(decodeContext(stored.value!)).toEqual([
      { counterId: counterIdFromHostId(hostIdFor(2)), clock: 300n, count: expected },
    ]);
  });

  it('applyAsLeader returns the shard mutation without replicating it', async () => {
    const c = await cluster();
    const key = counterKey('local');
    const shards = await c.leader.applyAsLeader(counterUpdate(key, { n: 4n }, 1), true);
    expect(c.replicated).toEqual([]);
    const cell = shards.partition.rows[0]!.cells[0]!;
    expect(cell.counter).toBe('shards');
    expect(counterCellValue(cell)).toBe(4n);
    expect(await counterValue(c.replicaEngine, key)).toBeNull();
  });

  it('refuses malformed payloads and counter-incompatible consistency levels with MALFORMED_PAYLOAD', async () => {
    const c = await cluster();
    const key = counterKey('bad');
    const good = counterMutationPayload({
      mutation: counterUpdate(key, { n: 1n }, 1),
      consistency: 'ONE',
      durable: true,
    });
    for (const payload of [
      { ...good, consistency: 'ANY' },
      { ...good, consistency: 'LOCAL_SERIAL' },
      { ...good, consistency: 'MOST' },
      { ...good, partition: 'not bytes' },
      { ...good, durable: 'yes' },
    ]) {
      const error = await c.coordinator
        .request(c.leaderMessaging.address, Verb.COUNTER_MUTATION_REQ, payload as typeof good)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteFailureError);
      expect((error as RemoteFailureError).reason).toBe('MALFORMED_PAYLOAD');
    }
    const corrupt = { ...good, partition: good.partition.subarray(0, 10) };
    const error = await c.coordinator
      .request(c.leaderMessaging.address, Verb.COUNTER_MUTATION_REQ, corrupt)
      .catch((e: unknown) => e);
    expect((error as RemoteFailureError).reason).toBe('CORRUPTION');
    expect(await counterValue(c.leaderEngine, key)).toBeNull();
    expect(c.replicated).toEqual([]);
  });

  it('parses what it is sent back into the same update', () => {
    const mutation = counterUpdate(counterKey('k'), { a: 1n, b: -2n }, 9);
    const parsed = parseCounterMutationPayload(
      counterMutationPayload({ mutation, consistency: 'LOCAL_QUORUM', durable: false }),
      'test',
    );
    expect(parsed.consistency).toBe('LOCAL_QUORUM');
    expect(parsed.durable).toBe(false);
    expect(Buffer.from(encodePartition(parsed.mutation.partition))).toEqual(
      Buffer.from(encodePartition(mutation.partition)),
    );
  });

  it('has its verb in the table: ids 18/19, counter write timeout 5 s (counter_write_request_timeout)', () => {
    const spec = specOf(Verb.COUNTER_MUTATION_REQ);
    expect([Verb.COUNTER_MUTATION_REQ, Verb.COUNTER_MUTATION_RSP]).toEqual([18, 19]);
    expect(spec.response).toBe(Verb.COUNTER_MUTATION_RSP);
    expect(spec.timeout).toBe('counter write');
    expect(timeoutMsOf(spec, messagingOptions())).toBe(5_000);
    expect(timeoutMsOf(spec, messagingOptions({ counterWriteRequestTimeoutMs: 1_234 }))).toBe(1_234);
  });
});
