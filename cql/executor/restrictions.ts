/**
 * The WHERE clause of SELECT, UPDATE and DELETE (Cassandra's StatementRestrictions): relations are
 * merged per column with Cassandra's conflict rules and messages, then split into partition key
 * restrictions, a token range, clustering restrictions and filters on everything else.
 */

import { serializePartitionKey } from '../../ring/composite-key.js';
import { getToken } from '../../ring/murmur3-partitioner.js';
import type { Relation, Term } from '../parser/index.js';
import { formatRelation } from '../parser/index.js';
import type { ColumnMetadata, TableMetadata } from '../schema/metadata.js';
import { CqlTypes, listOf, maybeQuoteIdentifier, tupleOf } from '../types/index.js';
import { collectionElements, int64Bytes, splitComponentBytes } from './collection-bytes.js';
import type { MarkerScope, PreparedTerm, Receiver } from './terms.js';
import { compileTerm } from './terms.js';
import type { BoundValue, TermContext } from './values.js';
import { invalidRequest, UNSET } from './values.js';

export type StatementType = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface Bound {
  readonly term: PreparedTerm;
  readonly inclusive: boolean;
}

/** Everything the WHERE clause says about one column. */
export interface SingleRestriction {
  readonly column: ColumnMetadata;
  eq?: PreparedTerm;
  /** IN (a, b): one term per value; IN ?: one term for the whole list. */
  inTerms?: PreparedTerm[];
  inList?: PreparedTerm;
  lower?: Bound;
  upper?: Bound;
  readonly contains: PreparedTerm[];
  readonly containsKey: PreparedTerm[];
  /** m[k] = v. */
  readonly entries: { readonly key: PreparedTerm; readonly value: PreparedTerm }[];
}

/** A relation on a tuple of consecutive clustering columns. */
export interface MultiRestriction {
  readonly columns: ColumnMetadata[];
  eq?: PreparedTerm;
  inTerms?: PreparedTerm[];
  inList?: PreparedTerm;
  lower?: Bound & { readonly width: number };
  upper?: Bound & { readonly width: number };
}

export interface TokenRestriction {
  eq?: PreparedTerm;
  lower?: Bound;
  upper?: Bound;
}

export interface WhereRestrictions {
  readonly table: TableMetadata;
  readonly partitionKey: Map<string, SingleRestriction>;
  readonly token: TokenRestriction | null;
  readonly clustering: Map<string, SingleRestriction>;
  readonly multi: MultiRestriction | null;
  /** Static and regular columns. */
  readonly others: Map<string, SingleRestriction>;
}

export function columnOf(table: TableMetadata, name: string): ColumnMetadata {
  const column = table.columns.get(name);
  if (!column) {
    throw invalidRequest(
      `Undefined column name ${maybeQuoteIdentifier(name)} in table ${table.keyspace}.${table.name}`,
    );
  }
  return column;
}

function emptySingle(column: ColumnMetadata): SingleRestriction {
  return { column, contains: [], containsKey: [], entries: [] };
}

function hasEqOrIn(r: { eq?: unknown; inTerms?: unknown; inList?: unknown }): boolean {
  return r.eq !== undefined || r.inTerms !== undefined || r.inList !== undefined;
}

function hasSlice(r: { lower?: unknown; upper?: unknown }): boolean {
  return r.lower !== undefined || r.upper !== undefined;
}

/** Analyzes the relations; type-specific rules are checked by the statements. */
export function analyzeWhere(
  table: TableMetadata,
  relations: readonly Relation[],
  type: StatementType,
  scope: MarkerScope,
): WhereRestrictions {
  const where: WhereRestrictions = {
    table,
    partitionKey: new Map(),
    token: null,
    clustering: new Map(),
    multi: null,
    others: new Map(),
  };
  const mutable = where as { token: TokenRestriction | null; multi: MultiRestriction | null };
  for (const relation of relations) {
    if (relation.kind === 'token') {
      mutable.token = addToken(where, relation, scope);
    } else if (relation.kind === 'multiCompare' || relation.kind === 'multiIn') {
      mutable.multi = addMulti(where, relation, scope);
    } else {
      addSingle(where, relation, type, scope);
    }
  }
  checkTokenMix(where);
  if (where.multi && where.clustering.size > 0) {
    throw invalidRequest(
      'Mixing single column relations and multi column relations on clustering columns is not allowed',
    );
  }
  return where;
}

function restrictionMap(where: WhereRestrictions, column: ColumnMetadata): Map<string, SingleRestriction> {
  if (column.kind === 'partition_key') return where.partitionKey;
  if (column.kind === 'clustering') return where.clustering;
  return where.others;
}

function relationValueReceiver(column: ColumnMetadata, operator: string): Receiver {
  if (operator === 'CONTAINS') {
    const t = column.type;
    if (t.kind === 'list' || t.kind === 'set') return { name: `value(${column.name})`, type: t.element };
    if (t.kind === 'map') return { name: `value(${column.name})`, type: t.value };
    throw invalidRequest(`Cannot use CONTAINS on non-collection column ${column.name}`);
  }
  if (operator === 'CONTAINS KEY') {
    if (column.type.kind !== 'map')
      throw invalidRequest(`Cannot use CONTAINS KEY on non-map column ${column.name}`);
    return { name: `key(${column.name})`, type: column.type.key };
  }
  return { name: column.name, type: column.type };
}

function addSingle(
  where: WhereRestrictions,
  relation: Exclude<Relation, { kind: 'token' | 'multiCompare' | 'multiIn' }>,
  type: StatementType,
  scope: MarkerScope,
): void {
  const column = columnOf(where.table, relation.column);
  const map = restrictionMap(where, column);
  const r = map.get(column.name) ?? emptySingle(column);
  map.set(column.name, r);
  const name = column.name;
  if (relation.kind === 'isNotNull')
    throw invalidRequest(`Unsupported restriction: ${formatRelation(relation)}`);
  if (relation.kind === 'in') {
    if (hasEqOrIn(r) || hasSlice(r))
      throw invalidRequest(`${name} cannot be restricted by more than one relation if it includes a IN`);
    if (column.kind !== 'partition_key' && column.kind !== 'clustering') {
      throw invalidRequest(`IN predicates on non-primary-key columns (${name}) is not yet supported`);
    }
    const receiver = { name: column.name, type: column.type };
    if (relation.values.kind === 'marker') {
      r.inList = compileTerm(
        relation.values.marker,
        { name: `in(${name})`, type: listOf(column.type) },
        scope,
      );
    } else {
      r.inTerms = relation.values.terms.map((t) => compileTerm(t, receiver, scope));
    }
    return;
  }
  if (relation.kind === 'element') {
    if (column.type.kind !== 'map')
      throw invalidRequest(`Map-entry equality predicates on non-map column ${name} are not supported`);
    if (relation.operator !== '=')
      throw invalidRequest(`Map-entry predicates only support the = operator (${formatRelation(relation)})`);
    r.entries.push({
      key: compileTerm(relation.key, { name: `key(${name})`, type: column.type.key }, scope),
      value: compileTerm(relation.value, { name: `value(${name})`, type: column.type.value }, scope),
    });
    return;
  }
  const op = relation.operator;
  if (op === 'CONTAINS' || op === 'CONTAINS KEY') {
    if (type === 'UPDATE' || type === 'DELETE') throw invalidRequest(`Cannot use ${type} with ${op}`);
    const term = compileTerm(relation.value, relationValueReceiver(column, op), scope);
    (op === 'CONTAINS' ? r.contains : r.containsKey).push(term);
    return;
  }
  if (op === 'LIKE') {
    throw invalidRequest(
      `LIKE restriction is only supported on properly indexed columns. ${formatRelation(relation)} is not valid.`,
    );
  }
  if (op === '!=') throw invalidRequest(`Unsupported "!=" relation: ${formatRelation(relation)}`);
  const term = compileTerm(relation.value, { name: column.name, type: column.type }, scope);
  if (op === '=') {
    if (hasEqOrIn(r) || hasSlice(r))
      throw invalidRequest(`${name} cannot be restricted by more than one relation if it includes an Equal`);
    r.eq = term;
    return;
  }
  if (hasEqOrIn(r)) {
    throw invalidRequest(
      r.eq
        ? `${name} cannot be restricted by more than one relation if it includes an Equal`
        : `${name} cannot be restricted by more than one relation if it includes a IN`,
    );
  }
  const bound = { term, inclusive: op === '<=' || op === '>=' };
  if (op === '>' || op === '>=') {
    if (r.lower) throw invalidRequest(`More than one restriction was found for the start bound on ${name}`);
    r.lower = bound;
  } else {
    if (r.upper) throw invalidRequest(`More than one restriction was found for the end bound on ${name}`);
    r.upper = bound;
  }
}

function addToken(
  where: WhereRestrictions,
  relation: Extract<Relation, { kind: 'token' }>,
  scope: MarkerScope,
): TokenRestriction {
  const pk = where.table.partitionKey;
  for (const name of relation.columns) {
    const column = columnOf(where.table, name);
    if (column.kind !== 'partition_key') {
      throw invalidRequest(`The token() function is only supported on the partition key, found on ${name}`);
    }
  }
  if (relation.columns.length !== pk.length || relation.columns.some((c, i) => c !== pk[i]!.name)) {
    throw invalidRequest(
      `The token function arguments must be in the partition key order: ${pk.map((c) => c.name).join(', ')}`,
    );
  }
  const r: TokenRestriction = where.token ?? {};
  const term = compileTokenValue(relation.value, where.table, scope);
  const op = relation.operator;
  if (op === '=') {
    if (r.eq || r.lower || r.upper)
      throw invalidRequest(
        'partition key cannot be restricted by more than one relation if it includes an Equal',
      );
    r.eq = term;
  } else if (op === '>' || op === '>=') {
    if (r.lower)
      throw invalidRequest('More than one restriction was found for the start bound on partition key');
    r.lower = { term, inclusive: op === '>=' };
  } else if (op === '<' || op === '<=') {
    if (r.upper)
      throw invalidRequest('More than one restriction was found for the end bound on partition key');
    r.upper = { term, inclusive: op === '<=' };
  } else {
    throw invalidRequest(`Unsupported "${op}" relation: ${formatRelation(relation)}`);
  }
  return r;
}

/** The value side of `token(k) > x`: a bigint, or `token(...)` of key values. */
function compileTokenValue(term: Term, table: TableMetadata, scope: MarkerScope): PreparedTerm {
  if (term.kind === 'function' && term.name.name === 'token') {
    if (term.args.length !== table.partitionKey.length) {
      throw invalidRequest(
        `Invalid number of arguments in call to function system.token: ${table.partitionKey.length} required but ${term.args.length} provided`,
      );
    }
    const args = term.args.map((a, i) => {
      const column = table.partitionKey[i]!;
      return compileTerm(a, { name: column.name, type: column.type }, scope);
    });
    return tokenOfArgs(args);
  }
  return compileTerm(term, { name: 'partition key token', type: CqlTypes.bigint }, scope);
}

function tokenOfArgs(args: PreparedTerm[]): PreparedTerm {
  return (ctx) => {
    const values: Uint8Array[] = [];
    for (const a of args) {
      const v = a(ctx);
      if (v === null || v === UNSET) return null;
      values.push(v);
    }
    return int64Bytes(getToken(serializePartitionKey(values)));
  };
}

function checkTokenMix(where: WhereRestrictions): void {
  if (where.token && where.partitionKey.size > 0) {
    const names = [...where.partitionKey.keys()].join(', ');
    throw invalidRequest(
      `Columns "${names}" cannot be restricted by both a normal relation and a token relation`,
    );
  }
}

function addMulti(
  where: WhereRestrictions,
  relation: Extract<Relation, { kind: 'multiCompare' | 'multiIn' }>,
  scope: MarkerScope,
): MultiRestriction {
  const columns = relation.columns.map((n) => columnOf(where.table, n));
  const bad = columns.find((c) => c.kind !== 'clustering');
  if (bad)
    throw invalidRequest(
      `Multi-column relations can only be applied to clustering columns but was applied to: ${bad.name}`,
    );
  const names = `(${columns.map((c) => c.name).join(', ')})`;
  if (columns.some((c, i) => i > 0 && c.position !== columns[i - 1]!.position + 1)) {
    throw invalidRequest(
      `Clustering columns must appear in the PRIMARY KEY order in multi-column relations: ${names}`,
    );
  }
  const existing = where.multi;
  if (existing && existing.columns[0]!.position !== columns[0]!.position) {
    throw invalidRequest(
      'Mixing single column relations and multi column relations on clustering columns is not allowed',
    );
  }
  const r: MultiRestriction = existing ?? { columns };
  const tupleType = tupleOf(columns.map((c) => c.type));
  const receiver = { name: names, type: tupleType };
  if (relation.kind === 'multiIn') {
    if (hasEqOrIn(r) || hasSlice(r))
      throw invalidRequest(`${names} cannot be restricted by more than one relation if it includes a IN`);
    if (relation.values.kind === 'marker') {
      r.inList = compileTerm(
        relation.values.marker,
        { name: `in(${names})`, type: listOf(tupleType) },
        scope,
      );
    } else {
      r.inTerms = relation.values.terms.map((t) => compileTerm(t, receiver, scope));
    }
    return r;
  }
  const term = compileTerm(relation.value, receiver, scope);
  const op = relation.operator;
  if (op === '=') {
    if (hasEqOrIn(r) || hasSlice(r))
      throw invalidRequest(`${names} cannot be restricted by more than one relation if it includes an Equal`);
    r.eq = term;
    (r as { columns: ColumnMetadata[] }).columns = columns;
    return r;
  }
  if (op === '!=') throw invalidRequest(`Unsupported "!=" relation: ${formatRelation(relation)}`);
  if (hasEqOrIn(r))
    throw invalidRequest(`${names} cannot be restricted by more than one relation if it includes an Equal`);
  const bound = { term, inclusive: op === '<=' || op === '>=', width: columns.length };
  if (op === '>' || op === '>=') {
    if (r.lower) throw invalidRequest(`More than one restriction was found for the start bound on ${names}`);
    r.lower = bound;
  } else {
    if (r.upper) throw invalidRequest(`More than one restriction was found for the end bound on ${names}`);
    r.upper = bound;
  }
  if (columns.length > r.columns.length) (r as { columns: ColumnMetadata[] }).columns = columns;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** A value bound in a key position: never null or unset (Cassandra's messages). */
export function keyValue(value: BoundValue, column: ColumnMetadata): Uint8Array {
  if (value === null) throw invalidRequest(`Invalid null value in condition for column ${column.name}`);
  if (value === UNSET) throw invalidRequest(`Invalid unset value for column ${column.name}`);
  return value;
}

/** The values an EQ or IN restriction allows, in the order written. */
export function equalityValues(r: SingleRestriction, ctx: TermContext): Uint8Array[] {
  if (r.eq) return [keyValue(r.eq(ctx), r.column)];
  if (r.inTerms) return r.inTerms.map((t) => keyValue(t(ctx), r.column));
  if (r.inList) {
    const list = r.inList(ctx);
    if (list === null)
      throw invalidRequest(`Invalid null value for IN restriction on column ${r.column.name}`);
    if (list === UNSET) throw invalidRequest(`Invalid unset value for column ${r.column.name}`);
    return collectionElements(list);
  }
  throw new Error('assertion failed: equality restriction expected');
}

/** The tuples a multi-column EQ or IN allows. */
export function multiEqualityValues(r: MultiRestriction, ctx: TermContext): Uint8Array[][] {
  const tuple = (v: BoundValue): Uint8Array[] => {
    if (v === null || v === UNSET)
      throw invalidRequest(
        `Invalid null value in condition for columns ${r.columns.map((c) => c.name).join(', ')}`,
      );
    const parts = splitComponentBytes(v);
    return r.columns.map((c, i) => {
      const p = parts[i];
      if (p === undefined || p === null)
        throw invalidRequest(`Invalid null value in condition for column ${c.name}`);
      return p;
    });
  };
  if (r.eq) return [tuple(r.eq(ctx))];
  if (r.inTerms) return r.inTerms.map((t) => tuple(t(ctx)));
  if (r.inList) {
    const list = r.inList(ctx);
    if (list === null || list === UNSET) throw invalidRequest('Invalid null value for IN restriction');
    return collectionElements(list).map(tuple);
  }
  return [];
}

export function isEquality(r: SingleRestriction): boolean {
  return hasEqOrIn(r);
}

export function isSlice(r: SingleRestriction | MultiRestriction): boolean {
  return hasSlice(r);
}

export function isFilterOnly(r: SingleRestriction): boolean {
  return r.contains.length > 0 || r.containsKey.length > 0 || r.entries.length > 0;
}
