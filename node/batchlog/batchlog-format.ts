/**
 * How the batchlog keeps a batch (docs/formats/batchlog.md is the grammar): each mutation is one
 * blob — its table id, then the partition codec's bytes — and the batch is one row of
 * `system.batches (id timeuuid PRIMARY KEY, mutations list<blob>, version int)`, written as CQL
 * would write it, so `SELECT * FROM system.batches` reads it. Pure: no IO, no clock.
 */
import { assert, CorruptionError } from '../../common/errors.js';
import { systemKeyspaceMetadata } from '../../cql/schema/system-keyspaces.js';
import {
  CqlTypes,
  comparatorFor,
  timeuuidFromMs,
  timeuuidToMs,
  uuidFromBytes,
  uuidToBytes,
} from '../../cql/types/index.js';
import { serializePartitionKey } from '../../ring/composite-key.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { Cell, DecoratedKey, Mutation, Partition, Row } from '../../storage/model.js';
import { isLiveCell, NO_DELETION_TIME } from '../../storage/model.js';
import { decodePartition, encodePartition } from '../../storage/partition-codec.js';
import { livePartition } from '../../storage/read-filter.js';
import { compareCellPosition } from '../../storage/reconcile.js';

/**
 * The `version` column: the format of a batch's elements (table id, then the partition encoding,
 * which carries its own version byte). Persisted: bump on any change, never reuse a number.
 */
export const BATCHLOG_FORMAT_VERSION = 1;

/** Table ids are UUID text today; the length byte bounds them anyway. */
const MAX_TABLE_ID_BYTES = 255;

/** system.batches as declared in cql/schema/system-keyspaces.ts. */
export const BATCHES_TABLE = (() => {
  const table = systemKeyspaceMetadata.tables.get('batches');
  assert(table !== undefined, 'system.batches is declared');
  return table;
})();

/** One batch as this node's `system.batches` holds it. */
export interface StoredBatch {
  readonly id: string;
  /** When the coordinator wrote it: the time of its timeuuid (ms). */
  readonly writtenAtMs: number;
  readonly version: number;
  /** The mutation blobs, in the batch's order. */
  readonly mutations: readonly Uint8Array[];
  /** Sum of the blobs' sizes: what the replay throttle counts. */
  readonly sizeBytes: number;
}

/** A batch id must be a version 1 (time) UUID: its time says when the batch was written. */
export function isBatchId(id: unknown): id is string {
  if (typeof id !== 'string') return false;
  try {
    timeuuidToMs(id); // refuses text that is not a UUID, and UUIDs of another version
    return true;
  } catch {
    return false;
  }
}

/** When the batch was written (ms since the epoch), from its id. */
export function batchWrittenAtMs(id: string): number {
  return timeuuidToMs(id);
}

/** blob := tableIdLength:u8 tableId:utf8 partition (docs/formats/partition.md). */
export function encodeBatchMutation(mutation: Mutation): Uint8Array {
  const tableId = Buffer.from(mutation.tableId, 'utf8');
  assert(
    tableId.length > 0 && tableId.length <= MAX_TABLE_ID_BYTES,
    'table id fits the batchlog length byte',
  );
  const partition = encodePartition(mutation.partition);
  const out = Buffer.allocUnsafe(1 + tableId.length + partition.length);
  out[0] = tableId.length;
  tableId.copy(out, 1);
  out.set(partition, 1 + tableId.length);
  return out;
}

/** The table id of a blob without decoding its partition; CorruptionError when it is malformed. */
export function batchMutationTableId(blob: Uint8Array, source: string): string {
  const length = blob[0];
  if (length === undefined || length === 0 || blob.length < 1 + length)
    throw new CorruptionError(source, 0, 'batchlog mutation shorter than its table id');
  return Buffer.from(blob.buffer, blob.byteOffset + 1, length).toString('utf8');
}

/** A blob back into a mutation (views into `blob`); CorruptionError when it is malformed. */
export function decodeBatchMutation(blob: Uint8Array, source: string): Mutation {
  const tableId = batchMutationTableId(blob, source);
  const offset = 1 + Buffer.byteLength(tableId, 'utf8');
  const partition = decodePartition(blob.subarray(offset), source, offset);
  return { tableId, partition };
}

/** The partition key of a batch in system.batches: the id's 16 bytes, with their Murmur3 token. */
export function batchKey(id: string): DecoratedKey {
  const key = serializePartitionKey([uuidToBytes(id)]);
  return { token: getToken(key), key };
}

/**
 * List element paths of the `mutations` column: timeuuids from the batch's time onwards, one 100-ns
 * tick apart, so their time order is the batch's order (as an appended CQL list).
 */
function listPath(writtenAtMs: number, index: number, node: Uint8Array): Uint8Array {
  return uuidToBytes(timeuuidFromMs(writtenAtMs + Math.floor(index / 10_000), node, index % 10_000));
}

/**
 * The row that stores a batch: a row marker, one `mutations` list cell per blob and `version`, all
 * at `timestampMicros` (the batch's creation time).
 */
export function batchPartition(id: string, blobs: readonly Uint8Array[], timestampMicros: number): Partition {
  const writtenAtMs = batchWrittenAtMs(id);
  const node = uuidToBytes(id).subarray(8);
  const cell = (column: string, path: Uint8Array | null, value: Uint8Array): Cell => ({
    column,
    path,
    value,
    timestamp: timestampMicros,
    ttl: 0,
    localDeletionTime: NO_DELETION_TIME,
  });
  const version = Buffer.alloc(4);
  version.writeInt32BE(BATCHLOG_FORMAT_VERSION);
  const cells = blobs.map((blob, index) => cell('mutations', listPath(writtenAtMs, index, node), blob));
  cells.push(cell('version', null, version));
  // Storage keeps a row's cells in (column, path bytes) order.
  cells.sort(compareCellPosition);
  const row: Row = {
    clustering: [],
    liveness: { timestamp: timestampMicros, ttl: 0, localExpirationTime: NO_DELETION_TIME },
    deletion: null,
    columnDeletions: [],
    cells,
  };
  return { key: batchKey(id), deletion: null, staticRow: null, rangeTombstones: [], rows: [row] };
}

/** The removal of a batch: a partition deletion (gc_grace_seconds 0: purged at the next compaction). */
export function batchDeletion(id: string, timestampMicros: number, nowSeconds: number): Partition {
  return {
    key: batchKey(id),
    deletion: { markedForDeleteAt: timestampMicros, localDeletionTime: nowSeconds },
    staticRow: null,
    rangeTombstones: [],
    rows: [],
  };
}

const compareTimeuuids = comparatorFor(CqlTypes.timeuuid);

/** A stored partition of system.batches back into a batch; null when it is deleted (or empty). */
export function batchFromPartition(partition: Partition, nowSeconds: number): StoredBatch | null {
  const live = livePartition(partition, nowSeconds);
  const row = live?.rows[0];
  if (!row) return null;
  const id = uuidFromBytes(partition.key.key);
  const elements = row.cells
    .filter((c) => c.column === 'mutations' && c.path !== null && isLiveCell(c, nowSeconds))
    .sort((a, b) => compareTimeuuids(a.path!, b.path!));
  const versionCell = row.cells.find((c) => c.column === 'version' && c.value !== null);
  const version = versionCell?.value?.length === 4 ? Buffer.from(versionCell.value).readInt32BE(0) : -1;
  const mutations = elements.map((c) => c.value!);
  const sizeBytes = mutations.reduce((sum, blob) => sum + blob.length, 0);
  return { id, writtenAtMs: batchWrittenAtMs(id), version, mutations, sizeBytes };
}
