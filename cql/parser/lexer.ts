import { keywordOf, type RawSpan, type Token, type TokenType } from './token.js';

/**
 * Cuts CQL text into tokens the way Cassandra's ANTLR lexer (Lexer.g) does, in one forward pass:
 * every character is looked at a bounded number of times, so lexing is linear in the input.
 * A lexing error does not throw here: it becomes an ERROR token, and the parser raises it only when
 * it reaches that token — as Cassandra reports whichever error comes first in the token stream.
 */
export interface LexResult {
  /** Significant tokens, ending with one EOF token (or an ERROR token). */
  readonly tokens: readonly Token[];
  /** Every token and hidden span (whitespace, comments) in order, for error snippets. */
  readonly raw: readonly RawSpan[];
}

enum Char {
  Tab = 9,
  Newline = 10,
  Return = 13,
  Space = 32,
  Quote = 39,
  DoubleQuote = 34,
  Dollar = 36,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Star = 42,
  Underscore = 95,
}

const isDigit = (c: number) => c >= Char.Zero && c <= Char.Nine;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isIdentPart = (c: number) => isLetter(c) || isDigit(c) || c === Char.Underscore;

const SYMBOLS_2 = new Set(['<=', '>=', '!=', '..', '+=', '-=']);
const SYMBOLS_1 = new Set([
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ';',
  '.',
  ':',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
]);

/** An ISO 8601 duration as the lexer accepts it (upper-case designators only, as in Lexer.g). */
const ISO_DURATION =
  /-?P(?:\d+Y(?:\d+M)?(?:\d+D)?|\d+M(?:\d+D)?|\d+D)(?:T(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S))?|-?PT(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S)|-?P\d+W|-?P\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/y;
const UUID_TEXT = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;

export function lex(source: string): LexResult {
  return new Lexer(source).run();
}

class Lexer {
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private readonly tokens: Token[] = [];
  private readonly raw: RawSpan[] = [];

  constructor(private readonly source: string) {}

  run(): LexResult {
    const source = this.source;
    while (this.offset < source.length) {
      const c = source.charCodeAt(this.offset);
      if (c === Char.Space || c === Char.Tab || c === Char.Newline || c === Char.Return) {
        this.skipWhitespace();
      } else if (this.startsComment(c)) {
        if (!this.skipComment()) return this.finish();
      } else if (!this.lexToken(c)) {
        return this.finish();
      }
    }
    this.push('EOF', this.offset, this.offset, '');
    return this.finish();
  }

  private finish(): LexResult {
    return { tokens: this.tokens, raw: this.raw };
  }

  private startsComment(c: number): boolean {
    const next = this.source.charCodeAt(this.offset + 1);
    return (
      (c === Char.Minus && next === Char.Minus) ||
      (c === Char.Slash && (next === Char.Slash || next === Char.Star))
    );
  }

  private skipWhitespace(): void {
    const start = this.offset;
    const position = this.here();
    while (this.offset < this.source.length) {
      const c = this.source.charCodeAt(this.offset);
      if (c !== Char.Space && c !== Char.Tab && c !== Char.Newline && c !== Char.Return) break;
      this.advance(1);
    }
    this.raw.push({ offset: start, end: this.offset, ...position });
  }

  /** Comments are hidden; a `--` or `//` comment may also end the input (Cassandra wants a newline). */
  private skipComment(): boolean {
    const start = this.offset;
    const position = this.here();
    if (this.source.charCodeAt(this.offset + 1) === Char.Star) {
      const close = this.source.indexOf('*/', this.offset + 2);
      if (close < 0) {
        this.pushError(this.source.length, "mismatched character '<EOF>' expecting '*'", start);
        return false;
      }
      this.advance(close + 2 - this.offset);
    } else {
      let end = this.offset;
      while (end < this.source.length) {
        const c = this.source.charCodeAt(end);
        if (c === Char.Newline || c === Char.Return) break;
        end++;
      }
      this.advance(Math.min(end + 1, this.source.length) - this.offset);
    }
    this.raw.push({ offset: start, end: this.offset, ...position });
    return true;
  }

  /** Lexes one significant token starting with char code `c`; false after an error. */
  private lexToken(c: number): boolean {
    if (c === Char.Quote) return this.lexQuoted("'", 'STRING');
    if (c === Char.DoubleQuote) return this.lexQuoted('"', 'QUOTED_NAME');
    if (c === Char.Dollar && this.source.charCodeAt(this.offset + 1) === Char.Dollar)
      return this.lexDollarString();
    if (isHex(c) && this.tryPattern(UUID_TEXT, 'UUID')) return true;
    if (c === Char.Minus || c === 80 /* P */) {
      if (this.tryIsoDuration()) return true;
    }
    if (isDigit(c) || (c === Char.Minus && isDigit(this.source.charCodeAt(this.offset + 1)))) {
      this.lexNumber();
      return true;
    }
    if (c === Char.Minus && this.lexNegativeSpecial()) return true;
    if (isLetter(c)) {
      this.lexWord();
      return true;
    }
    return this.lexSymbol(c);
  }

  private lexSymbol(c: number): boolean {
    const two = this.source.slice(this.offset, this.offset + 2);
    if (SYMBOLS_2.has(two)) {
      this.pushSimple('SYMBOL', 2);
      return true;
    }
    const one = String.fromCharCode(c);
    if (SYMBOLS_1.has(one)) {
      this.pushSimple('SYMBOL', 1);
      return true;
    }
    const shown = String.fromCodePoint(this.source.codePointAt(this.offset) ?? c);
    this.pushError(this.offset, `no viable alternative at character '${escapeChar(shown)}'`);
    return false;
  }

  /** 'string' with '' escapes, or "Name" with "" escapes; "" alone is the empty quoted name. */
  private lexQuoted(quote: string, type: TokenType): boolean {
    const start = this.offset;
    const pieces: string[] = [];
    let from = start + 1;
    for (;;) {
      const close = this.source.indexOf(quote, from);
      if (close < 0) {
        this.pushError(this.source.length, `mismatched character '<EOF>' expecting '${quote}'`, start);
        return false;
      }
      pieces.push(this.source.slice(from, close));
      if (this.source[close + 1] === quote) {
        pieces.push(quote);
        from = close + 2;
        continue;
      }
      const value = pieces.join('');
      const finalType = type === 'QUOTED_NAME' && close === start + 1 ? 'EMPTY_QUOTED_NAME' : type;
      this.push(finalType, start, close + 1, value);
      return true;
    }
  }

  private lexDollarString(): boolean {
    const start = this.offset;
    const close = this.source.indexOf('$$', start + 2);
    if (close < 0) {
      this.pushError(this.source.length, "mismatched character '<EOF>' expecting '$'", start);
      return false;
    }
    this.push('STRING', start, close + 2, this.source.slice(start + 2, close));
    return true;
  }

  private tryPattern(pattern: RegExp, type: TokenType): boolean {
    pattern.lastIndex = this.offset;
    const match = pattern.exec(this.source);
    if (!match) return false;
    const end = this.offset + match[0].length;
    // A longer word (`deadbeef-...x`) is not a uuid followed by a name; Cassandra's lexer agrees.
    if (isIdentPart(this.source.charCodeAt(end))) return false;
    this.push(type, this.offset, end, match[0]);
    return true;
  }

  /** `P1DT2H`, `-P2W`: a duration unless a longer identifier (`P1Dx`) starts here. */
  private tryIsoDuration(): boolean {
    return this.tryPattern(ISO_DURATION, 'DURATION');
  }

  /** INTEGER, FLOAT (`1.`, `1.5e3`) or DURATION (`1h30m`), with an optional leading `-`. */
  private lexNumber(): void {
    const source = this.source;
    const start = this.offset;
    let i = this.offset + (source.charCodeAt(this.offset) === Char.Minus ? 1 : 0);
    while (isDigit(source.charCodeAt(i))) i++;
    if (source.startsWith('0x', start) || source.startsWith('0X', start)) {
      let end = start + 2;
      while (isHex(source.charCodeAt(end))) end++;
      this.push('HEX', start, end, source.slice(start, end));
      return;
    }
    let type: TokenType = 'INTEGER';
    if (source.charCodeAt(i) === Char.Dot && source.charCodeAt(i + 1) !== Char.Dot) {
      type = 'FLOAT';
      i++;
      while (isDigit(source.charCodeAt(i))) i++;
    }
    const exponentEnd = scanExponent(source, i);
    if (exponentEnd > i) {
      type = 'FLOAT';
      i = exponentEnd;
    } else if (type === 'INTEGER') {
      const durationEnd = scanDurationUnits(source, i);
      if (durationEnd > i) type = 'DURATION';
      i = Math.max(i, durationEnd);
    }
    this.push(type, start, i, source.slice(start, i));
  }

  /** `-NaN` and `-Infinity` are tokens of their own in Cassandra's lexer. */
  private lexNegativeSpecial(): boolean {
    for (const word of ['nan', 'infinity']) {
      const end = this.offset + 1 + word.length;
      if (
        this.source.slice(this.offset + 1, end).toLowerCase() === word &&
        !isIdentPart(this.source.charCodeAt(end))
      ) {
        this.push('FLOAT', this.offset, end, word === 'nan' ? 'NaN' : '-Infinity');
        return true;
      }
    }
    return false;
  }

  private lexWord(): void {
    const start = this.offset;
    let end = start + 1;
    while (isIdentPart(this.source.charCodeAt(end))) end++;
    const text = this.source.slice(start, end);
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') {
      this.push('BOOLEAN', start, end, text);
      return;
    }
    this.push('IDENT', start, end, text, keywordOf(lower));
  }

  private pushSimple(type: TokenType, length: number): void {
    const text = this.source.slice(this.offset, this.offset + length);
    this.push(type, this.offset, this.offset + length, text);
  }

  private push(type: TokenType, start: number, end: number, value: string, keyword?: string): void {
    const position = this.here();
    this.advanceTo(end);
    this.tokens.push({
      type,
      text: this.source.slice(start, end),
      value,
      keyword,
      ...position,
      offset: start,
      end,
      rawIndex: this.raw.length,
    });
    this.raw.push({ offset: start, end, ...position });
  }

  /**
   * An ERROR token at `start` (where the failing token began); the message names the position of
   * the character that failed, as ANTLR's lexer does.
   */
  private pushError(failedAt: number, message: string, start = failedAt): void {
    const failed = this.positionOf(failedAt);
    const begin = this.positionOf(start);
    this.tokens.push({
      type: 'ERROR',
      text: this.source.slice(start, Math.min(this.source.length, Math.max(failedAt, start) + 1)),
      value: '',
      keyword: undefined,
      ...begin,
      offset: start,
      end: this.source.length,
      rawIndex: this.raw.length,
      error: `line ${failed.line}:${failed.column} ${message}`,
    });
    this.raw.push({ offset: start, end: this.source.length, ...begin });
  }

  private here(): { line: number; column: number } {
    return { line: this.line, column: this.offset - this.lineStart };
  }

  /** Line and column of an offset at or after the current one (scans forward only). */
  private positionOf(offset: number): { line: number; column: number } {
    let line = this.line;
    let lineStart = this.lineStart;
    for (let i = lineStart; i < offset; i++) {
      if (this.source.charCodeAt(i) === Char.Newline) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart };
  }

  private advance(count: number): void {
    this.advanceTo(this.offset + count);
  }

  /** Moves forward, counting lines on '\n' only (as ANTLR does). */
  private advanceTo(end: number): void {
    for (let i = this.offset; i < end; i++) {
      if (this.source.charCodeAt(i) === Char.Newline) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    this.offset = end;
  }
}

function scanExponent(source: string, i: number): number {
  const c = source.charCodeAt(i);
  if (c !== 69 && c !== 101) return i;
  let j = i + 1;
  const sign = source.charCodeAt(j);
  if (sign === 43 || sign === Char.Minus) j++;
  if (!isDigit(source.charCodeAt(j))) return i;
  while (isDigit(source.charCodeAt(j))) j++;
  return j;
}

/** Units of a duration such as `1h30m`, case-insensitive: y mo w d h m s ms us µs ns. */
function scanDurationUnits(source: string, i: number): number {
  let end = i;
  let j = i;
  for (;;) {
    const unitEnd = scanUnit(source, j);
    if (unitEnd === j) return end;
    end = unitEnd;
    j = unitEnd;
    if (!isDigit(source.charCodeAt(j))) return end;
    while (isDigit(source.charCodeAt(j))) j++;
  }
}

function scanUnit(source: string, i: number): number {
  const two = source.slice(i, i + 2).toLowerCase();
  if (two === 'mo' || two === 'ms' || two === 'us' || two === 'ns' || two === 'µs') return i + 2;
  const one = two.charAt(0);
  if (one === 'y' || one === 'w' || one === 'd' || one === 'h' || one === 'm' || one === 's') return i + 1;
  return i;
}

function escapeChar(text: string): string {
  return text.replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t');
}
