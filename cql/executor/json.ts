/**
 * JSON in and out: `INSERT ... JSON '{...}'` becomes an ordinary INSERT whose terms are built from
 * the JSON values by the column types, and `SELECT JSON` renders a row as one JSON object (the
 * forms of Cassandra's `toJson`/`fromJson`).
 */
import type { InsertJsonStatement, InsertStatement, SourcePosition, Term } from '../parser/index.js';
import type { TableMetadata } from '../schema/metadata.js';
import type { CqlType, CqlValue } from '../types/index.js';
import {
  type CqlDecimal,
  type CqlDuration,
  deserialize,
  formatTimestampIso,
  type LocalDate,
  type LocalTime,
  maybeQuoteIdentifier,
} from '../types/index.js';
import { invalidRequest } from './values.js';

export function insertFromJson(stmt: InsertJsonStatement, table: TableMetadata): InsertStatement {
  if (stmt.json.kind !== 'constant')
    throw invalidRequest('INSERT JSON with a bind marker is not supported yet');
  let parsed: unknown;
  try {
    parsed = JSON.parse(stmt.json.text);
  } catch (error) {
    throw invalidRequest(`Could not decode JSON string as a map: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidRequest(`Could not decode JSON string as a map: ${stmt.json.text}`);
  }
  const byColumn = new Map<string, unknown>();
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    // Keys follow identifier rules: "\"Quoted\"" keeps its case, anything else is lower-cased.
    const name =
      key.startsWith('"') && key.endsWith('"') && key.length > 1 ? key.slice(1, -1) : key.toLowerCase();
    if (!table.columns.has(name))
      throw invalidRequest(`JSON values map contains unrecognized column: ${key}`);
    byColumn.set(name, value);
  }
  const position = stmt.position;
  const columns: string[] = [];
  const values: Term[] = [];
  for (const column of table.columns.values()) {
    if (byColumn.has(column.name)) {
      columns.push(column.name);
      values.push(jsonToTerm(byColumn.get(column.name), column.type, column.name, position));
    } else if (!stmt.defaultUnset && (column.kind === 'regular' || column.kind === 'static')) {
      columns.push(column.name);
      values.push({ kind: 'null', position });
    }
  }
  return {
    kind: 'insert',
    table: stmt.table,
    columns,
    values,
    ifNotExists: stmt.ifNotExists,
    using: stmt.using,
    position,
  };
}

function constant(
  type: Extract<Term, { kind: 'constant' }>['type'],
  text: string,
  position: SourcePosition,
): Term {
  return { kind: 'constant', type, text, position };
}

function badJson(value: unknown, type: CqlType, name: string): Error {
  return invalidRequest(
    `Error decoding JSON value for ${name}: Expected a value for type ${type.kind === 'native' ? type.name : type.kind}, but got ${JSON.stringify(value)}`,
  );
}

function jsonToTerm(value: unknown, type: CqlType, name: string, position: SourcePosition): Term {
  if (value === null) return { kind: 'null', position };
  switch (type.kind) {
    case 'native':
      return nativeJsonTerm(value, type.name, name, type, position);
    case 'list':
    case 'set':
    case 'tuple': {
      if (!Array.isArray(value)) throw badJson(value, type, name);
      const elementType = (i: number) => (type.kind === 'tuple' ? type.elements[i]! : type.element);
      const elements = value.map((v, i) => jsonToTerm(v, elementType(i), name, position));
      return { kind: type.kind, elements, position } as Term;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw badJson(value, type, name);
      const entries = Object.entries(value as Record<string, unknown>).map(
        ([k, v]) =>
          [jsonKeyTerm(k, type.key, name, position), jsonToTerm(v, type.value, name, position)] as const,
      );
      return { kind: 'map', entries, position };
    }
    case 'udt': {
      if (typeof value !== 'object' || Array.isArray(value)) throw badJson(value, type, name);
      const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        const field = type.fields.find((f) => f.name === k.toLowerCase() || `"${f.name}"` === k);
        if (!field) throw invalidRequest(`Unknown field '${k}' in value of user defined type ${type.name}`);
        return { name: field.name, value: jsonToTerm(v, field.type, name, position) };
      });
      return { kind: 'udt', fields, position };
    }
  }
}

/** A map key arrives as a JSON string: numbers and such are parsed from it. */
function jsonKeyTerm(key: string, type: CqlType, name: string, position: SourcePosition): Term {
  if (type.kind !== 'native') {
    try {
      return jsonToTerm(JSON.parse(key), type, name, position);
    } catch {
      throw badJson(key, type, name);
    }
  }
  return nativeJsonTerm(key, type.name, name, type, position);
}

function nativeJsonTerm(
  value: unknown,
  typeName: string,
  name: string,
  type: CqlType,
  position: SourcePosition,
): Term {
  const integerTypes = ['int', 'bigint', 'smallint', 'tinyint', 'varint', 'counter'];
  const floatTypes = ['float', 'double', 'decimal'];
  if (
    typeof value === 'number' ||
    (typeof value === 'string' && (integerTypes.includes(typeName) || floatTypes.includes(typeName)))
  ) {
    const text = String(value);
    if (
      integerTypes.includes(typeName) ||
      ((typeName === 'timestamp' || typeName === 'date' || typeName === 'time') &&
        Number.isInteger(Number(text)))
    ) {
      return constant('integer', text, position);
    }
    if (floatTypes.includes(typeName))
      return constant(/^[+-]?\d+$/.test(text) ? 'integer' : 'float', text, position);
    throw badJson(value, type, name);
  }
  if (typeof value === 'boolean') {
    if (typeName !== 'boolean') throw badJson(value, type, name);
    return constant('boolean', String(value), position);
  }
  if (typeof value !== 'string') throw badJson(value, type, name);
  switch (typeName) {
    case 'uuid':
    case 'timeuuid':
      return constant('uuid', value, position);
    case 'blob':
      return constant('hex', value, position);
    case 'boolean':
      return constant('boolean', value, position);
    case 'duration':
      return constant('duration', value, position);
    default:
      return constant('string', value, position);
  }
}

/** A value as Cassandra's toJson writes it. */
export function valueToJson(type: CqlType, bytes: Uint8Array | null): string {
  if (bytes === null) return 'null';
  return jsonOf(type, deserialize(type, bytes));
}

function jsonOf(type: CqlType, value: CqlValue): string {
  if (value === null) return 'null';
  switch (type.kind) {
    case 'native':
      return nativeJson(type.name, value);
    case 'list':
    case 'set':
      return `[${(value as readonly CqlValue[]).map((v) => jsonOf(type.element, v)).join(', ')}]`;
    case 'tuple':
      return `[${(value as readonly CqlValue[]).map((v, i) => jsonOf(type.elements[i]!, v)).join(', ')}]`;
    case 'map': {
      const entries = [...(value as ReadonlyMap<CqlValue, CqlValue>)].map(([k, v]) => {
        const key = jsonOf(type.key, k);
        return `${key.startsWith('"') ? key : JSON.stringify(key)}: ${jsonOf(type.value, v)}`;
      });
      return `{${entries.join(', ')}}`;
    }
    case 'udt': {
      const record = value as { readonly [field: string]: CqlValue };
      const fields = type.fields.map(
        (f) => `${JSON.stringify(maybeQuoteIdentifier(f.name))}: ${jsonOf(f.type, record[f.name] ?? null)}`,
      );
      return `{${fields.join(', ')}}`;
    }
  }
}

function nativeJson(name: string, value: CqlValue): string {
  switch (name) {
    case 'int':
    case 'smallint':
    case 'tinyint':
    case 'bigint':
    case 'counter':
    case 'varint':
      return String(value);
    case 'float':
    case 'double':
      return Number.isFinite(value as number) ? String(value) : JSON.stringify(String(value));
    case 'decimal':
      return (value as CqlDecimal).toString();
    case 'boolean':
      return String(value);
    case 'timestamp':
      return JSON.stringify(formatTimestampIso((value as Date).getTime()).replace('T', ' '));
    case 'blob':
      return JSON.stringify(`0x${Buffer.from(value as Uint8Array).toString('hex')}`);
    case 'date':
      return JSON.stringify((value as LocalDate).toString());
    case 'time':
      return JSON.stringify((value as LocalTime).toString());
    case 'duration':
      return JSON.stringify((value as CqlDuration).toString());
    default:
      return JSON.stringify(String(value));
  }
}
