/**
 * CQL identifiers as Cassandra prints them (its ColumnIdentifier.maybeQuote): lower-case names
 * that are not reserved words print bare, everything else in double quotes with `"` doubled.
 */

// Cassandra's reserved keywords: an unquoted identifier cannot be one of these.
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
  'default',
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
  'mbean',
  'mbeans',
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
  'replace',
  'revoke',
  'schema',
  'select',
  'set',
  'table',
  'to',
  'token',
  'truncate',
  'unlogged',
  'unset',
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
