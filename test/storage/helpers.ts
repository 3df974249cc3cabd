import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { Cell, Clustering, DecoratedKey, Partition, Row } from '../../storage/model.js';
import {
  bytesClusteringComparator,
  bytesClusteringComparatorSpec,
  NO_DELETION_TIME,
} from '../../storage/model.js';
import type { TableDefinition } from '../../storage/table-store.js';

export async function tempDir(
  prefix = 'sibyl-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A test key whose token is derived from its bytes (order-preserving for small ints). */
export function key(n: number): DecoratedKey {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(n);
  return { token: BigInt(n) * 7919n - 500_000n, key: bytes };
}

export function ck(...values: number[]): Clustering {
  return values.map((v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return b;
  });
}

export function cell(
  column: string,
  value: string | null,
  timestamp: number,
  extra: Partial<Cell> = {},
): Cell {
  return {
    column,
    path: null,
    value: value === null ? null : Buffer.from(value),
    timestamp,
    ttl: 0,
    localDeletionTime: value === null ? 1_700_000_000 : NO_DELETION_TIME,
    ...extra,
  };
}

export function row(clustering: Clustering, cells: Cell[], extra: Partial<Row> = {}): Row {
  return { clustering, liveness: null, deletion: null, columnDeletions: [], cells, ...extra };
}

export function partition(k: DecoratedKey, rows: Row[], extra: Partial<Partition> = {}): Partition {
  return { key: k, deletion: null, staticRow: null, rangeTombstones: [], rows, ...extra };
}

export function text(value: Uint8Array | null | undefined): string | null {
  return value == null ? null : Buffer.from(value).toString();
}

/** A structure with bytes as hex and bigints as strings, for deep equality across copies and views. */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/**
 * A partition using every part of the format: partition deletion, static row, range tombstone, a row
 * marker, tombstone, collection, TTL cells, a row deletion and a column deletion.
 */
export const EVERYTHING: Partition = partition(
  key(42),
  [
    row(ck(1, 2), [cell('a', 'x', 10), cell('b', null, 11)], {
      liveness: { timestamp: 10, ttl: 0, localExpirationTime: 0x7fffffff },
    }),
    row(
      ck(3, 4),
      [
        cell('m', 'v', -5, { path: Buffer.from('k1') }),
        cell('t', 'ttl', 2 ** 52, { ttl: 60, localDeletionTime: 1_700_000_060 }),
      ],
      {
        deletion: { markedForDeleteAt: 9, localDeletionTime: 1_700_000_000 },
        columnDeletions: [
          { column: 'm', deletion: { markedForDeleteAt: -6, localDeletionTime: 1_700_000_001 } },
        ],
      },
    ),
  ],
  {
    deletion: { markedForDeleteAt: 1, localDeletionTime: 1_600_000_000 },
    staticRow: row([], [cell('s', 'static', 3)]),
    rangeTombstones: [
      {
        start: { prefix: ck(1), inclusive: true },
        end: { prefix: [], inclusive: false },
        deletion: { markedForDeleteAt: 2, localDeletionTime: 1_600_000_001 },
      },
    ],
  },
);

/** A table of byte-ordered clustering (lz4, gc_grace 10 days) for engine tests. */
export function bytesTable(id: string, name: string): TableDefinition {
  return {
    id,
    keyspace: 'ks',
    name,
    clusteringComparator: bytesClusteringComparator,
    clusteringComparatorSpec: bytesClusteringComparatorSpec,
    gcGraceSeconds: 864_000,
    compression: 'lz4',
  };
}

/** The decorated key of a text key, with its Murmur3 token. */
export function pk(name: string): DecoratedKey {
  const key = Buffer.from(name);
  return { token: getToken(key), key };
}
