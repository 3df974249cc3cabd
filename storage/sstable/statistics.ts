/**
 * The Statistics component (docs/formats/sstable.md "Statistics"): what the caller computed about the
 * SSTable's content, plus the partition count and first/last keys the writer saw.
 */
import { assert } from '../../common/errors.js';
import type { DecoratedKey } from '../model.js';
import { BodyReader, BodyWriter, ComponentCode, frameSmallFile, unframeSmallFile } from './format.js';

/** Computed by the caller (flush or compaction) and stored verbatim. */
export interface SSTableStats {
  minTimestamp: number;
  maxTimestamp: number;
  minLocalDeletionTime: number;
  tombstoneCount: number;
  minClustering: Uint8Array[] | null;
  maxClustering: Uint8Array[] | null;
  /** Column names appearing in the table (the serialization header). */
  columns: string[];
  /** The commit log position this SSTable's data is durable up to (flush); null when not known. */
  commitLogPosition: CommitLogPositionStats | null;
}

/** Structurally the commit log's position, so this layer does not import the commit log. */
export interface CommitLogPositionStats {
  readonly segmentId: number;
  readonly offset: number;
}

export interface StatisticsComponent {
  readonly stats: SSTableStats;
  readonly partitionCount: number;
  readonly firstKey: DecoratedKey;
  readonly lastKey: DecoratedKey;
}

function safeInteger(value: number, name: string): bigint {
  assert(Number.isSafeInteger(value), `${name} must be a safe integer, got ${value}`);
  return BigInt(value);
}

export function serializeStatistics(component: StatisticsComponent): Buffer {
  const { stats } = component;
  const body = new BodyWriter();
  body.u64(component.partitionCount);
  body.i64(safeInteger(stats.minTimestamp, 'minTimestamp'));
  body.i64(safeInteger(stats.maxTimestamp, 'maxTimestamp'));
  body.i64(safeInteger(stats.minLocalDeletionTime, 'minLocalDeletionTime'));
  body.u64(stats.tombstoneCount);
  for (const key of [component.firstKey, component.lastKey]) {
    body.i64(key.token);
    body.u16(key.key.length);
    body.bytes(key.key);
  }
  for (const clustering of [stats.minClustering, stats.maxClustering]) {
    body.i32(clustering === null ? -1 : clustering.length);
    for (const value of clustering ?? []) {
      body.u32(value.length);
      body.bytes(value);
    }
  }
  body.u32(stats.columns.length);
  for (const column of stats.columns) {
    const name = Buffer.from(column, 'utf8');
    assert(name.length <= 0xffff, 'column name too long');
    body.u16(name.length);
    body.bytes(name);
  }
  const position = stats.commitLogPosition;
  body.u32(position === null ? 0 : 1);
  body.i64(safeInteger(position?.segmentId ?? 0, 'segmentId'));
  body.i64(safeInteger(position?.offset ?? 0, 'offset'));
  return frameSmallFile(ComponentCode.Statistics, body.finish());
}

export function deserializeStatistics(file: Buffer, path: string): StatisticsComponent {
  const body = new BodyReader(unframeSmallFile(file, ComponentCode.Statistics, path), path, 16);
  const partitionCount = body.u64();
  const minTimestamp = Number(body.i64());
  const maxTimestamp = Number(body.i64());
  const minLocalDeletionTime = Number(body.i64());
  const tombstoneCount = body.u64();
  const firstKey = readKey(body);
  const lastKey = readKey(body);
  const minClustering = readClustering(body);
  const maxClustering = readClustering(body);
  const columns: string[] = [];
  for (let count = body.u32(), i = 0; i < count; i++) {
    columns.push(Buffer.from(body.bytes(body.u16())).toString('utf8'));
  }
  const hasPosition = body.u32();
  const segmentId = Number(body.i64());
  const offset = Number(body.i64());
  body.end();
  if (partitionCount < 1) throw body.corrupt('partition count is zero');
  if (hasPosition > 1) throw body.corrupt(`bad commit log position flag ${hasPosition}`);
  const commitLogPosition = hasPosition === 1 ? { segmentId, offset } : null;
  const stats = {
    ...{ minTimestamp, maxTimestamp, minLocalDeletionTime, tombstoneCount },
    ...{ minClustering, maxClustering, columns, commitLogPosition },
  };
  return { stats, partitionCount, firstKey, lastKey };
}

function readKey(body: BodyReader): DecoratedKey {
  const token = body.i64();
  return { token, key: body.bytes(body.u16()) };
}

function readClustering(body: BodyReader): Uint8Array[] | null {
  const count = body.i32();
  if (count < 0) return null;
  const values: Uint8Array[] = [];
  for (let i = 0; i < count; i++) values.push(body.bytes(body.u32()));
  return values;
}
