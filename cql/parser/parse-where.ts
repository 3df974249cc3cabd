import type { CompareOperator, Condition, ConditionTarget, InValues, Relation, Term } from './ast.js';
import { isColumnName, parseColumnName, parseIdent } from './parse-names.js';
import { isMarkerStart, parseMarker, parseTerm, parseTupleLiteral } from './parse-terms.js';
import type { TokenCursor } from './token-cursor.js';

/**
 * WHERE relations and IF conditions (the grammar's whereClause, relation, relationType,
 * singleColumnInValues, multiColumnInValues, tupleOfIdentifiers, updateConditions, columnCondition).
 */

const COMPARE_OPERATORS = new Set<string>(['=', '<', '<=', '>', '>=', '!=']);

export function parseWhereClause(c: TokenCursor): Relation[] {
  const relations: Relation[] = [];
  do parseRelation(c, relations);
  while (c.acceptKeyword('AND'));
  return relations;
}

function isCompareOperator(c: TokenCursor): boolean {
  const token = c.peek();
  return token.type === 'SYMBOL' && COMPARE_OPERATORS.has(token.text);
}

function parseCompareOperator(c: TokenCursor): CompareOperator {
  if (!isCompareOperator(c)) throw c.noViableAlternative();
  return c.next().text as CompareOperator;
}

/** One relation; `( relation )` nests, so it runs one level deeper each time. */
function parseRelation(c: TokenCursor, into: Relation[]): void {
  c.nested(() => {
    const position = c.position();
    if (c.isKeyword('TOKEN')) {
      c.next();
      const columns = parseTupleOfIdentifiers(c);
      const operator = parseCompareOperator(c);
      into.push({ kind: 'token', columns, operator, value: parseTerm(c), position });
    } else if (c.isSymbol('(')) {
      if (isColumnName(c, 1) && (c.isSymbol(',', 2) || c.isSymbol(')', 2))) {
        into.push(parseMultiColumnRelation(c));
      } else {
        c.next();
        parseRelation(c, into);
        c.expectSymbol(')');
      }
    } else if (isColumnName(c)) {
      into.push(parseSingleColumnRelation(c));
    } else {
      throw c.noViableAlternative();
    }
  });
}

function parseSingleColumnRelation(c: TokenCursor): Relation {
  const position = c.position();
  const column = parseColumnName(c);
  if (isCompareOperator(c)) {
    const operator = parseCompareOperator(c);
    return { kind: 'compare', column, operator, value: parseTerm(c), position };
  }
  if (c.acceptKeyword('LIKE'))
    return { kind: 'compare', column, operator: 'LIKE', value: parseTerm(c), position };
  if (c.acceptKeyword('IS')) {
    c.expectKeyword('NOT');
    c.expectKeyword('NULL');
    return { kind: 'isNotNull', column, position };
  }
  if (c.acceptKeyword('IN')) return { kind: 'in', column, values: parseInValues(c), position };
  if (c.acceptKeyword('CONTAINS')) {
    const operator = c.acceptKeyword('KEY') ? 'CONTAINS KEY' : 'CONTAINS';
    return { kind: 'compare', column, operator, value: parseTerm(c), position };
  }
  if (c.acceptSymbol('[')) {
    const key = parseTerm(c);
    c.expectSymbol(']');
    const operator = parseCompareOperator(c);
    return { kind: 'element', column, key, operator, value: parseTerm(c), position };
  }
  throw c.noViableAlternative();
}

/** `(a, b) op (1, 2)`, `(a, b) op ?`, `(a, b) IN (...)`, `(a, b) IN ?`. */
function parseMultiColumnRelation(c: TokenCursor): Relation {
  const position = c.position();
  const columns = parseTupleOfIdentifiers(c);
  if (c.acceptKeyword('IN'))
    return { kind: 'multiIn', columns, values: parseMultiColumnInValues(c), position };
  const operator = parseCompareOperator(c);
  const value = isMarkerStart(c) ? parseMarker(c) : parseTupleLiteral(c);
  return { kind: 'multiCompare', columns, operator, value, position };
}

function parseTupleOfIdentifiers(c: TokenCursor): string[] {
  c.expectSymbol('(');
  const columns = [parseColumnName(c)];
  while (c.acceptSymbol(',')) columns.push(parseColumnName(c));
  c.expectSymbol(')');
  return columns;
}

/** `singleColumnInValues`: `(t1, t2, ...)` (maybe empty) or a marker for the whole list. */
export function parseInValues(c: TokenCursor): InValues {
  if (isMarkerStart(c)) return { kind: 'marker', marker: parseMarker(c) };
  c.expectSymbol('(');
  const terms: Term[] = [];
  if (!c.isSymbol(')')) {
    terms.push(parseTerm(c));
    while (c.acceptSymbol(',')) terms.push(parseTerm(c));
  }
  c.expectSymbol(')');
  return { kind: 'terms', terms };
}

/** `()`, a marker, `((1, 2), (3, 4))` or `(?, ?)`; tuples and markers are not mixed. */
function parseMultiColumnInValues(c: TokenCursor): InValues {
  if (isMarkerStart(c)) return { kind: 'marker', marker: parseMarker(c) };
  c.expectSymbol('(');
  const terms: Term[] = [];
  if (!c.isSymbol(')')) {
    const markers = isMarkerStart(c);
    const element = () => (markers ? parseMarker(c) : parseTupleLiteral(c));
    terms.push(element());
    while (c.acceptSymbol(',')) terms.push(element());
  }
  c.expectSymbol(')');
  return { kind: 'terms', terms };
}

/** `IF cond AND cond ...` after UPDATE or DELETE. */
export function parseConditions(c: TokenCursor): Condition[] {
  const conditions = [parseCondition(c)];
  while (c.acceptKeyword('AND')) conditions.push(parseCondition(c));
  return conditions;
}

function parseCondition(c: TokenCursor): Condition {
  const position = c.position();
  const column = parseColumnName(c);
  let target: ConditionTarget = { kind: 'column' };
  if (c.acceptSymbol('[')) {
    target = { kind: 'element', key: parseTerm(c) };
    c.expectSymbol(']');
  } else if (c.acceptSymbol('.')) {
    target = { kind: 'field', field: parseIdent(c) };
  }
  if (c.acceptKeyword('IN')) return { kind: 'in', column, target, values: parseInValues(c), position };
  if (target.kind === 'column' && c.acceptKeyword('CONTAINS')) {
    const operator = c.acceptKeyword('KEY') ? 'CONTAINS KEY' : 'CONTAINS';
    return { kind: 'compare', column, target, operator, value: parseTerm(c), position };
  }
  const operator = parseCompareOperator(c);
  return { kind: 'compare', column, target, operator, value: parseTerm(c), position };
}
