/**
 * The entry point of schema changes on one node: opens the schema from storage at start-up, runs
 * DDL statements one at a time (validate → add storage → persist + flush → swap snapshot → notify →
 * drop storage), and TRUNCATE. The query processor calls `execute` with a DDL statement from the
 * parser and answers the client with the returned event (RESULT Schema_change) or Void for null.
 */
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import { logger } from '../../common/logger.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import { InvalidRequestError, UnauthorizedError } from '../errors.js';
import type { QualifiedName, Statement } from '../parser/index.js';
import { alterTable, dropTable } from './ddl-alter-table.js';
import { createTable } from './ddl-create-table.js';
import { alterKeyspace, createKeyspace, dropKeyspace } from './ddl-keyspace.js';
import type { DdlContext, DdlOutcome, Keyspaces } from './ddl-outcome.js';
import { alterType, createType, dropType } from './ddl-type.js';
import type { SchemaView, TableMetadata } from './metadata.js';
import { storageDefinition } from './metadata.js';
import { keyspaceOf, LOCAL_SYSTEM_KEYSPACES } from './names.js';
import { Schema } from './schema.js';
import type { SchemaChangeEvent, SchemaChangeResult } from './schema-change.js';
import { schemaChanges } from './schema-diff.js';
import { PERSISTED_SCHEMA_TABLES } from './schema-rows.js';
import {
  addSystemTables,
  persistKeyspace,
  persistSystemKeyspaces,
  persistVirtualSchema,
  readSchema,
  readSchemaPartitions,
  type SchemaPartition,
  schemaPartitionMutation,
} from './schema-store.js';
import { BUILT_IN_KEYSPACES, schemaTable } from './system-keyspaces.js';

export type DdlStatement = Extract<
  Statement,
  {
    kind:
      | 'createKeyspace'
      | 'alterKeyspace'
      | 'dropKeyspace'
      | 'createTable'
      | 'alterTable'
      | 'dropTable'
      | 'createType'
      | 'alterType'
      | 'dropType';
  }
>;

const DDL_KINDS: ReadonlySet<string> = new Set([
  'createKeyspace',
  'alterKeyspace',
  'dropKeyspace',
  'createTable',
  'alterTable',
  'dropTable',
  'createType',
  'alterType',
  'dropType',
]);

export interface SchemaManagerDeps {
  /** A fresh uuid for new tables (e.g. node:crypto's randomUUID), injected per STYLE.md §3. */
  readonly randomUuid: () => string;
  readonly clock?: Clock;
  /** Data centers known to the node (NetworkTopologyStrategy checks and expands to them). */
  readonly datacenters?: readonly string[];
}

export interface Session {
  readonly keyspace?: string;
}

export class SchemaManager {
  private chain: Promise<unknown> = Promise.resolve();
  private lastTimestampMicros: number;
  private readonly log = logger('schema');

  private constructor(
    private readonly engine: StorageEngine,
    readonly schema: Schema,
    private readonly deps: SchemaManagerDeps,
    private readonly clock: Clock,
    lastTimestampMicros: number,
  ) {
    this.lastTimestampMicros = lastTimestampMicros;
  }

  /**
   * Start-up, in the order storage needs: system tables, replay for them, read the schema, add every
   * user table, replay again for those (records of unknown tables are skipped by the first replay).
   */
  static async open(engine: StorageEngine, deps: SchemaManagerDeps): Promise<SchemaManager> {
    const clock = deps.clock ?? systemClock;
    await addSystemTables(engine);
    await engine.replayCommitLog();
    const stored = await readSchema(engine, Math.floor(clock.nowMs() / 1000));
    for (const keyspace of stored.keyspaces.values()) {
      for (const table of keyspace.tables.values()) await engine.addTable(storageDefinition(table));
    }
    await engine.replayCommitLog();
    const manager = new SchemaManager(
      engine,
      new Schema(stored.keyspaces),
      deps,
      clock,
      stored.maxTimestampMicros,
    );
    await persistSystemKeyspaces(engine, manager.nextTimestamp(), manager.nowSeconds());
    await persistVirtualSchema(engine, manager.nextTimestamp());
    manager.log.info({ version: manager.schema.version, keyspaces: stored.keyspaces.size }, 'schema loaded');
    return manager;
  }

  /** The schema as statement execution reads it. */
  get view(): SchemaView {
    return this.schema;
  }

  static isDdl(statement: Statement): statement is DdlStatement {
    return DDL_KINDS.has(statement.kind);
  }

  /** Runs one DDL statement; resolves once the change is durable and visible. */
  execute(statement: DdlStatement, session: Session): Promise<SchemaChangeResult> {
    const run = this.chain.then(() => this.executeNow(statement, session));
    this.chain = run.catch(() => {});
    return run;
  }

  /** TRUNCATE on this node alone: empties the table's local storage. */
  async truncate(name: QualifiedName, session: Session): Promise<void> {
    await this.engine.truncate(this.tableToTruncate(name, session).id);
  }

  /**
   * The table a TRUNCATE names, checked as Cassandra does (system keyspaces refused, keyspace and
   * table must exist); a store that replicates truncates it on every node.
   */
  tableToTruncate(name: QualifiedName, session: Session): TableMetadata {
    const keyspaceName = keyspaceOf(name, session);
    if (LOCAL_SYSTEM_KEYSPACES.has(keyspaceName))
      throw new UnauthorizedError(`${keyspaceName} keyspace is not user-modifiable.`);
    const keyspace = this.schema.keyspace(keyspaceName);
    if (!keyspace) throw new InvalidRequestError(`Keyspace ${keyspaceName} does not exist`);
    const table = keyspace.tables.get(name.name);
    if (!table) throw new InvalidRequestError(`unconfigured table ${name.name}`);
    return table;
  }

  /**
   * The user keyspaces' rows of system_schema, tombstones and timestamps included: what a peer
   * pulls or is pushed to converge on our schema. Read between DDLs, so it is one consistent schema.
   */
  schemaPartitions(): Promise<SchemaPartition[]> {
    const run = this.chain.then(() => readSchemaPartitions(this.engine));
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * Merges a peer's system_schema rows into ours and reloads the schema from storage. The storage
   * merge is last-write-wins by the rows' original timestamps, so every node that has seen the same
   * rows holds the same schema, whatever the order they came in. Resolves with the changes made
   * (also announced to `schema.onChange` listeners); nothing changes for rows we already had.
   */
  applyRemoteSchema(partitions: readonly SchemaPartition[]): Promise<SchemaChangeEvent[]> {
    const run = this.chain.then(() => this.applyRemoteNow(partitions));
    this.chain = run.catch(() => {});
    return run;
  }

  private async applyRemoteNow(partitions: readonly SchemaPartition[]): Promise<SchemaChangeEvent[]> {
    const mutations = partitions.map(schemaPartitionMutation);
    if (mutations.length === 0) return [];
    for (const mutation of mutations) await this.engine.apply(mutation);
    await Promise.all(PERSISTED_SCHEMA_TABLES.map((t) => this.engine.flush(schemaTable(t).id)));
    const stored = await readSchema(this.engine, this.nowSeconds());
    // Later local DDL must write above every timestamp merged in, or the peer's rows would win.
    this.lastTimestampMicros = Math.max(this.lastTimestampMicros, stored.maxTimestampMicros);
    const before = userKeyspaces(this.schema.all);
    const events = schemaChanges(before, stored.keyspaces);
    if (events.length === 0) return [];
    const tablesAfter = new Set<string>();
    for (const keyspace of stored.keyspaces.values()) {
      for (const table of keyspace.tables.values()) {
        tablesAfter.add(table.id);
        if (!this.engine.hasTable(table.id)) await this.engine.addTable(storageDefinition(table));
      }
    }
    this.schema.replace(stored.keyspaces, events);
    for (const keyspace of before.values()) {
      for (const table of keyspace.tables.values()) {
        if (!tablesAfter.has(table.id) && this.engine.hasTable(table.id))
          await this.engine.dropTable(table.id);
      }
    }
    this.log.info({ version: this.schema.version, changes: events.length }, 'schema merged from a peer');
    return events;
  }

  private async executeNow(statement: DdlStatement, session: Session): Promise<SchemaChangeResult> {
    checkModifiable(statement, session);
    const outcome = transform(this.schema.all, statement, this.context(session));
    if (outcome.event === null) return null;
    const added: TableMetadata[] = [];
    try {
      for (const table of outcome.createdTables) {
        await this.engine.addTable(storageDefinition(table));
        added.push(table);
      }
      const keyspace = outcome.event.keyspace;
      await persistKeyspace(
        this.engine,
        keyspace,
        outcome.keyspaces.get(keyspace),
        this.nextTimestamp(),
        this.nowSeconds(),
      );
    } catch (error) {
      // The schema did not change: forget the storage of tables that will not exist.
      for (const table of added) await this.engine.dropTable(table.id).catch(() => {});
      throw error;
    }
    this.schema.replace(outcome.keyspaces, outcome.event);
    for (const table of outcome.droppedTables) {
      if (this.engine.hasTable(table.id)) await this.engine.dropTable(table.id);
    }
    return outcome.event;
  }

  private context(session: Session): DdlContext {
    return {
      session,
      randomUuid: this.deps.randomUuid,
      nowMicros: () => this.clock.nowMs() * 1000,
      ...(this.deps.datacenters ? { datacenters: this.deps.datacenters } : {}),
    };
  }

  /** Schema writes must be newer than every earlier one, even if the clock went back. */
  private nextTimestamp(): number {
    const timestamp = Math.max(this.clock.nowMs() * 1000, this.lastTimestampMicros + 2);
    this.lastTimestampMicros = timestamp + 1;
    return timestamp;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }
}

function userKeyspaces(all: Keyspaces): Keyspaces {
  return new Map([...all].filter(([name]) => !BUILT_IN_KEYSPACES.some((k) => k.name === name)));
}

function transform(keyspaces: Keyspaces, statement: DdlStatement, context: DdlContext): DdlOutcome {
  switch (statement.kind) {
    case 'createKeyspace':
      return createKeyspace(keyspaces, statement, context);
    case 'alterKeyspace':
      return alterKeyspace(keyspaces, statement, context);
    case 'dropKeyspace':
      return dropKeyspace(keyspaces, statement);
    case 'createTable':
      return createTable(keyspaces, statement, context);
    case 'alterTable':
      return alterTable(keyspaces, statement, context);
    case 'dropTable':
      return dropTable(keyspaces, statement, context);
    case 'createType':
      return createType(keyspaces, statement, context);
    case 'alterType':
      return alterType(keyspaces, statement, context);
    case 'dropType':
      return dropType(keyspaces, statement, context);
  }
}

/**
 * System keyspaces are not user-modifiable: Cassandra's ClientState refuses DDL on them as
 * Unauthorized before the statement runs; CREATE KEYSPACE of such a name fails in the statement.
 */
function checkModifiable(statement: DdlStatement, session: Session): void {
  if (statement.kind === 'createKeyspace') {
    if (LOCAL_SYSTEM_KEYSPACES.has(statement.keyspace))
      throw new InvalidRequestError(`System keyspace '${statement.keyspace}' is not user-modifiable`);
    return;
  }
  const keyspace =
    statement.kind === 'alterKeyspace' || statement.kind === 'dropKeyspace'
      ? statement.keyspace
      : keyspaceOf(
          statement.kind === 'createType' || statement.kind === 'alterType' || statement.kind === 'dropType'
            ? statement.type
            : statement.table,
          session,
        );
  if (LOCAL_SYSTEM_KEYSPACES.has(keyspace))
    throw new UnauthorizedError(`${keyspace} keyspace is not user-modifiable.`);
}
