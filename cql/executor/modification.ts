import type { Clustering, DecoratedKey, DeletionTime, Mutation, Row } from '../../storage/model.js';
import { liveRow } from '../../storage/read-filter.js';
import type {
  DeleteStatement,
  InsertStatement,
  ModificationStatement,
  Term,
  UpdateStatement,
} from '../parser/index.js';
import type { ColumnMetadata, TableMetadata } from '../schema/metadata.js';
import type { PreparedAttributes } from './attributes.js';
import { prepareAttributes, timestampOf, ttlOf } from './attributes.js';
import type { ClusteringShape } from './clustering-selection.js';
import { clusteringShape, evaluateClustering, rangeBounds } from './clustering-selection.js';
import { checkCounterConsistency, DEFAULT_CONSISTENCY, writeOptionsFor } from './data-store.js';
import type { ExecutorEnvironment } from './environment.js';
import { insertFromJson } from './json.js';
import { cartesian, decoratedKey, singleColumnKey, sortedUnique, tupleComparator } from './keys.js';
import {
  clusteringComparatorOf,
  MutationCollector,
  NO_CLUSTERING,
  PartitionBuilder,
} from './mutation-builder.js';
import type { PreparedOperation, UpdateParameters } from './operations.js';
import { prepareAssignment, prepareDeletion } from './operations.js';
import type { SingleRestriction, WhereRestrictions } from './restrictions.js';
import { analyzeWhere, columnOf, equalityValues, isEquality, keyValue } from './restrictions.js';
import type { ExecuteOptions } from './result.js';
import type { MarkerScope, PreparedTerm } from './terms.js';
import { compileTerm, MarkerCollector } from './terms.js';
import type { BindMarkerSpec, BindValues, TermContext } from './values.js';
import { checkValueCount, invalidRequest } from './values.js';

export const LWT_NOT_SUPPORTED =
  'Conditional updates (IF NOT EXISTS, IF EXISTS and IF conditions) are not supported yet: lightweight transactions need Paxos';

/**
 * Where a statement's rows are, planned at prepare time. A statement whose form names one partition
 * (INSERT; EQ on every partition key column) and one row (INSERT; EQ on every clustering column;
 * the static row; a table without clustering) has `oneKey` / `oneClustering`: the usual write
 * builds no list of keys or clusterings.
 */
interface KeyPlan {
  readonly oneKey: OneKey | null;
  /** Every partition written, validated, sorted and without duplicates. */
  readonly keys: (ctx: TermContext) => DecoratedKey[];
  readonly oneClustering: OneClustering | null;
  /** Full clusterings for row writes ([[]] for the static row or a table without clustering). */
  readonly clusterings: (ctx: TermContext) => readonly Clustering[];
}

type OneKey = (ctx: TermContext) => DecoratedKey;
type ManyKeys = { readonly many: (ctx: TermContext) => DecoratedKey[] };
type OneClustering = (ctx: TermContext) => Clustering;
type ManyClusterings = { readonly many: (ctx: TermContext) => readonly Clustering[] };

function keyPlan(keys: OneKey | ManyKeys, clusterings: OneClustering | ManyClusterings): KeyPlan {
  return {
    oneKey: typeof keys === 'function' ? keys : null,
    keys: typeof keys === 'function' ? (ctx) => [keys(ctx)] : keys.many,
    oneClustering: typeof clusterings === 'function' ? clusterings : null,
    clusterings: typeof clusterings === 'function' ? (ctx) => [clusterings(ctx)] : clusterings.many,
  };
}

/** The key of a partition named by one value term per partition key column. */
function keyOfTerms(table: TableMetadata, terms: readonly PreparedTerm[]): OneKey {
  const columns = table.partitionKey;
  if (terms.length !== columns.length) throw new Error('assertion failed: one term per partition key column');
  if (terms.length === 1) {
    const term = terms[0]!;
    const column = columns[0]!;
    return (ctx) => singleColumnKey(keyValue(term(ctx), column));
  }
  return (ctx) =>
    decoratedKey(
      table,
      terms.map((t, i) => keyValue(t(ctx), columns[i]!)),
    );
}

/** The clustering of a row named by one value term per clustering column (none: NO_CLUSTERING). */
function clusteringOfTerms(table: TableMetadata, terms: readonly PreparedTerm[]): OneClustering {
  const columns = table.clustering;
  if (terms.length === 0) return () => NO_CLUSTERING;
  return (ctx) => terms.map((t, i) => keyValue(t(ctx), columns[i]!));
}

export interface PreparedModification {
  readonly kind: 'insert' | 'update' | 'delete';
  readonly table: TableMetadata;
  readonly isCounter: boolean;
  readonly bindMarkers: readonly BindMarkerSpec[];
  /** Marker index of each partition key column, when every one is a marker (token-aware routing). */
  readonly partitionKeyBindIndexes: readonly number[] | null;
  /** Adds this statement's writes to `collector` (a batch passes one collector to all its statements). */
  collect(collector: MutationCollector, ctx: TermContext, timestamp: number): Promise<void>;
  execute(values: BindValues, options?: ExecuteOptions): Promise<void>;
  /** The write timestamp: USING TIMESTAMP, else the protocol's, else the next generated one. */
  timestampFor(ctx: TermContext, options: ExecuteOptions): number;
  hasTimestamp(ctx: TermContext): boolean;
}

interface Body {
  readonly operations: readonly PreparedOperation[];
  /** Writes the row effects (marker, deletions) other than the operations. */
  readonly write: (
    p: PartitionBuilder,
    clustering: Clustering,
    params: UpdateParameters,
    ctx: TermContext,
  ) => void;
  readonly staticOnly: boolean;
}

type ExistingRows = { rows: Row[]; staticRow: Row | null };

const RESOLVED: Promise<void> = Promise.resolve();

class Modification implements PreparedModification {
  readonly isCounter: boolean;
  readonly bindMarkers: readonly BindMarkerSpec[];
  /** Some operation needs the current row (list index or removal). */
  private readonly needsRead: boolean;

  constructor(
    readonly kind: 'insert' | 'update' | 'delete',
    readonly table: TableMetadata,
    private readonly env: ExecutorEnvironment,
    private readonly keys: KeyPlan,
    private readonly body: Body,
    private readonly attributes: PreparedAttributes,
    markers: MarkerCollector,
    markerCount: number,
    readonly partitionKeyBindIndexes: readonly number[] | null,
  ) {
    this.isCounter = table.isCounter;
    this.bindMarkers = markerCount >= 0 ? markers.all(markerCount) : [];
    this.needsRead = body.operations.some((o) => o.requiresRead);
  }

  /** Not async for a statement that reads nothing, so a batch of plain writes awaits nothing here. */
  collect(collector: MutationCollector, ctx: TermContext, timestamp: number): Promise<void> {
    if (this.needsRead) return this.collectWithRead(collector, ctx, timestamp);
    try {
      this.collectWithoutRead(collector, this.parameters(ctx, timestamp));
      return RESOLVED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async collectWithRead(
    collector: MutationCollector,
    ctx: TermContext,
    timestamp: number,
  ): Promise<void> {
    const params = this.parameters(ctx, timestamp);
    const keys = this.keys.keys(ctx);
    const clusterings = this.keys.clusterings(ctx);
    for (const key of keys) {
      const builder = collector.partition(this.table, key);
      const existing = await this.readRows(key, ctx);
      for (const clustering of clusterings) this.writeRow(builder, clustering, params, existing);
    }
  }

  private collectWithoutRead(collector: MutationCollector, params: UpdateParameters): void {
    if (this.needsRead) throw new Error('assertion failed: a read-before-write statement collects async');
    const ctx = params.ctx;
    const keys = this.keys.keys(ctx);
    const clusterings = this.keys.clusterings(ctx);
    for (const key of keys) {
      const builder = collector.partition(this.table, key);
      for (const clustering of clusterings) this.writeRow(builder, clustering, params, null);
    }
  }

  /** The mutations of a statement that reads nothing; one partition and one row build no lists. */
  private mutationsWithoutRead(ctx: TermContext, timestamp: number): Mutation[] {
    const params = this.parameters(ctx, timestamp);
    const { oneKey, oneClustering } = this.keys;
    if (oneKey !== null && oneClustering !== null) {
      const builder = new PartitionBuilder(this.table, oneKey(ctx), this.body.operations.length);
      this.writeRow(builder, oneClustering(ctx), params, null);
      return [builder.build()];
    }
    const collector = new MutationCollector();
    this.collectWithoutRead(collector, params);
    return collector.build();
  }

  private parameters(ctx: TermContext, timestamp: number): UpdateParameters {
    const ttl = this.kind === 'delete' ? 0 : ttlOf(this.attributes, this.table, ctx);
    if (this.isCounter && this.attributes.ttl)
      throw invalidRequest('Cannot provide custom TTL for counter updates');
    return { ctx, timestamp, ttl, nowSeconds: Math.floor(ctx.nowMs / 1000) };
  }

  private writeRow(
    builder: PartitionBuilder,
    clustering: Clustering,
    params: UpdateParameters,
    existing: ExistingRows | null,
  ): void {
    const body = this.body;
    body.write(builder, clustering, params, params.ctx);
    const operations = body.operations;
    if (operations.length === 0) return;
    const target =
      body.staticOnly || clustering.length < this.table.clustering.length
        ? builder.static()
        : builder.row(clustering);
    const current = existing ? this.existingRow(existing, clustering) : null;
    for (const op of operations)
      op.apply(op.column.kind === 'static' ? builder.static() : target, params, current);
  }

  private async readRows(key: DecoratedKey, ctx: TermContext): Promise<ExistingRows> {
    const partition = await this.env.store.read(this.table.id, key, {}, { consistency: DEFAULT_CONSISTENCY });
    const now = Math.floor(ctx.nowMs / 1000);
    if (!partition) return { rows: [], staticRow: null };
    return {
      rows: partition.rows.map((r) => liveRow(r, now)).filter((r): r is Row => r !== null),
      staticRow: partition.staticRow ? liveRow(partition.staticRow, now) : null,
    };
  }

  private existingRow(existing: ExistingRows, clustering: Clustering): Row | null {
    if (this.body.staticOnly || clustering.length < this.table.clustering.length) return existing.staticRow;
    const compare = clusteringComparatorOf(this.table);
    const row = existing.rows.find((r) => compare(r.clustering, clustering) === 0) ?? null;
    // Static operations of a mixed statement read the static row.
    if (!row) return existing.staticRow;
    if (!existing.staticRow) return row;
    return { ...row, cells: [...row.cells, ...existing.staticRow.cells] };
  }

  /** Not async for a statement that reads nothing: a bad value rejects, it never throws. */
  execute(values: BindValues, options: ExecuteOptions = {}): Promise<void> {
    if (this.needsRead) return this.executeWithRead(values, options);
    try {
      checkValueCount(this.bindMarkers, values);
      const ctx: TermContext = { values, env: this.env, nowMs: this.env.clock.nowMs() };
      const consistency = options.consistency ?? DEFAULT_CONSISTENCY;
      if (this.isCounter) checkCounterConsistency(this.table.name, consistency);
      const mutations = this.mutationsWithoutRead(ctx, this.timestampFor(ctx, options));
      // A counter table's writes (increments as delta cells, and deletions) go through a leader
      // replica: the store is told so (README "Counters").
      return this.env.store.apply(
        mutations,
        writeOptionsFor(consistency, options.durable ?? true, this.isCounter),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async executeWithRead(values: BindValues, options: ExecuteOptions): Promise<void> {
    checkValueCount(this.bindMarkers, values);
    const ctx: TermContext = { values, env: this.env, nowMs: this.env.clock.nowMs() };
    const consistency = options.consistency ?? DEFAULT_CONSISTENCY;
    if (this.isCounter) checkCounterConsistency(this.table.name, consistency);
    const collector = new MutationCollector();
    await this.collectWithRead(collector, ctx, this.timestampFor(ctx, options));
    await this.env.store.apply(
      collector.build(),
      writeOptionsFor(consistency, options.durable ?? true, this.isCounter),
    );
  }

  timestampFor(ctx: TermContext, options: ExecuteOptions): number {
    const given = timestampOf(this.attributes, ctx);
    if (given !== undefined && this.isCounter)
      throw invalidRequest('Cannot provide custom timestamp for counter updates');
    return given ?? options.timestamp ?? this.env.timestamps.next();
  }

  hasTimestamp(ctx: TermContext): boolean {
    return timestampOf(this.attributes, ctx) !== undefined;
  }
}

function checkNoConditions(stmt: ModificationStatement): void {
  const conditional =
    ('ifNotExists' in stmt && stmt.ifNotExists) ||
    ('ifExists' in stmt && stmt.ifExists) ||
    ('conditions' in stmt && stmt.conditions.length > 0);
  if (conditional) throw invalidRequest(LWT_NOT_SUPPORTED);
}

/** Token-aware drivers route by the partition key: the marker index of each key column. */
function keyBindIndexes(
  table: TableMetadata,
  termOf: (column: ColumnMetadata) => Term | undefined,
): number[] | null {
  const indexes: number[] = [];
  for (const column of table.partitionKey) {
    const term = termOf(column);
    if (term?.kind !== 'bindMarker') return null;
    indexes.push(term.index);
  }
  return indexes;
}

export interface PrepareContext {
  readonly env: ExecutorEnvironment;
  /** Shared by the statements of a batch; a statement on its own gets its own. */
  readonly markers?: MarkerCollector;
  /** Number of markers of the whole statement (ParsedStatement.bindMarkers.length); -1 inside a batch. */
  readonly markerCount: number;
}

export function prepareModification(
  stmt: ModificationStatement,
  table: TableMetadata,
  context: PrepareContext,
): PreparedModification {
  checkNoConditions(stmt);
  const markers = context.markers ?? new MarkerCollector();
  const scope: MarkerScope = { collector: markers, keyspace: table.keyspace, table: table.name };
  switch (stmt.kind) {
    case 'insert':
      return prepareInsert(stmt, table, context, markers, scope);
    case 'update':
      return prepareUpdate(stmt, table, context, markers, scope);
    case 'delete':
      return prepareDelete(stmt, table, context, markers, scope);
    case 'insertJson':
      return prepareInsert(insertFromJson(stmt, table), table, context, markers, scope);
  }
}

function prepareInsert(
  stmt: InsertStatement,
  table: TableMetadata,
  context: PrepareContext,
  markers: MarkerCollector,
  scope: MarkerScope,
): PreparedModification {
  if (table.isCounter)
    throw invalidRequest('INSERT statements are not allowed on counter tables, use UPDATE instead');
  if (stmt.columns.length !== stmt.values.length) throw invalidRequest('Unmatched column names/values');
  const terms = new Map<string, { column: ColumnMetadata; term: Term }>();
  for (let i = 0; i < stmt.columns.length; i++) {
    const column = columnOf(table, stmt.columns[i]!);
    if (terms.has(column.name)) throw invalidRequest(`Multiple definitions found for column ${column.name}`);
    terms.set(column.name, { column, term: stmt.values[i]! });
  }
  const missingPk = table.partitionKey.filter((c) => !terms.has(c.name));
  if (missingPk.length > 0) {
    throw invalidRequest(`Some partition key parts are missing: ${missingPk.map((c) => c.name).join(', ')}`);
  }
  const valueColumns = [...terms.values()].filter(
    (t) => t.column.kind === 'static' || t.column.kind === 'regular',
  );
  const staticOnly =
    table.clustering.length > 0 &&
    valueColumns.length > 0 &&
    valueColumns.every((t) => t.column.kind === 'static');
  const missingClustering = table.clustering.filter((c) => !terms.has(c.name));
  if (missingClustering.length > 0 && !(staticOnly && missingClustering.length === table.clustering.length)) {
    throw invalidRequest(
      `Some clustering keys are missing: ${missingClustering.map((c) => c.name).join(', ')}`,
    );
  }
  const compiled = (column: ColumnMetadata) =>
    compileTerm(terms.get(column.name)!.term, { name: column.name, type: column.type }, scope);
  const pkTerms = table.partitionKey.map(compiled);
  const ckTerms = staticOnly ? [] : table.clustering.map(compiled);
  const operations = valueColumns.map((t) =>
    prepareAssignment(
      { kind: 'set', column: t.column.name, value: t.term, position: stmt.position },
      t.column,
      scope,
    ),
  );
  const attributes = prepareAttributes(stmt.using, scope);
  const keys = keyPlan(keyOfTerms(table, pkTerms), clusteringOfTerms(table, ckTerms));
  const body: Body = {
    operations,
    staticOnly,
    write: (p, clustering, params) => {
      const liveness = {
        timestamp: params.timestamp,
        ttl: params.ttl,
        localExpirationTime: params.ttl > 0 ? params.nowSeconds + params.ttl : 0x7fffffff,
      };
      (staticOnly ? p.static() : p.row(clustering)).mark(liveness);
    },
  };
  const pkIndexes = keyBindIndexes(table, (c) => terms.get(c.name)?.term);
  return new Modification(
    'insert',
    table,
    context.env,
    keys,
    body,
    attributes,
    markers,
    context.markerCount,
    pkIndexes,
  );
}

/** Partition keys from the WHERE clause of UPDATE / DELETE, with Cassandra's checks. */
function partitionKeysOf(where: WhereRestrictions, type: 'UPDATE' | 'DELETE'): OneKey | ManyKeys {
  const table = where.table;
  if (where.token)
    throw invalidRequest(`The token function cannot be used in WHERE clauses for ${type} statements`);
  const missing = table.partitionKey.filter((c) => !where.partitionKey.has(c.name));
  if (missing.length > 0)
    throw invalidRequest(`Some partition key parts are missing: ${missing.map((c) => c.name).join(', ')}`);
  for (const r of where.partitionKey.values()) {
    if (!isEquality(r)) {
      throw invalidRequest(
        `Only EQ and IN relation are supported on the partition key (unless you use the token() function) for ${type} statements`,
      );
    }
  }
  const restrictions = table.partitionKey.map((c) => where.partitionKey.get(c.name)!);
  const equalities = equalityTerms(restrictions);
  if (equalities !== null) return keyOfTerms(table, equalities);
  const compare = tupleComparator(table.partitionKey);
  return {
    many: (ctx) => {
      const lists = restrictions.map((r) => equalityValues(r, ctx));
      return sortedUnique(cartesian(lists), compare).map((components) => decoratedKey(table, components));
    },
  };
}

/** The EQ term of each restriction, or null when one is an IN. */
function equalityTerms(restrictions: readonly SingleRestriction[]): PreparedTerm[] | null {
  const terms: PreparedTerm[] = [];
  for (const r of restrictions) {
    if (r.eq === undefined) return null;
    terms.push(r.eq);
  }
  return terms;
}

/** The rows of a statement that restricts every clustering column by EQ / IN. */
function rowClusterings(where: WhereRestrictions, shape: ClusteringShape): OneClustering | ManyClusterings {
  const table = where.table;
  if (where.multi === null && !shape.hasIn && shape.complete) {
    const equalities = equalityTerms(table.clustering.map((c) => where.clustering.get(c.name)!));
    if (equalities !== null) return clusteringOfTerms(table, equalities);
  }
  return { many: (ctx) => evaluateClustering(where, shape, ctx).prefixes.map((p) => p.slice()) };
}

function checkOnlyPrimaryKey(where: WhereRestrictions): void {
  if (where.others.size > 0) {
    throw invalidRequest(
      `Non PRIMARY KEY columns found in where clause: ${[...where.others.keys()].join(', ')} `,
    );
  }
}

function prepareUpdate(
  stmt: UpdateStatement,
  table: TableMetadata,
  context: PrepareContext,
  markers: MarkerCollector,
  scope: MarkerScope,
): PreparedModification {
  const operations = stmt.assignments.map((a) => {
    const column = columnOf(table, a.column);
    if (column.kind === 'partition_key' || column.kind === 'clustering') {
      throw invalidRequest(`PRIMARY KEY part ${column.name} found in SET part`);
    }
    return prepareAssignment(a, column, scope);
  });
  const attributes = prepareAttributes(stmt.using, scope);
  const where = analyzeWhere(table, stmt.where, 'UPDATE', scope);
  const staticOnly = table.clustering.length > 0 && operations.every((o) => o.column.kind === 'static');
  const partitionKeys = partitionKeysOf(where, 'UPDATE');
  checkOnlyPrimaryKey(where);
  const shape = clusteringShape(where);
  checkRowClustering(table, shape, staticOnly, 'UPDATE');
  const keys = keyPlan(partitionKeys, staticOnly ? () => NO_CLUSTERING : rowClusterings(where, shape));
  // An UPDATE writes no row marker: a row it creates disappears when its cells do (as Cassandra).
  const body: Body = { operations, staticOnly, write: () => {} };
  const pkIndexes = keyBindIndexes(table, (c) => whereTerm(stmt.where, c.name));
  return new Modification(
    'update',
    table,
    context.env,
    keys,
    body,
    attributes,
    markers,
    context.markerCount,
    pkIndexes,
  );
}

function whereTerm(relations: UpdateStatement['where'], column: string): Term | undefined {
  for (const r of relations)
    if (r.kind === 'compare' && r.operator === '=' && r.column === column) return r.value;
  return undefined;
}

/** UPDATE (and DELETE of columns) needs every clustering column by EQ / IN, unless it only touches statics. */
function checkRowClustering(
  table: TableMetadata,
  shape: ClusteringShape,
  staticOnly: boolean,
  type: 'UPDATE' | 'DELETE',
): void {
  if (shape.hasSlice && type === 'UPDATE') {
    throw invalidRequest(
      `Slice restrictions are not supported on the clustering columns in ${type} statements`,
    );
  }
  if (staticOnly && shape.restricted) {
    throw invalidRequest(
      `Invalid restrictions on clustering columns since the ${type} statement modifies only static columns`,
    );
  }
  if (staticOnly) return;
  if (shape.filteringReason) throw invalidRequest(shape.filteringReason);
  if (!shape.complete) {
    const missing = table.clustering.slice(shape.depth).map((c) => c.name);
    throw invalidRequest(`Some clustering keys are missing: ${missing.join(', ')}`);
  }
}

function prepareDelete(
  stmt: DeleteStatement,
  table: TableMetadata,
  context: PrepareContext,
  markers: MarkerCollector,
  scope: MarkerScope,
): PreparedModification {
  if (stmt.using.ttl) throw invalidRequest('TTL attribute is not allowed for deletes');
  const operations = stmt.deletions.map((d) => {
    const column = columnOf(table, d.column);
    if (column.kind === 'partition_key' || column.kind === 'clustering') {
      throw invalidRequest(
        `Invalid identifier ${column.name} for deletion (should not be a PRIMARY KEY part)`,
      );
    }
    return prepareDeletion(d, column, scope);
  });
  const attributes = prepareAttributes(stmt.using, scope);
  const where = analyzeWhere(table, stmt.where, 'DELETE', scope);
  const partitionKeys = partitionKeysOf(where, 'DELETE');
  checkOnlyPrimaryKey(where);
  const shape = clusteringShape(where);
  const staticOnly =
    table.clustering.length > 0 &&
    operations.length > 0 &&
    operations.every((o) => o.column.kind === 'static');
  if (operations.length > 0) {
    if (!staticOnly && !shape.complete && !shape.filteringReason) {
      throw invalidRequest('Range deletions are not supported for specific columns');
    }
    checkRowClustering(table, shape, staticOnly, 'DELETE');
  } else if (shape.filteringReason) {
    throw invalidRequest(shape.filteringReason);
  }
  const pkIndexes = keyBindIndexes(table, (c) => whereTerm(stmt.where, c.name));
  const rangeDelete = operations.length === 0 && !shape.complete;
  const keys = keyPlan(
    partitionKeys,
    staticOnly || rangeDelete ? () => NO_CLUSTERING : rowClusterings(where, shape),
  );
  const body: Body = {
    operations,
    staticOnly: staticOnly || rangeDelete,
    write: (p, clustering, params, ctx) => {
      if (operations.length > 0) return;
      const deletion: DeletionTime = {
        markedForDeleteAt: params.timestamp,
        localDeletionTime: params.nowSeconds,
      };
      if (!rangeDelete) {
        p.row(clustering).delete(deletion);
        return;
      }
      writeRangeDeletion(p, where, shape, deletion, ctx);
    },
  };
  return new Modification(
    'delete',
    table,
    context.env,
    keys,
    body,
    attributes,
    markers,
    context.markerCount,
    pkIndexes,
  );
}

/** DELETE without full clustering: the partition, or one range tombstone per equality prefix. */
function writeRangeDeletion(
  p: PartitionBuilder,
  where: WhereRestrictions,
  shape: ClusteringShape,
  deletion: DeletionTime,
  ctx: TermContext,
): void {
  const table = where.table;
  if (!shape.restricted) {
    p.deletePartition(deletion);
    return;
  }
  const sel = evaluateClustering(where, shape, ctx);
  for (const prefix of sel.prefixes) {
    const bounds = rangeBounds(table, sel, prefix);
    if (!bounds)
      throw invalidRequest(
        'Multi-column range deletions over clustering columns of mixed order are not supported',
      );
    p.deleteRange(bounds.start, bounds.end, deletion);
  }
}
