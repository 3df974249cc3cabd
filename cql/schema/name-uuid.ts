/** Java's UUID.nameUUIDFromBytes: a version 3 uuid from the MD5 of the bytes. Deterministic, pure. */
import { createHash } from 'node:crypto';

export function nameUuidFromBytes(bytes: Uint8Array): string {
  const md5 = createHash('md5').update(bytes).digest();
  md5[6] = (md5[6]! & 0x0f) | 0x30;
  md5[8] = (md5[8]! & 0x3f) | 0x80;
  const hex = md5.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** TableId.forSystemTable: the id of a system table, the same on every node and every start. */
export function systemTableId(keyspace: string, table: string): string {
  return nameUuidFromBytes(Buffer.from(keyspace + table, 'utf8'));
}
