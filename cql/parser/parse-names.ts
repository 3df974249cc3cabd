import type { QualifiedName } from './ast.js';
import { recognitionError } from './syntax-error.js';
import { NATIVE_TYPE_KEYWORDS, type Token } from './token.js';
import type { TokenCursor } from './token-cursor.js';

/**
 * Names: columns, keyspaces, tables, types, functions and indexes (the grammar's ident, cident,
 * noncol_ident, non_type_ident, keyspaceName, columnFamilyName, userTypeName, functionName).
 * Unquoted names are folded to lower case here, once; quoted ones are kept exactly.
 */

/** Cassandra refuses these as user type names although they are not keywords (Parser.g's reservedTypeNames). */
const RESERVED_TYPE_NAMES = new Set(['byte', 'complex', 'enum', 'date', 'interval', 'macaddr', 'bitstring']);

/** Unreserved keywords that are not `basic_unreserved_keyword`s: usable as column names, not as type names. */
const NON_BASIC_UNRESERVED = new Set([
  'TTL',
  'COUNT',
  'WRITETIME',
  'MAXWRITETIME',
  'CAST',
  'JSON',
  'DISTINCT',
]);

function fold(token: Token): string {
  return token.type === 'QUOTED_NAME' ? token.value : token.value.toLowerCase();
}

/** `ident`: an unquoted name that is not a reserved keyword, or a quoted name. */
export function parseIdent(c: TokenCursor): string {
  if (!c.isIdentifier()) throw c.noViableAlternative();
  return fold(c.next());
}

/** `cident`: as `ident`, plus the empty quoted name `""` of legacy tables (never in DDL). */
export function parseColumnName(c: TokenCursor): string {
  if (c.isType('EMPTY_QUOTED_NAME')) {
    c.next();
    return '';
  }
  return parseIdent(c);
}

export function isColumnName(c: TokenCursor, ahead = 0): boolean {
  return c.isType('EMPTY_QUOTED_NAME', ahead) || c.isIdentifier(ahead);
}

/** The names the grammar's ksName/cfName/idxName take, refusing a marker with Cassandra's message. */
function parseObjectName(c: TokenCursor, what: 'keyspace' | 'table' | 'index'): string {
  if (c.isSymbol('?')) throw recognitionError(`Bind variables cannot be used for ${what} names`, c.peek());
  return parseIdent(c);
}

export function parseKeyspaceName(c: TokenCursor): string {
  return parseObjectName(c, 'keyspace');
}

/** `[keyspace.]table`. */
export function parseTableName(c: TokenCursor): QualifiedName {
  return parseQualified(c, 'table');
}

/** `[keyspace.]index`. */
export function parseIndexName(c: TokenCursor): QualifiedName {
  return parseQualified(c, 'index');
}

function parseQualified(c: TokenCursor, what: 'table' | 'index'): QualifiedName {
  if (c.isSymbol('.', 1)) {
    const keyspace = parseObjectName(c, 'keyspace');
    c.next();
    return { keyspace, name: parseObjectName(c, what) };
  }
  return { name: parseObjectName(c, what) };
}

/** `userTypeName`: `[keyspace.]name`, where the name cannot be a native type or a non-basic keyword. */
export function parseUserTypeName(c: TokenCursor): QualifiedName {
  if (c.isSymbol('.', 1)) {
    const keyspace = parseIdent(c);
    c.next();
    return { keyspace, name: parseNonTypeIdent(c) };
  }
  return { name: parseNonTypeIdent(c) };
}

export function isNonTypeIdent(c: TokenCursor, ahead = 0): boolean {
  const token = c.peek(ahead);
  if (!c.isIdentifier(ahead)) return false;
  if (token.type !== 'IDENT' || token.keyword === undefined) return true;
  return !NATIVE_TYPE_KEYWORDS.has(token.keyword) && !NON_BASIC_UNRESERVED.has(token.keyword);
}

function parseNonTypeIdent(c: TokenCursor): string {
  if (!isNonTypeIdent(c)) throw c.noViableAlternative();
  const token = c.next();
  const name = fold(token);
  if (token.type === 'IDENT' && token.keyword === undefined && RESERVED_TYPE_NAMES.has(name)) {
    throw recognitionError(`Invalid (reserved) user type name ${token.value}`, token);
  }
  return name;
}

/** `allowedFunctionName`: a name, an unreserved function keyword, `token` or `count`. */
export function isFunctionName(c: TokenCursor, ahead = 0): boolean {
  const token = c.peek(ahead);
  if (token.keyword === 'TOKEN' || token.keyword === 'COUNT') return true;
  if (!c.isIdentifier(ahead)) return false;
  return token.keyword === undefined || !NON_BASIC_UNRESERVED.has(token.keyword) || token.keyword === 'COUNT';
}

/** Does a function call (`f(`, `ks.f(`) start at `ahead`? Terms never start with a bare name otherwise. */
export function startsFunctionCall(c: TokenCursor, ahead = 0): boolean {
  if (c.isSymbol('.', ahead + 1)) {
    return c.isIdentifier(ahead) && isFunctionName(c, ahead + 2) && c.isSymbol('(', ahead + 3);
  }
  return isFunctionName(c, ahead) && c.isSymbol('(', ahead + 1);
}

/** `functionName`: `[keyspace.]name`; unquoted names are lower-cased as Cassandra does. */
export function parseFunctionName(c: TokenCursor): QualifiedName {
  let keyspace: string | undefined;
  if (c.isSymbol('.', 1)) {
    keyspace = parseKeyspaceName(c);
    c.next();
  }
  if (!isFunctionName(c)) throw c.noViableAlternative();
  const name = fold(c.next());
  return keyspace === undefined ? { name } : { keyspace, name };
}
