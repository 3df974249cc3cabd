import { isReservedKeyword } from '../types/index.js';
import type {
  Assignment,
  BatchStatement,
  Condition,
  CreateTableStatement,
  InValues,
  Property,
  QualifiedName,
  Relation,
  Selectable,
  SelectStatement,
  Statement,
  Term,
  TypeRef,
  UsingAttributes,
} from './ast.js';

/**
 * Prints a syntax tree back as canonical CQL: keywords upper case, names quoted only when they
 * must be, strings in single quotes. Parsing the output gives the same tree again (positions
 * aside), which the tests check for every statement of the corpus.
 */

const UNQUOTED = /^[a-z][a-z0-9_]*$/;

/** A name as CQL text: bare if it lexes back to itself as a name, else double-quoted. */
export function formatName(name: string): string {
  const bare =
    UNQUOTED.test(name) &&
    !isReservedKeyword(name) &&
    // These lex as booleans, or read as SELECT's modifiers in front of a selector.
    !['true', 'false', 'json', 'distinct'].includes(name);
  return bare ? name : `"${name.replaceAll('"', '""')}"`;
}

export function formatQualified(name: QualifiedName): string {
  return name.keyspace === undefined
    ? formatName(name.name)
    : `${formatName(name.keyspace)}.${formatName(name.name)}`;
}

/** Type text that cql/types `parseCqlType` reads (after resolving UDTs through the schema). */
export function formatType(type: TypeRef): string {
  switch (type.kind) {
    case 'native':
      return type.name;
    case 'list':
    case 'set':
      return `${type.kind}<${formatType(type.element)}>`;
    case 'map':
      return `map<${formatType(type.key)}, ${formatType(type.value)}>`;
    case 'tuple':
      return `tuple<${type.elements.map(formatType).join(', ')}>`;
    case 'frozen':
      return `frozen<${formatType(type.inner)}>`;
    case 'udt':
      return formatQualified(type);
    case 'custom':
      return quoteString(type.className);
  }
}

function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function formatFunctionName(name: QualifiedName): string {
  // `token` is reserved but a valid function name as written; quoting it would also parse.
  const bare = name.name === 'token' || name.name === 'count' ? name.name : formatName(name.name);
  return name.keyspace === undefined ? bare : `${formatName(name.keyspace)}.${bare}`;
}

export function formatTerm(term: Term): string {
  switch (term.kind) {
    case 'constant':
      return term.type === 'string' ? quoteString(term.text) : term.text;
    case 'null':
      return 'NULL';
    case 'bindMarker':
      return term.name === undefined ? '?' : `:${formatName(term.name)}`;
    case 'list':
      return `[${term.elements.map(formatTerm).join(', ')}]`;
    case 'set':
      return `{${term.elements.map(formatTerm).join(', ')}}`;
    case 'map':
      return `{${term.entries.map(([k, v]) => `${formatTerm(k)}: ${formatTerm(v)}`).join(', ')}}`;
    case 'tuple':
      return `(${term.elements.map(formatTerm).join(', ')})`;
    case 'udt':
      return `{${term.fields.map((f) => `${formatName(f.name)}: ${formatTerm(f.value)}`).join(', ')}}`;
    case 'function':
      return `${formatFunctionName(term.name)}(${term.args.map(formatTerm).join(', ')})`;
    case 'typeHint':
      return `(${formatType(term.type)}) ${formatTerm(term.term)}`;
    case 'cast':
      return `CAST(${formatTerm(term.term)} AS ${term.type})`;
    case 'arithmetic':
      return `${formatTerm(term.left)} ${term.operator} ${formatTerm(term.right)}`;
    case 'negation':
      // A space keeps `- 1` a negation: `-1` would lex as one integer constant.
      return `- ${formatTerm(term.term)}`;
  }
}

export function formatSelectable(s: Selectable): string {
  const list = (elements: readonly Selectable[]) => elements.map(formatSelectable).join(', ');
  switch (s.kind) {
    case 'column':
      return formatName(s.name);
    case 'term':
      return formatTerm(s.term);
    case 'function':
      return `${formatFunctionName(s.name)}(${list(s.args)})`;
    case 'countRows':
      return 'count(*)';
    case 'writetimeOrTtl':
      return `${s.function}(${formatSelectable(s.target)})`;
    case 'cast':
      return `CAST(${formatSelectable(s.selectable)} AS ${s.type})`;
    case 'field':
      return `${formatSelectable(s.selectable)}.${formatName(s.field)}`;
    case 'element':
      return `${formatSelectable(s.selectable)}[${formatTerm(s.key)}]`;
    case 'slice':
      return `${formatSelectable(s.selectable)}[${s.from ? formatTerm(s.from) : ''}..${s.to ? formatTerm(s.to) : ''}]`;
    case 'arithmetic':
      return `${formatSelectable(s.left)} ${s.operator} ${formatSelectable(s.right)}`;
    case 'negation':
      return `- ${formatSelectable(s.selectable)}`;
    case 'typeHint':
      return `(${formatType(s.type)}) ${formatSelectable(s.selectable)}`;
    case 'tuple':
      return `(${list(s.elements)})`;
    case 'list':
      return `[${list(s.elements)}]`;
    case 'set':
      return `{${list(s.elements)}}`;
    case 'mapOrUdt':
      return `{${s.entries.map(([k, v]) => `${formatSelectable(k)}: ${formatSelectable(v)}`).join(', ')}}`;
  }
}

function formatInValues(values: InValues): string {
  return values.kind === 'marker'
    ? formatTerm(values.marker)
    : `(${values.terms.map(formatTerm).join(', ')})`;
}

const columnList = (columns: readonly string[]) => `(${columns.map(formatName).join(', ')})`;

export function formatRelation(r: Relation): string {
  switch (r.kind) {
    case 'compare':
      return `${formatName(r.column)} ${r.operator} ${formatTerm(r.value)}`;
    case 'in':
      return `${formatName(r.column)} IN ${formatInValues(r.values)}`;
    case 'isNotNull':
      return `${formatName(r.column)} IS NOT NULL`;
    case 'element':
      return `${formatName(r.column)}[${formatTerm(r.key)}] ${r.operator} ${formatTerm(r.value)}`;
    case 'token':
      return `token${columnList(r.columns)} ${r.operator} ${formatTerm(r.value)}`;
    case 'multiCompare':
      return `${columnList(r.columns)} ${r.operator} ${formatTerm(r.value)}`;
    case 'multiIn':
      return `${columnList(r.columns)} IN ${formatInValues(r.values)}`;
  }
}

function formatCondition(condition: Condition): string {
  const target = condition.target;
  let left = formatName(condition.column);
  if (target.kind === 'element') left += `[${formatTerm(target.key)}]`;
  if (target.kind === 'field') left += `.${formatName(target.field)}`;
  if (condition.kind === 'in') return `${left} IN ${formatInValues(condition.values)}`;
  return `${left} ${condition.operator} ${formatTerm(condition.value)}`;
}

/** In written order: markers are numbered by position, so swapping them would renumber them. */
function formatUsing(using: UsingAttributes): string {
  const parts: { text: string; at: Term['position'] }[] = [];
  if (using.ttl) parts.push({ text: `TTL ${formatTerm(using.ttl)}`, at: using.ttl.position });
  if (using.timestamp)
    parts.push({ text: `TIMESTAMP ${formatTerm(using.timestamp)}`, at: using.timestamp.position });
  parts.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  return parts.length === 0 ? '' : ` USING ${parts.map((p) => p.text).join(' AND ')}`;
}

function formatWhere(where: readonly Relation[]): string {
  return where.length === 0 ? '' : ` WHERE ${where.map(formatRelation).join(' AND ')}`;
}

function formatIf(ifExists: boolean, conditions: readonly Condition[]): string {
  if (ifExists) return ' IF EXISTS';
  return conditions.length === 0 ? '' : ` IF ${conditions.map(formatCondition).join(' AND ')}`;
}

function formatAssignment(a: Assignment): string {
  const column = formatName(a.column);
  switch (a.kind) {
    case 'set':
      return `${column} = ${formatTerm(a.value)}`;
    case 'add':
      return `${column} = ${column} + ${formatTerm(a.value)}`;
    case 'subtract':
      return `${column} = ${column} - ${formatTerm(a.value)}`;
    case 'prepend':
      return `${column} = ${formatTerm(a.value)} + ${column}`;
    case 'setElement':
      return `${column}[${formatTerm(a.key)}] = ${formatTerm(a.value)}`;
    case 'setField':
      return `${column}.${formatName(a.field)} = ${formatTerm(a.value)}`;
  }
}

function formatSelect(s: SelectStatement): string {
  let text = 'SELECT ';
  if (s.json) text += 'JSON ';
  if (s.distinct) text += 'DISTINCT ';
  const selectors = s.selectors.map(
    (sel) =>
      formatSelectable(sel.selectable) + (sel.alias === undefined ? '' : ` AS ${formatName(sel.alias)}`),
  );
  text += `${selectors.length === 0 ? '*' : selectors.join(', ')} FROM ${formatQualified(s.table)}`;
  text += formatWhere(s.where);
  if (s.groupBy.length > 0) text += ` GROUP BY ${s.groupBy.map(formatSelectable).join(', ')}`;
  if (s.orderBy.length > 0) {
    text += ` ORDER BY ${s.orderBy.map((o) => `${formatName(o.column)} ${o.order.toUpperCase()}`).join(', ')}`;
  }
  if (s.perPartitionLimit) text += ` PER PARTITION LIMIT ${formatTerm(s.perPartitionLimit)}`;
  if (s.limit) text += ` LIMIT ${formatTerm(s.limit)}`;
  if (s.allowFiltering) text += ' ALLOW FILTERING';
  return text;
}

function formatProperties(properties: readonly Property[]): string {
  return properties
    .map((p) => {
      const v = p.value;
      if (v.kind === 'map') {
        const entries = v.entries.map(([k, value]) => `${quoteString(k)}: ${quoteString(value)}`);
        return `${formatName(p.name)} = {${entries.join(', ')}}`;
      }
      const text = v.constantType === 'string' ? quoteString(v.text) : v.text;
      return `${formatName(p.name)} = ${text}`;
    })
    .join(' AND ');
}

function formatCreateTable(s: CreateTableStatement): string {
  const elements = s.columns.map(
    (column) => `${formatName(column.name)} ${formatType(column.type)}${column.isStatic ? ' STATIC' : ''}`,
  );
  for (const key of s.primaryKeys) {
    const partition =
      key.partitionKey.length === 1 ? formatName(key.partitionKey[0]!) : columnList(key.partitionKey);
    elements.push(`PRIMARY KEY (${[partition, ...key.clusteringColumns.map(formatName)].join(', ')})`);
  }
  const options: string[] = [];
  if (s.compactStorage) options.push('COMPACT STORAGE');
  if (s.clusteringOrder.length > 0) {
    const order = s.clusteringOrder.map((o) => `${formatName(o.column)} ${o.order.toUpperCase()}`);
    options.push(`CLUSTERING ORDER BY (${order.join(', ')})`);
  }
  if (s.properties.length > 0) options.push(formatProperties(s.properties));
  const ifNotExists = s.ifNotExists ? 'IF NOT EXISTS ' : '';
  const withClause = options.length === 0 ? '' : ` WITH ${options.join(' AND ')}`;
  return `CREATE TABLE ${ifNotExists}${formatQualified(s.table)} (${elements.join(', ')})${withClause}`;
}

function formatBatch(s: BatchStatement): string {
  const type = s.type === 'logged' ? '' : `${s.type.toUpperCase()} `;
  const body = s.statements.map((child) => `${formatStatement(child)}; `).join('');
  return `BEGIN ${type}BATCH${formatUsing(s.using)} ${body}APPLY BATCH`;
}

/** One statement as canonical CQL text, without a trailing `;`. */
export function formatStatement(s: Statement): string {
  switch (s.kind) {
    case 'select':
      return formatSelect(s);
    case 'insert':
      return (
        `INSERT INTO ${formatQualified(s.table)} ${columnList(s.columns)} VALUES (${s.values.map(formatTerm).join(', ')})` +
        `${s.ifNotExists ? ' IF NOT EXISTS' : ''}${formatUsing(s.using)}`
      );
    case 'insertJson':
      return (
        `INSERT INTO ${formatQualified(s.table)} JSON ${formatTerm(s.json)}${s.defaultUnset ? ' DEFAULT UNSET' : ''}` +
        `${s.ifNotExists ? ' IF NOT EXISTS' : ''}${formatUsing(s.using)}`
      );
    case 'update':
      return (
        `UPDATE ${formatQualified(s.table)}${formatUsing(s.using)} SET ${s.assignments.map(formatAssignment).join(', ')}` +
        `${formatWhere(s.where)}${formatIf(s.ifExists, s.conditions)}`
      );
    case 'delete': {
      const deletions = s.deletions.map((d) => {
        const column = formatName(d.column);
        if (d.kind === 'element') return `${column}[${formatTerm(d.key)}]`;
        return d.kind === 'field' ? `${column}.${formatName(d.field)}` : column;
      });
      const what = deletions.length === 0 ? '' : `${deletions.join(', ')} `;
      return `DELETE ${what}FROM ${formatQualified(s.table)}${formatUsing(s.using)}${formatWhere(s.where)}${formatIf(s.ifExists, s.conditions)}`;
    }
    case 'batch':
      return formatBatch(s);
    default:
      return formatSchemaStatement(s);
  }
}

function ifClause(flag: boolean, text: string): string {
  return flag ? `${text} ` : '';
}

function formatSchemaStatement(s: Statement): string {
  switch (s.kind) {
    case 'use':
      return `USE ${formatName(s.keyspace)}`;
    case 'createKeyspace':
      return `CREATE KEYSPACE ${ifClause(s.ifNotExists, 'IF NOT EXISTS')}${formatName(s.keyspace)} WITH ${formatProperties(s.properties)}`;
    case 'alterKeyspace':
      return `ALTER KEYSPACE ${ifClause(s.ifExists, 'IF EXISTS')}${formatName(s.keyspace)} WITH ${formatProperties(s.properties)}`;
    case 'dropKeyspace':
      return `DROP KEYSPACE ${ifClause(s.ifExists, 'IF EXISTS')}${formatName(s.keyspace)}`;
    case 'createTable':
      return formatCreateTable(s);
    case 'alterTable':
      return `ALTER TABLE ${ifClause(s.ifExists, 'IF EXISTS')}${formatQualified(s.table)} ${formatAlterTable(s.action)}`;
    case 'dropTable':
      return `DROP TABLE ${ifClause(s.ifExists, 'IF EXISTS')}${formatQualified(s.table)}`;
    case 'truncate':
      return `TRUNCATE TABLE ${formatQualified(s.table)}`;
    case 'createType': {
      const fields = s.fields.map((f) => `${formatName(f.name)} ${formatType(f.type)}`).join(', ');
      return `CREATE TYPE ${ifClause(s.ifNotExists, 'IF NOT EXISTS')}${formatQualified(s.type)} (${fields})`;
    }
    case 'alterType':
      return `ALTER TYPE ${ifClause(s.ifExists, 'IF EXISTS')}${formatQualified(s.type)} ${formatAlterType(s.action)}`;
    case 'dropType':
      return `DROP TYPE ${ifClause(s.ifExists, 'IF EXISTS')}${formatQualified(s.type)}`;
    case 'createIndex':
      return formatCreateIndex(s);
    case 'dropIndex':
      return `DROP INDEX ${ifClause(s.ifExists, 'IF EXISTS')}${formatQualified(s.index)}`;
    default:
      return formatStatement(s);
  }
}

function formatRenames(renames: readonly { from: string; to: string }[]): string {
  return renames.map((r) => `${formatName(r.from)} TO ${formatName(r.to)}`).join(' AND ');
}

function formatAlterTable(action: Extract<Statement, { kind: 'alterTable' }>['action']): string {
  switch (action.kind) {
    case 'alterColumnType':
      return `ALTER ${formatName(action.column)} TYPE ${formatType(action.type)}`;
    case 'addColumns': {
      const columns = action.columns.map(
        (c) => `${formatName(c.name)} ${formatType(c.type)}${c.isStatic ? ' STATIC' : ''}`,
      );
      const list = columns.length === 1 ? columns[0] : `(${columns.join(', ')})`;
      return `ADD ${ifClause(action.ifNotExists, 'IF NOT EXISTS')}${list}`;
    }
    case 'dropColumns': {
      const list = action.columns.length === 1 ? formatName(action.columns[0]!) : columnList(action.columns);
      const timestamp = action.timestamp === undefined ? '' : ` USING TIMESTAMP ${action.timestamp}`;
      return `DROP ${ifClause(action.ifExists, 'IF EXISTS')}${list}${timestamp}`;
    }
    case 'renameColumns':
      return `RENAME ${ifClause(action.ifExists, 'IF EXISTS')}${formatRenames(action.renames)}`;
    case 'dropCompactStorage':
      return 'DROP COMPACT STORAGE';
    case 'setOptions':
      return `WITH ${formatProperties(action.properties)}`;
  }
}

function formatAlterType(action: Extract<Statement, { kind: 'alterType' }>['action']): string {
  switch (action.kind) {
    case 'alterFieldType':
      return `ALTER ${formatName(action.field)} TYPE ${formatType(action.type)}`;
    case 'addField':
      return `ADD ${ifClause(action.ifNotExists, 'IF NOT EXISTS')}${formatName(action.field)} ${formatType(action.type)}`;
    case 'renameFields':
      return `RENAME ${ifClause(action.ifExists, 'IF EXISTS')}${formatRenames(action.renames)}`;
  }
}

function formatCreateIndex(s: Extract<Statement, { kind: 'createIndex' }>): string {
  const targets = s.targets.map((t) =>
    t.kind === 'simple' ? formatName(t.column) : `${t.kind.toUpperCase()}(${formatName(t.column)})`,
  );
  let text = `CREATE ${s.custom ? 'CUSTOM ' : ''}INDEX ${ifClause(s.ifNotExists, 'IF NOT EXISTS')}`;
  if (s.name !== undefined) text += `${formatName(s.name)} `;
  text += `ON ${formatQualified(s.table)} (${targets.join(', ')})`;
  if (s.using !== undefined) text += ` USING ${quoteString(s.using)}`;
  if (s.properties.length > 0) text += ` WITH ${formatProperties(s.properties)}`;
  return text;
}
