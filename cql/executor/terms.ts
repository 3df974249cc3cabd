/**
 * Terms of a statement (constants, markers, collection / tuple / UDT literals, function calls, type
 * hints, arithmetic) compiled against their receiver's type into closures that produce serialized
 * bytes at execution. Constants are converted once, at prepare time, so a type mismatch is reported
 * when the statement is prepared, with Cassandra's message.
 */
import type { BindMarker, Term, TypeRef } from '../parser/index.js';
import type { CqlType, CqlValue } from '../types/index.js';
import {
  CqlTypes,
  canonicalize,
  comparatorFor,
  cqlTypeName,
  deserialize,
  freeze,
  listOf,
  literalToBytes,
  mapOf,
  serialize,
  setOf,
  tupleOf,
  typeEquals,
} from '../types/index.js';
import {
  collectionBytes,
  componentsBytes,
  mapBytes,
  sortedEntries,
  sortedUnique,
} from './collection-bytes.js';
import { functionOverloads, pickOverload, unknownFunction } from './functions.js';
import type { BindMarkerSpec, BoundValue, TermContext } from './values.js';
import { invalidRequest, UNSET } from './values.js';

/** What a term is assigned to: a column, or one of Cassandra's derived receivers (`value(l)`, `[ttl]`). */
export interface Receiver {
  readonly name: string;
  readonly type: CqlType;
}

export type PreparedTerm = (ctx: TermContext) => BoundValue;

/** Collects the bind markers of a statement (of every statement of a batch) with their receivers. */
export class MarkerCollector {
  readonly specs: (BindMarkerSpec | undefined)[] = [];

  add(marker: BindMarker, receiver: Receiver, keyspace: string, table: string): void {
    this.specs[marker.index] = {
      index: marker.index,
      name: receiver.name,
      ...(marker.name !== undefined ? { markerName: marker.name } : {}),
      keyspace,
      table,
      type: receiver.type,
    };
  }

  /** Every marker's spec, in order; a marker never given a receiver is a bug. */
  all(count: number): BindMarkerSpec[] {
    const out: BindMarkerSpec[] = [];
    for (let i = 0; i < count; i++) {
      const spec = this.specs[i];
      if (!spec) throw new Error(`assertion failed: bind marker ${i} has no receiver`);
      out.push(spec);
    }
    return out;
  }
}

/** The markers of one statement: the collector plus the table the receivers belong to. */
export interface MarkerScope {
  readonly collector: MarkerCollector;
  readonly keyspace: string;
  readonly table: string;
}

export function compileTerm(term: Term, receiver: Receiver, scope: MarkerScope): PreparedTerm {
  switch (term.kind) {
    case 'constant':
      return compileConstant(term.type, term.text, receiver);
    case 'null':
      return () => null;
    case 'bindMarker':
      return compileMarker(term, receiver, scope);
    case 'list':
      return compileList(term.elements, receiver, scope);
    case 'set':
      return compileSet(term.elements, receiver, scope);
    case 'map':
      return compileMap(term.entries, receiver, scope);
    case 'tuple':
      return compileTuple(term.elements, receiver, scope);
    case 'udt':
      return compileUdt(term.fields, receiver, scope);
    case 'function':
      return compileFunction(term.name.keyspace, term.name.name, term.args, receiver, scope);
    case 'typeHint':
      return compileTypeHint(term.type, term.term, receiver, scope);
    case 'arithmetic':
    case 'negation':
      return compileArithmetic(term, receiver, scope);
    case 'cast':
      throw invalidRequest(`CAST is not supported in this position (for ${receiver.name})`);
  }
}

function compileConstant(
  kind: Parameters<typeof literalToBytes>[1],
  text: string,
  receiver: Receiver,
): PreparedTerm {
  const type = receiver.type;
  // 'now' in a timestamp constant is the statement's time: converted at each execution.
  if (type.kind === 'native' && type.name === 'timestamp' && kind === 'string') {
    literalToBytes(type, kind, text, { receiver: receiver.name, nowMs: 0 });
    return (ctx) => literalToBytes(type, kind, text, { receiver: receiver.name, nowMs: ctx.nowMs });
  }
  const bytes = literalToBytes(type, kind, text, { receiver: receiver.name });
  return () => bytes;
}

function compileMarker(marker: BindMarker, receiver: Receiver, scope: MarkerScope): PreparedTerm {
  scope.collector.add(marker, receiver, scope.keyspace, scope.table);
  const type = receiver.type;
  return (ctx) => {
    const value = ctx.values[marker.index];
    if (value === undefined) throw invalidRequest(`No value bound for marker ${marker.index}`);
    if (value === null || value === UNSET) return value;
    // Drivers may send sets and maps in any order: stored values are canonical.
    return canonicalize(type, value);
  };
}

function elementValue(value: BoundValue): Uint8Array {
  if (value === null) throw invalidRequest('null is not supported inside collections');
  if (value === UNSET) throw invalidRequest('unset value is not supported inside collections');
  return value;
}

function literalMismatch(what: string, receiver: Receiver): Error {
  return invalidRequest(`Invalid ${what} literal for ${receiver.name} of type ${cqlTypeName(receiver.type)}`);
}

function compileList(elements: readonly Term[], receiver: Receiver, scope: MarkerScope): PreparedTerm {
  const type = receiver.type;
  if (type.kind !== 'list') throw literalMismatch('list', receiver);
  const element = { name: `value(${receiver.name})`, type: type.element };
  const compiled = elements.map((e) => compileTerm(e, element, scope));
  return (ctx) => collectionBytes(compiled.map((c) => elementValue(c(ctx))));
}

function compileSet(elements: readonly Term[], receiver: Receiver, scope: MarkerScope): PreparedTerm {
  const type = receiver.type;
  if (type.kind === 'map' && elements.length === 0) return () => mapBytes([]);
  if (type.kind !== 'set') throw literalMismatch('set', receiver);
  const element = { name: `value(${receiver.name})`, type: type.element };
  const compiled = elements.map((e) => compileTerm(e, element, scope));
  const compare = comparatorFor(type.element);
  return (ctx) =>
    collectionBytes(
      sortedUnique(
        compiled.map((c) => elementValue(c(ctx))),
        compare,
      ),
    );
}

function compileMap(
  entries: readonly (readonly [Term, Term])[],
  receiver: Receiver,
  scope: MarkerScope,
): PreparedTerm {
  const type = receiver.type;
  if (type.kind !== 'map') throw literalMismatch('map', receiver);
  const keyReceiver = { name: `key(${receiver.name})`, type: type.key };
  const valueReceiver = { name: `value(${receiver.name})`, type: type.value };
  const compiled = entries.map(
    ([k, v]) => [compileTerm(k, keyReceiver, scope), compileTerm(v, valueReceiver, scope)] as const,
  );
  const compare = comparatorFor(type.key);
  return (ctx) =>
    mapBytes(
      sortedEntries(
        compiled.map(([k, v]) => [elementValue(k(ctx)), elementValue(v(ctx))] as const),
        compare,
      ),
    );
}

function compileTuple(elements: readonly Term[], receiver: Receiver, scope: MarkerScope): PreparedTerm {
  const type = receiver.type;
  if (type.kind !== 'tuple') {
    throw invalidRequest(`Invalid tuple type literal for ${receiver.name} of type ${cqlTypeName(type)}`);
  }
  if (elements.length > type.elements.length) {
    throw invalidRequest(
      `Invalid tuple literal for ${receiver.name}: too many elements. Type ${cqlTypeName(type)} expects ${type.elements.length} but got ${elements.length}`,
    );
  }
  const compiled = elements.map((e, i) =>
    compileTerm(e, { name: `${receiver.name}[${i}]`, type: type.elements[i]! }, scope),
  );
  return (ctx) => componentsBytes(compiled.map((c) => nullIfUnset(c(ctx))));
}

function nullIfUnset(value: BoundValue): Uint8Array | null {
  if (value === UNSET) throw invalidRequest('Invalid unset value in tuple or user type');
  return value;
}

function compileUdt(
  fields: readonly { readonly name: string; readonly value: Term }[],
  receiver: Receiver,
  scope: MarkerScope,
): PreparedTerm {
  const type = receiver.type;
  if (type.kind !== 'udt') {
    throw invalidRequest(`Invalid user type literal for ${receiver.name} of type ${cqlTypeName(type)}`);
  }
  const byField = new Map<string, PreparedTerm>();
  for (const f of fields) {
    const field = type.fields.find((d) => d.name === f.name);
    if (!field) throw invalidRequest(`Unknown field '${f.name}' in value of user defined type ${type.name}`);
    byField.set(
      f.name,
      compileTerm(f.value, { name: `${receiver.name}.${f.name}`, type: field.type }, scope),
    );
  }
  return (ctx) => componentsBytes(type.fields.map((f) => nullIfUnset(byField.get(f.name)?.(ctx) ?? null)));
}

/** A function call: its arguments typed by the chosen overload, the result checked against the receiver. */
function compileFunction(
  keyspace: string | undefined,
  name: string,
  args: readonly Term[],
  receiver: Receiver,
  scope: MarkerScope,
): PreparedTerm {
  const overloads = functionOverloads(keyspace, name);
  if (!overloads) throw unknownFunction(keyspace, name);
  const overload = pickOverload(name, overloads, args.map(staticTypeOf));
  if (!assignable(overload.returns, receiver.type)) {
    throw invalidRequest(
      `Type error: cannot assign result of function system.${name} (type ${cqlTypeName(overload.returns)}) to ${receiver.name} (type ${cqlTypeName(receiver.type)})`,
    );
  }
  const compiled = args.map((a, i) =>
    compileTerm(a, { name: `arg${i}(system.${name})`, type: overload.args[i]! }, scope),
  );
  return (ctx) => {
    const values: Uint8Array[] = [];
    for (const c of compiled) {
      const v = c(ctx);
      if (v === null || v === UNSET) return null;
      values.push(v);
    }
    return overload.apply(values, ctx);
  };
}

/** The type a term has by itself (nested function results, type hints), when it has one. */
function staticTypeOf(term: Term): CqlType | undefined {
  if (term.kind === 'typeHint') return typeFromRef(term.type);
  if (term.kind !== 'function') return undefined;
  const overloads = functionOverloads(term.name.keyspace, term.name.name);
  return overloads?.length === 1 ? overloads[0]!.returns : undefined;
}

function assignable(from: CqlType, to: CqlType): boolean {
  if (typeEquals(freeze(from), freeze(to))) return true;
  // A timeuuid is a uuid; text and varchar are one type.
  return to.kind === 'native' && from.kind === 'native' && to.name === 'uuid' && from.name === 'timeuuid';
}

function compileTypeHint(ref: TypeRef, term: Term, receiver: Receiver, scope: MarkerScope): PreparedTerm {
  const hinted = ref.kind === 'udt' && receiver.type.kind === 'udt' ? receiver.type : typeFromRef(ref);
  if (!hinted) throw invalidRequest(`Unknown type ${ref.kind === 'udt' ? ref.name : ref.kind}`);
  if (!assignable(hinted, receiver.type)) {
    throw invalidRequest(
      `Cannot assign value of type ${cqlTypeName(hinted)} to ${receiver.name} of type ${cqlTypeName(receiver.type)}`,
    );
  }
  return compileTerm(term, { name: receiver.name, type: hinted }, scope);
}

/** A written type as a CqlType; user types need the schema and are undefined here. */
export function typeFromRef(ref: TypeRef): CqlType | undefined {
  switch (ref.kind) {
    case 'native':
      return CqlTypes[ref.name];
    case 'list':
    case 'set': {
      const element = typeFromRef(ref.element);
      if (!element) return undefined;
      return ref.kind === 'list' ? listOf(element) : setOf(element);
    }
    case 'map': {
      const key = typeFromRef(ref.key);
      const value = typeFromRef(ref.value);
      return key && value ? mapOf(key, value) : undefined;
    }
    case 'tuple': {
      const elements = ref.elements.map(typeFromRef);
      return elements.every((e) => e !== undefined) ? tupleOf(elements as CqlType[]) : undefined;
    }
    case 'frozen': {
      const inner = typeFromRef(ref.inner);
      return inner ? freeze(inner) : undefined;
    }
    case 'udt':
    case 'custom':
      return undefined;
  }
}

type Numeric = number | bigint;

const NUMERIC_TYPES = new Set([
  'int',
  'bigint',
  'smallint',
  'tinyint',
  'varint',
  'float',
  'double',
  'counter',
]);

/** `+ - * / %` and unary minus over numbers, computed in the receiver's type. */
function compileArithmetic(term: Term, receiver: Receiver, scope: MarkerScope): PreparedTerm {
  const type = receiver.type;
  if (type.kind !== 'native' || !NUMERIC_TYPES.has(type.name)) {
    throw invalidRequest(
      `Arithmetic operations are not supported for ${receiver.name} of type ${cqlTypeName(type)}`,
    );
  }
  if (term.kind === 'negation') {
    const inner = compileTerm(term.term, receiver, scope);
    return (ctx) => applyNumeric(type, [inner(ctx)], ([a]) => (typeof a === 'bigint' ? -a : -a!));
  }
  if (term.kind !== 'arithmetic') throw new Error('assertion failed: arithmetic term expected');
  const left = compileTerm(term.left, receiver, scope);
  const right = compileTerm(term.right, receiver, scope);
  const op = term.operator;
  return (ctx) => applyNumeric(type, [left(ctx), right(ctx)], ([a, b]) => arithmetic(op, a!, b!));
}

function arithmetic(op: string, a: Numeric, b: Numeric): Numeric {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if ((op === '/' || op === '%') && b === 0n)
      throw invalidRequest('the operation can not be performed: / by zero');
    return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
  }
  const x = Number(a);
  const y = Number(b);
  const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
  return r;
}

function applyNumeric(
  type: CqlType,
  values: readonly BoundValue[],
  fn: (values: readonly Numeric[]) => Numeric,
): BoundValue {
  const decoded: Numeric[] = [];
  for (const v of values) {
    if (v === null || v === UNSET) return null;
    decoded.push(deserialize(type, v) as CqlValue as Numeric);
  }
  let result = fn(decoded);
  if (type.kind === 'native' && ['int', 'smallint', 'tinyint'].includes(type.name)) {
    result = Math.trunc(Number(result));
  }
  return serialize(type, result);
}
