import { cqlLimits } from '../../common/limits.js';
import type { ParsedStatement, Statement } from './ast.js';
import { lex } from './lexer.js';
import { parseBatch, parseDelete, parseInsert, parseSelect, parseUpdate } from './parse-dml.js';
import {
  parseAlterKeyspace,
  parseAlterTable,
  parseAlterType,
  parseCreateIndex,
  parseCreateKeyspace,
  parseCreateTable,
  parseCreateType,
  parseDrop,
  parseTruncate,
  parseUse,
} from './parse-schema.js';
import { atToken, CqlSyntaxError } from './syntax-error.js';
import { tokenDisplay } from './token.js';
import { TokenCursor } from './token-cursor.js';

/**
 * Entry points: one statement (what a client sends in QUERY or PREPARE), or a script of
 * statements separated by `;` (what `sibyl shell -f` reads). Every failure is a CqlSyntaxError.
 */

/** Parses exactly one statement, optionally followed by `;`s (Cassandra's `query` rule). */
export function parseStatement(text: string): ParsedStatement {
  checkLength(text, cqlLimits.maxStatementLengthBytes, 'Statement');
  const { tokens, raw } = lex(text);
  const c = new TokenCursor(tokens, text, raw);
  const position = c.position();
  const statement = parseCqlStatement(c);
  while (c.acceptSymbol(';'));
  c.expectEnd();
  return { statement, bindMarkers: c.bindMarkers, text, position };
}

/**
 * Parses `;`-separated statements (a batch's inner `;`s do not split it). Positions in errors and
 * in the trees are relative to the whole script; each statement numbers its own markers.
 */
export function parseScript(text: string): ParsedStatement[] {
  checkLength(text, cqlLimits.maxScriptLengthBytes, 'Script');
  const { tokens, raw } = lex(text);
  const c = new TokenCursor(tokens, text, raw);
  const statements: ParsedStatement[] = [];
  for (;;) {
    while (c.acceptSymbol(';'));
    if (c.isType('EOF')) return statements;
    c.bindMarkers = [];
    const start = c.offset();
    const position = c.position();
    const statement = parseCqlStatement(c);
    const statementText = text.slice(start, c.previousEnd());
    checkLength(statementText, cqlLimits.maxStatementLengthBytes, 'Statement');
    if (!c.isSymbol(';') && !c.isType('EOF')) throw c.mismatched("';'");
    statements.push({ statement, bindMarkers: c.bindMarkers, text: statementText, position });
  }
}

/** UTF-8 length without encoding, and without scanning when the answer is plain from `length`. */
function checkLength(text: string, limitBytes: number, what: string): void {
  if (text.length * 3 <= limitBytes) return;
  const bytes = text.length > limitBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > limitBytes) {
    throw new CqlSyntaxError(`${what} is too long: ${bytes} bytes, the limit is ${limitBytes}`);
  }
}

function parseCqlStatement(c: TokenCursor): Statement {
  const token = c.peek();
  switch (token.type === 'IDENT' ? token.keyword : undefined) {
    case 'SELECT':
      return parseSelect(c);
    case 'INSERT':
      return parseInsert(c);
    case 'UPDATE':
      return parseUpdate(c);
    case 'DELETE':
      return parseDelete(c);
    case 'BEGIN':
      return parseBatch(c);
    case 'USE':
      return parseUse(c);
    case 'TRUNCATE':
      return parseTruncate(c);
    case 'CREATE':
      return parseCreate(c);
    case 'ALTER':
      return parseAlter(c);
    case 'DROP':
      return parseDropStatement(c);
  }
  throw unsupportedOrNoViable(c, UNSUPPORTED_FIRST);
}

function parseCreate(c: TokenCursor): Statement {
  const position = c.position();
  c.next();
  let statement: Statement | undefined;
  if (c.isKeyword('KEYSPACE')) statement = parseCreateKeyspace(c);
  else if (c.isKeyword('COLUMNFAMILY')) statement = parseCreateTable(c);
  else if (c.isKeyword('INDEX') || c.isKeyword('CUSTOM')) statement = parseCreateIndex(c);
  else if (c.isKeyword('TYPE')) statement = parseCreateType(c);
  if (!statement) throw unsupportedOrNoViable(c, UNSUPPORTED_SCHEMA);
  return { ...statement, position };
}

function parseAlter(c: TokenCursor): Statement {
  const position = c.position();
  c.next();
  let statement: Statement | undefined;
  if (c.isKeyword('KEYSPACE')) statement = parseAlterKeyspace(c);
  else if (c.isKeyword('COLUMNFAMILY')) statement = parseAlterTable(c);
  else if (c.isKeyword('TYPE')) statement = parseAlterType(c);
  if (!statement) throw unsupportedOrNoViable(c, UNSUPPORTED_SCHEMA);
  return { ...statement, position };
}

function parseDropStatement(c: TokenCursor): Statement {
  const position = c.position();
  c.next();
  const statement = parseDrop(c);
  if (!statement) throw unsupportedOrNoViable(c, UNSUPPORTED_SCHEMA);
  return { ...statement, position };
}

/**
 * Statements Cassandra has and Sibyl does not (yet) are said plainly rather than as a bare syntax
 * error: first words of a statement, and words after CREATE / ALTER / DROP.
 */
const UNSUPPORTED_FIRST: Record<string, string> = {
  GRANT: 'permissions',
  REVOKE: 'permissions',
  LIST: 'roles and permissions',
  ADD: 'identities',
  DESCRIBE: 'server-side DESCRIBE statements',
  DESC: 'server-side DESCRIBE statements',
};

const UNSUPPORTED_SCHEMA: Record<string, string> = {
  USER: 'users',
  ROLE: 'roles',
  IDENTITY: 'identities',
  FUNCTION: 'user-defined functions',
  AGGREGATE: 'user-defined aggregates',
  OR: 'user-defined functions',
  TRIGGER: 'triggers',
  MATERIALIZED: 'materialized views',
};

function unsupportedOrNoViable(c: TokenCursor, table: Record<string, string>): CqlSyntaxError {
  const token = c.peek();
  const subject = token.type === 'IDENT' ? table[token.keyword ?? ''] : undefined;
  if (subject === undefined) return c.noViableAlternative();
  return atToken(c.context, token, `${subject} are not supported at input ${tokenDisplay(token)}`);
}
