/** What statements return and the options they execute with (the protocol's QUERY parameters). */
import type { CqlType } from '../types/index.js';
import type { ConsistencyLevel } from './data-store.js';

/** One result column, as the protocol's ROWS metadata describes it. */
export interface ColumnSpec {
  readonly keyspace: string;
  readonly table: string;
  readonly name: string;
  readonly type: CqlType;
}

export interface ResultSet {
  readonly columns: readonly ColumnSpec[];
  /** Serialized values; null for an absent value. */
  readonly rows: readonly (readonly (Uint8Array | null)[])[];
  /** Present when more rows may follow: pass it back as `ExecuteOptions.pagingState`. */
  readonly pagingState?: Uint8Array;
  readonly warnings: readonly string[];
}

export interface ExecuteOptions {
  readonly consistency?: ConsistencyLevel;
  readonly serialConsistency?: ConsistencyLevel;
  /** Rows per page; absent or <= 0 reads everything. */
  readonly pageSize?: number;
  readonly pagingState?: Uint8Array;
  /** The protocol's default timestamp (microseconds) for writes without USING TIMESTAMP. */
  readonly timestamp?: number;
  /** False for keyspaces with durable_writes = false. */
  readonly durable?: boolean;
}
