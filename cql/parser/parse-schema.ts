import { isReservedKeyword } from '../types/index.js';
import type {
  AlterTableAction,
  AlterTypeAction,
  ColumnDefinition,
  CreateTableStatement,
  IndexTarget,
  Ordering,
  PrimaryKeyDeclaration,
  Property,
  PropertyValue,
  Statement,
  Term,
  TypeRef,
} from './ast.js';
import { formatTerm } from './format.js';
import {
  parseColumnName,
  parseIdent,
  parseIndexName,
  parseKeyspaceName,
  parseTableName,
  parseUserTypeName,
} from './parse-names.js';
import { parseTerm, tryConstant } from './parse-terms.js';
import { parseType } from './parse-types.js';
import { recognitionError } from './syntax-error.js';
import type { TokenCursor } from './token-cursor.js';

/** CREATE / ALTER / DROP of keyspaces, tables, types and indexes; USE; TRUNCATE. */

function parseIfExists(c: TokenCursor): boolean {
  if (!c.acceptKeyword('IF')) return false;
  c.expectKeyword('EXISTS');
  return true;
}

function parseIfNotExists(c: TokenCursor): boolean {
  if (!c.acceptKeyword('IF')) return false;
  c.expectKeyword('NOT');
  c.expectKeyword('EXISTS');
  return true;
}

export function parseUse(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('USE');
  return { kind: 'use', keyspace: parseKeyspaceName(c), position };
}

export function parseTruncate(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('TRUNCATE');
  c.acceptKeyword('COLUMNFAMILY');
  return { kind: 'truncate', table: parseTableName(c), position };
}

export function parseCreateKeyspace(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('KEYSPACE');
  const ifNotExists = parseIfNotExists(c);
  const keyspace = parseKeyspaceName(c);
  c.expectKeyword('WITH');
  return { kind: 'createKeyspace', keyspace, ifNotExists, properties: parseProperties(c), position };
}

export function parseAlterKeyspace(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('KEYSPACE');
  const ifExists = parseIfExists(c);
  const keyspace = parseKeyspaceName(c);
  c.expectKeyword('WITH');
  return { kind: 'alterKeyspace', keyspace, ifExists, properties: parseProperties(c), position };
}

/** `DROP KEYSPACE|TABLE|TYPE|INDEX [IF EXISTS] name`, after DROP. */
export function parseDrop(c: TokenCursor): Statement | undefined {
  const position = c.position();
  if (c.acceptKeyword('KEYSPACE')) {
    const ifExists = parseIfExists(c);
    return { kind: 'dropKeyspace', keyspace: parseKeyspaceName(c), ifExists, position };
  }
  if (c.acceptKeyword('COLUMNFAMILY')) {
    const ifExists = parseIfExists(c);
    return { kind: 'dropTable', table: parseTableName(c), ifExists, position };
  }
  if (c.acceptKeyword('TYPE')) {
    const ifExists = parseIfExists(c);
    return { kind: 'dropType', type: parseUserTypeName(c), ifExists, position };
  }
  if (c.acceptKeyword('INDEX')) {
    const ifExists = parseIfExists(c);
    return { kind: 'dropIndex', index: parseIndexName(c), ifExists, position };
  }
  return undefined;
}

/** `properties`: `name = value AND ...`; a name given twice is refused as Cassandra does. */
export function parseProperties(c: TokenCursor): Property[] {
  const properties: Property[] = [];
  do parseProperty(c, properties);
  while (c.acceptKeyword('AND'));
  return properties;
}

function parseProperty(c: TokenCursor, into: Property[]): void {
  const position = c.position();
  const name = parseIdent(c);
  c.expectSymbol('=');
  const value = parsePropertyValue(c);
  if (into.some((p) => p.name === name)) throw recognitionError(`Multiple definition for property '${name}'`);
  into.push({ name, value, position });
}

function parsePropertyValue(c: TokenCursor): PropertyValue {
  if (c.isSymbol('{')) return parsePropertyMap(c);
  const constant = tryConstant(c);
  if (constant) return { kind: 'simple', text: constant.text, constantType: constant.type };
  const token = c.peek();
  // `propertyValue` also takes an unreserved keyword (but no plain identifier).
  if (token.type === 'IDENT' && token.keyword !== undefined && !isReservedKeyword(token.text)) {
    c.next();
    return { kind: 'simple', text: token.text };
  }
  throw c.noViableAlternative();
}

/** `fullMapLiteral` whose keys and values must all be constants (convertPropertyMap). */
function parsePropertyMap(c: TokenCursor): PropertyValue {
  c.expectSymbol('{');
  const pairs: [Term, Term][] = [];
  if (!c.isSymbol('}')) {
    do {
      const key = parseTerm(c);
      c.expectSymbol(':');
      pairs.push([key, parseTerm(c)]);
    } while (c.acceptSymbol(','));
  }
  c.expectSymbol('}');
  const entries: [string, string][] = [];
  for (const [key, value] of pairs) {
    const markerNote = ' (bind variables are not supported in DDL queries)';
    if (key.kind !== 'constant') {
      throw recognitionError(
        `Invalid property name: ${formatTerm(key)}${key.kind === 'bindMarker' ? markerNote : ''}`,
      );
    }
    if (value.kind !== 'constant') {
      const note = value.kind === 'bindMarker' ? markerNote : '';
      throw recognitionError(
        `Invalid property value: ${formatTerm(value)} for property: ${formatTerm(key)}${note}`,
      );
    }
    if (entries.some(([k]) => k === key.text))
      throw recognitionError(`Multiple definition for property ${key.text}`);
    entries.push([key.text, value.text]);
  }
  return { kind: 'map', entries };
}

export function parseCreateTable(c: TokenCursor): CreateTableStatement {
  const position = c.position();
  c.expectKeyword('COLUMNFAMILY');
  const ifNotExists = parseIfNotExists(c);
  const table = parseTableName(c);
  const columns: ColumnDefinition[] = [];
  const primaryKeys: PrimaryKeyDeclaration[] = [];
  c.expectSymbol('(');
  parseTableElement(c, columns, primaryKeys);
  // The grammar allows empty elements between commas: `(a int, , b int,)`.
  while (c.acceptSymbol(',')) {
    if (!c.isSymbol(',') && !c.isSymbol(')')) parseTableElement(c, columns, primaryKeys);
  }
  c.expectSymbol(')');
  const options = { clusteringOrder: [] as Ordering[], compactStorage: false, properties: [] as Property[] };
  if (c.acceptKeyword('WITH')) {
    do parseTableOption(c, options);
    while (c.acceptKeyword('AND'));
  }
  return { kind: 'createTable', table, ifNotExists, columns, primaryKeys, ...options, position };
}

/** A column (`k int [STATIC] [PRIMARY KEY]`) or `PRIMARY KEY ((a, b), c, d)`. */
function parseTableElement(c: TokenCursor, columns: ColumnDefinition[], keys: PrimaryKeyDeclaration[]): void {
  const position = c.position();
  if (c.acceptKeyword('PRIMARY')) {
    c.expectKeyword('KEY');
    c.expectSymbol('(');
    let partitionKey: string[];
    if (c.acceptSymbol('(')) {
      partitionKey = [parseIdent(c)];
      while (c.acceptSymbol(',')) partitionKey.push(parseIdent(c));
      c.expectSymbol(')');
    } else {
      partitionKey = [parseIdent(c)];
    }
    const clusteringColumns: string[] = [];
    while (c.acceptSymbol(',')) clusteringColumns.push(parseIdent(c));
    c.expectSymbol(')');
    keys.push({ partitionKey, clusteringColumns, position });
    return;
  }
  const column = parseColumnDefinition(c);
  columns.push(column);
  if (c.acceptKeyword('PRIMARY')) {
    c.expectKeyword('KEY');
    keys.push({ partitionKey: [column.name], clusteringColumns: [], position });
  }
}

function parseColumnDefinition(c: TokenCursor): ColumnDefinition {
  const position = c.position();
  const name = parseIdent(c);
  const type = parseType(c);
  const isStatic = c.acceptKeyword('STATIC');
  return { name, type, isStatic, position };
}

function parseTableOption(
  c: TokenCursor,
  options: { clusteringOrder: Ordering[]; compactStorage: boolean; properties: Property[] },
): void {
  if (c.isKeyword('COMPACT') && c.isKeyword('STORAGE', 1)) {
    c.next();
    c.next();
    options.compactStorage = true;
  } else if (c.isKeyword('CLUSTERING') && c.isKeyword('ORDER', 1)) {
    c.next();
    c.next();
    c.expectKeyword('BY');
    c.expectSymbol('(');
    do options.clusteringOrder.push(parseClusteringOrder(c));
    while (c.acceptSymbol(','));
    c.expectSymbol(')');
  } else {
    parseProperty(c, options.properties);
  }
}

/** In CLUSTERING ORDER BY the direction is required. */
function parseClusteringOrder(c: TokenCursor): Ordering {
  const column = parseIdent(c);
  if (c.acceptKeyword('ASC')) return { column, order: 'asc' };
  if (c.acceptKeyword('DESC')) return { column, order: 'desc' };
  throw c.noViableAlternative();
}

export function parseAlterTable(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('COLUMNFAMILY');
  const ifExists = parseIfExists(c);
  const table = parseTableName(c);
  return { kind: 'alterTable', table, ifExists, action: parseAlterTableAction(c), position };
}

function parseAlterTableAction(c: TokenCursor): AlterTableAction {
  if (c.acceptKeyword('ALTER')) {
    const column = parseColumnName(c);
    c.expectKeyword('TYPE');
    return { kind: 'alterColumnType', column, type: parseType(c) };
  }
  if (c.acceptKeyword('ADD')) {
    const ifNotExists = parseIfNotExists(c);
    if (!c.acceptSymbol('(')) return { kind: 'addColumns', ifNotExists, columns: [parseColumnDefinition(c)] };
    const columns = [parseColumnDefinition(c)];
    while (c.acceptSymbol(',')) columns.push(parseColumnDefinition(c));
    c.expectSymbol(')');
    return { kind: 'addColumns', ifNotExists, columns };
  }
  if (c.isKeyword('DROP') && c.isKeyword('COMPACT', 1) && c.isKeyword('STORAGE', 2)) {
    c.next();
    c.next();
    c.next();
    return { kind: 'dropCompactStorage' };
  }
  if (c.acceptKeyword('DROP')) return parseDropColumns(c);
  if (c.acceptKeyword('RENAME')) {
    const ifExists = parseIfExists(c);
    return { kind: 'renameColumns', ifExists, renames: parseRenames(c) };
  }
  // ALTER TABLE ... WITH takes plain properties only (no CLUSTERING ORDER, no COMPACT STORAGE).
  if (c.acceptKeyword('WITH')) return { kind: 'setOptions', properties: parseProperties(c) };
  throw c.noViableAlternative();
}

function parseDropColumns(c: TokenCursor): AlterTableAction {
  const ifExists = parseIfExists(c);
  const columns: string[] = [];
  if (c.acceptSymbol('(')) {
    do columns.push(parseIdent(c));
    while (c.acceptSymbol(','));
    c.expectSymbol(')');
  } else {
    columns.push(parseIdent(c));
  }
  if (!c.acceptKeyword('USING')) return { kind: 'dropColumns', ifExists, columns };
  c.expectKeyword('TIMESTAMP');
  if (!c.isType('INTEGER')) throw c.mismatched('INTEGER');
  return { kind: 'dropColumns', ifExists, columns, timestamp: c.next().text };
}

/** `a TO b AND c TO d`. */
function parseRenames(c: TokenCursor): { from: string; to: string }[] {
  const renames: { from: string; to: string }[] = [];
  do {
    const from = parseIdent(c);
    c.expectKeyword('TO');
    renames.push({ from, to: parseIdent(c) });
  } while (c.acceptKeyword('AND'));
  return renames;
}

export function parseCreateType(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('TYPE');
  const ifNotExists = parseIfNotExists(c);
  const type = parseUserTypeName(c);
  c.expectSymbol('(');
  const fields: { name: string; type: TypeRef }[] = [];
  const parseField = () => {
    const name = parseIdent(c);
    fields.push({ name, type: parseType(c) });
  };
  parseField();
  while (c.acceptSymbol(',')) {
    if (!c.isSymbol(',') && !c.isSymbol(')')) parseField();
  }
  c.expectSymbol(')');
  return { kind: 'createType', type, ifNotExists, fields, position };
}

export function parseAlterType(c: TokenCursor): Statement {
  const position = c.position();
  c.expectKeyword('TYPE');
  const ifExists = parseIfExists(c);
  const type = parseUserTypeName(c);
  let action: AlterTypeAction;
  if (c.acceptKeyword('ALTER')) {
    const field = parseIdent(c);
    c.expectKeyword('TYPE');
    action = { kind: 'alterFieldType', field, type: parseType(c) };
  } else if (c.acceptKeyword('ADD')) {
    const ifNotExists = parseIfNotExists(c);
    const field = parseIdent(c);
    action = { kind: 'addField', ifNotExists, field, type: parseType(c) };
  } else if (c.acceptKeyword('RENAME')) {
    const renameIfExists = parseIfExists(c);
    action = { kind: 'renameFields', ifExists: renameIfExists, renames: parseRenames(c) };
  } else {
    throw c.noViableAlternative();
  }
  return { kind: 'alterType', type, ifExists, action, position };
}

/** After CREATE: `[CUSTOM] INDEX [IF NOT EXISTS] [name] ON table (targets) [USING 'class'] [WITH ...]`. */
export function parseCreateIndex(c: TokenCursor): Statement {
  const position = c.position();
  const custom = c.acceptKeyword('CUSTOM');
  c.expectKeyword('INDEX');
  const ifNotExists = parseIfNotExists(c);
  const name = c.isKeyword('ON') ? undefined : parseIdent(c);
  c.expectKeyword('ON');
  const table = parseTableName(c);
  c.expectSymbol('(');
  const targets: IndexTarget[] = [];
  if (!c.isSymbol(')')) {
    do targets.push(parseIndexTarget(c));
    while (c.acceptSymbol(','));
  }
  c.expectSymbol(')');
  let using: string | undefined;
  if (c.acceptKeyword('USING')) {
    if (!c.isType('STRING')) throw c.mismatched('STRING_LITERAL');
    using = c.next().value;
  }
  const properties = c.acceptKeyword('WITH') ? parseProperties(c) : [];
  return {
    kind: 'createIndex',
    custom,
    ifNotExists,
    ...(name === undefined ? {} : { name }),
    table,
    targets,
    ...(using === undefined ? {} : { using }),
    properties,
    position,
  };
}

const INDEX_TARGET_KINDS: Record<string, IndexTarget['kind']> = {
  VALUES: 'values',
  KEYS: 'keys',
  ENTRIES: 'entries',
  FULL: 'full',
};

function parseIndexTarget(c: TokenCursor): IndexTarget {
  const kind = INDEX_TARGET_KINDS[c.peek().keyword ?? ''];
  if (kind !== undefined && c.isSymbol('(', 1)) {
    c.next();
    c.next();
    const column = parseColumnName(c);
    c.expectSymbol(')');
    return { kind, column };
  }
  return { kind: 'simple', column: parseColumnName(c) };
}
