/**
 * Results as cqlsh prints them (pylib/cqlshlib: displaying.py, formatting.py, cqlshmain.py):
 * a header of column names padded left-aligned, a dashed separator with `+` at the column
 * boundaries, every value right-aligned to its column's width (cqlsh right-aligns every type,
 * text included), widths measured in terminal cells, control characters shown as escapes,
 * colours only when asked for. EXPAND prints one `@ Row N` block per row. This module is the
 * one renderer: the CQL corpus uses `renderResult`, the same table left-aligned.
 */
import pc from 'picocolors';
import type { QueryResult } from '../../cql/query-processor.js';
import type { CqlType } from '../../cql/types/index.js';
import { deserialize, formatCqlsh } from '../../cql/types/index.js';
import type { ShellColumn } from './backend.js';

/** A value ready to print: the plain text, what to write (maybe coloured) and its width in cells. */
export interface Cell {
  readonly text: string;
  readonly shown: string;
  readonly width: number;
}

export type Colors = ReturnType<typeof pc.createColors>;

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

/** cqlsh shows control characters as Python escapes and doubles backslashes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROL = /[\x00-\x1f\x7f-\xa0]/g;

function escapeControl(text: string): string {
  return text.replaceAll('\\', '\\\\').replace(CONTROL, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Terminal cells a string takes: wide East Asian characters two, combining marks none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (/\p{Mn}|\p{Me}|\u200b/u.test(ch)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

function colorFor(type: CqlType, c: Colors): (text: string) => string {
  if (type.kind !== 'native') return (t) => c.bold(c.blue(t));
  switch (type.name) {
    case 'text':
    case 'ascii':
      return (t) => c.bold(c.yellow(t));
    case 'blob':
      return c.magenta;
    default:
      return (t) => c.bold(c.green(t));
  }
}

/** The text cqlsh shows for a value (`null` for an absent one). */
export function valueText(type: CqlType, bytes: Uint8Array | null): string {
  if (bytes === null) return 'null';
  return escapeControl(formatCqlsh(type, deserialize(type, bytes)));
}

export function valueCell(type: CqlType, bytes: Uint8Array | null, c: Colors): Cell {
  const text = valueText(type, bytes);
  const shown = bytes === null ? c.bold(c.red(text)) : colorFor(type, c)(text);
  return { text, shown, width: displayWidth(text) };
}

export function nameCell(name: string, c: Colors): Cell {
  const text = escapeControl(name);
  return { text, shown: c.bold(c.magenta(text)), width: displayWidth(text) };
}

const pad = (cell: Cell, width: number) => ' '.repeat(Math.max(0, width - cell.width));
const rightAligned = (cell: Cell, width: number) => pad(cell, width) + cell.shown;
const leftAligned = (cell: Cell, width: number) => cell.shown + pad(cell, width);

/**
 * One page as cqlsh's print_formatted_result: header and separator (when `withHeader`), one line
 * per row, and a blank line after the rows on a TTY. `rows === null` prints the header of an empty
 * result followed by a blank line.
 */
export function tableLines(
  names: readonly Cell[],
  rows: readonly (readonly Cell[])[] | null,
  options: { withHeader: boolean; tty: boolean; align?: 'right' | 'left' },
): string[] {
  const widths = names.map((n, i) => Math.max(n.width, ...(rows ?? []).map((r) => r[i]?.width ?? 0)));
  const lines: string[] = [];
  if (options.withHeader) {
    lines.push(` ${names.map((n, i) => leftAligned(n, widths[i]!)).join(' | ')}`.trimEnd());
    lines.push(`-${widths.map((w) => '-'.repeat(w)).join('-+-')}-`);
  }
  if (rows === null) return [...lines, ''];
  const align = options.align === 'left' ? leftAligned : rightAligned;
  for (const row of rows) {
    const line = ` ${row.map((cell, i) => align(cell, widths[i]!)).join(' | ')}`;
    lines.push(options.align === 'left' ? line.trimEnd() : line);
  }
  if (options.tty) lines.push('');
  return lines;
}

/** EXPAND ON: cqlsh's print_formatted_result_vertically. */
export function verticalLines(
  names: readonly Cell[],
  rows: readonly (readonly Cell[])[],
  firstRowNumber: number,
): string[] {
  const nameWidth = Math.max(...names.map((n) => n.width));
  const valueWidth = Math.max(0, ...rows.flatMap((r) => r.map((c) => c.width)));
  const lines: string[] = [];
  rows.forEach((row, i) => {
    lines.push(`@ Row ${firstRowNumber + i}`);
    lines.push(`-${'-'.repeat(nameWidth)}-+-${'-'.repeat(valueWidth)}-`);
    for (const [j, cell] of row.entries())
      lines.push(` ${leftAligned(names[j]!, nameWidth)} | ${cell.shown}`);
    lines.push('');
  });
  return lines;
}

export function rowCells(
  columns: readonly ShellColumn[],
  rows: readonly (readonly (Uint8Array | null)[])[],
  c: Colors,
): Cell[][] {
  return rows.map((row) => columns.map((col, i) => valueCell(col.type, row[i] ?? null, c)));
}

/** cqlsh's print_warnings. */
export function warningLines(warnings: readonly string[]): string[] {
  if (warnings.length === 0) return [];
  return ['', 'Warnings :', ...warnings.flatMap((w) => [w, ''])];
}

/** The corpus format (test/cql/corpus.test.ts): the same table, values left-aligned, then the count. */
export function renderResult(result: QueryResult): string {
  if (result.kind !== 'rows') return '';
  const { columns, rows } = result.result;
  const c = colors(false);
  const names = columns.map((col) => nameCell(col.name, c));
  const lines = tableLines(names, rowCells(columns, rows, c), {
    withHeader: true,
    tty: false,
    align: 'left',
  });
  return [...lines, '', `(${rows.length} rows)`].join('\n');
}
