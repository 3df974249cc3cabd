/**
 * The opaque paging state handed to clients (the role of Cassandra's PagingState): where the last
 * page stopped and what limits remain. Layout, version 1 (all integers big-endian int32):
 *
 *   state := version(1 byte = 1) | key | clustering | remaining | remainingInPartition
 *   key := length | bytes                       (the serialized partition key of the last row)
 *   clustering := count | (length | bytes)*     (count -1: the last row was the partition's static row)
 *   remaining := rows still allowed by LIMIT, -1 without LIMIT
 *   remainingInPartition := rows still allowed by PER PARTITION LIMIT in that partition, -1 without
 *
 * A malformed state is a client error (InvalidRequest), never an assertion.
 */
import type { Clustering } from '../../storage/model.js';
import { invalidRequest } from './values.js';

export interface PagingState {
  readonly partitionKey: Uint8Array;
  /** Null when the last row returned was a partition's static-only row (or a DISTINCT row). */
  readonly clustering: Clustering | null;
  readonly remaining: number;
  readonly remainingInPartition: number;
}

const VERSION = 1;

export function encodePagingState(state: PagingState): Uint8Array {
  const parts: Buffer[] = [Buffer.of(VERSION)];
  const int = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    parts.push(b);
  };
  int(state.partitionKey.length);
  parts.push(Buffer.from(state.partitionKey));
  if (state.clustering === null) int(-1);
  else {
    int(state.clustering.length);
    for (const c of state.clustering) {
      int(c.length);
      parts.push(Buffer.from(c));
    }
  }
  int(state.remaining);
  int(state.remainingInPartition);
  return Uint8Array.from(Buffer.concat(parts));
}

export function decodePagingState(bytes: Uint8Array): PagingState {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const fail = (): never => {
    throw invalidRequest('Invalid value for the paging state');
  };
  const int = () => {
    if (offset + 4 > buf.length) fail();
    const n = buf.readInt32BE(offset);
    offset += 4;
    return n;
  };
  const take = (n: number) => {
    if (n < 0 || offset + n > buf.length) fail();
    const out = Uint8Array.from(buf.subarray(offset, offset + n));
    offset += n;
    return out;
  };
  if (buf[offset++] !== VERSION) fail();
  const partitionKey = take(int());
  const count = int();
  let clustering: Uint8Array[] | null = null;
  if (count >= 0) {
    clustering = [];
    for (let i = 0; i < count; i++) clustering.push(take(int()));
  } else if (count !== -1) fail();
  const remaining = int();
  const remainingInPartition = int();
  if (offset !== buf.length) fail();
  return { partitionKey, clustering, remaining, remainingInPartition };
}
