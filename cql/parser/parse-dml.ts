import type {
  Assignment,
  BatchStatement,
  Condition,
  DeleteStatement,
  Deletion,
  InsertJsonStatement,
  InsertStatement,
  ModificationStatement,
  Ordering,
  QualifiedName,
  SelectStatement,
  SourcePosition,
  UpdateStatement,
  UsingAttributes,
} from './ast.js';
import {
  isColumnName,
  parseColumnName,
  parseIdent,
  parseTableName,
  startsFunctionCall,
} from './parse-names.js';
import { canStartSelectClause, parseSelectable, parseSelectClause } from './parse-selectors.js';
import { parseIntValue, parseMarker, parseTerm, tryConstant } from './parse-terms.js';
import { parseConditions, parseWhereClause } from './parse-where.js';
import { recognitionError } from './syntax-error.js';
import type { TokenCursor } from './token-cursor.js';

/** SELECT, INSERT, UPDATE, DELETE and BATCH (the grammar's data statements). */

export function parseSelect(c: TokenCursor): SelectStatement {
  const position = c.position();
  c.expectKeyword('SELECT');
  // `json` and `distinct` are also column names: they are modifiers only if a selector follows.
  const json = c.isKeyword('JSON') && canStartSelectClause(c, 1);
  if (json) c.next();
  const distinct = c.isKeyword('DISTINCT') && canStartSelectClause(c, 1);
  if (distinct) c.next();
  const selectors = parseSelectClause(c);
  c.expectKeyword('FROM');
  const table = parseTableName(c);
  const where = c.acceptKeyword('WHERE') ? parseWhereClause(c) : [];
  const groupBy = [];
  if (c.acceptKeyword('GROUP')) {
    c.expectKeyword('BY');
    do groupBy.push(parseSelectable(c));
    while (c.acceptSymbol(','));
  }
  const orderBy: Ordering[] = [];
  if (c.acceptKeyword('ORDER')) {
    c.expectKeyword('BY');
    do orderBy.push(parseOrdering(c));
    while (c.acceptSymbol(','));
  }
  let perPartitionLimit: SelectStatement['perPartitionLimit'];
  if (c.acceptKeyword('PER')) {
    c.expectKeyword('PARTITION');
    c.expectKeyword('LIMIT');
    perPartitionLimit = parseIntValue(c);
  }
  const limit = c.acceptKeyword('LIMIT') ? parseIntValue(c) : undefined;
  const allowFiltering = c.acceptKeyword('ALLOW');
  if (allowFiltering) c.expectKeyword('FILTERING');
  return {
    kind: 'select',
    table,
    json,
    distinct,
    selectors,
    where,
    groupBy,
    orderBy,
    ...(perPartitionLimit ? { perPartitionLimit } : {}),
    ...(limit ? { limit } : {}),
    allowFiltering,
    position,
  };
}

function parseOrdering(c: TokenCursor): Ordering {
  const column = parseColumnName(c);
  if (c.acceptKeyword('DESC')) return { column, order: 'desc' };
  c.acceptKeyword('ASC');
  return { column, order: 'asc' };
}

/** `USING TIMESTAMP x AND TTL y` (either order, either alone). */
function parseUsing(c: TokenCursor, allowTtl = true): UsingAttributes {
  if (!c.acceptKeyword('USING')) return {};
  let using: UsingAttributes = {};
  do {
    // Cassandra's grammar lets a repeated TIMESTAMP or TTL silently replace the first (leaving an
    // orphan bind marker behind); Sibyl refuses the repetition instead (docs/cql.md).
    if (c.acceptKeyword('TIMESTAMP')) {
      if (using.timestamp !== undefined) throw recognitionError('Multiple definition for property timestamp');
      using = { ...using, timestamp: parseIntValue(c) };
    } else if (allowTtl && c.acceptKeyword('TTL')) {
      if (using.ttl !== undefined) throw recognitionError('Multiple definition for property ttl');
      using = { ...using, ttl: parseIntValue(c) };
    } else throw allowTtl ? c.noViableAlternative() : c.mismatched('K_TIMESTAMP');
  } while (allowTtl && c.acceptKeyword('AND'));
  return using;
}

function parseIfNotExists(c: TokenCursor): boolean {
  if (!c.acceptKeyword('IF')) return false;
  c.expectKeyword('NOT');
  c.expectKeyword('EXISTS');
  return true;
}

export function parseInsert(c: TokenCursor): InsertStatement | InsertJsonStatement {
  const position = c.position();
  c.expectKeyword('INSERT');
  c.expectKeyword('INTO');
  const table = parseTableName(c);
  if (c.acceptKeyword('JSON')) return parseInsertJson(c, table, position);
  if (!c.isSymbol('(')) throw c.noViableAlternative();
  c.next();
  const columns = [parseColumnName(c)];
  while (c.acceptSymbol(',')) columns.push(parseColumnName(c));
  c.expectSymbol(')');
  c.expectKeyword('VALUES');
  c.expectSymbol('(');
  const values = [parseTerm(c)];
  while (c.acceptSymbol(',')) values.push(parseTerm(c));
  c.expectSymbol(')');
  const ifNotExists = parseIfNotExists(c);
  return { kind: 'insert', table, columns, values, ifNotExists, using: parseUsing(c), position };
}

function parseInsertJson(
  c: TokenCursor,
  table: QualifiedName,
  position: SourcePosition,
): InsertJsonStatement {
  let json: InsertJsonStatement['json'];
  if (c.isType('STRING')) json = tryConstant(c)!;
  else if (c.isSymbol('?') || c.isSymbol(':')) json = parseMarker(c);
  else throw c.noViableAlternative();
  let defaultUnset = false;
  if (c.acceptKeyword('DEFAULT')) {
    if (c.acceptKeyword('UNSET')) defaultUnset = true;
    else if (!c.acceptKeyword('NULL')) throw c.noViableAlternative();
  }
  const ifNotExists = parseIfNotExists(c);
  return { kind: 'insertJson', table, json, defaultUnset, ifNotExists, using: parseUsing(c), position };
}

/** `IF EXISTS` or `IF conditions` after UPDATE / DELETE. */
function parseIfClause(c: TokenCursor): { ifExists: boolean; conditions: Condition[] } {
  if (!c.acceptKeyword('IF')) return { ifExists: false, conditions: [] };
  if (c.acceptKeyword('EXISTS')) return { ifExists: true, conditions: [] };
  return { ifExists: false, conditions: parseConditions(c) };
}

export function parseUpdate(c: TokenCursor): UpdateStatement {
  const position = c.position();
  c.expectKeyword('UPDATE');
  const table = parseTableName(c);
  const using = parseUsing(c);
  c.expectKeyword('SET');
  const assignments: Assignment[] = [];
  do addAssignment(assignments, parseAssignment(c));
  while (c.acceptSymbol(','));
  // Cassandra's prediction reports anything but WHERE here as having no viable alternative.
  if (!c.isKeyword('WHERE') && !c.isType('EOF')) throw c.noViableAlternative();
  c.expectKeyword('WHERE');
  const where = parseWhereClause(c);
  return { kind: 'update', table, using, assignments, where, ...parseIfClause(c), position };
}

/** `columnOperation`: `c = v`, `c = c + v`, `c = v + c`, `c += v`, `c[k] = v`, `c.f = v`. */
function parseAssignment(c: TokenCursor): Assignment {
  const position = c.position();
  const column = parseColumnName(c);
  if (c.acceptSymbol('=')) return parseNormalAssignment(c, column, position);
  if (c.isSymbol('+=') || c.isSymbol('-=')) {
    const kind = c.next().text === '+=' ? 'add' : 'subtract';
    return { kind, column, value: parseTerm(c), position };
  }
  if (c.acceptSymbol('[')) {
    const key = parseTerm(c);
    c.expectSymbol(']');
    c.expectSymbol('=');
    return { kind: 'setElement', column, key, value: parseTerm(c), position };
  }
  if (c.acceptSymbol('.')) {
    const field = parseIdent(c);
    c.expectSymbol('=');
    return { kind: 'setField', column, field, value: parseTerm(c), position };
  }
  throw c.noViableAlternative();
}

function parseNormalAssignment(c: TokenCursor, column: string, position: SourcePosition): Assignment {
  const startsWithColumn = isColumnName(c) && !startsFunctionCall(c);
  if (startsWithColumn && (c.isSymbol('+', 1) || c.isSymbol('-', 1))) {
    const other = parseColumnName(c);
    const sign = c.next().text;
    if (other !== column)
      throw recognitionError(`Only expressions of the form X = X ${sign}<value> are supported.`);
    return { kind: sign === '+' ? 'add' : 'subtract', column, value: parseTerm(c), position };
  }
  if (startsWithColumn && c.isType('INTEGER', 1)) {
    // `c = c -1` lexes as [c, =, c, INTEGER(-1)], so Cassandra's grammar has this production.
    const other = parseColumnName(c);
    const value = tryConstant(c)!;
    const sign = value.text.startsWith('-') ? '-' : '+';
    if (other !== column)
      throw recognitionError(`Only expressions of the form X = X ${sign} <value> are supported.`);
    return { kind: 'add', column, value, position };
  }
  const value = parseTerm(c);
  if (!c.acceptSymbol('+')) return { kind: 'set', column, value, position };
  const other = parseColumnName(c);
  if (other !== column) throw recognitionError('Only expressions of the form X = <value> + X are supported.');
  return { kind: 'prepend', column, value, position };
}

/**
 * Cassandra's addRawUpdate: once a column is set (`c = v`) nothing else may touch it, nothing may
 * set it after another operation, and a UDT field may not be set twice. Order matters, as there.
 */
function addAssignment(assignments: Assignment[], update: Assignment): void {
  for (const existing of assignments) {
    if (existing.column !== update.column) continue;
    let compatible = update.kind !== 'set';
    if (existing.kind === 'set') compatible = false;
    else if (existing.kind === 'setField' && update.kind === 'setField')
      compatible = existing.field !== update.field;
    if (!compatible) throw recognitionError(`Multiple incompatible setting of column ${update.column}`);
  }
  assignments.push(update);
}

export function parseDelete(c: TokenCursor): DeleteStatement {
  const position = c.position();
  c.expectKeyword('DELETE');
  const deletions: Deletion[] = [];
  if (!c.isKeyword('FROM')) {
    do deletions.push(parseDeletion(c));
    while (c.acceptSymbol(','));
  }
  c.expectKeyword('FROM');
  const table = parseTableName(c);
  const using = parseUsing(c, false);
  c.expectKeyword('WHERE');
  const where = parseWhereClause(c);
  return { kind: 'delete', table, deletions, using, where, ...parseIfClause(c), position };
}

function parseDeletion(c: TokenCursor): Deletion {
  const position = c.position();
  const column = parseColumnName(c);
  if (c.acceptSymbol('[')) {
    const key = parseTerm(c);
    c.expectSymbol(']');
    return { kind: 'element', column, key, position };
  }
  if (c.acceptSymbol('.')) return { kind: 'field', column, field: parseIdent(c), position };
  return { kind: 'column', column, position };
}

export function parseBatch(c: TokenCursor): BatchStatement {
  const position = c.position();
  c.expectKeyword('BEGIN');
  let type: BatchStatement['type'] = 'logged';
  if (c.acceptKeyword('UNLOGGED')) type = 'unlogged';
  else if (c.acceptKeyword('COUNTER')) type = 'counter';
  c.expectKeyword('BATCH');
  const using = parseUsing(c);
  const statements: ModificationStatement[] = [];
  for (;;) {
    const statement = parseBatchChild(c);
    if (!statement) break;
    statements.push(statement);
    c.acceptSymbol(';');
  }
  c.expectKeyword('APPLY');
  c.expectKeyword('BATCH');
  return { kind: 'batch', type, using, statements, position };
}

function parseBatchChild(c: TokenCursor): ModificationStatement | undefined {
  if (c.isKeyword('INSERT')) return parseInsert(c);
  if (c.isKeyword('UPDATE')) return parseUpdate(c);
  if (c.isKeyword('DELETE')) return parseDelete(c);
  return undefined;
}
