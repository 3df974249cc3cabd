import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cell, Clustering, DecoratedKey, Partition, Row } from '../../storage/model.js';
import { NO_DELETION_TIME } from '../../storage/model.js';

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
