/**
 * The seam between the shell and whatever runs its statements: a node embedded in this process
 * (`embedded-backend.ts`, used by `sibyl cql`) or a node reached over the native protocol
 * (`network-backend.ts`, used by `sibyl shell`). The shell sees only this interface, so both
 * backends share the REPL, the formatter, DESCRIBE and COPY.
 */
import type { ConsistencyName } from '../../cql/errors.js';
import type { KeyspaceMetadata } from '../../cql/schema/index.js';
import type { CqlType } from '../../cql/types/index.js';

export type { ConsistencyName };

export interface ShellExecuteOptions {
  readonly consistency: ConsistencyName;
  readonly serialConsistency: ConsistencyName;
  /** Rows per page; absent reads every row in one result. */
  readonly pageSize?: number;
  /** The `pagingState` of the previous page, to read the next one. */
  readonly pagingState?: Uint8Array;
}

export interface ShellColumn {
  readonly name: string;
  readonly type: CqlType;
  /** The table the column comes from, when the server said (colours key columns). */
  readonly keyspace?: string;
  readonly table?: string;
}

export type ShellResultKind = 'rows' | 'void' | 'set_keyspace' | 'schema_change';

/** One result (one page of rows); non-row kinds have no columns and no rows. */
export interface ShellResult {
  readonly kind: ShellResultKind;
  readonly columns: readonly ShellColumn[];
  /** Values in the native protocol serialization; null for an absent value. */
  readonly rows: readonly (readonly (Uint8Array | null)[])[];
  /** Present when more rows follow. */
  readonly pagingState?: Uint8Array;
  readonly warnings: readonly string[];
  /** For `set_keyspace`: the keyspace now in use. */
  readonly keyspace?: string;
}

/** What SHOW VERSION, SHOW HOST and DESCRIBE CLUSTER print. */
export interface ShellServerInfo {
  readonly clusterName: string;
  readonly releaseVersion: string;
  readonly cqlVersion: string;
  readonly protocolVersion: number;
  readonly partitioner: string;
  readonly snitch: string;
  /** `host:port` for the network backend, a description for the embedded one. */
  readonly host: string;
  readonly port: number | null;
}

export interface ShellBackend {
  execute(cql: string, options: ShellExecuteOptions): Promise<ShellResult>;
  /** Every keyspace, system ones included, as the schema model (DESCRIBE renders it). */
  describeSchema(): Promise<readonly KeyspaceMetadata[]>;
  serverInfo(): Promise<ShellServerInfo>;
  close(): Promise<void>;
}

/** The shell's version, printed by SHOW VERSION (cqlsh prints its own the same way). */
export const SHELL_VERSION = '0.1.0';
