/** Partition keys and clusterings from bound values: validation, serialization, token. */
import { serializePartitionKey } from '../../ring/composite-key.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { DecoratedKey } from '../../storage/model.js';
import type { ColumnMetadata, TableMetadata } from '../schema/metadata.js';
import type { ByteComparator } from '../types/index.js';
import { comparatorFor } from '../types/index.js';
import { invalidRequest } from './values.js';

const MAX_KEY_COMPONENT_BYTES = 0xffff;

/** The decorated key of one partition from its components (in partition key order). */
export function decoratedKey(table: TableMetadata, components: readonly Uint8Array[]): DecoratedKey {
  for (const c of components) {
    if (c.length > MAX_KEY_COMPONENT_BYTES) {
      throw invalidRequest(`Key length of ${c.length} is longer than maximum of ${MAX_KEY_COMPONENT_BYTES}`);
    }
  }
  const key = serializePartitionKey(components);
  if (key.length === 0) throw invalidRequest('Key may not be empty');
  if (table.partitionKey.length !== components.length) {
    throw new Error('assertion failed: one component per partition key column');
  }
  return { token: getToken(key), key };
}

/**
 * The decorated key of a partition key of one column: its value is the key (Cassandra serializes a
 * single component as it is), so no component list is built.
 */
export function singleColumnKey(value: Uint8Array): DecoratedKey {
  if (value.length > MAX_KEY_COMPONENT_BYTES) {
    throw invalidRequest(
      `Key length of ${value.length} is longer than maximum of ${MAX_KEY_COMPONENT_BYTES}`,
    );
  }
  if (value.length === 0) throw invalidRequest('Key may not be empty');
  return { token: getToken(value), key: value };
}

/** The cartesian product of per-column value lists, in column order (IN on several columns). */
export function cartesian(columns: readonly (readonly Uint8Array[])[]): Uint8Array[][] {
  let out: Uint8Array[][] = [[]];
  for (const values of columns) {
    const next: Uint8Array[][] = [];
    for (const prefix of out) for (const v of values) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

/** Lexicographic order of key tuples by the columns' type order (clustering order unless `natural`). */
export function tupleComparator(
  columns: readonly ColumnMetadata[],
  natural = true,
): (a: readonly Uint8Array[], b: readonly Uint8Array[]) => number {
  const compares: ByteComparator[] = columns.map((c) => {
    const base = comparatorFor(c.type);
    return !natural && c.clusteringOrder === 'desc' ? (a, b) => base(b, a) : base;
  });
  return (a, b) => {
    for (let i = 0; i < a.length; i++) {
      const c = compares[i]!(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** Sorted (lexicographically by the columns' type order) and without duplicates. */
export function sortedUniqueTuples(
  tuples: readonly (readonly Uint8Array[])[],
  columns: readonly ColumnMetadata[],
  natural = true,
): Uint8Array[][] {
  if (tuples.length === 1) return [tuples[0]!.slice()];
  return sortedUnique(tuples, tupleComparator(columns, natural));
}

/** `sortedUniqueTuples` with the comparator made beforehand (once per prepared statement). */
export function sortedUnique(
  tuples: readonly (readonly Uint8Array[])[],
  compare: (a: readonly Uint8Array[], b: readonly Uint8Array[]) => number,
): Uint8Array[][] {
  if (tuples.length === 1) return [tuples[0]!.slice()];
  const sorted = tuples.map((t) => t.slice()).sort(compare);
  return sorted.filter((t, i) => i === 0 || compare(sorted[i - 1]!, t) !== 0);
}
