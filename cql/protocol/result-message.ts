/**
 * RESULT bodies (spec 4.2.5): Void, Rows (metadata + rows of [bytes]), Set_keyspace, Prepared (with
 * the v4 partition-key indexes drivers route by) and Schema_change.
 */
import { assert } from '../../common/errors.js';
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { ResultKind, RowsFlag } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import { readSchemaChange, type SchemaChange, writeSchemaChange } from './schema-change.js';
import { type ProtocolType, readTypeOption, writeTypeOption } from './type-option.js';

export interface ColumnSpec {
  readonly keyspace: string;
  readonly table: string;
  /** The column, alias or selector text (rows); the bind marker or column name (prepared). */
  readonly name: string;
  readonly type: ProtocolType;
}

export interface RowsMetadata {
  readonly columnCount: number;
  /** Absent when the result has No_metadata (the client asked to skip it). */
  readonly columns?: readonly ColumnSpec[];
  /** Present when there are more pages (Has_more_pages). */
  readonly pagingState?: Uint8Array;
}

/** One row: a [bytes] per column, null for a missing value. */
export type Row = readonly (Uint8Array | null)[];

export type Result =
  | { readonly kind: 'void' }
  | { readonly kind: 'rows'; readonly metadata: RowsMetadata; readonly rows: readonly Row[] }
  | { readonly kind: 'set_keyspace'; readonly keyspace: string }
  | {
      readonly kind: 'prepared';
      readonly id: Uint8Array;
      /** The bind markers. */
      readonly variables: readonly ColumnSpec[];
      /** For each partition-key column in order, the index of its bind marker; empty if not all are bound. */
      readonly partitionKeyIndexes: readonly number[];
      readonly resultMetadata: RowsMetadata;
    }
  | { readonly kind: 'schema_change'; readonly change: SchemaChange };

export function writeResultBody(writer: BodyWriter, result: Result): void {
  switch (result.kind) {
    case 'void':
      writer.int(ResultKind.VOID);
      return;
    case 'rows':
      writer.int(ResultKind.ROWS);
      writeRowsMetadata(writer, result.metadata);
      writeRows(writer, result.metadata.columnCount, result.rows);
      return;
    case 'set_keyspace':
      writer.int(ResultKind.SET_KEYSPACE).string(result.keyspace);
      return;
    case 'prepared':
      writer.int(ResultKind.PREPARED).shortBytes(result.id);
      writePreparedMetadata(writer, result.variables, result.partitionKeyIndexes);
      writeRowsMetadata(writer, result.resultMetadata);
      return;
    case 'schema_change':
      writer.int(ResultKind.SCHEMA_CHANGE);
      writeSchemaChange(writer, result.change);
      return;
  }
}

export function readResultBody(reader: BodyReader): Result {
  const kind = reader.int();
  switch (kind) {
    case ResultKind.VOID:
      return { kind: 'void' };
    case ResultKind.ROWS: {
      const metadata = readRowsMetadata(reader);
      return { kind: 'rows', metadata, rows: readRows(reader, metadata.columnCount) };
    }
    case ResultKind.SET_KEYSPACE:
      return { kind: 'set_keyspace', keyspace: reader.string() };
    case ResultKind.PREPARED: {
      const id = reader.shortBytes();
      const { variables, partitionKeyIndexes } = readPreparedMetadata(reader);
      return {
        kind: 'prepared',
        id,
        variables,
        partitionKeyIndexes,
        resultMetadata: readRowsMetadata(reader),
      };
    }
    case ResultKind.SCHEMA_CHANGE:
      return { kind: 'schema_change', change: readSchemaChange(reader) };
    default:
      throw new ProtocolError(`Unknown RESULT kind ${kind}`);
  }
}

/** The one keyspace/table all columns share, if they do (then it is sent once: Global_tables_spec). */
function globalTableOf(columns: readonly ColumnSpec[]): { keyspace: string; table: string } | undefined {
  const first = columns[0];
  if (first === undefined) return undefined;
  const shared = columns.every((c) => c.keyspace === first.keyspace && c.table === first.table);
  return shared ? { keyspace: first.keyspace, table: first.table } : undefined;
}

function writeRowsMetadata(writer: BodyWriter, metadata: RowsMetadata): void {
  const { columns, pagingState } = metadata;
  assert(columns === undefined || columns.length === metadata.columnCount, 'one column spec per column');
  const global = columns && globalTableOf(columns);
  let flags = 0;
  if (global) flags |= RowsFlag.GLOBAL_TABLES_SPEC;
  if (pagingState !== undefined) flags |= RowsFlag.HAS_MORE_PAGES;
  if (columns === undefined) flags |= RowsFlag.NO_METADATA;
  writer.int(flags).int(metadata.columnCount);
  if (pagingState !== undefined) writer.bytes(pagingState);
  if (columns !== undefined) writeColumnSpecs(writer, columns, global);
}

function writeColumnSpecs(
  writer: BodyWriter,
  columns: readonly ColumnSpec[],
  global: { keyspace: string; table: string } | undefined,
): void {
  if (global) writer.string(global.keyspace).string(global.table);
  for (const column of columns) {
    if (!global) writer.string(column.keyspace).string(column.table);
    writer.string(column.name);
    writeTypeOption(writer, column.type);
  }
}

function readRowsMetadata(reader: BodyReader): RowsMetadata {
  const flags = reader.int();
  const columnCount = reader.int();
  // Without metadata a count takes no bytes (rows may be empty), so only its sign is checked here;
  // the specs and rows that follow are bounded by the body size as they are read.
  if (columnCount < 0) throw new ProtocolError(`Invalid column count ${columnCount}`);
  let pagingState: Uint8Array | undefined;
  if (flags & RowsFlag.HAS_MORE_PAGES) pagingState = reader.bytes() ?? undefined;
  const metadata: { -readonly [K in keyof RowsMetadata]: RowsMetadata[K] } = { columnCount };
  if (pagingState !== undefined) metadata.pagingState = pagingState;
  if ((flags & RowsFlag.NO_METADATA) === 0) {
    metadata.columns = readColumnSpecs(reader, columnCount, (flags & RowsFlag.GLOBAL_TABLES_SPEC) !== 0);
  }
  return metadata;
}

function readColumnSpecs(reader: BodyReader, count: number, global: boolean): ColumnSpec[] {
  // Each spec takes at least a [string] name and a [short] type id.
  reader.checkCount(count, 4, 'column spec');
  const globalKeyspace = global ? reader.string() : '';
  const globalTable = global ? reader.string() : '';
  const columns: ColumnSpec[] = [];
  for (let i = 0; i < count; i++) {
    const keyspace = global ? globalKeyspace : reader.string();
    const table = global ? globalTable : reader.string();
    const name = reader.string();
    columns.push({ keyspace, table, name, type: readTypeOption(reader) });
  }
  return columns;
}

function writeRows(writer: BodyWriter, columnCount: number, rows: readonly Row[]): void {
  writer.int(rows.length);
  for (const row of rows) {
    assert(row.length === columnCount, `a row has ${row.length} values for ${columnCount} columns`);
    for (const value of row) writer.bytes(value);
  }
}

function readRows(reader: BodyReader, columnCount: number): Row[] {
  const count = reader.int();
  // Rows of zero columns take no bytes; bound them by the body size all the same.
  reader.checkCount(count, columnCount * 4, 'row');
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const row: (Uint8Array | null)[] = [];
    for (let j = 0; j < columnCount; j++) row.push(reader.bytes());
    rows.push(row);
  }
  return rows;
}

function writePreparedMetadata(
  writer: BodyWriter,
  variables: readonly ColumnSpec[],
  partitionKeyIndexes: readonly number[],
): void {
  const global = globalTableOf(variables);
  writer.int(global ? RowsFlag.GLOBAL_TABLES_SPEC : 0).int(variables.length);
  writer.int(partitionKeyIndexes.length);
  for (const index of partitionKeyIndexes) writer.short(index);
  writeColumnSpecs(writer, variables, global);
}

function readPreparedMetadata(reader: BodyReader): {
  variables: ColumnSpec[];
  partitionKeyIndexes: number[];
} {
  const flags = reader.int();
  const count = reader.int();
  const pkCount = reader.int();
  reader.checkCount(pkCount, 2, 'partition key index');
  const partitionKeyIndexes: number[] = [];
  for (let i = 0; i < pkCount; i++) partitionKeyIndexes.push(reader.short());
  const variables = readColumnSpecs(reader, count, (flags & RowsFlag.GLOBAL_TABLES_SPEC) !== 0);
  return { variables, partitionKeyIndexes };
}
