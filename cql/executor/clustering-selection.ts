/**
 * Clustering restrictions evaluated for one execution: equality prefixes (EQ / IN on leading
 * columns, a multi-column EQ / IN), then at most one slice, then restrictions that can only be
 * filtered. Gives storage slices and range tombstone bounds in clustering order, and a precise
 * row predicate. Slices compare in the columns' natural type order, as Cassandra's tuple relations
 * do, whatever the clustering order.
 */
import type { Clustering, ClusteringBound, ClusteringSlice } from '../../storage/model.js';
import type { ColumnMetadata, TableMetadata } from '../schema/metadata.js';
import { comparatorFor } from '../types/index.js';
import { splitComponentBytes } from './collection-bytes.js';
import { cartesian, sortedUniqueTuples } from './keys.js';
import { clusteringComparatorOf } from './mutation-builder.js';
import type { Bound, SingleRestriction, WhereRestrictions } from './restrictions.js';
import { equalityValues, isEquality, isSlice, keyValue, multiEqualityValues } from './restrictions.js';
import type { TermContext } from './values.js';

/** The structure of the clustering restrictions, known at prepare time. */
export interface ClusteringShape {
  /** Leading columns restricted by EQ / IN. */
  readonly depth: number;
  readonly hasIn: boolean;
  /** A slice right after the equality prefix. */
  readonly hasSlice: boolean;
  /** Restrictions that storage order cannot serve: they are filtered row by row. */
  readonly filtered: readonly SingleRestriction[];
  /** Why filtering is needed (Cassandra's message when ALLOW FILTERING is absent). */
  readonly filteringReason: string | null;
  /** Every clustering column is restricted by EQ / IN. */
  readonly complete: boolean;
  readonly restricted: boolean;
}

export function clusteringShape(where: WhereRestrictions): ClusteringShape {
  const columns = where.table.clustering;
  if (where.multi) {
    const m = where.multi;
    const first = m.columns[0]!;
    if (first.position !== 0) {
      return {
        depth: 0,
        hasIn: false,
        hasSlice: false,
        filtered: [],
        filteringReason: precedingMessage(first, columns[first.position - 1]!),
        complete: false,
        restricted: true,
      };
    }
    const eq = isEquality(m as unknown as SingleRestriction);
    const depth = eq ? m.columns.length : 0;
    return {
      depth,
      hasIn: m.inTerms !== undefined || m.inList !== undefined,
      hasSlice: isSlice(m),
      filtered: [],
      filteringReason: null,
      complete: depth === columns.length,
      restricted: true,
    };
  }
  let depth = 0;
  let hasIn = false;
  let hasSlice = false;
  let stop: ColumnMetadata | null = null;
  let stopBySlice = false;
  const filtered: SingleRestriction[] = [];
  let filteringReason: string | null = null;
  for (const column of columns) {
    const r = where.clustering.get(column.name);
    if (stop !== null) {
      if (r) {
        filtered.push(r);
        filteringReason ??= stopBySlice
          ? `Clustering column "${column.name}" cannot be restricted (preceding column "${stop.name}" is restricted by a non-EQ relation)`
          : precedingMessage(column, stop);
      }
      continue;
    }
    if (r && (r.contains.length > 0 || r.containsKey.length > 0)) {
      filtered.push(r);
      filteringReason ??=
        'Clustering columns can only be restricted with CONTAINS with a secondary index or filtering';
      stop = column;
    } else if (r && isEquality(r)) {
      depth++;
      if (!r.eq) hasIn = true;
    } else if (r && isSlice(r)) {
      hasSlice = true;
      stop = column;
      stopBySlice = true;
    } else {
      stop = column;
    }
  }
  return {
    depth,
    hasIn,
    hasSlice,
    filtered,
    filteringReason,
    complete: depth === columns.length,
    restricted: where.clustering.size > 0,
  };
}

function precedingMessage(column: ColumnMetadata, preceding: ColumnMetadata): string {
  return `PRIMARY KEY column "${column.name}" cannot be restricted as preceding column "${preceding.name}" is not restricted`;
}

interface SliceBound {
  readonly values: readonly Uint8Array[];
  readonly inclusive: boolean;
}

/** The clustering restrictions with their values bound. */
export interface ClusteringSelection {
  /** Equality prefixes, sorted in clustering order, without duplicates; `[[]]` when there are none. */
  readonly prefixes: readonly Clustering[];
  readonly depth: number;
  readonly lower: SliceBound | null;
  readonly upper: SliceBound | null;
  readonly filters: readonly ((c: Clustering) => boolean)[];
  /** An equality set was empty (IN ()), or bounds exclude everything. */
  readonly empty: boolean;
}

function boundValues(
  bound: Bound | undefined,
  ctx: TermContext,
  width: number,
  column: ColumnMetadata,
): SliceBound | null {
  if (!bound) return null;
  const value = keyValue(bound.term(ctx), column);
  const values = width === 1 ? [value] : splitComponentBytes(value).map((v) => keyValue(v, column));
  return { values, inclusive: bound.inclusive };
}

export function evaluateClustering(
  where: WhereRestrictions,
  shape: ClusteringShape,
  ctx: TermContext,
): ClusteringSelection {
  const table = where.table;
  const columns = table.clustering;
  let tuples: Uint8Array[][];
  let lower: SliceBound | null = null;
  let upper: SliceBound | null = null;
  if (where.multi) {
    const m = where.multi;
    tuples = shape.depth > 0 ? multiEqualityValues(m, ctx) : [[]];
    const first = m.columns[0]!;
    lower = m.lower ? boundValues(m.lower, ctx, m.lower.width, first) : null;
    upper = m.upper ? boundValues(m.upper, ctx, m.upper.width, first) : null;
  } else {
    const lists = columns
      .slice(0, shape.depth)
      .map((c) => equalityValues(where.clustering.get(c.name)!, ctx));
    tuples = cartesian(lists);
    if (shape.hasSlice) {
      const column = columns[shape.depth]!;
      const r = where.clustering.get(column.name)!;
      lower = boundValues(r.lower, ctx, 1, column);
      upper = boundValues(r.upper, ctx, 1, column);
    }
  }
  const prefixes = sortedUniqueTuples(tuples, columns.slice(0, shape.depth), false);
  return {
    prefixes,
    depth: shape.depth,
    lower,
    upper,
    filters: shape.filtered.map((r) => clusteringFilter(r, ctx)),
    empty: prefixes.length === 0,
  };
}

/** A single-column restriction on clustering column `r.column` checked row by row. */
function clusteringFilter(r: SingleRestriction, ctx: TermContext): (c: Clustering) => boolean {
  const position = r.column.position;
  const compare = comparatorFor(r.column.type);
  const allowed = isEquality(r) ? equalityValues(r, ctx) : null;
  const lower = boundValues(r.lower, ctx, 1, r.column);
  const upper = boundValues(r.upper, ctx, 1, r.column);
  return (c) => {
    const v = c[position]!;
    if (allowed && !allowed.some((a) => compare(a, v) === 0)) return false;
    if (lower && !passesLower(compare(v, lower.values[0]!), lower.inclusive)) return false;
    if (upper && !passesUpper(compare(v, upper.values[0]!), upper.inclusive)) return false;
    return true;
  };
}

const passesLower = (cmp: number, inclusive: boolean) => cmp > 0 || (cmp === 0 && inclusive);
const passesUpper = (cmp: number, inclusive: boolean) => cmp < 0 || (cmp === 0 && inclusive);

/** Natural-order comparison of `c[from..]` with a bound tuple (a shorter tuple compares as a prefix). */
function compareTuple(
  table: TableMetadata,
  c: Clustering,
  from: number,
  values: readonly Uint8Array[],
): number {
  for (let i = 0; i < values.length; i++) {
    const column = table.clustering[from + i]!;
    const cmp = comparatorFor(column.type)(c[from + i]!, values[i]!);
    if (cmp !== 0) return cmp;
  }
  return 0;
}

/** Does a full clustering satisfy the selection? */
export function clusteringMatches(table: TableMetadata, sel: ClusteringSelection, c: Clustering): boolean {
  if (sel.depth > 0) {
    const compare = clusteringComparatorOf(table);
    const prefix = c.slice(0, sel.depth);
    if (!sel.prefixes.some((p) => compare(p, prefix) === 0)) return false;
  }
  if (sel.lower && !passesLower(compareTuple(table, c, sel.depth, sel.lower.values), sel.lower.inclusive))
    return false;
  if (sel.upper && !passesUpper(compareTuple(table, c, sel.depth, sel.upper.values), sel.upper.inclusive))
    return false;
  return sel.filters.every((f) => f(c));
}

/**
 * The range of one equality prefix plus the slice, as clustering bounds (clustering order), or null
 * when the slice's columns mix ASC and DESC (then only the prefix bounds the range).
 */
export function rangeBounds(
  table: TableMetadata,
  sel: ClusteringSelection,
  prefix: Clustering,
): { start: ClusteringBound; end: ClusteringBound } | null {
  const whole = { start: { prefix, inclusive: true }, end: { prefix, inclusive: true } };
  if (!sel.lower && !sel.upper) return whole;
  const width = Math.max(sel.lower?.values.length ?? 0, sel.upper?.values.length ?? 0);
  const sliceColumns = table.clustering.slice(sel.depth, sel.depth + width);
  const descending = sliceColumns[0]!.clusteringOrder === 'desc';
  if (sliceColumns.some((c) => (c.clusteringOrder === 'desc') !== descending)) return null;
  const toBound = (b: SliceBound | null): ClusteringBound =>
    b ? { prefix: [...prefix, ...b.values], inclusive: b.inclusive } : { prefix, inclusive: true };
  return descending
    ? { start: toBound(sel.upper), end: toBound(sel.lower) }
    : { start: toBound(sel.lower), end: toBound(sel.upper) };
}

/** The storage slice that covers the selection (exact for one prefix; the whole partition otherwise). */
export function storageSlice(
  table: TableMetadata,
  sel: ClusteringSelection,
  reversed: boolean,
): ClusteringSlice {
  if (sel.prefixes.length !== 1 || sel.filters.length > 0) return reversed ? { reversed } : {};
  const bounds = rangeBounds(table, sel, sel.prefixes[0]!);
  const prefix = sel.prefixes[0]!;
  const { start, end } = bounds ?? { start: { prefix, inclusive: true }, end: { prefix, inclusive: true } };
  const slice: { start?: ClusteringBound; end?: ClusteringBound; reversed?: boolean } = {};
  if (start.prefix.length > 0) slice.start = start;
  if (end.prefix.length > 0) slice.end = end;
  if (reversed) slice.reversed = true;
  return slice;
}
