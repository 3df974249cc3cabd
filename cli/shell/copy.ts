/**
 * COPY t [(cols)] TO 'file.csv' / FROM 'file.csv' [WITH HEADER = true AND DELIMITER = ',' AND
 * NULL = '' …]: rows through the backend, values through cql/types. Exported values look as
 * cqlsh shows them (text bare, `True`, `2024-01-02 03:04:05.678000+0000`, `0xcafe`), except that
 * floats keep every digit and collections, tuples and user types are written as CQL literals;
 * imported fields are parsed with the type's `fromString` (collections as CQL literals) and sent as
 * INSERTs with the values as constants, a few in flight at once.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { formatTerm, parseStatement } from '../../cql/parser/index.js';
import type { CqlType } from '../../cql/types/index.js';
import {
  deserialize,
  formatCqlLiteral,
  formatCqlsh,
  fromString,
  maybeQuoteIdentifier,
} from '../../cql/types/index.js';
import type { ShellBackend, ShellColumn, ShellExecuteOptions } from './backend.js';
import { type CsvField, CsvReader, formatCsvRecord } from './csv.js';
import type { CopyOptions } from './shell-commands.js';

export interface CopyRequest {
  readonly keyspace: string;
  readonly table: string;
  readonly columns?: readonly string[];
  readonly file: string | null;
  readonly options: CopyOptions;
}

export interface CopyContext {
  readonly backend: ShellBackend;
  readonly executeOptions: Omit<ShellExecuteOptions, 'pageSize' | 'pagingState'>;
  /** Messages (start, progress, summary). */
  print(line: string): void;
  /** Progress overwrites itself on a terminal (`\r`), else one line each. */
  readonly tty: boolean;
  /** Where COPY TO STDOUT writes. */
  readonly stdout: Writable;
  /** Rows between progress lines. */
  readonly progressEveryRows: number;
  readonly nowMs: () => number;
}

export interface CopyOutcome {
  readonly rows: number;
  readonly failed: number;
}

const IMPORT_CONCURRENCY = 32;

const q = maybeQuoteIdentifier;

/** A value as COPY TO writes it; null for an absent value. */
export function exportText(type: CqlType, bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  const value = deserialize(type, bytes);
  if (value === null) return null;
  if (type.kind !== 'native') return formatCqlLiteral(type, value);
  switch (type.name) {
    case 'text':
    case 'ascii':
      return value as string;
    case 'float':
    case 'double':
      return formatCqlLiteral(type, value);
    default:
      return formatCqlsh(type, value);
  }
}

/** A CSV field as the CQL constant an INSERT carries; null for the NULL text (or an empty non-text field). */
export function importLiteral(type: CqlType, field: CsvField, nullText: string): string | null {
  if (!field.quoted && field.text === nullText) return null;
  const text = field.text;
  if (type.kind !== 'native') return text.trim() === '' ? null : collectionLiteral(text);
  if (type.name === 'text' || type.name === 'ascii') return `'${text.replaceAll("'", "''")}'`;
  if (text.trim() === '') return null;
  return formatCqlLiteral(type, deserialize(type, fromString(type.name, text.trim())));
}

const LITERAL_KINDS = new Set(['list', 'set', 'map', 'tuple', 'udt', 'constant', 'null']);

/**
 * A collection, tuple or user-type field is CQL literal text. It is parsed as the one value of an
 * INSERT and printed back from the parsed tree, so a field can only ever be a literal: text that
 * would close the VALUES list or add clauses (`[1]) USING TIMESTAMP 0 --`) is refused.
 */
function collectionLiteral(text: string): string {
  let parsed: ReturnType<typeof parseStatement>;
  try {
    parsed = parseStatement(`INSERT INTO t (c) VALUES (${text})`);
  } catch {
    throw new Error(`Failed to import value ${JSON.stringify(text)}: not a CQL literal`);
  }
  const statement = parsed.statement;
  const value = statement.kind === 'insert' ? statement.values[0] : undefined;
  const plain =
    statement.kind === 'insert' &&
    statement.values.length === 1 &&
    statement.using.ttl === undefined &&
    statement.using.timestamp === undefined &&
    !statement.ifNotExists &&
    parsed.bindMarkers.length === 0;
  if (!plain || value === undefined || !LITERAL_KINDS.has(value.kind)) {
    throw new Error(`Failed to import value ${JSON.stringify(text)}: not a CQL literal`);
  }
  return formatTerm(value);
}

function progress(context: CopyContext, rows: number, startedMs: number): void {
  const seconds = Math.max((context.nowMs() - startedMs) / 1000, 1e-3);
  const line = `Processed: ${rows} rows; Rate: ${Math.round(rows / seconds)
    .toString()
    .padStart(7)} rows/s`;
  if (context.tty) context.stdout.write(`\r${line}`);
  else context.print(line);
}

function seconds(context: CopyContext, startedMs: number): string {
  return ((context.nowMs() - startedMs) / 1000).toFixed(3);
}

async function columnsOf(context: CopyContext, request: CopyRequest): Promise<readonly ShellColumn[]> {
  const selection = request.columns ? request.columns.map(q).join(', ') : '*';
  const probe = await context.backend.execute(
    `SELECT ${selection} FROM ${q(request.keyspace)}.${q(request.table)} LIMIT 1`,
    { ...context.executeOptions },
  );
  return probe.columns;
}

export async function copyTo(context: CopyContext, request: CopyRequest): Promise<CopyOutcome> {
  const started = context.nowMs();
  const columns = await columnsOf(context, request);
  const names = columns.map((c) => c.name);
  context.print(`Starting copy of ${request.keyspace}.${request.table} with columns [${names.join(', ')}].`);
  const out = request.file === null ? context.stdout : createWriteStream(request.file, { encoding: 'utf8' });
  const { options } = request;
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  if (options.header) await write(formatCsvRecord(names, options, options.nullValue));
  const select = `SELECT ${names.map(q).join(', ')} FROM ${q(request.keyspace)}.${q(request.table)}`;
  let rows = 0;
  let pagingState: Uint8Array | undefined;
  do {
    const page = await context.backend.execute(select, {
      ...context.executeOptions,
      pageSize: options.pageSize,
      ...(pagingState ? { pagingState } : {}),
    });
    for (const row of page.rows) {
      await write(
        formatCsvRecord(
          row.map((v, i) => exportText(columns[i]!.type, v)),
          options,
          options.nullValue,
        ),
      );
      if (++rows % context.progressEveryRows === 0) progress(context, rows, started);
    }
    pagingState = page.pagingState;
  } while (pagingState);
  if (out !== context.stdout)
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (context.tty && rows >= context.progressEveryRows) context.stdout.write('\n');
  context.print(`${rows} rows exported to 1 files in ${seconds(context, started)} seconds.`);
  return { rows, failed: 0 };
}

export async function copyFrom(
  context: CopyContext,
  request: CopyRequest,
  reportError: (message: string) => void,
): Promise<CopyOutcome> {
  if (request.file === null) throw new Error('COPY FROM STDIN is not supported; give a file name');
  const started = context.nowMs();
  const columns = await columnsOf(context, request);
  context.print(
    `Starting copy of ${request.keyspace}.${request.table} with columns [${columns.map((c) => c.name).join(', ')}].`,
  );
  const reader = new CsvReader(request.options);
  const importer = new Importer(context, request, columns, reportError);
  let skipHeader = request.options.header;
  const take = async (records: CsvField[][]) => {
    for (const record of records) {
      if (skipHeader) skipHeader = false;
      else await importer.add(record);
    }
  };
  for await (const chunk of createReadStream(request.file, { encoding: 'utf8' }))
    await take(reader.push(chunk as string));
  const last = reader.end();
  await take(last ? [last] : []);
  await importer.drain();
  if (context.tty && importer.rows >= context.progressEveryRows) context.stdout.write('\n');
  context.print(
    `${importer.rows} rows imported from 1 files in ${seconds(context, started)} seconds (${importer.failed} skipped).`,
  );
  return { rows: importer.rows, failed: importer.failed };
}

/** Sends one INSERT per record, at most IMPORT_CONCURRENCY in flight. */
class Importer {
  rows = 0;
  failed = 0;
  private record = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly started: number;

  constructor(
    private readonly context: CopyContext,
    private readonly request: CopyRequest,
    private readonly columns: readonly ShellColumn[],
    private readonly reportError: (message: string) => void,
  ) {
    this.started = context.nowMs();
  }

  async add(record: CsvField[]): Promise<void> {
    const number = ++this.record;
    const task = this.insert(record, number).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
    if (this.inFlight.size >= IMPORT_CONCURRENCY) await Promise.race(this.inFlight);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private async insert(record: CsvField[], number: number): Promise<void> {
    try {
      const statement = this.statement(record);
      await this.context.backend.execute(statement, this.context.executeOptions);
      if (++this.rows % this.context.progressEveryRows === 0) progress(this.context, this.rows, this.started);
    } catch (error) {
      this.failed++;
      this.reportError(`Failed to import row ${number}: ${(error as Error).message}`);
    }
  }

  private statement(record: CsvField[]): string {
    if (record.length !== this.columns.length) {
      throw new Error(`Invalid row length ${record.length} should be ${this.columns.length}`);
    }
    const names: string[] = [];
    const literals: string[] = [];
    record.forEach((field, i) => {
      const column = this.columns[i]!;
      const literal = importLiteral(column.type, field, this.request.options.nullValue);
      if (literal === null) return; // absent: no tombstone for a null
      names.push(q(column.name));
      literals.push(literal);
    });
    const table = `${q(this.request.keyspace)}.${q(this.request.table)}`;
    return `INSERT INTO ${table} (${names.join(', ')}) VALUES (${literals.join(', ')})`;
  }
}
