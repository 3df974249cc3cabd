/**
 * CQL text in, results out: parses, resolves keyspaces and tables through the schema, dispatches
 * DDL to cql/schema and everything else to cql/executor, and keeps the prepared-statement cache
 * (Cassandra's QueryProcessor). What the native protocol server and the embedded node call.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { counterIdFromHostId } from '../storage/counter-context.js';
import type { StorageEngine } from '../storage/storage-engine.js';
import { InvalidRequestError, UnpreparedError } from './errors.js';
import type {
  BindMarkerSpec,
  BindValues,
  ColumnSpec,
  DataStore,
  ExecuteOptions,
  ExecutorEnvironment,
  RandomSource,
  ResultSet,
} from './executor/index.js';
import {
  bindNamedValues,
  checkCounterConsistency,
  DEFAULT_CONSISTENCY,
  executorEnvironment,
  LocalDataStore,
  prepareBatch,
  prepareModification,
  prepareSelect,
} from './executor/index.js';
import type { PreparedModification } from './executor/modification.js';
import { MutationCollector } from './executor/mutation-builder.js';
import type { TermContext } from './executor/values.js';
import { checkValueCount } from './executor/values.js';
import type { ParsedStatement, QualifiedName, Statement } from './parser/index.js';
import { parseStatement } from './parser/index.js';
import type { SchemaChangeEvent, TableMetadata } from './schema/index.js';
import { SchemaManager } from './schema/index.js';

export interface Session {
  keyspace?: string;
}

export type QueryResult =
  | { readonly kind: 'void'; readonly warnings: readonly string[] }
  | { readonly kind: 'rows'; readonly result: ResultSet }
  | { readonly kind: 'set_keyspace'; readonly keyspace: string }
  | { readonly kind: 'schema_change'; readonly change: SchemaChangeEvent };

/** Values as a protocol message carries them: positional, or by marker name. */
export type QueryValues = BindValues | ReadonlyMap<string, BindValues[number]>;

/** What a PREPARED result describes. */
export interface PreparedInfo {
  readonly id: Uint8Array;
  readonly bindMarkers: readonly BindMarkerSpec[];
  readonly partitionKeyBindIndexes: readonly number[] | null;
  /** Result columns of a SELECT; empty for other statements. */
  readonly resultColumns: readonly ColumnSpec[];
  /** Keyspace and table of the statement, when it has one (PREPARED metadata's global table spec). */
  readonly keyspace: string | null;
  readonly table: string | null;
}

interface Executable {
  readonly bindMarkers: readonly BindMarkerSpec[];
  readonly partitionKeyBindIndexes: readonly number[] | null;
  readonly columns?: readonly ColumnSpec[];
  // biome-ignore lint/suspicious/noConfusingVoidType: SELECTs resolve to rows, modifications to nothing (void)
  execute(values: BindValues, options?: ExecuteOptions): Promise<ResultSet | void>;
}

interface CachedStatement {
  readonly info: PreparedInfo;
  readonly executable: Executable;
  readonly tables: readonly string[];
  /** INSERT/UPDATE/DELETE: what a protocol BATCH composes (absent for SELECT and BATCH). */
  readonly modification?: PreparedModification;
  /** False when the statement's keyspace has durable_writes = false. */
  readonly durable: boolean;
  /** A prepared DDL or TRUNCATE: run as its text is (`prepareDirect`). */
  readonly direct?: () => Promise<QueryResult>;
}

/** One statement of a protocol BATCH message: CQL text or a prepared id, with its own values. */
export type BatchEntry =
  | { readonly kind: 'query'; readonly query: string; readonly values: BindValues }
  | { readonly kind: 'prepared'; readonly id: Uint8Array; readonly values: BindValues };

export type BatchType = 'logged' | 'unlogged' | 'counter';

export interface QueryProcessorDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly randomUuid: () => string;
  /** The store reads and writes go through; the local storage engine unless a coordinator is given. */
  readonly store?: DataStore;
  readonly datacenters?: readonly string[];
  /**
   * This node's host id: the counter id the local store counts under as the counters' leader
   * (storage/counters.ts). Without one (tests, tools) the nil uuid.
   */
  readonly hostId?: string;
}

/** The result of every write and of DDL without a schema change: one frozen object, not one per statement. */
const VOID_RESULT: QueryResult = Object.freeze({
  kind: 'void',
  warnings: Object.freeze([]) as readonly string[],
});

const NO_KEYSPACE =
  'No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename';

/**
 * Prepared statements by id. Every EXECUTE looks its id up, so the lookup does not format the id
 * as a string: ids are MD5 digests, whose first bytes spread them over buckets, and the whole id
 * is compared within its bucket.
 */
class PreparedStatements {
  private readonly buckets = new Map<number, CachedStatement[]>();

  get(id: Uint8Array): CachedStatement | undefined {
    const bucket = this.buckets.get(bucketOf(id));
    if (bucket) for (const entry of bucket) if (sameBytes(entry.info.id, id)) return entry;
    return undefined;
  }

  add(entry: CachedStatement): void {
    const key = bucketOf(entry.info.id);
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push(entry);
    else this.buckets.set(key, [entry]);
  }

  removeWhere(evicted: (entry: CachedStatement) => boolean): void {
    for (const [key, bucket] of this.buckets) {
      const kept = bucket.filter((entry) => !evicted(entry));
      if (kept.length === 0) this.buckets.delete(key);
      else this.buckets.set(key, kept);
    }
  }
}

/** An id's bucket: its first four bytes (any bytes a client sends are a valid, if unknown, id). */
function bucketOf(id: Uint8Array): number {
  let bucket = id.length;
  for (let i = 0; i < 4 && i < id.length; i++) bucket = (bucket << 8) | id[i]!;
  return bucket;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class QueryProcessor {
  private readonly prepared = new PreparedStatements();

  private constructor(
    readonly schema: SchemaManager,
    private readonly env: ExecutorEnvironment,
  ) {
    // A changed or dropped table invalidates the statements prepared against it (clients re-prepare
    // on UNPREPARED), as Cassandra evicts them.
    schema.schema.onChange((event) => this.evict(event));
  }

  static async open(engine: StorageEngine, deps: QueryProcessorDeps): Promise<QueryProcessor> {
    const schema = await SchemaManager.open(engine, {
      randomUuid: deps.randomUuid,
      clock: deps.clock,
      ...(deps.datacenters ? { datacenters: deps.datacenters } : {}),
    });
    const store =
      deps.store ??
      new LocalDataStore(engine, deps.hostId === undefined ? undefined : counterIdFromHostId(deps.hostId));
    return new QueryProcessor(schema, executorEnvironment(store, deps.clock, deps.random));
  }

  /** Runs one statement given as text (the protocol's QUERY). */
  async execute(
    text: string,
    session: Session,
    values: QueryValues = [],
    options: ExecuteOptions = {},
  ): Promise<QueryResult> {
    const parsed = parseStatement(text);
    const direct = await this.executeDirect(parsed.statement, session);
    if (direct !== undefined) return direct;
    const { executable } = this.compile(parsed, session);
    return this.run(executable, values, options);
  }

  /**
   * Runs the statements that are not compiled into an executable (USE, TRUNCATE, DDL); undefined for
   * the others.
   */
  private async executeDirect(statement: Statement, session: Session): Promise<QueryResult | undefined> {
    switch (statement.kind) {
      case 'use':
        return this.use(statement.keyspace, session);
      case 'truncate': {
        // A replicating store truncates the table on every node; the local store, here.
        const store = this.env.store;
        if (store.truncate) await store.truncate(this.schema.tableToTruncate(statement.table, session).id);
        else await this.schema.truncate(statement.table, session);
        return VOID_RESULT;
      }
      case 'createIndex':
      case 'dropIndex':
        throw new InvalidRequestError('Secondary indexes are not supported by Sibyl yet');
      default:
        break;
    }
    if (SchemaManager.isDdl(statement)) {
      const change = await this.schema.execute(statement, session);
      return change ? { kind: 'schema_change', change } : VOID_RESULT;
    }
    return undefined;
  }

  /**
   * A prepared DDL or TRUNCATE (Cassandra prepares any statement; drivers set to prepare everything
   * send DDL this way): run as the text would be, in the keyspace of the session that prepared it.
   */
  private prepareDirect(
    parsed: ParsedStatement,
    session: Session,
    id: Uint8Array,
  ): CachedStatement | undefined {
    const statement = parsed.statement;
    if (statement.kind !== 'truncate' && !SchemaManager.isDdl(statement)) return undefined;
    if (parsed.bindMarkers.length > 0)
      throw new InvalidRequestError('Bind variables cannot be used in schema statements');
    const prepared: Session = session.keyspace === undefined ? {} : { keyspace: session.keyspace };
    const none = async (): Promise<void> => {};
    return {
      executable: { bindMarkers: [], partitionKeyBindIndexes: null, execute: none },
      direct: async () => (await this.executeDirect(statement, { ...prepared }))!,
      tables: [],
      durable: true,
      info: {
        id,
        bindMarkers: [],
        partitionKeyBindIndexes: null,
        resultColumns: [],
        keyspace: prepared.keyspace ?? null,
        table: null,
      },
    };
  }

  /** Prepares a statement (the protocol's PREPARE); the id is stable for the same text and keyspace. */
  prepare(text: string, session: Session): PreparedInfo {
    const id = statementId(text, session.keyspace);
    const cached = this.prepared.get(id);
    if (cached) return cached.info;
    const parsed = parseStatement(text);
    const direct = this.prepareDirect(parsed, session, id);
    if (direct !== undefined) {
      this.prepared.add(direct);
      return direct.info;
    }
    const compiled = this.compile(parsed, session);
    const entry: CachedStatement = { ...compiled, info: { ...compiled.info, id } };
    this.prepared.add(entry);
    return entry.info;
  }

  /** Runs a prepared statement (the protocol's EXECUTE); an unknown id is Unprepared (0x2500). */
  executePrepared(
    id: Uint8Array,
    values: QueryValues = [],
    options: ExecuteOptions = {},
  ): Promise<QueryResult> {
    const cached = this.prepared.get(id);
    if (!cached) throw unprepared(id);
    if (cached.direct) return cached.direct();
    return this.run(cached.executable, values, options);
  }

  /** The prepared statement behind an id, for protocol BATCH messages. */
  preparedInfo(id: Uint8Array): PreparedInfo | undefined {
    return this.prepared.get(id)?.info;
  }

  /**
   * A protocol BATCH: statements given as text or prepared ids, each with its own values, applied as
   * one batch (Cassandra's BatchMessage): one timestamp for statements without USING TIMESTAMP, the
   * writes merged into one mutation per partition.
   */
  async executeBatch(
    entries: readonly BatchEntry[],
    type: BatchType,
    session: Session,
    options: ExecuteOptions = {},
  ): Promise<QueryResult> {
    const statements = entries.map((entry) => this.batchStatement(entry, session));
    checkBatchKinds(
      statements.map((s) => s.modification),
      type,
    );
    const env = this.env;
    const contexts = statements.map((s, i): TermContext => {
      const values = entries[i]!.values;
      checkValueCount(s.modification.bindMarkers, values);
      return { values, env, nowMs: env.clock.nowMs() };
    });
    const consistency = options.consistency ?? DEFAULT_CONSISTENCY;
    const counter = statements.find((s) => s.modification.isCounter);
    if (counter) checkCounterConsistency(counter.modification.table.name, consistency);
    const batchTimestamp = options.timestamp ?? env.timestamps.next();
    const collector = new MutationCollector();
    for (const [i, { modification }] of statements.entries()) {
      const ctx = contexts[i]!;
      const timestamp = modification.hasTimestamp(ctx)
        ? modification.timestampFor(ctx, options)
        : batchTimestamp;
      await modification.collect(collector, ctx, timestamp);
    }
    // Counter increments are delta cells for a leader replica (no read before write, no lock).
    await env.store.apply(collector.build(), {
      consistency,
      durable: statements.every((s) => s.durable),
      batchType: type,
      ...(counter ? { counter: true } : {}),
    });
    return VOID_RESULT;
  }

  private batchStatement(
    entry: BatchEntry,
    session: Session,
  ): { modification: PreparedModification; durable: boolean } {
    let statement: Omit<CachedStatement, 'info'> | undefined;
    if (entry.kind === 'prepared') {
      statement = this.prepared.get(entry.id);
      if (!statement) throw unprepared(entry.id);
    } else {
      const parsed = parseStatement(entry.query);
      if (!isModification(parsed.statement)) throw new InvalidRequestError(INVALID_IN_BATCH);
      statement = this.compile(parsed, session);
    }
    if (!statement.modification) throw new InvalidRequestError(INVALID_IN_BATCH);
    return { modification: statement.modification, durable: statement.durable };
  }

  /** Not async: a prepared write's promise is chained once, with no async frame of its own. */
  private run(executable: Executable, values: QueryValues, options: ExecuteOptions): Promise<QueryResult> {
    try {
      const bound = isNamed(values) ? bindNamedValues(executable.bindMarkers, values) : values;
      if (bound.length !== executable.bindMarkers.length) {
        throw new InvalidRequestError(
          `There were ${executable.bindMarkers.length} markers(?) in CQL but ${bound.length} bound variables`,
        );
      }
      // A SELECT (the only executable with result columns) resolves to rows; a write to nothing.
      const result = executable.columns === undefined ? voidResult : rowsResult;
      return executable.execute(bound, options).then(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private use(keyspace: string, session: Session): QueryResult {
    if (!this.schema.view.keyspace(keyspace))
      throw new InvalidRequestError(`Keyspace '${keyspace}' does not exist`);
    session.keyspace = keyspace;
    return { kind: 'set_keyspace', keyspace };
  }

  private compile(
    parsed: ParsedStatement,
    session: Session,
  ): Omit<CachedStatement, 'info'> & { info: PreparedInfo } {
    const statement = parsed.statement;
    const markerCount = parsed.bindMarkers.length;
    const tables: TableMetadata[] = [];
    const resolve = (name: QualifiedName) => {
      const table = this.resolveTable(name, session);
      tables.push(table);
      return table;
    };
    const { executable, modification } = this.executable(statement, resolve, markerCount);
    const first = tables[0] ?? null;
    const durable = tables.every((t) => this.schema.view.keyspace(t.keyspace)?.durableWrites ?? true);
    return {
      executable,
      durable,
      ...(modification ? { modification } : {}),
      tables: tables.map((t) => `${t.keyspace}.${t.name}`),
      info: {
        id: new Uint8Array(0),
        bindMarkers: executable.bindMarkers,
        partitionKeyBindIndexes: executable.partitionKeyBindIndexes,
        resultColumns: executable.columns ?? [],
        keyspace: first?.keyspace ?? null,
        table: first?.name ?? null,
      },
    };
  }

  private executable(
    statement: Statement,
    resolve: (name: QualifiedName) => TableMetadata,
    markerCount: number,
  ): { executable: Executable; modification?: PreparedModification } {
    const context = { env: this.env, markerCount };
    switch (statement.kind) {
      case 'select':
        return { executable: prepareSelect(statement, resolve(statement.table), context) };
      case 'insert':
      case 'insertJson':
      case 'update':
      case 'delete': {
        const table = resolve(statement.table);
        const durable = this.schema.view.keyspace(table.keyspace)?.durableWrites ?? true;
        const modification = prepareModification(statement, table, context);
        return { executable: withDurability(modification, durable), modification };
      }
      case 'batch':
        return { executable: prepareBatch(statement, resolve, context) };
      default:
        throw new InvalidRequestError(`${statement.kind} cannot be prepared or executed here`);
    }
  }

  private resolveTable(name: QualifiedName, session: Session): TableMetadata {
    const keyspaceName = name.keyspace ?? session.keyspace;
    if (keyspaceName === undefined) throw new InvalidRequestError(NO_KEYSPACE);
    const keyspace = this.schema.view.keyspace(keyspaceName);
    if (!keyspace) throw new InvalidRequestError(`Keyspace ${keyspaceName} does not exist`);
    const table = keyspace.tables.get(name.name);
    if (!table) throw new InvalidRequestError(`unconfigured table ${name.name}`);
    return table;
  }

  private evict(event: SchemaChangeEvent): void {
    const prefix = `${event.keyspace}.`;
    const target = event.name === undefined ? null : `${event.keyspace}.${event.name}`;
    this.prepared.removeWhere((entry) => {
      const hit = entry.tables.some((t) =>
        event.target === 'KEYSPACE' ? t.startsWith(prefix) : t === target,
      );
      return hit || event.target === 'TYPE';
    });
  }
}

/** A write's answer, whatever its store's promise resolved with. */
const voidResult = (): QueryResult => VOID_RESULT;

// biome-ignore lint/suspicious/noConfusingVoidType: what Executable.execute resolves to
function rowsResult(result: ResultSet | void): QueryResult {
  if (!result) throw new Error('assertion failed: a SELECT resolves to a result set');
  return { kind: 'rows', result };
}

const INVALID_IN_BATCH = 'Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.';

function isModification(statement: Statement): boolean {
  const kind = statement.kind;
  return kind === 'insert' || kind === 'insertJson' || kind === 'update' || kind === 'delete';
}

/** Cassandra's BatchStatement rules on mixing counter and regular writes. */
function checkBatchKinds(statements: readonly PreparedModification[], type: BatchType): void {
  const hasCounters = statements.some((s) => s.isCounter);
  const hasNonCounters = statements.some((s) => !s.isCounter);
  if (type === 'counter' && hasNonCounters)
    throw new InvalidRequestError('Cannot include non-counter statement in a counter batch');
  if (type === 'logged' && hasCounters)
    throw new InvalidRequestError('Cannot include a counter statement in a logged batch');
  if (hasCounters && hasNonCounters)
    throw new InvalidRequestError('Counter and non-counter mutations cannot exist in the same batch');
}

function unprepared(id: Uint8Array): UnpreparedError {
  return new UnpreparedError(
    id,
    `Prepared query with ID ${Buffer.from(id).toString('hex')} not found (either the query was not prepared ` +
      'on this host (maybe the host has been restarted?) or you have prepared too many queries and it has ' +
      'been evicted from the internal cache)',
  );
}

function isNamed(values: QueryValues): values is ReadonlyMap<string, BindValues[number]> {
  return values instanceof Map;
}

/** Keyspaces with durable_writes = false skip the commit log. */
function withDurability(executable: Executable, durable: boolean): Executable {
  if (durable) return executable;
  return {
    ...executable,
    bindMarkers: executable.bindMarkers,
    partitionKeyBindIndexes: executable.partitionKeyBindIndexes,
    execute: (values, options) => executable.execute(values, { ...options, durable: false }),
  };
}

/** Cassandra's prepared statement id: the MD5 of the keyspace and the query text. */
function statementId(text: string, keyspace: string | undefined): Uint8Array {
  return createHash('md5')
    .update(keyspace ?? '')
    .update(text)
    .digest();
}
