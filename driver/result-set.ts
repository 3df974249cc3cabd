/**
 * RESULT → what `execute` returns: rows as plain objects keyed by column name, values in the JS
 * forms of cql/types (`deserialize`: bigint for 64-bit integers, Date for timestamps, string for
 * uuids, CqlDecimal for decimals, Map for maps …), the column specs, the paging state and the
 * warnings the server attached.
 */
import type { ColumnSpec, Row as ProtocolRow, ProtocolType, Result } from '../cql/protocol/index.js';
import { type CqlValue, deserialize } from '../cql/types/index.js';
import { DriverError } from './errors.js';

/** One row: column name → value (`null` when the column has no value). */
export type Row = { [column: string]: CqlValue };

export interface ColumnInfo {
  readonly name: string;
  readonly type: ProtocolType;
  readonly keyspace: string;
  readonly table: string;
}

export interface ExecutionInfo {
  /** Warnings the server sent with the result (e.g. a large batch). */
  readonly warnings: readonly string[];
  /** `address:port` of the coordinator that answered. */
  readonly queriedHost: string;
  /** Hosts tried before the one that answered, with why they failed. */
  readonly triedHosts: ReadonlyMap<string, Error>;
}

export class ResultSet {
  constructor(
    readonly rows: Row[],
    readonly columns: readonly ColumnInfo[],
    readonly info: ExecutionInfo,
    /** The raw paging state of the next page; absent on the last page. */
    readonly rawPageState?: Uint8Array,
  ) {}

  /** The next page's paging state as hex (pass it back as `pageState`); absent on the last page. */
  get pageState(): string | undefined {
    return this.rawPageState === undefined ? undefined : Buffer.from(this.rawPageState).toString('hex');
  }

  get rowLength(): number {
    return this.rows.length;
  }

  first(): Row | null {
    return this.rows[0] ?? null;
  }

  [Symbol.iterator](): Iterator<Row> {
    return this.rows[Symbol.iterator]();
  }
}

/** Builds the result set of a RESULT; `knownColumns` stands in when the server skipped metadata. */
export function resultSetOf(
  result: Result,
  info: ExecutionInfo,
  knownColumns?: readonly ColumnSpec[],
): ResultSet {
  if (result.kind !== 'rows') return new ResultSet([], [], info);
  const specs = result.metadata.columns ?? knownColumns;
  if (specs === undefined) throw new DriverError('Rows without column metadata');
  // A ColumnSpec is a ColumnInfo: shared (both are read-only), not copied for every result.
  const columns: readonly ColumnInfo[] = specs;
  const rows = result.rows.map((row) => decodeRow(row, columns));
  // The paging state is a view of the frame; a copy keeps the frame collectable.
  const pageState = result.metadata.pagingState;
  return new ResultSet(rows, columns, info, pageState === undefined ? undefined : new Uint8Array(pageState));
}

function decodeRow(row: ProtocolRow, columns: readonly ColumnInfo[]): Row {
  const out: Row = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const bytes = row[i];
    const value = bytes === null || bytes === undefined ? null : decodeValue(column.type, bytes);
    // defineProperty: a column named __proto__ must become a key, not the object's prototype.
    if (column.name === '__proto__') {
      Object.defineProperty(out, column.name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[column.name] = value;
    }
  }
  return out;
}

function decodeValue(type: ProtocolType, bytes: Uint8Array): CqlValue {
  if (type.kind === 'custom') return new Uint8Array(bytes);
  return deserialize(type, bytes);
}
