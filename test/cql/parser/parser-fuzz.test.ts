import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cqlLimits } from '../../../common/limits.js';
import { CqlSyntaxError, formatStatement, parseScript, parseStatement } from '../../../cql/parser/index.js';
import { withoutPositions } from './helpers.js';

/**
 * Robustness: whatever the input — random bytes, token soup, broken statements, deep nesting —
 * the parser returns a tree or throws CqlSyntaxError, never anything else, and quickly. Whatever
 * parses also prints back to text that parses to the same tree.
 */
const PER_INPUT_LIMIT_MS = 250;

/** The outcome of one input, checked for the contract; returns the statement's text if it parsed. */
function parseChecked(input: string): string | undefined {
  const started = performance.now();
  let printed: string | undefined;
  try {
    const parsed = parseStatement(input);
    printed = formatStatement(parsed.statement);
    const reparsed = parseStatement(printed).statement;
    if (!isDeepStrictEqual(withoutPositions(reparsed), withoutPositions(parsed.statement))) {
      throw new Error(`round trip changed the tree of ${JSON.stringify(input)}: ${printed}`);
    }
  } catch (error) {
    if (!(error instanceof CqlSyntaxError)) throw error;
    expect(error.code).toBe('SYNTAX_ERROR');
    expect(error.protocolCode).toBe(0x2000);
    expect(error.message.length).toBeGreaterThan(0);
  }
  const elapsedMs = performance.now() - started;
  if (elapsedMs > PER_INPUT_LIMIT_MS)
    throw new Error(`${elapsedMs.toFixed(0)} ms on ${JSON.stringify(input)}`);
  return printed;
}

/** Statements of the corpus that parse, as seeds for mutation. */
function corpusStatements(): string[] {
  const dir = join(import.meta.dirname, '../../testdata/cql/parser');
  const statements: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(/^parse\n([^\n]+)\n----\n(?!error)/gm)) statements.push(match[1]!);
  }
  return statements;
}

const VOCABULARY = [
  ...'SELECT FROM WHERE AND IN INSERT INTO VALUES UPDATE SET DELETE BEGIN BATCH APPLY UNLOGGED COUNTER USING TTL TIMESTAMP IF NOT EXISTS CREATE ALTER DROP TABLE KEYSPACE TYPE INDEX ON WITH PRIMARY KEY STATIC CLUSTERING ORDER BY ASC DESC LIMIT PER PARTITION ALLOW FILTERING JSON DISTINCT AS CAST COUNT WRITETIME TOKEN CONTAINS LIKE IS NULL frozen list set map tuple int text USE TRUNCATE ADD RENAME TO GROUP DEFAULT UNSET NaN Infinity'.split(
    ' ',
  ),
  ...'( ) [ ] { } , ; . .. : = < <= > >= != + - * / % ? += -='.split(' '),
  'k',
  'v',
  '"Q"',
  '""',
  "'s'",
  "'it''s'",
  '$$d$$',
  '1',
  '-1',
  '1.5',
  '1e3',
  'true',
  '0xcafe',
  '1h30m',
  'P1D',
  '123e4567-e89b-12d3-a456-426614174000',
  ':name',
  '--',
  '/*',
  '*/',
  "'",
  '"',
];

const tokenSoup = fc
  .array(fc.constantFrom(...VOCABULARY), { maxLength: 40 })
  .map((tokens) => tokens.join(' '));

/** A statement of the corpus with a slice cut out, a token inserted or a slice repeated. */
const mutatedStatement = fc
  .tuple(
    fc.constantFrom(...corpusStatements()),
    fc.nat(),
    fc.nat(),
    fc.constantFrom(...VOCABULARY),
    fc.nat(2),
  )
  .map(([statement, a, b, token, kind]) => {
    const i = a % (statement.length + 1);
    const j = i + (b % 12);
    if (kind === 0) return statement.slice(0, i) + statement.slice(j);
    if (kind === 1) return `${statement.slice(0, i)} ${token} ${statement.slice(i)}`;
    return statement.slice(0, j) + statement.slice(i, j) + statement.slice(j);
  });

describe('parser robustness', () => {
  it('random text of any characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        parseChecked(input);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes read as latin-1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseChecked(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 1000 },
    );
  });

  it('token soup', () => {
    fc.assert(
      fc.property(tokenSoup, (input) => {
        parseChecked(input);
      }),
      { numRuns: 4000 },
    );
  });

  it('mutated valid statements', () => {
    fc.assert(
      fc.property(mutatedStatement, (input) => {
        parseChecked(input);
      }),
      { numRuns: 4000 },
    );
  });

  it('scripts of token soup never throw anything but syntax errors', () => {
    fc.assert(
      fc.property(fc.array(tokenSoup, { maxLength: 5 }), (parts) => {
        try {
          parseScript(parts.join(';'));
        } catch (error) {
          if (!(error instanceof CqlSyntaxError)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('nesting depth', () => {
  const limit = cqlLimits.maxNestingDepth;
  const nestings: [string, (depth: number) => string][] = [
    ['lists', (n) => `INSERT INTO t (k) VALUES (${'['.repeat(n)}1${']'.repeat(n)})`],
    ['tuples', (n) => `INSERT INTO t (k) VALUES (${'('.repeat(n)}1${')'.repeat(n)})`],
    ['sets', (n) => `INSERT INTO t (k) VALUES (${'{'.repeat(n)}1${'}'.repeat(n)})`],
    ['type hints', (n) => `INSERT INTO t (k) VALUES (${'(int) '.repeat(n)}1)`],
    ['casts', (n) => `INSERT INTO t (k) VALUES (${'CAST('.repeat(n)}1${' AS int)'.repeat(n)})`],
    ['function calls', (n) => `INSERT INTO t (k) VALUES (${'f('.repeat(n)}1${')'.repeat(n)})`],
    ['types', (n) => `CREATE TABLE t (k ${'frozen<'.repeat(n)}int${'>'.repeat(n)} PRIMARY KEY)`],
    ['selector negations', (n) => `SELECT ${'- '.repeat(n)}a FROM t`],
    ['selector tuples', (n) => `SELECT ${'('.repeat(n)}a${')'.repeat(n)} FROM t`],
    ['relations', (n) => `SELECT * FROM t WHERE ${'('.repeat(n)}k = 1${')'.repeat(n)}`],
  ];

  it.each(nestings)('%s nest up to half the limit and fail cleanly past it', (_, statement) => {
    expect(() => parseStatement(statement(Math.floor(limit / 2) - 2))).not.toThrow();
    for (const depth of [limit + 1, 10_000, 200_000]) {
      expect(() => parseStatement(statement(depth))).toThrow(CqlSyntaxError);
    }
    expect(() => parseStatement(statement(limit + 1))).toThrow(/nesting deeper than 64 levels at input/);
  });

  it('names the offending token and position', () => {
    const text = `INSERT INTO t (k) VALUES (${'['.repeat(100)}1${']'.repeat(100)})`;
    expect(() => parseStatement(text)).toThrow(/^line 1:90 nesting deeper than 64 levels at input '\['/);
  });
});

describe('size and time bounds', () => {
  it('refuses a statement over maxStatementLengthBytes before lexing it', () => {
    const text = `SELECT * FROM t WHERE k = '${'x'.repeat(cqlLimits.maxStatementLengthBytes)}'`;
    expect(() => parseStatement(text)).toThrow(/^Statement is too long: \d+ bytes, the limit is 16777216$/);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const chars = Math.ceil(cqlLimits.maxStatementLengthBytes / 3) + 10;
    expect(() => parseStatement(`SELECT '${'€'.repeat(chars)}' FROM t`)).toThrow(/too long/);
  });

  it('parses a 100 000-element IN list and a 1 MiB string in linear time', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i).join(', ');
    let started = performance.now();
    const parsed = parseStatement(`SELECT * FROM t WHERE k IN (${values})`).statement;
    expect(parsed.kind === 'select' && parsed.where[0]?.kind === 'in').toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    started = performance.now();
    parseStatement(`INSERT INTO t (k) VALUES ('${"a''".repeat(350_000)}')`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails fast on a long run of unclosed brackets and on long garbage', () => {
    for (const text of [
      '('.repeat(1_000_000),
      `SELECT ${'a, '.repeat(200_000)}`,
      '\u0000'.repeat(1_000_000),
    ]) {
      const started = performance.now();
      expect(() => parseStatement(text)).toThrow(CqlSyntaxError);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});
