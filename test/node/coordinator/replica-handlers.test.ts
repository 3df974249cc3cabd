/**
 * The replica side of MUTATION_REQ and READ_REPAIR_REQ over real TCP messaging on 127.0.0.x: the
 * received bytes are checked without being decoded and stored as they are; corrupt bytes, counter
 * deltas, unknown tables and malformed payloads are answered with FAILURE_RSP and a stable reason,
 * and leave nothing in the memtable or the commit log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registerReplicaHandlers } from '../../../node/coordinator/replica-handlers.js';
import type { MessagingService } from '../../../node/messaging/index.js';
import { RemoteFailureError, TcpTransport, toPeerAddress, Verb } from '../../../node/messaging/index.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import { counterDeltaCell } from '../../../storage/counters.js';
import type { DecoratedKey, Partition } from '../../../storage/model.js';
import { bytesClusteringComparator, bytesClusteringComparatorSpec } from '../../../storage/model.js';
import { decodePartition, encodePartition } from '../../../storage/partition-codec.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import type { TableDefinition } from '../../../storage/table-store.js';
import { cell, ck, partition, plain, row, tempDir } from '../../storage/helpers.js';
import { startTcpService } from '../messaging/helpers.js';

const TABLE: TableDefinition = {
  id: '44444444-0000-4000-8000-000000000004',
  keyspace: 'ks',
  name: 'replicated',
  clusteringComparator: bytesClusteringComparator,
  clusteringComparatorSpec: bytesClusteringComparatorSpec,
  gcGraceSeconds: 864_000,
  compression: 'lz4',
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function pk(name: string): DecoratedKey {
  const key = Buffer.from(name);
  return { token: getToken(key), key };
}

async function service(index: number): Promise<MessagingService> {
  const messaging = await startTcpService(index, {}, new TcpTransport(), toPeerAddress(`127.0.0.${index}:0`));
  cleanups.push(() => messaging.close());
  return messaging;
}

/** A coordinator (127.0.0.1) and a replica (127.0.0.2) answering the coordinator verbs from its engine. */
async function replicaPair() {
  const { dir, cleanup } = await tempDir('sibyl-replica-handlers-');
  cleanups.push(cleanup);
  const open = async () => {
    const engine = await StorageEngine.open({ dataDir: dir, options: { flushInWorkerThread: false } });
    await engine.addTable(TABLE);
    return { engine, replayed: (await engine.replayCommitLog()).replayed };
  };
  const state = await open();
  cleanups.push(() => state.engine.close({ flush: false }));
  const coordinator = await service(1);
  const replica = await service(2);
  registerReplicaHandlers(replica, state.engine, { maxRangePartitions: 100, maxRangeResponseBytes: 1 << 20 });
  const send = (verb: typeof Verb.MUTATION_REQ | typeof Verb.READ_REPAIR_REQ, payload: unknown) =>
    coordinator.request(replica.address, verb, payload as never).then(
      () => null,
      (error: unknown) => error,
    );
  const read = async (key: DecoratedKey): Promise<Partition | null> => {
    const answer = await coordinator.request(replica.address, Verb.READ_REQ, {
      tableId: TABLE.id,
      key: { token: key.token, key: key.key },
    });
    return answer.partition === null ? null : decodePartition(answer.partition);
  };
  /** Crash and restart the replica's storage: what its commit log held comes back. */
  const restart = async () => {
    await state.engine.close({ flush: false });
    const reopened = await open();
    state.engine = reopened.engine;
    return reopened.replayed;
  };
  return { state, send, read, restart };
}

function reasonOf(error: unknown): string {
  expect(error).toBeInstanceOf(RemoteFailureError);
  return (error as RemoteFailureError).reason;
}

describe('replica handlers: MUTATION_REQ and READ_REPAIR_REQ', () => {
  it('store the bytes received, readable back and replayed after a crash', async () => {
    const r = await replicaPair();
    const written = partition(pk('a'), [row(ck(1), [cell('v', 'one', 5)])]);
    const repaired = partition(pk('b'), [row(ck(2), [cell('v', 'two', 6)])]);
    const bytes = encodePartition(written);
    expect(
      await r.send(Verb.MUTATION_REQ, { tableId: TABLE.id, partition: bytes, durable: true }),
    ).toBeNull();
    expect(
      await r.send(Verb.READ_REPAIR_REQ, {
        tableId: TABLE.id,
        partition: encodePartition(repaired),
        durable: true,
      }),
    ).toBeNull();
    expect(plain(await r.read(pk('a')))).toEqual(plain(written));
    expect(plain(await r.read(pk('b')))).toEqual(plain(repaired));
    // Written a second time, the key merges in the memtable as any write does.
    const newer = partition(pk('a'), [row(ck(1), [cell('v', 'newer', 7)]), row(ck(3), [cell('v', 'x', 7)])]);
    expect(
      await r.send(Verb.MUTATION_REQ, {
        tableId: TABLE.id,
        partition: encodePartition(newer),
        durable: true,
      }),
    ).toBeNull();
    expect(plain(await r.read(pk('a')))).toEqual(plain(newer));
    expect(await r.restart()).toBe(3);
    expect(plain(await r.state.engine.read(TABLE.id, pk('a')))).toEqual(plain(newer));
  });

  it('answer corrupt bytes with CORRUPTION and store nothing', async () => {
    const r = await replicaPair();
    const good = Buffer.from(encodePartition(partition(pk('c'), [row(ck(1), [cell('v', 'x', 1)])])));
    const badVersion = Buffer.from(good);
    badVersion[0] = 42;
    const corrupt = [
      good.subarray(0, 10),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.from([0])]),
      badVersion,
    ];
    for (const verb of [Verb.MUTATION_REQ, Verb.READ_REPAIR_REQ] as const) {
      for (const bytes of corrupt) {
        const error = await r.send(verb, { tableId: TABLE.id, partition: bytes, durable: true });
        expect(reasonOf(error)).toBe('CORRUPTION');
        expect((error as RemoteFailureError).remoteMessage).toMatch(
          /^corrupt data in (MUTATION_REQ|READ_REPAIR_REQ) from \S+ at offset \d+: /,
        );
      }
    }
    expect(await r.read(pk('c'))).toBeNull();
    expect(r.state.engine.table(TABLE.id).memtableSizeBytes).toBe(0);
    expect(await r.restart()).toBe(0);
  });

  it('refuse counter deltas, unknown tables and malformed payloads with their codes', async () => {
    const r = await replicaPair();
    const delta = encodePartition(partition(pk('d'), [row(ck(1), [counterDeltaCell('hits', 1n, 5)])]));
    expect(
      reasonOf(await r.send(Verb.MUTATION_REQ, { tableId: TABLE.id, partition: delta, durable: true })),
    ).toBe('INVALID_MUTATION');
    const good = encodePartition(partition(pk('e'), [row(ck(1), [cell('v', 'x', 1)])]));
    expect(
      reasonOf(
        await r.send(Verb.MUTATION_REQ, {
          tableId: '55555555-0000-4000-8000-000000000005',
          partition: good,
          durable: true,
        }),
      ),
    ).toBe('UNKNOWN_TABLE');
    expect(
      reasonOf(await r.send(Verb.MUTATION_REQ, { tableId: TABLE.id, partition: 'bytes?', durable: true })),
    ).toBe('MALFORMED_PAYLOAD');
    expect(await r.read(pk('d'))).toBeNull();
    expect(r.state.engine.table(TABLE.id).memtableSizeBytes).toBe(0);
    expect(await r.restart()).toBe(0);
  });
});
