import type { LiteralKind } from '../types/index.js';
import type { ArithmeticOperator, BindMarker, ConstantTerm, SourcePosition, Term } from './ast.js';
import { parseFunctionName, parseIdent, startsFunctionCall } from './parse-names.js';
import { parseNativeType, parseType, startsType } from './parse-types.js';
import type { Token } from './token.js';
import type { TokenCursor } from './token-cursor.js';

/**
 * Terms: the values in a statement (the grammar's term, termAddition, termMultiplication,
 * termGroup, simpleTerm, value, constant, marker, the collection, tuple and UDT literals).
 */
export function parseTerm(c: TokenCursor): Term {
  return c.nested(() => parseAddition(c));
}

function parseAddition(c: TokenCursor): Term {
  let left = parseMultiplication(c);
  // Enter the loop only if a term follows: in `c = [1] + c` the `+ c` belongs to the assignment.
  while ((c.isSymbol('+') || c.isSymbol('-')) && canStartTerm(c, 1)) {
    const position = c.position();
    const operator = c.next().text as ArithmeticOperator;
    left = { kind: 'arithmetic', operator, left, right: parseMultiplication(c), position };
  }
  return left;
}

function parseMultiplication(c: TokenCursor): Term {
  let left = parseGroup(c);
  while ((c.isSymbol('*') || c.isSymbol('/') || c.isSymbol('%')) && canStartTerm(c, 1)) {
    const position = c.position();
    const operator = c.next().text as ArithmeticOperator;
    left = { kind: 'arithmetic', operator, left, right: parseGroup(c), position };
  }
  return left;
}

function parseGroup(c: TokenCursor): Term {
  if (c.isSymbol('-')) {
    const position = c.position();
    c.next();
    return { kind: 'negation', term: parseSimpleTerm(c), position };
  }
  return parseSimpleTerm(c);
}

function parseSimpleTerm(c: TokenCursor): Term {
  const position = c.position();
  if (c.isSymbol('(')) return isTypeHint(c) ? parseTypeHint(c) : parseTuple(c);
  if (c.isKeyword('CAST') && c.isSymbol('(', 1)) return parseCast(c);
  if (startsFunctionCall(c)) return parseFunctionCall(c);
  const constant = tryConstant(c);
  if (constant) return constant;
  if (c.acceptKeyword('NULL')) return { kind: 'null', position };
  if (c.isSymbol('?') || c.isSymbol(':')) return parseMarker(c);
  if (c.isSymbol('[')) return parseList(c);
  if (c.isSymbol('{')) return parseBraces(c);
  throw c.noViableAlternative();
}

/** Hints and casts nest simple terms directly (`(int)(int)?`), so they count as a level too. */
function parseNestedSimpleTerm(c: TokenCursor): Term {
  return c.nested(() => parseSimpleTerm(c));
}

/** `(type) term`: a name after `(` that is not a function call can only be a type. */
function isTypeHint(c: TokenCursor): boolean {
  return startsType(c, 1) && !startsFunctionCall(c, 1);
}

function parseTypeHint(c: TokenCursor): Term {
  const position = c.position();
  c.expectSymbol('(');
  const type = parseType(c);
  c.expectSymbol(')');
  return { kind: 'typeHint', type, term: parseNestedSimpleTerm(c), position };
}

function parseCast(c: TokenCursor): Term {
  const position = c.position();
  c.next();
  c.expectSymbol('(');
  const term = parseNestedSimpleTerm(c);
  c.expectKeyword('AS');
  const type = parseNativeType(c);
  c.expectSymbol(')');
  return { kind: 'cast', term, type, position };
}

export function parseFunctionCall(c: TokenCursor): Term {
  const position = c.position();
  const name = parseFunctionName(c);
  c.expectSymbol('(');
  const args: Term[] = [];
  if (!c.isSymbol(')')) {
    args.push(parseTerm(c));
    while (c.acceptSymbol(',')) args.push(parseTerm(c));
  }
  c.expectSymbol(')');
  return { kind: 'function', name, args, position };
}

const CONSTANT_KINDS: Partial<Record<Token['type'], LiteralKind>> = {
  STRING: 'string',
  INTEGER: 'integer',
  FLOAT: 'float',
  BOOLEAN: 'boolean',
  DURATION: 'duration',
  UUID: 'uuid',
  HEX: 'hex',
};

export function isConstantStart(c: TokenCursor, ahead = 0): boolean {
  const token = c.peek(ahead);
  return CONSTANT_KINDS[token.type] !== undefined || token.keyword === 'NAN' || token.keyword === 'INFINITY';
}

/** A constant (the grammar's `constant`), or undefined if the current token is none. */
export function tryConstant(c: TokenCursor): ConstantTerm | undefined {
  const token = c.peek();
  const position = { line: token.line, column: token.column };
  const type = CONSTANT_KINDS[token.type];
  if (type !== undefined) {
    c.next();
    return { kind: 'constant', type, text: token.value, position };
  }
  if (token.keyword === 'NAN' || token.keyword === 'INFINITY') {
    c.next();
    return { kind: 'constant', type: 'float', text: token.keyword === 'NAN' ? 'NaN' : 'Infinity', position };
  }
  return undefined;
}

/** `?` or `:name`. */
export function parseMarker(c: TokenCursor): BindMarker {
  const position = c.position();
  if (c.acceptSymbol('?')) return c.newBindMarker(position);
  c.expectSymbol(':');
  return c.newBindMarker(position, parseIdent(c));
}

export function isMarkerStart(c: TokenCursor, ahead = 0): boolean {
  return c.isSymbol('?', ahead) || c.isSymbol(':', ahead);
}

/** `intValue`: an integer constant or a marker (LIMIT, USING TTL / TIMESTAMP). */
export function parseIntValue(c: TokenCursor): Term {
  if (isMarkerStart(c)) return parseMarker(c);
  if (!c.isType('INTEGER')) throw c.noViableAlternative();
  return tryConstant(c)!;
}

function parseTuple(c: TokenCursor): Term {
  const position = c.position();
  c.expectSymbol('(');
  const elements = [parseTerm(c)];
  while (c.acceptSymbol(',')) elements.push(parseTerm(c));
  c.expectSymbol(')');
  return { kind: 'tuple', elements, position };
}

/** `(t1, t2)` where only a tuple literal is allowed (multi-column relations). */
export function parseTupleLiteral(c: TokenCursor): Term {
  return c.nested(() => parseTuple(c));
}

function parseList(c: TokenCursor): Term {
  const position = c.position();
  c.expectSymbol('[');
  const elements: Term[] = [];
  if (!c.isSymbol(']')) {
    elements.push(parseTerm(c));
    while (c.acceptSymbol(',')) elements.push(parseTerm(c));
  }
  c.expectSymbol(']');
  return { kind: 'list', elements, position };
}

/** `{}` (an empty set), `{a, b}`, `{k: v}` or a UDT literal `{field: v}`. */
function parseBraces(c: TokenCursor): Term {
  const position = c.position();
  if (c.isIdentifier(1) && c.isSymbol(':', 2)) return parseUdtLiteral(c, position);
  c.expectSymbol('{');
  if (c.acceptSymbol('}')) return { kind: 'set', elements: [], position };
  const first = parseTerm(c);
  if (c.acceptSymbol(':')) {
    const entries: (readonly [Term, Term])[] = [[first, parseTerm(c)]];
    while (c.acceptSymbol(',')) {
      const key = parseTerm(c);
      c.expectSymbol(':');
      entries.push([key, parseTerm(c)]);
    }
    c.expectSymbol('}');
    return { kind: 'map', entries, position };
  }
  const elements = [first];
  while (c.acceptSymbol(',')) elements.push(parseTerm(c));
  c.expectSymbol('}');
  return { kind: 'set', elements, position };
}

function parseUdtLiteral(c: TokenCursor, position: SourcePosition): Term {
  c.expectSymbol('{');
  const fields: { name: string; value: Term }[] = [];
  do {
    const name = parseIdent(c);
    c.expectSymbol(':');
    fields.push({ name, value: parseTerm(c) });
  } while (c.acceptSymbol(','));
  c.expectSymbol('}');
  return { kind: 'udt', fields, position };
}

/** Can a term start at `ahead`? Bounded lookahead, used to decide loops without backtracking. */
export function canStartTerm(c: TokenCursor, ahead = 0): boolean {
  if (isConstantStart(c, ahead) || isMarkerStart(c, ahead) || c.isKeyword('NULL', ahead)) return true;
  if (['(', '[', '{', '-'].some((s) => c.isSymbol(s, ahead))) return true;
  if (c.isKeyword('CAST', ahead) && c.isSymbol('(', ahead + 1)) return true;
  return startsFunctionCall(c, ahead);
}
