/** The CQL lexer, parser and syntax tree (see README.md). */

export type * from './ast.js';
export {
  formatName,
  formatQualified,
  formatRelation,
  formatSelectable,
  formatStatement,
  formatTerm,
  formatType,
} from './format.js';
export { type LexResult, lex } from './lexer.js';
export { parseScript, parseStatement } from './parser.js';
export { CqlSyntaxError } from './syntax-error.js';
export type { Token, TokenType } from './token.js';
