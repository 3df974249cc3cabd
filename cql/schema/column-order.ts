/**
 * Cassandra's column order, which `SELECT *` and result metadata follow: partition key and
 * clustering columns by position, then the static columns and then the regular ones, each by name (UTF-8 bytes).
 * Every table built here goes through it, so a table reads the same before and after a restart.
 */
import type { ColumnMetadata } from './metadata.js';

const KIND_RANK = { partition_key: 0, clustering: 1, static: 2, regular: 3 } as const;

export function canonicalColumnOrder(columns: readonly ColumnMetadata[]): ColumnMetadata[] {
  return [...columns].sort((a, b) => {
    const rank = KIND_RANK[a.kind] - KIND_RANK[b.kind];
    if (rank !== 0) return rank;
    if (a.kind === 'partition_key' || a.kind === 'clustering') return a.position - b.position;
    return Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8'));
  });
}
