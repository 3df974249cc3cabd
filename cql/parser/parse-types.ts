import type { NativeTypeName } from '../types/index.js';
import type { TypeRef } from './ast.js';
import { parseUserTypeName } from './parse-names.js';
import { NATIVE_TYPE_KEYWORDS } from './token.js';
import type { TokenCursor } from './token-cursor.js';

/**
 * Types as written in DDL, hints and casts (the grammar's comparatorType). Only the shape is
 * checked here; nesting rules (frozen collections inside collections, counters...) are applied by
 * cql/types `parseCqlType` when the executor resolves the type against the schema.
 */
export function parseType(c: TokenCursor): TypeRef {
  return c.nested(() => parseTypeInner(c));
}

function parseTypeInner(c: TokenCursor): TypeRef {
  const token = c.peek();
  if (token.type === 'STRING') {
    c.next();
    return { kind: 'custom', className: token.value };
  }
  if (isNativeTypeToken(c)) return { kind: 'native', name: parseNativeType(c) };
  if (c.isSymbol('<', 1)) {
    switch (token.keyword) {
      case 'FROZEN':
        return parseFrozen(c);
      case 'MAP':
        return parseMap(c);
      case 'LIST':
        return parseListOrSet(c, 'list');
      case 'SET':
        return parseListOrSet(c, 'set');
      case 'TUPLE':
        return parseTuple(c);
    }
  }
  // `set` is reserved, so `set` without `<` fails in parseUserTypeName as it does in Cassandra.
  const name = parseUserTypeName(c);
  return name.keyspace === undefined
    ? { kind: 'udt', name: name.name }
    : { kind: 'udt', keyspace: name.keyspace, name: name.name };
}

export function isNativeTypeToken(c: TokenCursor, ahead = 0): boolean {
  const token = c.peek(ahead);
  return token.type === 'IDENT' && token.keyword !== undefined && NATIVE_TYPE_KEYWORDS.has(token.keyword);
}

/** `native_type`; `varchar` is `text`, as Cassandra treats it. */
export function parseNativeType(c: TokenCursor): NativeTypeName {
  if (!isNativeTypeToken(c)) throw c.noViableAlternative();
  const keyword = c.next().keyword!;
  return keyword === 'VARCHAR' ? 'text' : (keyword.toLowerCase() as NativeTypeName);
}

function parseFrozen(c: TokenCursor): TypeRef {
  c.next();
  c.expectSymbol('<');
  const inner = parseType(c);
  c.expectSymbol('>');
  return { kind: 'frozen', inner };
}

function parseMap(c: TokenCursor): TypeRef {
  c.next();
  c.expectSymbol('<');
  const key = parseType(c);
  c.expectSymbol(',');
  const value = parseType(c);
  c.expectSymbol('>');
  return { kind: 'map', key, value };
}

function parseListOrSet(c: TokenCursor, kind: 'list' | 'set'): TypeRef {
  c.next();
  c.expectSymbol('<');
  const element = parseType(c);
  c.expectSymbol('>');
  return { kind, element };
}

function parseTuple(c: TokenCursor): TypeRef {
  c.next();
  c.expectSymbol('<');
  const elements = [parseType(c)];
  while (c.acceptSymbol(',')) elements.push(parseType(c));
  c.expectSymbol('>');
  return { kind: 'tuple', elements };
}

/** Can a type start at `ahead`? (Type hints `(type) term` are told from tuples by this.) */
export function startsType(c: TokenCursor, ahead = 0): boolean {
  const token = c.peek(ahead);
  if (isNativeTypeToken(c, ahead)) return true;
  if (['FROZEN', 'MAP', 'LIST', 'SET', 'TUPLE'].includes(token.keyword ?? '') && c.isSymbol('<', ahead + 1)) {
    return true;
  }
  return c.isIdentifier(ahead);
}
