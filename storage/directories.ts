/**
 * The one owner of a node's directory layout, as Cassandra lays it out:
 *   <dataDir>/commitlog/                         commit log segments
 *   <dataDir>/data/<keyspace>/<table>-<id>/       one table's SSTables
 *   <dataDir>/hints/                             hint files (storage/hints/; hints_directory may move them)
 * SSTable component names inside a table directory belong to storage/sstable/.
 */
import { join } from 'node:path';

export function commitLogDirectory(dataDir: string): string {
  return join(dataDir, 'commitlog');
}

export function hintsDirectory(dataDir: string): string {
  return join(dataDir, 'hints');
}

/** Table ids are uuids; the directory uses them without dashes, as Cassandra does. */
export function tableDirectory(dataDir: string, keyspace: string, table: string, tableId: string): string {
  return join(dataDir, 'data', keyspace, `${table}-${tableId.replaceAll('-', '')}`);
}
