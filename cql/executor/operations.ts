/**
 * The column operations of INSERT, UPDATE and DELETE (Cassandra's Operation, Lists/Sets/Maps/
 * UserTypes setters, adders, discarders), prepared against the column's type. An operation writes
 * cells into a RowBuilder; operations that need the current value (list index, list removal)
 * declare it, and the statement reads the rows first. A counter increment reads nothing: it writes
 * a delta cell, which the leader replica turns into its shard (storage/counters.ts).
 */

import { counterDeltaCell } from '../../storage/counters.js';
import type { Cell, DeletionTime, Row } from '../../storage/model.js';
import { liveCell, tombstoneCell } from '../../storage/model.js';
import type { Assignment, Deletion } from '../parser/index.js';
import { formatTerm } from '../parser/index.js';
import type { ColumnMetadata } from '../schema/metadata.js';
import type { CqlType } from '../types/index.js';
import { CqlTypes, isCounter, isMultiCell, setOf } from '../types/index.js';
import { cellsByColumn, fieldPath, liveElementCells } from './cell-values.js';
import {
  bytesEqual,
  collectionElements,
  mapEntries,
  readInt64,
  splitComponentBytes,
} from './collection-bytes.js';
import type { RowBuilder } from './mutation-builder.js';
import type { MarkerScope, PreparedTerm } from './terms.js';
import { compileTerm } from './terms.js';
import type { TermContext } from './values.js';
import { invalidRequest, UNSET } from './values.js';

/** What every operation of one statement execution shares. */
export interface UpdateParameters {
  readonly ctx: TermContext;
  readonly timestamp: number;
  readonly ttl: number;
  readonly nowSeconds: number;
}

export interface PreparedOperation {
  readonly column: ColumnMetadata;
  /** Needs the row's current cells (passed as `existing`). */
  readonly requiresRead: boolean;
  apply(row: RowBuilder, params: UpdateParameters, existing: Row | null): void;
}

function cell(column: string, value: Uint8Array, p: UpdateParameters, path: Uint8Array | null = null): Cell {
  return liveCell(column, value, p.timestamp, p.ttl, p.nowSeconds, path);
}

function tombstone(column: string, p: UpdateParameters, path: Uint8Array | null = null): Cell {
  return tombstoneCell(column, p.timestamp, p.nowSeconds, path);
}

function deletionAt(markedForDeleteAt: number, p: UpdateParameters): DeletionTime {
  return { markedForDeleteAt, localDeletionTime: p.nowSeconds };
}

const EMPTY = new Uint8Array(0);

/** Element cells of a whole multi-cell value (list elements get fresh, increasing timeuuid paths). */
function elementCells(column: ColumnMetadata, value: Uint8Array, p: UpdateParameters): Cell[] {
  const name = column.name;
  const type = column.type;
  switch (type.kind) {
    case 'list':
      return collectionElements(value).map((e) => cell(name, e, p, p.ctx.env.timeuuids.next(p.ctx.nowMs)));
    case 'set':
      return collectionElements(value).map((e) => cell(name, EMPTY, p, e));
    case 'map':
      return mapEntries(value).map(([k, v]) => cell(name, v, p, k));
    case 'udt':
      return splitComponentBytes(value).flatMap((f, i) =>
        f === null ? [] : [cell(name, f, p, fieldPath(i))],
      );
    default:
      throw new Error('assertion failed: multi-cell column expected');
  }
}

/** `c = v`: a simple cell, or for a complex column a column deletion just before the new elements. */
function setter(column: ColumnMetadata, term: PreparedTerm): PreparedOperation {
  const multi = isMultiCell(column.type);
  return {
    column,
    requiresRead: false,
    apply(row, p) {
      const value = term(p.ctx);
      if (value === UNSET) return;
      if (!multi) {
        row.addCell(value === null ? tombstone(column.name, p) : cell(column.name, value, p));
        return;
      }
      // Cassandra deletes at timestamp - 1 so that the new elements, written at timestamp, survive.
      row.deleteColumn(column.name, deletionAt(p.timestamp - 1, p));
      if (value !== null) for (const c of elementCells(column, value, p)) row.addCell(c);
    },
  };
}

/**
 * `c = c + n` / `c = c - n`: a delta cell, no read. Two increments of one cell in one statement or
 * batch add up when the row is built (storage's counter reconciliation).
 */
function counterAdder(column: ColumnMetadata, term: PreparedTerm, negate: boolean): PreparedOperation {
  return {
    column,
    requiresRead: false,
    apply(row, p) {
      const value = term(p.ctx);
      if (value === UNSET) return;
      if (value === null) throw invalidRequest(`Invalid null value for counter increment`);
      const delta = readInt64(value);
      row.addCell(counterDeltaCell(column.name, negate ? -delta : delta, p.timestamp));
    },
  };
}

function collectionAdder(column: ColumnMetadata, term: PreparedTerm): PreparedOperation {
  return {
    column,
    requiresRead: false,
    apply(row, p) {
      const value = term(p.ctx);
      if (value === UNSET || value === null) return;
      for (const c of elementCells(column, value, p)) row.addCell(c);
    },
  };
}

/** Cassandra's list prepend: positions before every existing element, counting time backwards. */
const PREPEND_REFERENCE_MS = 1_262_304_000_000; // 2010-01-01, Cassandra's PrecisionTime reference

function listPrepender(column: ColumnMetadata, term: PreparedTerm): PreparedOperation {
  return {
    column,
    requiresRead: false,
    apply(row, p) {
      const value = term(p.ctx);
      if (value === UNSET || value === null) return;
      const elements = collectionElements(value);
      const ms = PREPEND_REFERENCE_MS - (p.ctx.nowMs - PREPEND_REFERENCE_MS);
      const paths = p.ctx.env.timeuuids.prepend(ms, elements.length);
      elements.forEach((e, i) => {
        row.addCell(cell(column.name, e, p, paths[i]!));
      });
    },
  };
}

function listDiscarder(column: ColumnMetadata, term: PreparedTerm): PreparedOperation {
  return {
    column,
    requiresRead: true,
    apply(row, p, existing) {
      const value = term(p.ctx);
      if (value === UNSET || value === null) return;
      const remove = collectionElements(value);
      const cells = liveElementCells(cellsByColumn(existing).get(column.name), column.type, p.nowSeconds);
      for (const c of cells) {
        if (remove.some((r) => bytesEqual(r, c.value!))) row.addCell(tombstone(column.name, p, c.path));
      }
    },
  };
}

/** Set element or map key removal: one tombstone per path. */
function pathDiscarder(column: ColumnMetadata, term: PreparedTerm): PreparedOperation {
  return {
    column,
    requiresRead: false,
    apply(row, p) {
      const value = term(p.ctx);
      if (value === UNSET || value === null) return;
      for (const e of collectionElements(value)) row.addCell(tombstone(column.name, p, e));
    },
  };
}

function listIndex(value: Uint8Array, cells: readonly Cell[]): Cell {
  const index = new DataView(value.buffer, value.byteOffset, 4).getInt32(0);
  const target = cells[index];
  if (index < 0 || !target) {
    throw invalidRequest(`List index ${index} out of bound, list has size ${cells.length}`);
  }
  return target;
}

function listElementSetter(
  column: ColumnMetadata,
  index: PreparedTerm,
  term: PreparedTerm,
): PreparedOperation {
  return {
    column,
    requiresRead: true,
    apply(row, p, existing) {
      const i = index(p.ctx);
      const value = term(p.ctx);
      if (i === UNSET || value === UNSET) return;
      if (i === null) throw invalidRequest('Invalid null value for list index');
      const cells = liveElementCells(cellsByColumn(existing).get(column.name), column.type, p.nowSeconds);
      const target = listIndex(i, cells);
      row.addCell(
        value === null ? tombstone(column.name, p, target.path) : cell(column.name, value, p, target.path),
      );
    },
  };
}

function pathSetter(
  column: ColumnMetadata,
  key: PreparedTerm | Uint8Array,
  term: PreparedTerm,
): PreparedOperation {
  return {
    column,
    requiresRead: false,
    apply(row, p) {
      const path = key instanceof Uint8Array ? key : key(p.ctx);
      const value = term(p.ctx);
      if (path === UNSET || value === UNSET) return;
      if (path === null) throw invalidRequest(`Invalid null value for map key in ${column.name}`);
      row.addCell(value === null ? tombstone(column.name, p, path) : cell(column.name, value, p, path));
    },
  };
}

function invalidOperation(text: string, column: ColumnMetadata, what: string): Error {
  return invalidRequest(`Invalid operation (${text}) for ${what} column ${column.name}`);
}

function assignmentText(a: Assignment): string {
  const c = a.column;
  switch (a.kind) {
    case 'set':
      return `${c} = ${formatTerm(a.value)}`;
    case 'add':
      return `${c} = ${c} + ${formatTerm(a.value)}`;
    case 'subtract':
      return `${c} = ${c} - ${formatTerm(a.value)}`;
    case 'prepend':
      return `${c} = ${formatTerm(a.value)} + ${c}`;
    case 'setElement':
      return `${c}[${formatTerm(a.key)}] = ${formatTerm(a.value)}`;
    case 'setField':
      return `${c}.${a.field} = ${formatTerm(a.value)}`;
  }
}

function frozenWhat(type: CqlType): string {
  return type.kind === 'udt' ? 'frozen UDT' : 'frozen collection';
}

/** One SET assignment of an UPDATE. */
export function prepareAssignment(
  a: Assignment,
  column: ColumnMetadata,
  scope: MarkerScope,
): PreparedOperation {
  const type = column.type;
  const receiver = { name: column.name, type };
  const text = () => assignmentText(a);
  switch (a.kind) {
    case 'set':
      if (isCounter(type)) {
        throw invalidRequest(
          `Cannot set the value of counter column ${column.name} (counters can only be incremented/decremented, not set)`,
        );
      }
      return setter(column, compileTerm(a.value, receiver, scope));
    case 'add':
    case 'subtract': {
      const negate = a.kind === 'subtract';
      if (isCounter(type))
        return counterAdder(
          column,
          compileTerm(a.value, { name: column.name, type: CqlTypes.bigint }, scope),
          negate,
        );
      if (type.kind === 'list' || type.kind === 'set' || type.kind === 'map') {
        if (type.frozen) throw invalidOperation(text(), column, frozenWhat(type));
        if (!negate) return collectionAdder(column, compileTerm(a.value, receiver, scope));
        if (type.kind === 'list') return listDiscarder(column, compileTerm(a.value, receiver, scope));
        if (type.kind === 'set') return pathDiscarder(column, compileTerm(a.value, receiver, scope));
        return pathDiscarder(
          column,
          compileTerm(a.value, { name: column.name, type: setOf(type.key) }, scope),
        );
      }
      throw invalidOperation(text(), column, 'non counter');
    }
    case 'prepend':
      if (type.kind !== 'list') throw invalidOperation(text(), column, 'non list');
      if (type.frozen) throw invalidOperation(text(), column, frozenWhat(type));
      return listPrepender(column, compileTerm(a.value, receiver, scope));
    case 'setElement':
      return prepareElementSetter(a, column, scope, text());
    case 'setField':
      return prepareFieldSetter(a.field, a.value, column, scope, text());
  }
}

function prepareElementSetter(
  a: Extract<Assignment, { kind: 'setElement' }>,
  column: ColumnMetadata,
  scope: MarkerScope,
  text: string,
): PreparedOperation {
  const type = column.type;
  if (type.kind === 'list' && !type.frozen) {
    const index = compileTerm(a.key, { name: `idx(${column.name})`, type: CqlTypes.int }, scope);
    return listElementSetter(
      column,
      index,
      compileTerm(a.value, { name: `value(${column.name})`, type: type.element }, scope),
    );
  }
  if (type.kind === 'map' && !type.frozen) {
    const key = compileTerm(a.key, { name: `key(${column.name})`, type: type.key }, scope);
    return pathSetter(
      column,
      key,
      compileTerm(a.value, { name: `value(${column.name})`, type: type.value }, scope),
    );
  }
  if (type.kind === 'list' || type.kind === 'map') throw invalidOperation(text, column, frozenWhat(type));
  if (type.kind === 'set') throw invalidOperation(text, column, 'set');
  throw invalidOperation(text, column, 'non collection');
}

function prepareFieldSetter(
  field: string,
  value: Assignment['value'],
  column: ColumnMetadata,
  scope: MarkerScope,
  text: string,
): PreparedOperation {
  const type = column.type;
  if (type.kind !== 'udt') throw invalidOperation(text, column, 'non-UDT');
  if (type.frozen) throw invalidOperation(text, column, frozenWhat(type));
  const index = type.fields.findIndex((f) => f.name === field);
  if (index < 0) throw invalidRequest(`UDT column ${column.name} does not have a field named ${field}`);
  const term = compileTerm(value, { name: `${column.name}.${field}`, type: type.fields[index]!.type }, scope);
  return pathSetter(column, fieldPath(index), term);
}

/** One column of `DELETE c, m[k], u.f FROM ...`. */
export function prepareDeletion(d: Deletion, column: ColumnMetadata, scope: MarkerScope): PreparedOperation {
  const type = column.type;
  if (d.kind === 'column') {
    const multi = isMultiCell(type);
    return {
      column,
      requiresRead: false,
      apply(row, p) {
        if (multi) row.deleteColumn(column.name, deletionAt(p.timestamp, p));
        else row.addCell(tombstone(column.name, p));
      },
    };
  }
  if (d.kind === 'field') {
    if (type.kind !== 'udt')
      throw invalidRequest(`Invalid deletion operation for non-UDT column ${column.name}`);
    if (type.frozen)
      throw invalidRequest(`Frozen UDT column ${column.name} does not support field deletions`);
    const index = type.fields.findIndex((f) => f.name === d.field);
    if (index < 0) throw invalidRequest(`UDT column ${column.name} does not have a field named ${d.field}`);
    return elementDeleter(column, () => fieldPath(index), false);
  }
  if (!(type.kind === 'list' || type.kind === 'set' || type.kind === 'map')) {
    throw invalidRequest(`Invalid deletion operation for non collection column ${column.name}`);
  }
  if (type.frozen)
    throw invalidRequest(`Invalid deletion operation for frozen collection column ${column.name}`);
  if (type.kind === 'list') {
    return elementDeleter(
      column,
      compileTerm(d.key, { name: `idx(${column.name})`, type: CqlTypes.int }, scope),
      true,
    );
  }
  const keyType = type.kind === 'set' ? type.element : type.key;
  return elementDeleter(
    column,
    compileTerm(d.key, { name: `key(${column.name})`, type: keyType }, scope),
    false,
  );
}

function elementDeleter(column: ColumnMetadata, key: PreparedTerm, byIndex: boolean): PreparedOperation {
  return {
    column,
    requiresRead: byIndex,
    apply(row, p, existing) {
      const k = key(p.ctx);
      if (k === UNSET) return;
      if (k === null)
        throw invalidRequest(
          `Invalid null value for ${byIndex ? 'list index' : 'map key'} in ${column.name}`,
        );
      if (!byIndex) {
        row.addCell(tombstone(column.name, p, k));
        return;
      }
      const cells = liveElementCells(cellsByColumn(existing).get(column.name), column.type, p.nowSeconds);
      const index = new DataView(k.buffer, k.byteOffset, 4).getInt32(0);
      const target = cells[index];
      // Cassandra ignores a list index past the end on DELETE.
      if (index >= 0 && target) row.addCell(tombstone(column.name, p, target.path));
    },
  };
}
