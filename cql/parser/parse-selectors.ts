import type { ArithmeticOperator, Selectable, Selector, Term } from './ast.js';
import { isFunctionName, parseFunctionName, parseIdent, startsFunctionCall } from './parse-names.js';
import {
  canStartTerm,
  isConstantStart,
  isMarkerStart,
  parseMarker,
  parseTerm,
  tryConstant,
} from './parse-terms.js';
import { parseNativeType, parseType, startsType } from './parse-types.js';
import type { TokenCursor } from './token-cursor.js';

/**
 * SELECT's selectors (the grammar's selectors, selector, unaliasedSelector, selectionAddition,
 * selectionMultiplication, selectionGroup, selectorModifier, selectionFunction...).
 */

/** `*` (an empty list) or `selector, ...`. */
export function parseSelectClause(c: TokenCursor): Selector[] {
  if (c.acceptSymbol('*')) return [];
  const selectors = [parseSelector(c)];
  while (c.acceptSymbol(',')) selectors.push(parseSelector(c));
  return selectors;
}

function parseSelector(c: TokenCursor): Selector {
  const selectable = parseSelectable(c);
  if (!c.acceptKeyword('AS')) return { selectable };
  return { selectable, alias: parseIdent(c) };
}

/** `unaliasedSelector`. */
export function parseSelectable(c: TokenCursor): Selectable {
  return c.nested(() => parseAddition(c));
}

/** Could a selector (or `*`) start at `ahead`? Decides `SELECT JSON ...` / `SELECT DISTINCT ...`. */
export function canStartSelectClause(c: TokenCursor, ahead: number): boolean {
  if (c.isSymbol('*', ahead) || c.isIdentifier(ahead) || canStartTerm(c, ahead)) return true;
  return startsFunctionCall(c, ahead);
}

function parseAddition(c: TokenCursor): Selectable {
  let left = parseMultiplication(c);
  while (c.isSymbol('+') || c.isSymbol('-')) {
    const position = c.position();
    const operator = c.next().text as ArithmeticOperator;
    left = { kind: 'arithmetic', operator, left, right: parseMultiplication(c), position };
  }
  return left;
}

function parseMultiplication(c: TokenCursor): Selectable {
  let left = parseGroup(c);
  while (c.isSymbol('*') || c.isSymbol('/') || c.isSymbol('%')) {
    const position = c.position();
    const operator = c.next().text as ArithmeticOperator;
    left = { kind: 'arithmetic', operator, left, right: parseGroup(c), position };
  }
  return left;
}

function parseGroup(c: TokenCursor): Selectable {
  if (c.isSymbol('-')) {
    const position = c.position();
    c.next();
    return { kind: 'negation', selectable: c.nested(() => parseGroup(c)), position };
  }
  return parseModifiers(c, parseWithoutField(c));
}

/** `.field` and `[key]` / `[from..to]` after a selector, any number of times. */
function parseModifiers(c: TokenCursor, selectable: Selectable): Selectable {
  let result = selectable;
  for (;;) {
    const position = c.position();
    if (c.acceptSymbol('.')) {
      result = { kind: 'field', selectable: result, field: parseIdent(c), position };
    } else if (c.acceptSymbol('[')) {
      result = parseSubSelection(c, result, position);
      c.expectSymbol(']');
    } else {
      return result;
    }
  }
}

function parseSubSelection(
  c: TokenCursor,
  selectable: Selectable,
  position: Selectable['position'],
): Selectable {
  if (c.acceptSymbol('..')) return { kind: 'slice', selectable, to: parseTerm(c), position };
  const key = parseTerm(c);
  if (!c.acceptSymbol('..')) return { kind: 'element', selectable, key, position };
  if (c.isSymbol(']')) return { kind: 'slice', selectable, from: key, position };
  return { kind: 'slice', selectable, from: key, to: parseTerm(c), position };
}

function parseWithoutField(c: TokenCursor): Selectable {
  const position = c.position();
  if (c.isSymbol('(')) return parseParenthesised(c);
  if (c.isSymbol('[')) return { kind: 'list', elements: parseSelectableList(c, '[', ']'), position };
  if (c.isSymbol('{')) return parseBraces(c);
  if (isConstantStart(c) || isMarkerStart(c) || c.isKeyword('NULL')) return parseLiteral(c);
  if (c.isSymbol('(', 1)) {
    const special = parseSpecialFunction(c);
    if (special) return special;
  }
  if (startsFunctionCall(c)) return parseFunction(c);
  if (c.isIdentifier()) return { kind: 'column', name: parseIdent(c), position };
  throw c.noViableAlternative();
}

function parseLiteral(c: TokenCursor): Selectable {
  const position = c.position();
  let term: Term;
  if (c.acceptKeyword('NULL')) term = { kind: 'null', position };
  else term = isMarkerStart(c) ? parseMarker(c) : tryConstant(c)!;
  return { kind: 'term', term, position };
}

/** `count(*)`, `writetime(c)`, `maxwritetime(c)`, `ttl(c)`, `cast(x AS type)`; undefined for others. */
function parseSpecialFunction(c: TokenCursor): Selectable | undefined {
  const position = c.position();
  const keyword = c.peek().keyword;
  if (keyword === 'COUNT' && c.isSymbol('*', 2)) {
    c.next();
    c.next();
    c.next();
    c.expectSymbol(')');
    return { kind: 'countRows', position };
  }
  if (keyword === 'WRITETIME' || keyword === 'MAXWRITETIME' || keyword === 'TTL') {
    c.next();
    c.next();
    const columnPosition = c.position();
    const column: Selectable = { kind: 'column', name: parseIdent(c), position: columnPosition };
    const target = parseModifiers(c, column);
    c.expectSymbol(')');
    const name = keyword.toLowerCase() as 'writetime' | 'maxwritetime' | 'ttl';
    return { kind: 'writetimeOrTtl', function: name, target, position };
  }
  if (keyword === 'CAST') {
    c.next();
    c.next();
    const selectable = parseSelectable(c);
    c.expectKeyword('AS');
    const type = parseNativeType(c);
    c.expectSymbol(')');
    return { kind: 'cast', selectable, type, position };
  }
  return undefined;
}

function parseFunction(c: TokenCursor): Selectable {
  const position = c.position();
  const name = parseFunctionName(c);
  return { kind: 'function', name, args: parseSelectableList(c, '(', ')'), position };
}

function parseSelectableList(c: TokenCursor, open: string, close: string): Selectable[] {
  c.expectSymbol(open);
  const elements: Selectable[] = [];
  if (!c.isSymbol(close)) {
    elements.push(parseSelectable(c));
    while (c.acceptSymbol(',')) elements.push(parseSelectable(c));
  }
  c.expectSymbol(close);
  return elements;
}

/**
 * `(type) selector` or `(a, b)`. A name after `(` may be either (`(address) x` vs `(x)`), so the
 * type is tried once and kept only if a selector follows the `)`, as the grammar's predicate does.
 */
function parseParenthesised(c: TokenCursor): Selectable {
  const position = c.position();
  if (startsType(c, 1) && !startsFunctionCall(c, 1)) {
    const mark = c.mark();
    c.next();
    const type = tryParseType(c);
    if (type && c.acceptSymbol(')') && canStartWithoutField(c)) {
      return { kind: 'typeHint', type, selectable: c.nested(() => parseWithoutField(c)), position };
    }
    c.reset(mark);
  }
  const elements = parseSelectableList(c, '(', ')');
  if (elements.length === 0) throw c.noViableAlternative();
  return { kind: 'tuple', elements, position };
}

function tryParseType(c: TokenCursor): ReturnType<typeof parseType> | undefined {
  try {
    return parseType(c);
  } catch {
    return undefined;
  }
}

function canStartWithoutField(c: TokenCursor): boolean {
  if (['(', '[', '{'].some((s) => c.isSymbol(s))) return true;
  if (isConstantStart(c) || isMarkerStart(c) || c.isKeyword('NULL')) return true;
  return c.isIdentifier() || isFunctionName(c);
}

/** `{}` (a set), `{a, b}` (a set) or `{k: v, ...}` (a map or a UDT value). */
function parseBraces(c: TokenCursor): Selectable {
  const position = c.position();
  c.expectSymbol('{');
  if (c.acceptSymbol('}')) return { kind: 'set', elements: [], position };
  const first = parseSelectable(c);
  if (c.acceptSymbol(':')) {
    const entries: (readonly [Selectable, Selectable])[] = [[first, parseSelectable(c)]];
    while (c.acceptSymbol(',')) {
      const key = parseSelectable(c);
      c.expectSymbol(':');
      entries.push([key, parseSelectable(c)]);
    }
    c.expectSymbol('}');
    return { kind: 'mapOrUdt', entries, position };
  }
  const elements = [first];
  while (c.acceptSymbol(',')) elements.push(parseSelectable(c));
  c.expectSymbol('}');
  return { kind: 'set', elements, position };
}
