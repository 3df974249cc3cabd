import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatStatement, parseScript, parseStatement, type Statement } from '../../../cql/parser/index.js';
import { runDataDriven } from './datadriven.js';
import { withoutPositions } from './helpers.js';

/**
 * The statement corpus in test/testdata/cql/parser: every statement form with its canonical
 * printed form (or Cassandra's error message), and a few full syntax trees.
 *   parse    one statement → canonical CQL, or `error: <message>`; the output must reparse to the same tree
 *   ast      one statement → its tree as JSON, positions left out
 *   markers  one statement → its bind markers, one per line
 *   script   `;`-separated statements → one canonical statement per line, or `error: <message>`
 */
const DIR = join(import.meta.dirname, '../../testdata/cql/parser');

function errorText(error: unknown): string {
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

function runCommand(command: string, input: string): string {
  try {
    switch (command) {
      case 'parse': {
        const text = formatStatement(parseStatement(input).statement);
        return roundTripProblem(input, text) ?? text;
      }
      case 'ast':
        return JSON.stringify(withoutPositions(parseStatement(input).statement));
      case 'markers':
        return parseStatement(input)
          .bindMarkers.map(
            (m) =>
              `${m.index}${m.name === undefined ? '' : ` :${m.name}`} at ${m.position.line}:${m.position.column}`,
          )
          .join('\n');
      case 'script':
        return parseScript(input)
          .map((s) => formatStatement(s.statement))
          .join('\n');
      default:
        throw new Error(`unknown command ${command}`);
    }
  } catch (error) {
    return errorText(error);
  }
}

/** The canonical text must parse back to the same tree and print the same again; else what differs. */
function roundTripProblem(input: string, text: string): string | undefined {
  const original = withoutPositions(parseStatement(input).statement);
  let reparsed: Statement;
  try {
    reparsed = parseStatement(text).statement;
  } catch (error) {
    return `round trip failed: ${text} → ${errorText(error)}`;
  }
  if (!isDeepStrictEqual(withoutPositions(reparsed), original)) return `round trip changed the tree: ${text}`;
  const again = formatStatement(reparsed);
  return again === text ? undefined : `round trip printed ${again} instead of ${text}`;
}

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.txt'))) {
  describe(file, () => {
    const results = runDataDriven(join(DIR, file), (c) => runCommand(c.command.trim(), c.input));
    for (const { testCase, actual } of results) {
      it(`line ${testCase.line}: ${testCase.input.split('\n')[0]!.slice(0, 60)}`, () => {
        expect(actual).toBe(testCase.expected);
      });
    }
  });
}
