/**
 * system.batches on one node: the table is declared as Cassandra's, a stored batch is a CQL row
 * (id, mutations list<blob>, version), mutation blobs decode back to what was stored, a removal
 * hides it, and both survive a crash (commit log replay).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { CqlTypes, cqlTypeName, deserialize, listOf, timeuuidFromMs } from '../../../cql/types/index.js';
import {
  BATCHES_TABLE,
  BATCHLOG_FORMAT_VERSION,
  BatchlogTable,
  decodeBatchMutation,
  encodeBatchMutation,
  isBatchId,
} from '../../../node/batchlog/index.js';
import { plain } from '../../storage/helpers.js';
import { batchIds, type StorageNode, storageNode, TABLE_ID, userMutation } from './helpers.js';

const NODE_BYTES = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

describe('system.batches', () => {
  let clock: ManualClock;
  let node: StorageNode;

  beforeEach(async () => {
    clock = new ManualClock();
    node = await storageNode(clock);
  });
  afterEach(async () => {
    await node.close();
  });

  it("is declared as Cassandra's: id timeuuid PRIMARY KEY, mutations list<blob>, version int, gc_grace_seconds 0", () => {
    const columns = [...BATCHES_TABLE.columns.values()].map((c) => `${c.name} ${cqlTypeName(c.type)}`);
    expect(columns).toEqual(['id timeuuid', 'mutations list<blob>', 'version int']);
    expect(BATCHES_TABLE.partitionKey.map((c) => c.name)).toEqual(['id']);
    expect(BATCHES_TABLE.params.gcGraceSeconds).toBe(0);
    // TableId.forSystemTable("system", "batches") in Cassandra.
    expect(BATCHES_TABLE.id).toBe('919a4bc5-7a33-3573-b03e-13fc3f68b465');
    expect(node.engine.hasTable(BATCHES_TABLE.id)).toBe(true);
  });

  it('encodes a mutation as its table id and partition bytes, and decodes it back', () => {
    const mutation = userMutation(7, 'seven');
    const blob = encodeBatchMutation(mutation);
    expect(blob[0]).toBe(TABLE_ID.length);
    expect(Buffer.from(blob.subarray(1, 1 + TABLE_ID.length)).toString()).toBe(TABLE_ID);
    expect(plain(decodeBatchMutation(blob, 'test'))).toEqual(plain(mutation));
    expect(() => decodeBatchMutation(blob.subarray(0, blob.length - 3), 'test')).toThrow(
      /truncated|trailing/,
    );
    expect(() => decodeBatchMutation(new Uint8Array([40, 1, 2]), 'test')).toThrow(
      /shorter than its table id/,
    );
  });

  it('accepts only timeuuids as batch ids', () => {
    expect(isBatchId(timeuuidFromMs(clock.nowMs(), NODE_BYTES))).toBe(true);
    expect(isBatchId('a6d4bd42-6e1d-4a43-9b5e-0d2b6bd7c1f1')).toBe(false); // version 4
    expect(isBatchId('not-a-uuid')).toBe(false);
    expect(isBatchId(42)).toBe(false);
  });

  it('stores a batch as a CQL row, lists it, reads it back and removes it', async () => {
    const table = new BatchlogTable(node.engine, clock);
    const id = timeuuidFromMs(clock.nowMs() - 5_000, NODE_BYTES);
    const blobs = [1, 2, 3].map((k) => encodeBatchMutation(userMutation(k, `v${k}`)));
    await table.write(id, blobs);

    const result = await node.processor.execute('SELECT id, mutations, version FROM system.batches', {});
    if (result.kind !== 'rows') throw new Error('expected rows');
    const [row] = result.result.rows;
    expect(deserialize(CqlTypes.timeuuid, row![0]!)).toBe(id);
    const listed = deserialize(listOf(CqlTypes.blob), row![1]!) as Uint8Array[];
    expect(listed.map((b) => Buffer.from(b).toString('hex'))).toEqual(
      blobs.map((b) => Buffer.from(b).toString('hex')),
    );
    expect(deserialize(CqlTypes.int, row![2]!)).toBe(BATCHLOG_FORMAT_VERSION);

    const stored = await table.read(id);
    expect(stored?.writtenAtMs).toBe(clock.nowMs() - 5_000);
    expect(stored?.mutations).toHaveLength(3);
    expect(stored?.sizeBytes).toBe(blobs.reduce((sum, b) => sum + b.length, 0));
    expect(await table.count()).toBe(1);

    await table.delete(id);
    expect(await table.read(id)).toBeNull();
    expect(await batchIds(node.processor)).toEqual([]);
    expect(await table.count()).toBe(0);
  });

  it('keeps a list of 10 001 mutations in order (paths step past one millisecond of ticks)', async () => {
    const table = new BatchlogTable(node.engine, clock);
    const id = timeuuidFromMs(clock.nowMs(), NODE_BYTES);
    const blobs = Array.from({ length: 10_001 }, (_, i) => Buffer.from([1, 0x41, i & 0xff, i >> 8]));
    await table.write(id, blobs);
    const stored = await table.read(id);
    expect(stored?.mutations.map((b) => Buffer.from(b).readUInt16LE(2))).toEqual(blobs.map((_, i) => i));
  });

  it('a stored batch and a removal survive a crash (commit log replay)', async () => {
    let table = new BatchlogTable(node.engine, clock);
    const kept = timeuuidFromMs(clock.nowMs(), NODE_BYTES);
    const removed = timeuuidFromMs(clock.nowMs(), NODE_BYTES, 1);
    await table.write(kept, [encodeBatchMutation(userMutation(1, 'a'))]);
    await table.write(removed, [encodeBatchMutation(userMutation(2, 'b'))]);
    await table.delete(removed);
    await node.restart();
    table = new BatchlogTable(node.engine, clock);
    expect(await batchIds(node.processor)).toEqual([kept]);
    expect((await table.read(kept))?.mutations).toHaveLength(1);
  });

  it("a removal shadows the batch even when this node's clock is behind the coordinator's", async () => {
    const table = new BatchlogTable(node.engine, clock);
    const id = timeuuidFromMs(clock.nowMs() + 60_000, NODE_BYTES); // written by a clock a minute ahead
    await table.write(id, [encodeBatchMutation(userMutation(1, 'a'))]);
    await table.delete(id);
    expect(await table.read(id)).toBeNull();
  });
});
