import { cqlLimits } from '../../common/limits.js';
import { isReservedKeyword } from '../types/index.js';
import type { BindMarker, SourcePosition } from './ast.js';
import {
  atToken,
  type CqlSyntaxError,
  type ErrorContext,
  mismatched,
  noViableAlternative,
  recognitionError,
} from './syntax-error.js';
import { type RawSpan, type Token, tokenDisplay } from './token.js';

/**
 * The parser's view of the token list: lookahead, matching with Cassandra's error messages, the
 * nesting-depth guard and the statement's bind markers. Every grammar rule is a function taking
 * a cursor; none of them backtracks, so parsing is linear in the number of tokens.
 */
export class TokenCursor {
  private index = 0;
  private depth = 0;
  /** Markers of the current top-level statement, numbered as Cassandra numbers them. */
  bindMarkers: BindMarker[] = [];
  readonly context: ErrorContext;

  constructor(
    private readonly tokens: readonly Token[],
    source: string,
    raw: readonly RawSpan[],
  ) {
    this.context = { source, raw };
  }

  /** The token `ahead` places on; reaching a lexer error raises it (it comes first in the stream). */
  peek(ahead = 0): Token {
    const last = this.tokens.length - 1;
    for (let i = this.index; i <= Math.min(this.index + ahead, last); i++) {
      const token = this.tokens[i]!;
      if (token.type === 'ERROR') throw recognitionError(token.error ?? 'lexing failed', token);
    }
    return this.tokens[Math.min(this.index + ahead, last)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'EOF') this.index++;
    return token;
  }

  position(): SourcePosition {
    const token = this.peek();
    return { line: token.line, column: token.column };
  }

  /** Is the token at `ahead` the keyword `keyword` (upper case, as in the grammar's K_ names)? */
  isKeyword(keyword: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'IDENT' && token.keyword === keyword;
  }

  isSymbol(symbol: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'SYMBOL' && token.text === symbol;
  }

  isType(type: Token['type'], ahead = 0): boolean {
    return this.peek(ahead).type === type;
  }

  acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.index++;
    return true;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.index++;
    return true;
  }

  /** Matches one keyword token; otherwise `mismatched input 'x' expecting K_KEYWORD`. */
  expectKeyword(keyword: string): Token {
    if (!this.isKeyword(keyword)) throw this.mismatched(`K_${keyword}`);
    return this.next();
  }

  expectSymbol(symbol: string): Token {
    if (!this.isSymbol(symbol)) throw this.mismatched(`'${symbol}'`);
    return this.next();
  }

  expectEnd(): void {
    if (!this.isType('EOF')) throw this.mismatched('EOF');
  }

  /** Can the token at `ahead` be an unquoted or quoted name (an IDENT that is not reserved)? */
  isIdentifier(ahead = 0): boolean {
    const token = this.peek(ahead);
    if (token.type === 'QUOTED_NAME') return true;
    return token.type === 'IDENT' && !isReservedKeyword(token.text);
  }

  mismatched(expecting: string): CqlSyntaxError {
    return mismatched(this.context, this.peek(), expecting);
  }

  noViableAlternative(token: Token = this.peek()): CqlSyntaxError {
    return noViableAlternative(this.context, token);
  }

  /** An error of our own at the current token, in Cassandra's `line L:C ... (snippet)` shape. */
  errorHere(what: string): CqlSyntaxError {
    return atToken(this.context, this.peek(), what);
  }

  /**
   * Runs a recursive rule one level deeper. Input nested past the limit is refused before the
   * JavaScript stack could overflow, whatever the input.
   */
  nested<T>(rule: () => T): T {
    if (this.depth >= cqlLimits.maxNestingDepth) {
      const limit = cqlLimits.maxNestingDepth;
      throw this.errorHere(`nesting deeper than ${limit} levels at input ${tokenDisplay(this.peek())}`);
    }
    this.depth++;
    try {
      return rule();
    } finally {
      this.depth--;
    }
  }

  newBindMarker(position: SourcePosition, name?: string): BindMarker {
    const marker: BindMarker =
      name === undefined
        ? { kind: 'bindMarker', index: this.bindMarkers.length, position }
        : { kind: 'bindMarker', index: this.bindMarkers.length, name, position };
    this.bindMarkers.push(marker);
    return marker;
  }

  /** Where the cursor is, to return to it after a bounded speculative parse (`reset`). */
  mark(): number {
    return this.index;
  }

  reset(mark: number): void {
    this.index = mark;
  }

  /** Where the last consumed token ends (statement slicing in scripts). */
  previousEnd(): number {
    return this.index === 0 ? 0 : this.tokens[this.index - 1]!.end;
  }

  /** The source offset of the current token (statement slicing in scripts). */
  offset(): number {
    return this.peek().offset;
  }
}
