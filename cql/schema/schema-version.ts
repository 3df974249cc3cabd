/**
 * The schema version: Cassandra's is UUID.nameUUIDFromBytes over an MD5 digest of the schema
 * mutations of non-system keyspaces. Sibyl digests the rows it persists (schema-rows.ts), which
 * depend only on the schema's content, so the same schema has the same version on every node and
 * after every restart; the empty schema has Cassandra's empty version 59adb24e-f3cd-3e02-97f0-5b395827453f.
 */
import { createHash } from 'node:crypto';
import type { Keyspaces } from './ddl-outcome.js';
import { nameUuidFromBytes } from './name-uuid.js';
import { LOCAL_SYSTEM_KEYSPACES } from './names.js';
import { compareNames, keyspaceRows, PERSISTED_SCHEMA_TABLES } from './schema-rows.js';

export function schemaVersion(keyspaces: Keyspaces): string {
  const md5 = createHash('md5');
  const names = [...keyspaces.keys()].filter((n) => !LOCAL_SYSTEM_KEYSPACES.has(n)).sort(compareNames);
  const length = Buffer.alloc(4);
  const feed = (bytes: Uint8Array) => {
    length.writeUInt32BE(bytes.length);
    md5.update(length);
    md5.update(bytes);
  };
  for (const name of names) {
    const rows = keyspaceRows(keyspaces.get(name)!);
    for (const table of PERSISTED_SCHEMA_TABLES) {
      for (const row of rows[table]) {
        feed(Buffer.from(`${table}\u0000${name}`, 'utf8'));
        for (const value of row.clustering) feed(value);
        for (const [column, value] of row.cells) {
          feed(Buffer.from(column, 'utf8'));
          feed(value);
        }
      }
    }
  }
  return nameUuidFromBytes(md5.digest());
}
