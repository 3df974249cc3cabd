/**
 * The SELECT clause (Cassandra's Selection and selectors): `*`, columns, aliases, writetime/ttl,
 * token, scalar functions, CAST, UDT fields, map/set elements, and the aggregates count, min, max,
 * sum and avg. Each output column is a selector over a result row; aggregate queries feed every row
 * of a group to fresh selector instances.
 */
import type { Cell, Clustering, DecoratedKey, Row } from '../../storage/model.js';
import { isLiveCell } from '../../storage/model.js';
import type { Selectable, Selector } from '../parser/index.js';
import { formatSelectable } from '../parser/index.js';
import type { ColumnMetadata, TableMetadata } from '../schema/metadata.js';
import type { CqlType } from '../types/index.js';
import {
  CqlDecimal,
  CqlTypes,
  comparatorFor,
  cqlTypeName,
  deserialize,
  fromString,
  isCounter,
  isMultiCell,
  serialize,
} from '../types/index.js';
import { columnCells, columnStart, columnValue, timestampCell } from './cell-values.js';
import { collectionElements, int64Bytes, mapEntries, splitComponentBytes } from './collection-bytes.js';
import { functionOverloads, pickOverload, unknownFunction } from './functions.js';
import { columnOf } from './restrictions.js';
import type { ColumnSpec } from './result.js';
import type { MarkerScope } from './terms.js';
import { compileTerm } from './terms.js';
import type { TermContext } from './values.js';
import { invalidRequest, UNSET } from './values.js';

/** One CQL row as selectors see it: key parts, clustering (null for a static-only row), cells. */
export interface ResultRow {
  readonly key: DecoratedKey;
  readonly partitionKey: readonly Uint8Array[];
  readonly clustering: Clustering | null;
  /**
   * The live storage row (null for a static-only row) and the partition's live static row. Cells
   * are looked up in them by column (`resultCells`) rather than grouped per row up front: a row
   * is usually asked for a few of its columns once.
   */
  readonly row: Row | null;
  readonly staticRow: Row | null;
  readonly nowSeconds: number;
}

/** A column's cells in a result row, in storage order: the row's, else the static row's. */
export function resultCells(row: ResultRow, column: string): readonly Cell[] | undefined {
  return columnCells(row.row, column) ?? columnCells(row.staticRow, column);
}

/** A selector for one execution: fed rows, it gives the output value. */
export interface SelectorInstance {
  add(row: ResultRow): void;
  output(): Uint8Array | null;
}

export interface CompiledSelector {
  readonly name: string;
  readonly type: CqlType;
  readonly isAggregate: boolean;
  /** The columns it reads (for DISTINCT / GROUP BY checks). */
  readonly columns: readonly ColumnMetadata[];
  instance(ctx: TermContext): SelectorInstance;
  /** Set for selectors of one row's values (columns, writetime, ttl, token): no instance needed. */
  readonly rowValue?: (row: ResultRow, ctx: TermContext) => Uint8Array | null;
}

export function rowColumnValue(column: ColumnMetadata, row: ResultRow): Uint8Array | null {
  if (column.kind === 'partition_key') return row.partitionKey[column.position] ?? null;
  if (column.kind === 'clustering') return row.clustering ? (row.clustering[column.position] ?? null) : null;
  if (!isMultiCell(column.type)) return simpleColumnValue(row, column.name);
  return columnValue(column, resultCells(row, column.name), row.nowSeconds);
}

/** `columnValue` of a simple column, found in place (no cells array for the column is built). */
function simpleColumnValue(row: ResultRow, column: string): Uint8Array | null {
  let cells = row.row?.cells;
  let i = cells ? columnStart(cells, column) : -1;
  if (i < 0) {
    cells = row.staticRow?.cells;
    i = cells ? columnStart(cells, column) : -1;
  }
  if (!cells || i < 0) return null;
  for (; i < cells.length && cells[i]!.column === column; i++) {
    const cell = cells[i]!;
    if (cell.path === null) return isLiveCell(cell, row.nowSeconds) ? cell.value : null;
  }
  return null;
}

/** A selector whose value is a function of one row: the first row of the group gives it. */
function scalar(
  name: string,
  type: CqlType,
  columns: readonly ColumnMetadata[],
  fn: (row: ResultRow, ctx: TermContext) => Uint8Array | null,
): CompiledSelector {
  return {
    name,
    type,
    isAggregate: false,
    columns,
    rowValue: fn,
    instance(ctx) {
      let seen = false;
      let value: Uint8Array | null = null;
      return {
        add(row) {
          if (seen) return;
          seen = true;
          value = fn(row, ctx);
        },
        output: () => value,
      };
    },
  };
}

export function compileSelectable(s: Selectable, table: TableMetadata, scope: MarkerScope): CompiledSelector {
  switch (s.kind) {
    case 'column': {
      const column = columnOf(table, s.name);
      return scalar(column.name, column.type, [column], (row) => rowColumnValue(column, row));
    }
    case 'writetimeOrTtl':
      return compileWritetime(s, table);
    case 'countRows':
      return countSelector('count', null);
    case 'function':
      return compileFunctionSelector(s, table, scope);
    case 'cast':
      return compileCast(s, table, scope);
    case 'field':
      return compileField(s, table, scope);
    case 'element':
      return compileElement(s, table, scope);
    case 'typeHint':
    case 'term':
    case 'slice':
    case 'arithmetic':
    case 'negation':
    case 'tuple':
    case 'list':
    case 'set':
    case 'mapOrUdt':
      if (s.kind === 'tuple' && s.elements.length === 1)
        return compileSelectable(s.elements[0]!, table, scope);
      throw invalidRequest(`Selector ${formatSelectable(s)} is not supported yet`);
  }
}

function compileWritetime(
  s: Extract<Selectable, { kind: 'writetimeOrTtl' }>,
  table: TableMetadata,
): CompiledSelector {
  if (s.target.kind !== 'column')
    throw invalidRequest(`Selector ${formatSelectable(s)} is not supported yet`);
  const column = columnOf(table, s.target.name);
  const shown = s.function === 'ttl' ? 'ttl' : 'writeTime';
  if (column.kind === 'partition_key' || column.kind === 'clustering') {
    throw invalidRequest(`Cannot use selection function ${shown} on PRIMARY KEY part ${column.name}`);
  }
  if (isMultiCell(column.type)) {
    const what = column.type.kind === 'udt' ? 'UDT' : 'collection';
    throw invalidRequest(`Cannot use selection function ${shown} on non-frozen ${what} ${column.name}`);
  }
  // A counter's cells merge shards from every replica: no single write time or TTL to show.
  if (isCounter(column.type)) {
    throw invalidRequest(`Cannot use selection function ${shown} on counter column ${column.name}`);
  }
  const name = `${s.function}(${column.name})`;
  if (s.function === 'ttl') {
    return scalar(name, CqlTypes.int, [column], (row) => {
      const cell = timestampCell(resultCells(row, column.name), row.nowSeconds);
      if (!cell || cell.ttl === 0) return null;
      return serialize(CqlTypes.int, cell.localDeletionTime - row.nowSeconds);
    });
  }
  return scalar(name, CqlTypes.bigint, [column], (row) => {
    const cell = timestampCell(resultCells(row, column.name), row.nowSeconds);
    return cell ? int64Bytes(BigInt(cell.timestamp)) : null;
  });
}

function countSelector(name: string, arg: CompiledSelector | null): CompiledSelector {
  return {
    name,
    type: CqlTypes.bigint,
    isAggregate: true,
    columns: arg?.columns ?? [],
    instance(ctx) {
      let count = 0n;
      return {
        add(row) {
          if (!arg) {
            count++;
            return;
          }
          const inner = arg.instance(ctx);
          inner.add(row);
          if (inner.output() !== null) count++;
        },
        output: () => int64Bytes(count),
      };
    },
  };
}

const NUMERIC = new Set([
  'int',
  'bigint',
  'smallint',
  'tinyint',
  'varint',
  'float',
  'double',
  'decimal',
  'counter',
]);

function aggregateSelector(fn: string, arg: CompiledSelector, name: string): CompiledSelector {
  const type = arg.type;
  if ((fn === 'sum' || fn === 'avg') && !(type.kind === 'native' && NUMERIC.has(type.name))) {
    throw invalidRequest(
      `Invalid call to function ${fn}, none of its type signatures match (arguments: ${cqlTypeName(type)})`,
    );
  }
  const compare = comparatorFor(type);
  return {
    name,
    type,
    isAggregate: true,
    columns: arg.columns,
    instance(ctx) {
      let best: Uint8Array | null = null;
      const values: Uint8Array[] = [];
      return {
        add(row) {
          const inner = arg.instance(ctx);
          inner.add(row);
          const v = inner.output();
          if (v === null || v.length === 0) return;
          if (fn === 'min' && (best === null || compare(v, best) < 0)) best = v;
          if (fn === 'max' && (best === null || compare(v, best) > 0)) best = v;
          if (fn === 'sum' || fn === 'avg') values.push(v);
        },
        output: () => (fn === 'min' || fn === 'max' ? best : numericAggregate(fn, type, values)),
      };
    },
  };
}

/** sum / avg in the argument's type, with Java's wrap-around for fixed-size integers. */
function numericAggregate(fn: string, type: CqlType, values: readonly Uint8Array[]): Uint8Array {
  const name = type.kind === 'native' ? type.name : 'int';
  if (name === 'decimal') {
    let total = new CqlDecimal(0n, 0);
    for (const v of values) total = addDecimals(total, deserialize(type, v) as CqlDecimal);
    if (fn === 'avg' && values.length > 0) return serialize(type, divideDecimal(total, values.length));
    return serialize(type, total);
  }
  if (name === 'float' || name === 'double') {
    const sum = values.reduce((s, v) => s + (deserialize(type, v) as number), 0);
    const out = fn === 'avg' ? (values.length === 0 ? 0 : sum / values.length) : sum;
    return serialize(type, name === 'float' ? Math.fround(out) : out);
  }
  let sum = 0n;
  for (const v of values) sum += BigInt(deserialize(type, v) as number | bigint);
  let out = fn === 'avg' ? (values.length === 0 ? 0n : sum / BigInt(values.length)) : sum;
  const bits = { int: 32, smallint: 16, tinyint: 8, bigint: 64, counter: 64 }[name as 'int'];
  if (bits) out = BigInt.asIntN(bits, out);
  return serialize(type, bits === 64 || name === 'varint' ? out : Number(out));
}

function addDecimals(a: CqlDecimal, b: CqlDecimal): CqlDecimal {
  const scale = Math.max(a.scale, b.scale);
  const scaled = (d: CqlDecimal) => d.unscaled * 10n ** BigInt(scale - d.scale);
  return new CqlDecimal(scaled(a) + scaled(b), scale);
}

function divideDecimal(a: CqlDecimal, n: number): CqlDecimal {
  // Enough digits for an average (Cassandra uses DECIMAL128 precision).
  const extra = 34;
  return new CqlDecimal((a.unscaled * 10n ** BigInt(extra)) / BigInt(n), a.scale + extra);
}

function compileFunctionSelector(
  s: Extract<Selectable, { kind: 'function' }>,
  table: TableMetadata,
  scope: MarkerScope,
): CompiledSelector {
  const fn = s.name.name;
  const keyspace = s.name.keyspace;
  if (keyspace === undefined || keyspace === 'system') {
    if (fn === 'count' && s.args.length === 1 && s.args[0]!.kind === 'term')
      return countSelector('count', null);
    if (fn === 'token') return compileTokenSelector(s, table, scope);
    if (['count', 'min', 'max', 'sum', 'avg'].includes(fn)) {
      if (s.args.length !== 1)
        throw invalidRequest(
          `Invalid number of arguments in call to function system.${fn}: 1 required but ${s.args.length} provided`,
        );
      const arg = compileSelectable(s.args[0]!, table, scope);
      const name = `system.${fn}(${arg.name})`;
      return fn === 'count' ? countSelector(name, arg) : aggregateSelector(fn, arg, name);
    }
  }
  const overloads = functionOverloads(keyspace, fn);
  if (!overloads) throw unknownFunction(keyspace, fn);
  const args = s.args.map((a) => compileSelectable(a, table, scope));
  const overload = pickOverload(
    fn,
    overloads,
    args.map((a) => a.type),
  );
  const name = `system.${fn}(${args.map((a) => a.name).join(', ')})`;
  return {
    name,
    type: overload.returns,
    isAggregate: args.some((a) => a.isAggregate),
    columns: args.flatMap((a) => a.columns),
    instance(ctx) {
      const inner = args.map((a) => a.instance(ctx));
      return {
        add(row) {
          for (const i of inner) i.add(row);
        },
        output() {
          const values: Uint8Array[] = [];
          for (const i of inner) {
            const v = i.output();
            if (v === null) return null;
            values.push(v);
          }
          return overload.apply(values, ctx);
        },
      };
    },
  };
}

function compileTokenSelector(
  s: Extract<Selectable, { kind: 'function' }>,
  table: TableMetadata,
  scope: MarkerScope,
): CompiledSelector {
  const args = s.args.map((a) => compileSelectable(a, table, scope));
  const pk = table.partitionKey;
  if (args.length !== pk.length || args.some((a, i) => a.columns[0] !== pk[i] || a.name !== pk[i]!.name)) {
    throw invalidRequest(
      `Invalid number of arguments in call to function system.token: ${pk.length} required but ${args.length} provided`,
    );
  }
  const name = `system.token(${pk.map((c) => c.name).join(', ')})`;
  return scalar(name, CqlTypes.bigint, pk, (row) => int64Bytes(row.key.token));
}

function compileCast(
  s: Extract<Selectable, { kind: 'cast' }>,
  table: TableMetadata,
  scope: MarkerScope,
): CompiledSelector {
  const inner = compileSelectable(s.selectable, table, scope);
  const target = CqlTypes[s.type];
  const from = inner.type;
  return mapped(inner, `cast(${inner.name} as ${s.type})`, target, castFunction(from, target));
}

function castFunction(from: CqlType, to: CqlType): (bytes: Uint8Array) => Uint8Array {
  if (from.kind !== 'native' || to.kind !== 'native') {
    throw invalidRequest(`${cqlTypeName(from)} cannot be cast to ${cqlTypeName(to)}`);
  }
  if (from.name === to.name) return (b) => b;
  if (to.name === 'text' || to.name === 'ascii') {
    return (b) => serialize(to, textOf(from, b));
  }
  if (NUMERIC.has(from.name) && NUMERIC.has(to.name)) {
    return (b) => {
      const text = textOf(from, b);
      const integral = ['int', 'bigint', 'smallint', 'tinyint', 'varint', 'counter'].includes(to.name);
      return fromString(to.name, integral ? text.replace(/\..*$/, '').replace(/E.*$/, '') : text);
    };
  }
  if (
    (from.name === 'timeuuid' || from.name === 'date' || from.name === 'timestamp') &&
    ['timestamp', 'date', 'bigint'].includes(to.name)
  ) {
    const fn = { timestamp: 'totimestamp', date: 'todate', bigint: 'tounixtimestamp' }[to.name as 'date']!;
    const overload = pickOverload(fn, functionOverloads(undefined, fn)!, [from]);
    return (b) => overload.apply([b], undefined as unknown as TermContext)!;
  }
  throw invalidRequest(`${cqlTypeName(from)} cannot be cast to ${cqlTypeName(to)}`);
}

function textOf(type: CqlType, bytes: Uint8Array): string {
  const value = deserialize(type, bytes);
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', 'Z');
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  return String(value);
}

function compileField(
  s: Extract<Selectable, { kind: 'field' }>,
  table: TableMetadata,
  scope: MarkerScope,
): CompiledSelector {
  const inner = compileSelectable(s.selectable, table, scope);
  const type = inner.type;
  if (type.kind !== 'udt')
    throw invalidRequest(
      `Invalid field selection: ${inner.name} of type ${cqlTypeName(type)} is not a user type`,
    );
  const index = type.fields.findIndex((f) => f.name === s.field);
  if (index < 0) throw invalidRequest(`${type.name} has no field named ${s.field}`);
  return mapped(
    inner,
    `${inner.name}.${s.field}`,
    type.fields[index]!.type,
    (v) => splitComponentBytes(v)[index] ?? null,
  );
}

function compileElement(
  s: Extract<Selectable, { kind: 'element' }>,
  table: TableMetadata,
  scope: MarkerScope,
): CompiledSelector {
  const inner = compileSelectable(s.selectable, table, scope);
  const type = inner.type;
  if (type.kind !== 'map' && type.kind !== 'set') {
    throw invalidRequest(
      `Element selection is only allowed on sets and maps, but ${inner.name} is a ${cqlTypeName(type)}`,
    );
  }
  const keyType = type.kind === 'map' ? type.key : type.element;
  const key = compileTerm(s.key, { name: `key(${inner.name})`, type: keyType }, scope);
  const compare = comparatorFor(keyType);
  const name = `${inner.name}[${formatSelectable(s).slice(formatSelectable(s.selectable).length + 1, -1)}]`;
  const resultType = type.kind === 'map' ? type.value : type.element;
  return {
    ...mapped(inner, name, resultType, () => null),
    instance(ctx) {
      const i = inner.instance(ctx);
      const k = key(ctx);
      return {
        add: (row) => i.add(row),
        output() {
          const v = i.output();
          if (v === null || k === null || k === UNSET) return null;
          if (type.kind === 'set') return collectionElements(v).find((e) => compare(e, k) === 0) ?? null;
          return mapEntries(v).find(([mk]) => compare(mk, k) === 0)?.[1] ?? null;
        },
      };
    },
  };
}

function mapped(
  inner: CompiledSelector,
  name: string,
  type: CqlType,
  fn: (v: Uint8Array) => Uint8Array | null,
): CompiledSelector {
  return {
    name,
    type,
    isAggregate: inner.isAggregate,
    columns: inner.columns,
    instance(ctx) {
      const i = inner.instance(ctx);
      return {
        add: (row) => i.add(row),
        output() {
          const v = i.output();
          return v === null ? null : fn(v);
        },
      };
    },
  };
}

/** `SELECT *`: partition key, clustering, then statics and regulars each sorted by name (Cassandra's order). */
export function wildcardColumns(table: TableMetadata): ColumnMetadata[] {
  const byName = (a: ColumnMetadata, b: ColumnMetadata) =>
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
  return [
    ...table.partitionKey,
    ...table.clustering,
    ...table.statics.slice().sort(byName),
    ...table.regulars.slice().sort(byName),
  ];
}

export interface CompiledSelection {
  readonly selectors: readonly CompiledSelector[];
  readonly specs: readonly ColumnSpec[];
  readonly isAggregate: boolean;
  readonly isWildcard: boolean;
}

export function compileSelection(
  selectors: readonly Selector[],
  table: TableMetadata,
  scope: MarkerScope,
): CompiledSelection {
  const spec = (name: string, type: CqlType): ColumnSpec => ({
    keyspace: table.keyspace,
    table: table.name,
    name,
    type,
  });
  if (selectors.length === 0) {
    const compiled = wildcardColumns(table).map((c) =>
      compileSelectable({ kind: 'column', name: c.name, position: { line: 0, column: 0 } }, table, scope),
    );
    return {
      selectors: compiled,
      specs: compiled.map((c) => spec(c.name, c.type)),
      isAggregate: false,
      isWildcard: true,
    };
  }
  const compiled = selectors.map((s) => compileSelectable(s.selectable, table, scope));
  const specs = compiled.map((c, i) => spec(selectors[i]!.alias ?? c.name, c.type));
  return { selectors: compiled, specs, isAggregate: compiled.some((c) => c.isAggregate), isWildcard: false };
}
