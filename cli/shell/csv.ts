/**
 * CSV as COPY reads and writes it (RFC 4180 with cqlsh's options): fields separated by the
 * delimiter, a field that holds the delimiter, the quote, a newline or leading/trailing blanks is
 * quoted, a quote inside a quoted field is doubled (and the escape character followed by a quote is
 * read as a quote too, as Python's csv module with cqlsh's ESCAPE does). The reader tells whether a
 * field was quoted, so an empty quoted field ("") is an empty string while an empty bare field is
 * the NULL text. Pure; the reader is incremental so large files stream.
 */

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
}

export interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

/** One record: `null` fields are written as `nullText`; '' is written quoted so it stays ''. */
export function formatCsvRecord(
  fields: readonly (string | null)[],
  dialect: CsvDialect,
  nullText: string,
): string {
  return fields
    .map((field) => {
      if (field === null) return nullText;
      if (field === '' || field === nullText || needsQuotes(field, dialect)) {
        return `${dialect.quote}${field.replaceAll(dialect.quote, dialect.quote + dialect.quote)}${dialect.quote}`;
      }
      return field;
    })
    .join(dialect.delimiter);
}

function needsQuotes(field: string, dialect: CsvDialect): boolean {
  return (
    field.includes(dialect.delimiter) ||
    field.includes(dialect.quote) ||
    field.includes('\n') ||
    field.includes('\r') ||
    field !== field.trim()
  );
}

/**
 * Reads records from chunks of text. `push` returns the records completed so far; `end` returns
 * the last one (a file need not end with a newline).
 */
export class CsvReader {
  private field = '';
  private quoted = false;
  private inQuotes = false;
  /** The previous chunk ended just after a quote inside quotes: closing, or the first of a pair. */
  private pendingQuote = false;
  private record: CsvField[] = [];
  private lineHasContent = false;

  constructor(private readonly dialect: CsvDialect) {}

  push(chunk: string): CsvField[][] {
    const records: CsvField[][] = [];
    const { delimiter, quote, escape: escapeChar } = this.dialect;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (ch === quote) {
          this.field += quote;
          continue;
        }
        this.inQuotes = false;
      }
      if (this.inQuotes) {
        if (ch === escapeChar && escapeChar !== quote && chunk[i + 1] === quote) {
          this.field += quote;
          i++;
        } else if (ch === quote) this.pendingQuote = true;
        else this.field += ch;
        continue;
      }
      if (ch === quote && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        this.lineHasContent = true;
      } else if (ch === delimiter) {
        this.endField();
        this.lineHasContent = true;
      } else if (ch === '\n') {
        const record = this.endRecord();
        if (record) records.push(record);
      } else if (ch !== '\r') {
        this.field += ch;
        this.lineHasContent = true;
      }
    }
    return records;
  }

  end(): CsvField[] | null {
    if (this.pendingQuote) this.inQuotes = false;
    if (this.inQuotes) throw new Error('CSV ends inside a quoted field');
    return this.endRecord();
  }

  private endField(): void {
    this.record.push({ text: this.field, quoted: this.quoted });
    this.field = '';
    this.quoted = false;
  }

  /** Blank lines are skipped, as Python's csv reader does. */
  private endRecord(): CsvField[] | null {
    if (!this.lineHasContent) return null;
    this.endField();
    const record = this.record;
    this.record = [];
    this.lineHasContent = false;
    return record;
  }
}
