/**
 * CQL identifiers as Cassandra prints them (its ColumnIdentifier.maybeQuote): lower-case names
 * that are not reserved words print bare, everything else in double quotes with `"` doubled.
 */

// Cassandra 4.x/5.0's reserved keywords (its cql3/reserved_keywords.txt, checked against the grammar):
// an unquoted identifier cannot be one of these. Every other keyword of the lexer (`key`, `ttl`,
// `type`, `default`, `unset`...) is unreserved and may name a column. The parser (cql/parser) and the
// printers share this one list.
const RESERVED = new Set([
  'add',
  'allow',
  'alter',
  'and',
  'apply',
  'asc',
  'authorize',
  'batch',
  'begin',
  'by',
  'columnfamily',
  'create',
  'delete',
  'desc',
  'describe',
  'drop',
  'entries',
  'execute',
  'from',
  'full',
  'grant',
  'if',
  'in',
  'index',
  'infinity',
  'insert',
  'into',
  'is',
  'keyspace',
  'limit',
  'materialized',
  'modify',
  'nan',
  'norecursive',
  'not',
  'null',
  'of',
  'on',
  'or',
  'order',
  'primary',
  'rename',
  'revoke',
  'schema',
  'select',
  'set',
  'table',
  'to',
  'token',
  'truncate',
  'unlogged',
  'update',
  'use',
  'using',
  'view',
  'where',
  'with',
]);

const UNQUOTED = /^[a-z][a-z0-9_]*$/;

export function isReservedKeyword(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

export function maybeQuoteIdentifier(name: string): string {
  if (UNQUOTED.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}
