/**
 * This node's `system.batches`: batches written here (by BATCH_STORE_REQ or by the coordinator on
 * this node), removed when their coordinator says so or after replay, and read by the replay
 * loop. Writes go through the StorageEngine (commit log first), so a stored batch survives a crash.
 */
import type { Clock } from '../../common/clock.js';
import { nowSeconds } from '../../common/clock.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { StoredBatch } from './batchlog-format.js';
import {
  BATCHES_TABLE,
  batchDeletion,
  batchFromPartition,
  batchKey,
  batchPartition,
  batchWrittenAtMs,
} from './batchlog-format.js';

export class BatchlogTable {
  constructor(
    private readonly engine: StorageEngine,
    private readonly clock: Clock,
  ) {}

  /** The engine holds system.batches once the schema's system tables are added (SchemaManager.open). */
  get available(): boolean {
    return this.engine.hasTable(BATCHES_TABLE.id);
  }

  /**
   * Stores a batch; resolves when the commit log holds it as its sync mode promises. The row's
   * timestamp is the batch's creation time (its id's), so a removal, always later, shadows it.
   */
  async write(id: string, blobs: readonly Uint8Array[]): Promise<void> {
    const timestampMicros = batchWrittenAtMs(id) * 1000;
    await this.engine.apply({
      tableId: BATCHES_TABLE.id,
      partition: batchPartition(id, blobs, timestampMicros),
    });
  }

  /**
   * Deletes a batch. The deletion is timestamped now, and always after the batch's creation, so a
   * clock behind the coordinator's cannot leave the batch alive.
   */
  async delete(id: string): Promise<void> {
    const nowMs = this.clock.nowMs();
    const timestampMicros = Math.max(nowMs * 1000, batchWrittenAtMs(id) * 1000 + 999);
    await this.engine.apply({
      tableId: BATCHES_TABLE.id,
      partition: batchDeletion(id, timestampMicros, Math.floor(nowMs / 1000)),
    });
  }

  /** The batch with this id, or null when there is none (never stored, or removed). */
  async read(id: string): Promise<StoredBatch | null> {
    const partition = await this.engine.read(BATCHES_TABLE.id, batchKey(id));
    return partition ? batchFromPartition(partition, nowSeconds(this.clock)) : null;
  }

  /** Every live batch, in token order (not time order: the table is keyed by Murmur3 like any other). */
  async *batches(): AsyncGenerator<StoredBatch> {
    for await (const partition of this.engine.scan(BATCHES_TABLE.id)) {
      const batch = batchFromPartition(partition, nowSeconds(this.clock));
      if (batch) yield batch;
    }
  }

  /** How many live batches this node holds (BatchlogManager.countAllBatches). */
  async count(): Promise<number> {
    let count = 0;
    for await (const _ of this.batches()) count++;
    return count;
  }
}
