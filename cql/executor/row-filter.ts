/** Filtering of rows on columns storage order cannot serve (ALLOW FILTERING), with bound values. */
import type { ColumnMetadata } from '../schema/metadata.js';
import { comparatorFor } from '../types/index.js';
import { collectionElements, mapEntries } from './collection-bytes.js';
import type { SingleRestriction } from './restrictions.js';
import { equalityValues, isEquality } from './restrictions.js';
import type { ResultRow } from './selection.js';
import { rowColumnValue } from './selection.js';
import type { BoundValue, TermContext } from './values.js';
import { invalidRequest, UNSET } from './values.js';

export type RowPredicate = (row: ResultRow) => boolean;

function filterValue(value: BoundValue, column: ColumnMetadata): Uint8Array {
  if (value === null) throw invalidRequest(`Unsupported null value for column ${column.name}`);
  if (value === UNSET) throw invalidRequest(`Unsupported unset value for column ${column.name}`);
  return value;
}

/** The elements CONTAINS looks at: list / set elements, map values. */
function containedValues(column: ColumnMetadata, value: Uint8Array): Uint8Array[] {
  if (column.type.kind === 'map') return mapEntries(value).map(([, v]) => v);
  return collectionElements(value);
}

export function restrictionPredicate(r: SingleRestriction, ctx: TermContext): RowPredicate {
  const column = r.column;
  const compare = comparatorFor(column.type);
  const allowed = isEquality(r) ? equalityValues(r, ctx) : null;
  const lower = r.lower
    ? { value: filterValue(r.lower.term(ctx), column), inclusive: r.lower.inclusive }
    : null;
  const upper = r.upper
    ? { value: filterValue(r.upper.term(ctx), column), inclusive: r.upper.inclusive }
    : null;
  const contains = r.contains.map((t) => filterValue(t(ctx), column));
  const containsKey = r.containsKey.map((t) => filterValue(t(ctx), column));
  const entries = r.entries.map(
    (e) => [filterValue(e.key(ctx), column), filterValue(e.value(ctx), column)] as const,
  );
  const t = column.type;
  const elementCompare =
    t.kind === 'list' || t.kind === 'set'
      ? comparatorFor(t.element)
      : t.kind === 'map'
        ? comparatorFor(t.value)
        : compare;
  const keyCompare = t.kind === 'map' ? comparatorFor(t.key) : compare;
  return (row) => {
    const v = rowColumnValue(column, row);
    if (v === null) return false;
    if (allowed && !allowed.some((a) => compare(v, a) === 0)) return false;
    if (lower) {
      const c = compare(v, lower.value);
      if (c < 0 || (c === 0 && !lower.inclusive)) return false;
    }
    if (upper) {
      const c = compare(v, upper.value);
      if (c > 0 || (c === 0 && !upper.inclusive)) return false;
    }
    if (contains.length > 0) {
      const elements = containedValues(column, v);
      if (!contains.every((c) => elements.some((e) => elementCompare(e, c) === 0))) return false;
    }
    if (containsKey.length > 0 || entries.length > 0) {
      const map = mapEntries(v);
      if (!containsKey.every((k) => map.some(([mk]) => keyCompare(mk, k) === 0))) return false;
      const valueCompare = t.kind === 'map' ? comparatorFor(t.value) : compare;
      if (
        !entries.every(([k, ev]) =>
          map.some(([mk, mv]) => keyCompare(mk, k) === 0 && valueCompare(mv, ev) === 0),
        )
      )
        return false;
    }
    return true;
  };
}
