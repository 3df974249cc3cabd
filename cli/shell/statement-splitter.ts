/**
 * Splits shell input into statements as cqlsh does: a CQL statement ends at a `;` outside strings
 * ('…', "…", $$…$$) and comments (--, //, /* … *\/), so it may span lines; a shell command that
 * cqlsh ends at the end of its line (DESCRIBE, CONSISTENCY, PAGING, EXIT, …) needs no `;`.
 */

/** cqlsh's `my_commands_ending_with_newline`. */
const NEWLINE_COMMANDS = new Set([
  'help',
  '?',
  'consistency',
  'serial',
  'describe',
  'desc',
  'show',
  'source',
  'capture',
  'login',
  'debug',
  'tracing',
  'expand',
  'paging',
  'exit',
  'quit',
  'clear',
  'cls',
  'history',
]);

export interface SplitResult {
  readonly statements: string[];
  /** Text after the last complete statement (an unfinished statement, or blanks and comments). */
  readonly rest: string;
}

/** Splits text into complete statements and the unfinished rest. */
export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  let newlineEnds: boolean | null = null;
  while (i < text.length) {
    const skipped = skipIgnorable(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const ch = text[i]!;
    if (newlineEnds === null && !/\s/.test(ch)) newlineEnds = NEWLINE_COMMANDS.has(firstWord(text, i));
    if (ch === ';' || (ch === '\n' && newlineEnds === true)) {
      const statement = text.slice(start, i).trim();
      if (statement) statements.push(statement);
      start = i + 1;
      newlineEnds = null;
    }
    i++;
  }
  return { statements, rest: text.slice(start) };
}

/** True when `rest` holds nothing but blanks and comments. */
export function isBlank(rest: string): boolean {
  let i = 0;
  while (i < rest.length) {
    const next = skipIgnorable(rest, i);
    if (next !== i) i = next;
    else if (/\s/.test(rest[i]!)) i++;
    else return false;
  }
  return true;
}

function firstWord(text: string, i: number): string {
  if (text[i] === '?') return '?';
  return /^[A-Za-z_]*/.exec(text.slice(i, i + 16))![0].toLowerCase();
}

/** Skips a string or comment starting at i (to its end, or the end of text); i when none starts there. */
function skipIgnorable(text: string, i: number): number {
  const ch = text[i]!;
  const next = text[i + 1];
  if (ch === "'" || ch === '"') return skipQuoted(text, i, ch);
  if (ch === '$' && next === '$') return endOf(text, '$$', i + 2);
  if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
    const end = text.indexOf('\n', i);
    return end === -1 ? text.length : end;
  }
  if (ch === '/' && next === '*') return endOf(text, '*/', i + 2);
  return i;
}

/** A quote inside is written twice ('it''s'), which reads as two strings back to back: same end. */
function skipQuoted(text: string, i: number, quote: string): number {
  const end = text.indexOf(quote, i + 1);
  return end === -1 ? text.length : end + 1;
}

function endOf(text: string, terminator: string, from: number): number {
  const end = text.indexOf(terminator, from);
  return end === -1 ? text.length : end + terminator.length;
}
