import { SibylError } from '../../common/errors.js';
import type { SourcePosition } from './ast.js';
import { type RawSpan, type Token, tokenDisplay } from './token.js';

/**
 * A statement that does not parse: the native protocol's Syntax error (0x2000). Messages follow
 * Cassandra's (ANTLR 3 through its ErrorCollector): `line L:C <what> (<snippet>)`, where the
 * snippet is up to ten tokens before the offending one, which is shown in brackets. At the end of
 * input Cassandra's EOF token has no position, so such messages read `line 0:-1 ...`; `position`
 * still says where the input ended.
 */
export class CqlSyntaxError extends SibylError {
  readonly protocolCode = 0x2000;

  constructor(
    message: string,
    /** Where the offending token starts (1-based line, 0-based column); absent for whole-statement errors. */
    readonly position?: SourcePosition,
  ) {
    super('SYNTAX_ERROR', message);
    this.name = 'CqlSyntaxError';
  }
}

/** The tokens before the offending one included in a snippet (ErrorCollector's FIRST_TOKEN_OFFSET). */
const SNIPPET_TOKENS_BEFORE = 10;

export interface ErrorContext {
  readonly source: string;
  readonly raw: readonly RawSpan[];
}

/** `line L:C mismatched input 'x' expecting K_FROM (SELECT a [x]...)`. */
export function mismatched(context: ErrorContext, token: Token, expecting: string): CqlSyntaxError {
  return atToken(context, token, `mismatched input ${tokenDisplay(token)} expecting ${expecting}`);
}

/** `line L:C no viable alternative at input 'x' (...)`: no rule alternative starts with the token. */
export function noViableAlternative(context: ErrorContext, token: Token): CqlSyntaxError {
  return atToken(context, token, `no viable alternative at input ${tokenDisplay(token)}`);
}

/** An error located at a token with a message of our own, in the same `line L:C ... (snippet)` shape. */
export function atToken(context: ErrorContext, token: Token, what: string): CqlSyntaxError {
  const position = { line: token.line, column: token.column };
  if (token.type === 'EOF') return new CqlSyntaxError(`line 0:-1 ${what}`, position);
  const snippet = buildSnippet(context, token.rawIndex);
  return new CqlSyntaxError(`line ${token.line}:${token.column} ${what}${snippet}`, position);
}

/** Errors the grammar raises by message alone (its addRecognitionError): no position in the text. */
export function recognitionError(message: string, token?: Token): CqlSyntaxError {
  return new CqlSyntaxError(message, token ? { line: token.line, column: token.column } : undefined);
}

/**
 * ErrorCollector.appendSnippet: the query's lines from the first snippet token to the offending
 * one, joined without line breaks, the offending token in brackets, `...` where text was cut.
 */
function buildSnippet(context: ErrorContext, offendingIndex: number): string {
  const from = context.raw[Math.max(0, offendingIndex - SNIPPET_TOKENS_BEFORE)];
  const to = context.raw[offendingIndex];
  if (!from || !to) return '';
  const lines = splitLines(context.source);
  const toLine = to.line - 1;
  const fromLine = from.line - 1;
  const lastLine = lines[lines.length - 1] ?? '';
  const toEndColumn = to.column + (to.end - to.offset);
  const includesStart = from.line === 1 && from.column === 0;
  const includesEnd = to.line === lines.length && toEndColumn === lastLine.length;
  const pieces: string[] = [];
  for (let i = fromLine; i <= toLine && i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (i === toLine) {
      line = line.slice(0, Math.min(toEndColumn, line.length));
      line = `${line.slice(0, to.column)}[${line.slice(to.column)}]`;
    }
    if (i === fromLine) line = line.slice(Math.min(from.column, line.length));
    pieces.push(line);
  }
  return ` (${includesStart ? '' : '...'}${pieces.join('')}${includesEnd ? '' : '...'})`;
}

/** Java's `split("\n")`: trailing empty strings dropped. */
function splitLines(source: string): string[] {
  const lines = source.split('\n');
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
