/**
 * The shell's own commands (cqlsh's, case-insensitive), parsed from one statement into a typed
 * command. Anything that is not a shell command is CQL for the backend (`null`). Pure.
 */
import { CONSISTENCY_NAMES } from '../../cql/protocol/index.js';
import type { ConsistencyName } from './backend.js';

export type DescribeTarget =
  | { readonly what: 'keyspaces' | 'tables' | 'types' | 'cluster' }
  | { readonly what: 'schema'; readonly full: boolean }
  | { readonly what: 'keyspace'; readonly keyspace?: string }
  | { readonly what: 'table' | 'type'; readonly keyspace?: string; readonly name: string }
  /** DESCRIBE name: a keyspace, else a table of the current keyspace (cqlsh's order). */
  | { readonly what: 'object'; readonly keyspace?: string; readonly name: string };

export interface CopyOptions {
  readonly header: boolean;
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly nullValue: string;
  readonly pageSize: number;
}

export type ShellCommand =
  | { readonly kind: 'consistency'; readonly level?: ConsistencyName }
  | { readonly kind: 'serialConsistency'; readonly level?: ConsistencyName }
  | { readonly kind: 'paging'; readonly state?: boolean; readonly pageSize?: number }
  | { readonly kind: 'expand' | 'tracing'; readonly state?: boolean }
  | { readonly kind: 'describe'; readonly target: DescribeTarget }
  | { readonly kind: 'source'; readonly file: string }
  | { readonly kind: 'capture'; readonly file?: string; readonly off?: boolean }
  | {
      readonly kind: 'copy';
      readonly keyspace?: string;
      readonly table: string;
      readonly columns?: readonly string[];
      readonly direction: 'to' | 'from';
      /** null: STDOUT / STDIN. */
      readonly file: string | null;
      readonly options: CopyOptions;
    }
  | { readonly kind: 'show'; readonly what: 'version' | 'host' }
  | { readonly kind: 'help'; readonly topic?: string }
  | { readonly kind: 'exit' }
  | { readonly kind: 'clear' };

/** A command that is a shell command but malformed: printed as cqlsh's `Improper … command.`. */
export class ImproperCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImproperCommandError';
  }
}

/** The levels CONSISTENCY accepts: the protocol's [consistency] names. */
export const CONSISTENCY_LEVELS: readonly ConsistencyName[] = CONSISTENCY_NAMES;

export const DEFAULT_COPY_OPTIONS: CopyOptions = {
  header: false,
  delimiter: ',',
  quote: '"',
  escape: '\\',
  nullValue: '',
  pageSize: 1000,
};

interface Token {
  readonly text: string;
  /** word: bare word or number; name: "quoted identifier"; string: 'literal'; punct: ( ) , . = */
  readonly kind: 'word' | 'name' | 'string' | 'punct';
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([A-Za-z0-9_\-+?*$]+)|([(),.=;])/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    if (match[1] !== undefined) tokens.push({ kind: 'string', text: match[1].replaceAll("''", "'") });
    else if (match[2] !== undefined) tokens.push({ kind: 'name', text: match[2].replaceAll('""', '"') });
    else if (match[3] !== undefined) tokens.push({ kind: 'word', text: match[3] });
    else if (match[4] !== undefined && match[4] !== ';') tokens.push({ kind: 'punct', text: match[4] });
  }
  if (pattern.lastIndex < text.length) return [...tokens, { kind: 'punct', text: text[pattern.lastIndex]! }];
  return tokens;
}

/** Parses a statement; null when it is CQL rather than a shell command. */
export function parseShellCommand(statement: string): ShellCommand | null {
  const tokens = tokenize(statement);
  const head = tokens[0];
  if (head?.kind !== 'word') return null;
  const word = head.text.toLowerCase();
  const args = tokens.slice(1);
  switch (word) {
    case 'consistency':
      return { kind: 'consistency', ...levelOf(args, 'CONSISTENCY') };
    case 'serial':
      if (args[0]?.text.toLowerCase() !== 'consistency') throw improper('SERIAL');
      return { kind: 'serialConsistency', ...levelOf(args.slice(1), 'SERIAL', true) };
    case 'paging':
      return pagingOf(args);
    case 'expand':
    case 'tracing':
      return { kind: word, ...switchOf(args, word.toUpperCase()) };
    case 'describe':
    case 'desc':
      return { kind: 'describe', target: describeTarget(args) };
    case 'source':
      return { kind: 'source', file: singleString(args, 'SOURCE') };
    case 'capture':
      return captureOf(args);
    case 'copy':
      return copyOf(args);
    case 'show':
      return showOf(args);
    case 'help':
    case '?':
      return args.length === 0
        ? { kind: 'help' }
        : { kind: 'help', topic: args.map((t) => t.text).join(' ') };
    case 'exit':
    case 'quit':
      if (args.length > 0) throw improper(word.toUpperCase());
      return { kind: 'exit' };
    case 'clear':
    case 'cls':
      return { kind: 'clear' };
    default:
      return null;
  }
}

function improper(command: string, at?: Token): ImproperCommandError {
  return new ImproperCommandError(
    at ? `Improper ${command} command (problem at '${at.text}').` : `Improper ${command} command.`,
  );
}

function levelOf(args: Token[], command: string, serial = false): { level?: ConsistencyName } {
  if (args.length === 0) return {};
  const level = args[0]!.text.toUpperCase() as ConsistencyName;
  const allowed = serial ? ['SERIAL', 'LOCAL_SERIAL'] : CONSISTENCY_LEVELS;
  if (args.length > 1 || !allowed.includes(level)) throw improper(command, args[0]);
  return { level };
}

function switchOf(args: Token[], command: string): { state?: boolean } {
  if (args.length === 0) return {};
  const value = args[0]!.text.toUpperCase();
  if (args.length > 1 || (value !== 'ON' && value !== 'OFF')) throw improper(command, args[0]);
  return { state: value === 'ON' };
}

function pagingOf(args: Token[]): ShellCommand {
  const first = args[0];
  if (first && /^\d+$/.test(first.text) && args.length === 1) {
    const pageSize = Number(first.text);
    if (pageSize < 1) throw improper('PAGING', first);
    return { kind: 'paging', state: true, pageSize };
  }
  return { kind: 'paging', ...switchOf(args, 'PAGING') };
}

function singleString(args: Token[], command: string): string {
  if (args.length !== 1 || args[0]!.kind !== 'string') throw improper(command, args[0]);
  return args[0]!.text;
}

function captureOf(args: Token[]): ShellCommand {
  if (args.length === 0) return { kind: 'capture' };
  if (args.length === 1 && args[0]!.kind === 'word' && args[0]!.text.toUpperCase() === 'OFF') {
    return { kind: 'capture', off: true };
  }
  return { kind: 'capture', file: singleString(args, 'CAPTURE') };
}

function showOf(args: Token[]): ShellCommand {
  const what = args[0]?.text.toLowerCase();
  if (args.length !== 1 || (what !== 'version' && what !== 'host')) throw improper('SHOW', args[0]);
  return { kind: 'show', what };
}

/** A name, unquoted (folded to lower case) or "Quoted" (exact). */
function nameOf(token: Token | undefined, command: string): string {
  if (!token || (token.kind !== 'word' && token.kind !== 'name')) throw improper(command, token);
  return token.kind === 'name' ? token.text : token.text.toLowerCase();
}

/** `[ks.]name` starting at args[i]; returns the next index. */
function qualifiedName(
  args: Token[],
  i: number,
  command: string,
): { keyspace?: string; name: string; next: number } {
  const first = nameOf(args[i], command);
  if (args[i + 1]?.text !== '.') return { name: first, next: i + 1 };
  return { keyspace: first, name: nameOf(args[i + 2], command), next: i + 3 };
}

function describeTarget(args: Token[]): DescribeTarget {
  const word = args[0]?.kind === 'word' ? args[0].text.toLowerCase() : undefined;
  const bare = (what: 'keyspaces' | 'tables' | 'types' | 'cluster'): DescribeTarget => {
    if (args.length !== 1) throw improper('DESCRIBE', args[1]);
    return { what };
  };
  switch (word) {
    case 'keyspaces':
    case 'tables':
    case 'types':
    case 'cluster':
      return bare(word);
    case 'columnfamilies':
      return bare('tables');
    case 'schema':
      if (args.length !== 1) throw improper('DESCRIBE', args[1]);
      return { what: 'schema', full: false };
    case 'full':
      if (args.length !== 2 || args[1]!.text.toLowerCase() !== 'schema') throw improper('DESCRIBE', args[1]);
      return { what: 'schema', full: true };
    case 'keyspace':
      if (args.length === 1) return { what: 'keyspace' };
      if (args.length !== 2) throw improper('DESCRIBE', args[2]);
      return { what: 'keyspace', keyspace: nameOf(args[1], 'DESCRIBE') };
    case 'table':
    case 'columnfamily':
    case 'type':
      return namedTarget(word === 'type' ? 'type' : 'table', args, 1);
    default:
      if (args.length === 0) throw improper('DESCRIBE');
      return namedTarget('object', args, 0);
  }
}

function namedTarget(what: 'table' | 'type' | 'object', args: Token[], from: number): DescribeTarget {
  const { keyspace, name, next } = qualifiedName(args, from, 'DESCRIBE');
  if (next !== args.length) throw improper('DESCRIBE', args[next]);
  return keyspace === undefined ? { what, name } : { what, keyspace, name };
}

function copyOf(args: Token[]): ShellCommand {
  const { keyspace, name: table, next } = qualifiedName(args, 0, 'COPY');
  let i = next;
  let columns: string[] | undefined;
  if (args[i]?.text === '(') {
    columns = [];
    i++;
    while (args[i] && args[i]!.text !== ')') {
      columns.push(nameOf(args[i], 'COPY'));
      i++;
      if (args[i]?.text === ',') i++;
    }
    if (args[i]?.text !== ')') throw improper('COPY', args[i]);
    i++;
  }
  const direction = args[i]?.text.toLowerCase();
  if (direction !== 'to' && direction !== 'from') throw improper('COPY', args[i]);
  const target = args[i + 1];
  const std = target?.kind === 'word' && ['stdout', 'stdin'].includes(target.text.toLowerCase());
  if (!target || (target.kind !== 'string' && !std)) throw improper('COPY', target);
  const options = copyOptions(args.slice(i + 2));
  return {
    kind: 'copy',
    ...(keyspace === undefined ? {} : { keyspace }),
    table,
    ...(columns ? { columns } : {}),
    direction,
    file: std ? null : target.text,
    options,
  };
}

/** `WITH name = value [AND name = value …]`. */
function copyOptions(args: Token[]): CopyOptions {
  if (args.length === 0) return DEFAULT_COPY_OPTIONS;
  if (args[0]!.text.toLowerCase() !== 'with') throw improper('COPY', args[0]);
  const options: Record<string, string> = {};
  let i = 1;
  while (i < args.length) {
    const name = args[i]?.text.toLowerCase();
    if (!name || args[i + 1]?.text !== '=' || !args[i + 2]) throw improper('COPY', args[i]);
    options[name] = args[i + 2]!.text;
    i += 3;
    if (i < args.length) {
      if (args[i]!.text.toLowerCase() !== 'and') throw improper('COPY', args[i]);
      i++;
    }
  }
  return copyOptionValues(options);
}

function copyOptionValues(options: Record<string, string>): CopyOptions {
  const known = new Set(['header', 'delimiter', 'quote', 'escape', 'null', 'pagesize']);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw new ImproperCommandError(`Unrecognized COPY option: ${name}`);
  }
  const single = (name: string, fallback: string) => {
    const value = options[name] ?? fallback;
    if (value.length !== 1)
      throw new ImproperCommandError(`${name.toUpperCase()} must be a single character`);
    return value;
  };
  const pageSize = Number(options.pagesize ?? DEFAULT_COPY_OPTIONS.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new ImproperCommandError('PAGESIZE must be a positive integer');
  return {
    header: ['true', 'yes', '1'].includes((options.header ?? 'false').toLowerCase()),
    delimiter: single('delimiter', DEFAULT_COPY_OPTIONS.delimiter),
    quote: single('quote', DEFAULT_COPY_OPTIONS.quote),
    escape: single('escape', DEFAULT_COPY_OPTIONS.escape),
    nullValue: options.null ?? DEFAULT_COPY_OPTIONS.nullValue,
    pageSize,
  };
}
