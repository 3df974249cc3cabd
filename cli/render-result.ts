/**
 * Results as cqlsh prints them: a header, a dashed separator, one line per row, then the row count.
 * (Alignment is simpler than cqlsh's: every cell is left-aligned.)
 */
import type { QueryResult } from '../cql/query-processor.js';
import { deserialize, formatCqlsh } from '../cql/types/index.js';

export function renderResult(result: QueryResult): string {
  switch (result.kind) {
    case 'void':
      return '';
    case 'set_keyspace':
      return '';
    case 'schema_change':
      return '';
    case 'rows':
      return renderRows(result.result);
  }
}

function renderRows(result: Extract<QueryResult, { kind: 'rows' }>['result']): string {
  const { columns, rows } = result;
  const cells = rows.map((row) =>
    row.map((value, i) => {
      const type = columns[i]!.type;
      return value === null ? 'null' : formatCqlsh(type, deserialize(type, value));
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => ` ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')}`.trimEnd();
  const out = [line(columns.map((c) => c.name)), widths.map((w) => '-'.repeat(w + 2)).join('+')];
  for (const row of cells) out.push(line(row));
  out.push('', `(${rows.length} rows)`);
  return out.join('\n');
}

const ERROR_NAMES: Record<number, string> = {
  0: 'ServerError',
  10: 'ProtocolError',
  4096: 'Unavailable',
  4352: 'WriteTimeout',
  4608: 'ReadTimeout',
  8192: 'SyntaxException',
  8448: 'Unauthorized',
  8704: 'InvalidRequest',
  8960: 'ConfigurationException',
  9216: 'AlreadyExists',
  9472: 'Unprepared',
};

/** `InvalidRequest: message` for errors with a protocol code; null for anything else (a bug). */
export function describeCqlError(error: unknown): string | null {
  const code = (error as { protocolCode?: number }).protocolCode;
  if (code === undefined) return null;
  return `${ERROR_NAMES[code] ?? `Error 0x${code.toString(16)}`}: ${(error as Error).message}`;
}
