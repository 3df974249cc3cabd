/**
 * SELECT prepared against its table (Cassandra's SelectStatement): the WHERE clause decides how the
 * data is reached — named partitions (EQ / IN on the whole partition key) or a walk of the token
 * order (no key, a token range, or key filtering) — then rows are sliced and filtered, selected,
 * aggregated or grouped, limited and paged.
 */
import { splitPartitionKey } from '../../ring/composite-key.js';
import { withCounterTotals } from '../../storage/counters.js';
import type { ClusteringComparator, ClusteringSlice, Partition } from '../../storage/model.js';
import { livePartition } from '../../storage/read-filter.js';
import type { KeyBound, ScanRange } from '../../storage/table-store.js';
import type { Selectable, SelectStatement } from '../parser/index.js';
import type { TableMetadata } from '../schema/metadata.js';
import { CqlTypes, maybeQuoteIdentifier, serialize } from '../types/index.js';
import type { ClusteringSelection, ClusteringShape } from './clustering-selection.js';
import {
  clusteringMatches,
  clusteringShape,
  evaluateClustering,
  storageSlice,
} from './clustering-selection.js';
import { readInt64 } from './collection-bytes.js';
import type { ConsistencyLevel } from './data-store.js';
import { DEFAULT_CONSISTENCY } from './data-store.js';
import type { ExecutorEnvironment } from './environment.js';
import { valueToJson } from './json.js';
import { cartesian, decoratedKey, sortedUniqueTuples } from './keys.js';
import { clusteringComparatorOf } from './mutation-builder.js';
import type { PagingState } from './paging-state.js';
import { decodePagingState, encodePagingState } from './paging-state.js';
import type { SingleRestriction, TokenRestriction, WhereRestrictions } from './restrictions.js';
import { analyzeWhere, columnOf, equalityValues, isEquality, keyValue } from './restrictions.js';
import type { ExecuteOptions, ResultSet } from './result.js';
import type { RowPredicate } from './row-filter.js';
import { restrictionPredicate } from './row-filter.js';
import type { CompiledSelection, CompiledSelector, ResultRow } from './selection.js';
import { compileSelection } from './selection.js';
import type { MarkerScope, PreparedTerm } from './terms.js';
import { compileTerm, MarkerCollector } from './terms.js';
import type { BindMarkerSpec, BindValues, TermContext } from './values.js';
import { checkValueCount, invalidRequest, UNSET } from './values.js';

export const REQUIRES_ALLOW_FILTERING_MESSAGE =
  'Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. ' +
  'If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING';

/** How partitions are reached. */
type KeyMode = 'keys' | 'scan';

export interface PreparedSelect {
  readonly kind: 'select';
  readonly table: TableMetadata;
  readonly bindMarkers: readonly BindMarkerSpec[];
  readonly partitionKeyBindIndexes: readonly number[] | null;
  /** The result columns (also known before execution, for PREPARED metadata). */
  readonly columns: ResultSet['columns'];
  execute(values: BindValues, options?: ExecuteOptions): Promise<ResultSet>;
}

interface SelectPlan {
  readonly table: TableMetadata;
  readonly where: WhereRestrictions;
  readonly keyMode: KeyMode;
  readonly shape: ClusteringShape;
  /** Partition key restrictions served by filtering (ALLOW FILTERING on part of the key). */
  readonly keyFilters: boolean;
  readonly reversed: boolean;
  readonly distinct: boolean;
  readonly json: boolean;
  readonly selection: CompiledSelection;
  readonly groupByDepth: number;
  readonly limit: PreparedTerm | null;
  readonly perPartitionLimit: PreparedTerm | null;
  /** Clustering or regular restrictions: a partition without rows gives no static-only row. */
  readonly selectsRows: boolean;
  readonly postOrder: boolean;
  readonly compare: ClusteringComparator;
  /** Restrictions served by filtering rows (ALLOW FILTERING): partition key parts, other columns. */
  readonly filtered: readonly SingleRestriction[];
  /** EQ on every partition key column: the key's terms in column order (one partition is read). */
  readonly keyTerms: readonly PreparedTerm[] | null;
}

/** One row on its way out; its key and clustering say where it came from (for paging). */
interface PositionedRow extends ResultRow {
  /** What PER PARTITION LIMIT still allows in this partition after this row. */
  readonly perPartitionLeft: number;
}

export function prepareSelect(
  stmt: SelectStatement,
  table: TableMetadata,
  context: { readonly env: ExecutorEnvironment; readonly markerCount: number },
): PreparedSelect {
  const markers = new MarkerCollector();
  const scope: MarkerScope = { collector: markers, keyspace: table.keyspace, table: table.name };
  const selection = compileSelection(stmt.selectors, table, scope);
  const where = analyzeWhere(table, stmt.where, 'SELECT', scope);
  const plan = planSelect(stmt, table, where, selection, scope);
  const bindMarkers = markers.all(context.markerCount);
  const columns = plan.json
    ? [{ keyspace: table.keyspace, table: table.name, name: '[json]', type: CqlTypes.text }]
    : selection.specs;
  const pkIndexes = keyBindIndexes(stmt, table);
  return {
    kind: 'select',
    table,
    bindMarkers,
    partitionKeyBindIndexes: pkIndexes,
    columns,
    execute: (values, options = {}) =>
      executeSelect(plan, context.env, bindMarkers, columns, values, options),
  };
}

function keyBindIndexes(stmt: SelectStatement, table: TableMetadata): number[] | null {
  const out: number[] = [];
  for (const column of table.partitionKey) {
    const r = stmt.where.find((w) => w.kind === 'compare' && w.operator === '=' && w.column === column.name);
    if (r?.kind !== 'compare' || r.value.kind !== 'bindMarker') return null;
    out.push(r.value.index);
  }
  return out;
}

function planSelect(
  stmt: SelectStatement,
  table: TableMetadata,
  where: WhereRestrictions,
  selection: CompiledSelection,
  scope: MarkerScope,
): SelectPlan {
  const allKeyEq = table.partitionKey.every((c) => {
    const r = where.partitionKey.get(c.name);
    return r !== undefined && isEquality(r);
  });
  const keyMode: KeyMode = allKeyEq ? 'keys' : 'scan';
  const keyFilters = !allKeyEq && where.partitionKey.size > 0;
  const shape = clusteringShape(where);
  const needsFiltering =
    keyFilters ||
    shape.filteringReason !== null ||
    where.others.size > 0 ||
    (keyMode === 'scan' && shape.restricted) ||
    (where.multi !== null && keyMode === 'scan');
  if (needsFiltering && !stmt.allowFiltering) {
    if (shape.filteringReason && !keyFilters && where.others.size === 0 && keyMode === 'keys') {
      throw invalidRequest(shape.filteringReason);
    }
    throw invalidRequest(REQUIRES_ALLOW_FILTERING_MESSAGE);
  }
  if (stmt.distinct) checkDistinct(selection, table, where);
  const reversed = orderingReversed(stmt, table, keyMode);
  const limit = stmt.limit ? compileTerm(stmt.limit, { name: '[limit]', type: CqlTypes.int }, scope) : null;
  const perPartitionLimit = stmt.perPartitionLimit
    ? compileTerm(stmt.perPartitionLimit, { name: '[per_partition_limit]', type: CqlTypes.int }, scope)
    : null;
  const keyTerms = table.partitionKey.map((c) => where.partitionKey.get(c.name)?.eq);
  return {
    table,
    where,
    keyMode,
    shape,
    keyFilters,
    reversed,
    distinct: stmt.distinct,
    json: stmt.json,
    selection,
    groupByDepth: groupByDepth(stmt.groupBy, table),
    limit,
    perPartitionLimit,
    selectsRows: shape.restricted || where.others.size > 0 || where.multi !== null,
    postOrder: stmt.orderBy.length > 0 && keyMode === 'keys',
    compare: clusteringComparatorOf(table),
    filtered: [...(keyFilters ? where.partitionKey.values() : []), ...where.others.values()],
    keyTerms: keyTerms.every((t) => t !== undefined) ? keyTerms : null,
  };
}

function checkDistinct(selection: CompiledSelection, table: TableMetadata, where: WhereRestrictions): void {
  if (selection.isWildcard) {
    throw invalidRequest(
      'SELECT DISTINCT queries must only request partition key columns and/or static columns (not *)',
    );
  }
  const selected = new Set(selection.selectors.flatMap((s) => s.columns));
  for (const column of selected) {
    if (column.kind === 'clustering' || column.kind === 'regular') {
      throw invalidRequest(
        `SELECT DISTINCT queries must only request partition key columns and/or static columns (not ${column.name})`,
      );
    }
  }
  const missing = table.partitionKey.filter((c) => !selected.has(c));
  if (missing.length > 0 && !selection.isAggregate) {
    throw invalidRequest(
      `SELECT DISTINCT queries must request all the partition key columns (missing ${missing.map((c) => c.name).join(', ')})`,
    );
  }
  if (
    where.clustering.size > 0 ||
    where.multi ||
    [...where.others.values()].some((r) => r.column.kind !== 'static')
  ) {
    throw invalidRequest(
      'SELECT DISTINCT with WHERE clause only supports restriction by partition key and/or static columns.',
    );
  }
}

/** ORDER BY: clustering columns in declared order, all reversed or none; true when the read is reversed. */
function orderingReversed(stmt: SelectStatement, table: TableMetadata, keyMode: KeyMode): boolean {
  if (stmt.orderBy.length === 0) return false;
  let reversed: boolean | null = null;
  stmt.orderBy.forEach((o, i) => {
    const column = table.columns.get(o.column);
    if (!column) throw invalidRequest(`Order by on unknown column ${o.column}`);
    if (column.kind !== 'clustering') {
      throw invalidRequest(
        `Order by is currently only supported on the clustered columns of the PRIMARY KEY, got ${o.column}`,
      );
    }
    if (column.position !== i) {
      throw invalidRequest(
        'Order by currently only supports the ordering of columns following their declared order in the PRIMARY KEY',
      );
    }
    const flipped = (o.order === 'desc') !== (column.clusteringOrder === 'desc');
    if (reversed !== null && reversed !== flipped) throw invalidRequest('Unsupported order by relation');
    reversed = flipped;
  });
  if (keyMode !== 'keys')
    throw invalidRequest(
      'ORDER BY is only supported when the partition key is restricted by an EQ or an IN.',
    );
  return reversed ?? false;
}

function groupByDepth(groupBy: readonly Selectable[], table: TableMetadata): number {
  const primaryKey = [...table.partitionKey, ...table.clustering];
  groupBy.forEach((s, i) => {
    if (s.kind !== 'column')
      throw invalidRequest('Functions are only supported on the last element of the GROUP BY clause');
    const column = columnOf(table, s.name);
    if (column.kind !== 'partition_key' && column.kind !== 'clustering') {
      throw invalidRequest(
        `Group by is currently only supported on the columns of the PRIMARY KEY, got ${column.name}`,
      );
    }
    if (primaryKey[i] !== column) {
      throw invalidRequest(
        'Group by currently only support groups of columns following their declared order in the PRIMARY KEY',
      );
    }
  });
  if (groupBy.length > 0 && groupBy.length < table.partitionKey.length) {
    throw invalidRequest(
      'Group by currently only support groups of columns following their declared order in the PRIMARY KEY',
    );
  }
  return groupBy.length;
}

// ---------------------------------------------------------------------------------------------
// Execution

function positiveLimit(term: PreparedTerm | null, ctx: TermContext, what: string): number {
  if (!term) return Number.POSITIVE_INFINITY;
  const value = term(ctx);
  if (value === UNSET) return Number.POSITIVE_INFINITY;
  if (value === null)
    throw invalidRequest(`Invalid null value of ${what === 'LIMIT' ? 'limit' : 'per partition limit'}`);
  const n = new DataView(value.buffer, value.byteOffset, 4).getInt32(0);
  if (n <= 0) throw invalidRequest(`${what} must be strictly positive`);
  return n;
}

async function executeSelect(
  plan: SelectPlan,
  env: ExecutorEnvironment,
  markers: readonly BindMarkerSpec[],
  columns: ResultSet['columns'],
  values: BindValues,
  options: ExecuteOptions,
): Promise<ResultSet> {
  checkValueCount(markers, values);
  const ctx: TermContext = { values, env, nowMs: env.clock.nowMs() };
  const limit = positiveLimit(plan.limit, ctx, 'LIMIT');
  const perPartition = positiveLimit(plan.perPartitionLimit, ctx, 'PER PARTITION LIMIT');
  const resume = options.pagingState ? decodePagingState(options.pagingState) : null;
  const pageSize = options.pageSize && options.pageSize > 0 ? options.pageSize : Number.POSITIVE_INFINITY;
  const warnings: string[] = [];
  const source = new RowSource(
    plan,
    env,
    ctx,
    options.consistency ?? DEFAULT_CONSISTENCY,
    perPartition,
    resume,
  );
  if (plan.selection.isAggregate || plan.groupByDepth > 0) {
    if (plan.keyMode !== 'keys' && plan.groupByDepth === 0)
      warnings.push('Aggregation query used without partition key');
    const rows = await aggregate(plan, source, ctx, limit);
    return { columns, rows: rows.map((r) => output(plan, r)), warnings };
  }
  if (plan.postOrder && source.keyCount() > 1) {
    return { columns, rows: await postOrdered(plan, source, ctx, limit, pageSize), warnings };
  }
  const remaining = resume && resume.remaining >= 0 ? Math.min(limit, resume.remaining) : limit;
  const page = await readPage(plan, source, ctx, Math.min(pageSize, remaining));
  const { rows, last } = page;
  const pagingState =
    page.more && last && rows.length < remaining
      ? encodePagingState({
          partitionKey: last.key.key,
          clustering: last.clustering,
          remaining: Number.isFinite(remaining) ? remaining - rows.length : -1,
          remainingInPartition: Number.isFinite(perPartition) ? last.perPartitionLeft : -1,
        })
      : undefined;
  return pagingState ? { columns, rows, pagingState, warnings } : { columns, rows, warnings };
}

interface Page {
  readonly rows: (Uint8Array | null)[][];
  /** The position of the last row taken. */
  readonly last: PositionedRow | null;
  /** True when a row followed the last one taken. */
  readonly more: boolean;
}

/** Up to `max` selected rows, and whether more follow (one row past the page is looked at). */
async function readPage(plan: SelectPlan, source: RowSource, ctx: TermContext, max: number): Promise<Page> {
  const rows: (Uint8Array | null)[][] = [];
  let last: PositionedRow | null = null;
  let more = false;
  await source.forEachRow((positioned) => {
    if (rows.length >= max) {
      more = true;
      return false;
    }
    rows.push(output(plan, selectRow(plan, positioned, ctx)));
    last = positioned;
    return true;
  });
  return { rows, last, more };
}

function selectRow(plan: SelectPlan, row: ResultRow, ctx: TermContext): (Uint8Array | null)[] {
  const out: (Uint8Array | null)[] = [];
  for (const selector of plan.selection.selectors) out.push(selectOne(selector, row, ctx));
  return out;
}

function selectOne(selector: CompiledSelector, row: ResultRow, ctx: TermContext): Uint8Array | null {
  if (selector.rowValue) return selector.rowValue(row, ctx);
  const instance = selector.instance(ctx);
  instance.add(row);
  return instance.output();
}

function output(plan: SelectPlan, values: (Uint8Array | null)[]): (Uint8Array | null)[] {
  if (!plan.json) return values;
  const fields = plan.selection.specs.map(
    (spec, i) =>
      `${JSON.stringify(maybeQuoteIdentifier(spec.name))}: ${valueToJson(spec.type, values[i] ?? null)}`,
  );
  return [serialize(CqlTypes.text, `{${fields.join(', ')}}`)];
}

/** Aggregates over all rows, or per GROUP BY group (consecutive rows sharing the key prefix). */
async function aggregate(
  plan: SelectPlan,
  source: RowSource,
  ctx: TermContext,
  limit: number,
): Promise<(Uint8Array | null)[][]> {
  const out: (Uint8Array | null)[][] = [];
  let instances = plan.selection.selectors.map((s) => s.instance(ctx));
  let groupKey: string | null = null;
  let any = false;
  let full = false;
  await source.forEachRow((row) => {
    const key = plan.groupByDepth > 0 ? groupKeyOf(plan, row) : '';
    if (groupKey !== null && key !== groupKey) {
      out.push(instances.map((i) => i.output()));
      if (out.length >= limit) {
        full = true;
        return false;
      }
      instances = plan.selection.selectors.map((s) => s.instance(ctx));
    }
    groupKey = key;
    any = true;
    for (const i of instances) i.add(row);
    return true;
  });
  if (full) return out;
  if (any || plan.groupByDepth === 0) out.push(instances.map((i) => i.output()));
  return out.slice(0, limit);
}

function groupKeyOf(plan: SelectPlan, row: ResultRow): string {
  const pk = plan.table.partitionKey.length;
  const parts = [...row.partitionKey, ...(row.clustering ?? [])].slice(0, plan.groupByDepth);
  if (plan.groupByDepth > pk && row.clustering === null) parts.push(new Uint8Array(0));
  return parts.map((p) => Buffer.from(p).toString('hex')).join(':');
}

/** IN on the partition key with ORDER BY: rows of all partitions sorted by clustering, unpaged. */
async function postOrdered(
  plan: SelectPlan,
  source: RowSource,
  ctx: TermContext,
  limit: number,
  pageSize: number,
): Promise<(Uint8Array | null)[][]> {
  const all: PositionedRow[] = [];
  await source.forEachRow((r) => {
    all.push(r);
    return true;
  });
  if (all.length > pageSize) {
    throw invalidRequest(
      'Cannot page queries with both ORDER BY and a IN restriction on the partition key; you must either remove the ORDER BY or the IN and sort client side, or disable paging for this query',
    );
  }
  const compare = plan.compare;
  const sign = plan.reversed ? -1 : 1;
  all.sort((a, b) => sign * compare(a.clustering ?? [], b.clustering ?? []));
  return all.slice(0, limit).map((r) => output(plan, selectRow(plan, r, ctx)));
}

/** Is `row` kept by every ALLOW FILTERING predicate? */
function passes(filters: readonly RowPredicate[], row: ResultRow): boolean {
  for (const f of filters) if (!f(row)) return false;
  return true;
}

const NO_FILTERS: readonly RowPredicate[] = [];
const WHOLE_PARTITION: ClusteringSlice = {};
const REVERSED: ClusteringSlice = { reversed: true };

/** Told each row in result order; false stops the walk. */
type RowVisitor = (row: PositionedRow) => boolean;

/**
 * The rows of a SELECT in result order, each with its position, resuming after a paging state.
 * Rows are pushed to a visitor rather than pulled through async generators: only the reads of
 * the store are awaited, and the rows of a partition follow one another synchronously.
 */
class RowSource {
  private readonly keys: readonly (readonly Uint8Array[])[] | null;
  private readonly clustering: ClusteringSelection | null;
  private readonly filters: readonly RowPredicate[];
  private readonly nowSeconds: number;

  constructor(
    private readonly plan: SelectPlan,
    private readonly env: ExecutorEnvironment,
    private readonly ctx: TermContext,
    private readonly consistency: ConsistencyLevel,
    private readonly perPartition: number,
    private readonly resume: PagingState | null,
  ) {
    this.keys = plan.keyMode === 'keys' ? partitionKeysOf(plan, ctx) : null;
    this.clustering =
      plan.shape.restricted || plan.where.multi ? evaluateClustering(plan.where, plan.shape, ctx) : null;
    this.filters =
      plan.filtered.length === 0 ? NO_FILTERS : plan.filtered.map((r) => restrictionPredicate(r, ctx));
    this.nowSeconds = Math.floor(ctx.nowMs / 1000);
  }

  keyCount(): number {
    return this.keys?.length ?? 0;
  }

  /** Gives `visit` the rows in result order until it returns false or the rows run out. */
  async forEachRow(visit: RowVisitor): Promise<void> {
    if (this.clustering?.empty) return;
    if (this.keys) return this.forEachKeyedRow(this.keys, visit);
    const range = this.scanRange();
    if (!range) return;
    for await (const p of this.env.store.scan(this.plan.table.id, range, { consistency: this.consistency })) {
      if (!this.partitionRows(p, visit)) return;
    }
  }

  /** The rows of the named partitions, read one after another in key order. */
  private async forEachKeyedRow(keys: readonly (readonly Uint8Array[])[], visit: RowVisitor): Promise<void> {
    const table = this.plan.table;
    const slice = this.clustering
      ? storageSlice(table, this.clustering, this.plan.reversed)
      : this.plan.reversed
        ? REVERSED
        : WHOLE_PARTITION;
    let started = this.resume === null;
    for (const components of keys) {
      const key = decoratedKey(table, components);
      if (!started) {
        if (Buffer.compare(key.key, this.resume!.partitionKey) !== 0) continue;
        started = true;
        if (this.resume!.clustering === null) continue;
      }
      const p = await this.env.store.read(table.id, key, slice, { consistency: this.consistency });
      if (p && !this.partitionRows(p, visit)) return;
    }
  }

  /** The token range of the WHERE clause, narrowed to what follows the paging state; null when empty. */
  private scanRange(): ScanRange | null {
    const tokens = this.plan.where.token ? tokenBounds(this.plan.where.token, this.ctx) : {};
    if (tokens === null) return null;
    let from = tokens.from;
    if (this.resume) {
      const key = this.resume.partitionKey;
      const resumeKey = decoratedKey(
        this.plan.table,
        splitPartitionKey(key, this.plan.table.partitionKey.length),
      );
      // The resumed partition is read whole (its static row is needed); rows up to the paging
      // state's clustering are skipped in partitionRows.
      from = { key: resumeKey, inclusive: this.resume.clustering !== null };
      const range: { from: KeyBound; to?: KeyBound } = { from };
      if (tokens.to) range.to = tokens.to;
      return range;
    }
    const range: { from?: KeyBound; to?: KeyBound } = {};
    if (from) range.from = from;
    if (tokens.to) range.to = tokens.to;
    return range;
  }

  /** Gives `visit` the selected live rows of one partition; false when `visit` asked to stop. */
  private partitionRows(partition: Partition, visit: RowVisitor): boolean {
    const plan = this.plan;
    const nowSeconds = this.nowSeconds;
    let live = livePartition(partition, nowSeconds);
    if (!live) return true;
    // Counter cells hold shards; a client sees their sum (the `counter` type's 8 bytes).
    if (plan.table.isCounter) live = withCounterTotals(live);
    const key = live.key;
    const partitionKey = splitPartitionKey(key.key, plan.table.partitionKey.length);
    const staticRow = live.staticRow;
    const resume = this.resume;
    const resumed = resume !== null && Buffer.compare(resume.partitionKey, key.key) === 0;
    let left = resumed && resume.remainingInPartition >= 0 ? resume.remainingInPartition : this.perPartition;
    if (left <= 0) return true;
    if (plan.distinct) return resumed || this.staticOnlyRow(live, partitionKey, left, visit);
    const after = resumed ? resume.clustering : null;
    const sign = plan.reversed ? -1 : 1;
    let emitted = false;
    for (const r of live.rows) {
      if (after && sign * plan.compare(r.clustering, after) <= 0) continue;
      if (this.clustering && !clusteringMatches(plan.table, this.clustering, r.clustering)) continue;
      const row: PositionedRow = {
        key,
        partitionKey,
        clustering: r.clustering,
        row: r,
        staticRow,
        nowSeconds,
        perPartitionLeft: left - 1,
      };
      if (!passes(this.filters, row)) continue;
      emitted = true;
      left--;
      if (!visit(row)) return false;
      if (left <= 0) return true;
    }
    // A partition with only static content reads as one row of statics (Cassandra's rule).
    if (!emitted && !resumed && !plan.selectsRows && live.rows.length === 0 && staticRow)
      return this.staticOnlyRow(live, partitionKey, left, visit);
    return true;
  }

  /** The row of a partition's statics alone (DISTINCT, or a partition without rows). */
  private staticOnlyRow(
    live: Partition,
    partitionKey: readonly Uint8Array[],
    left: number,
    visit: RowVisitor,
  ): boolean {
    const row: PositionedRow = {
      key: live.key,
      partitionKey,
      clustering: null,
      row: null,
      staticRow: live.staticRow,
      nowSeconds: this.nowSeconds,
      perPartitionLeft: left - 1,
    };
    return !passes(this.filters, row) || visit(row);
  }
}

/**
 * The partition keys named by the WHERE clause, sorted and without duplicates. EQ on every key
 * column (the usual lookup) names one partition: its values need no product or sort.
 */
function partitionKeysOf(plan: SelectPlan, ctx: TermContext): (readonly Uint8Array[])[] {
  const columns = plan.table.partitionKey;
  if (plan.keyTerms) {
    const components: Uint8Array[] = [];
    for (let i = 0; i < columns.length; i++) components.push(keyValue(plan.keyTerms[i]!(ctx), columns[i]!));
    return [components];
  }
  return sortedUniqueTuples(
    cartesian(columns.map((c) => equalityValues(plan.where.partitionKey.get(c.name)!, ctx))),
    columns,
  );
}

const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;
const EMPTY_KEY = new Uint8Array(0);

/** Key bounds of a token restriction: a key with no bytes sorts first among the keys of its token. */
function tokenBounds(r: TokenRestriction, ctx: TermContext): { from?: KeyBound; to?: KeyBound } | null {
  const tokenValue = (t: PreparedTerm): bigint => {
    const v = t(ctx);
    if (v === null || v === UNSET) throw invalidRequest('Invalid null token value');
    return readInt64(v);
  };
  let low: bigint | null = null;
  let high: bigint | null = null; // inclusive token bounds
  if (r.eq) low = high = tokenValue(r.eq);
  if (r.lower) {
    const t = tokenValue(r.lower.term);
    low = r.lower.inclusive ? t : t + 1n;
  }
  if (r.upper) {
    const t = tokenValue(r.upper.term);
    high = r.upper.inclusive ? t : t - 1n;
  }
  // As Cassandra: an upper bound at the minimum token means no upper bound.
  if (r.upper && !r.eq && tokenValue(r.upper.term) === MIN_TOKEN) high = null;
  if (low !== null && high !== null && low > high) return null;
  const out: { from?: KeyBound; to?: KeyBound } = {};
  if (low !== null && low > MIN_TOKEN) out.from = { key: { token: low, key: EMPTY_KEY }, inclusive: true };
  if (high !== null && high < MAX_TOKEN)
    out.to = { key: { token: high + 1n, key: EMPTY_KEY }, inclusive: false };
  if (high !== null && high < MIN_TOKEN) return null;
  return out;
}
