import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Reader for pebble-style data-driven test files. A case is a command line, input lines, a `----`
 * line, and the expected output up to a blank line; `#` lines between cases are comments.
 * With SIBYL_REWRITE=1 the file is written back with the actual outputs (review the diff!).
 */
export interface DataDrivenCase {
  readonly command: string;
  readonly input: string;
  readonly expected: string;
  /** 1-based line of the command, for failure messages. */
  readonly line: number;
}

type Piece = { kind: 'text'; text: string } | { kind: 'case'; testCase: DataDrivenCase };

function parseFile(text: string): Piece[] {
  const lines = text.split('\n');
  const pieces: Piece[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      pieces.push({ kind: 'text', text: line });
      i++;
      continue;
    }
    const start = i;
    const input: string[] = [];
    i++;
    while (i < lines.length && lines[i] !== '----') input.push(lines[i++]!);
    if (i >= lines.length) throw new Error(`case at line ${start + 1}: no ---- separator`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i] !== '') expected.push(lines[i++]!);
    pieces.push({
      kind: 'case',
      testCase: { command: line, input: input.join('\n'), expected: expected.join('\n'), line: start + 1 },
    });
  }
  return pieces;
}

/** Runs `run` on every case; returns the cases with their actual output for the caller to assert. */
export function runDataDriven(
  path: string,
  run: (testCase: DataDrivenCase) => string,
): { testCase: DataDrivenCase; actual: string }[] {
  const pieces = parseFile(readFileSync(path, 'utf8'));
  const results: { testCase: DataDrivenCase; actual: string }[] = [];
  const out: string[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'text') {
      out.push(piece.text);
      continue;
    }
    const actual = run(piece.testCase);
    results.push({ testCase: piece.testCase, actual });
    out.push(piece.testCase.command, piece.testCase.input, '----', actual);
  }
  if (process.env.SIBYL_REWRITE === '1') writeFileSync(path, out.join('\n'));
  return results;
}
