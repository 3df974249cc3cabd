import { describe, expect, it } from 'vitest';
import { CsvReader, formatCsvRecord } from '../../cli/shell/csv.js';
import {
  DEFAULT_COPY_OPTIONS,
  ImproperCommandError,
  parseShellCommand,
} from '../../cli/shell/shell-commands.js';
import { isBlank, splitStatements } from '../../cli/shell/statement-splitter.js';

describe('splitStatements', () => {
  it('splits at semicolons outside strings and comments, keeping the unfinished rest', () => {
    const { statements, rest } = splitStatements(
      "SELECT ';' FROM t; -- a ; comment\nINSERT INTO t (k) VALUES ('a;b');\nSELECT $$;$$ /* ; */\nFROM",
    );
    expect(statements).toEqual(["SELECT ';' FROM t", "-- a ; comment\nINSERT INTO t (k) VALUES ('a;b')"]);
    expect(rest.trim()).toBe('SELECT $$;$$ /* ; */\nFROM');
  });

  it("ends cqlsh's line commands at the end of the line, with or without ';'", () => {
    const { statements, rest } = splitStatements(
      'describe keyspaces\nCONSISTENCY QUORUM;\nPAGING\nSELECT 1\n',
    );
    expect(statements).toEqual(['describe keyspaces', 'CONSISTENCY QUORUM', 'PAGING']);
    expect(rest).toBe('SELECT 1\n');
  });

  it('knows a rest of blanks and comments from an unfinished statement', () => {
    expect(isBlank('  -- note\n /* c */ \n')).toBe(true);
    expect(isBlank('SELECT')).toBe(false);
  });
});

describe('parseShellCommand', () => {
  it('leaves CQL to the backend', () => {
    expect(parseShellCommand('SELECT * FROM t')).toBeNull();
    expect(parseShellCommand('use ks')).toBeNull();
  });

  it('reads the settings commands, case-insensitively', () => {
    expect(parseShellCommand('consistency')).toEqual({ kind: 'consistency' });
    expect(parseShellCommand('Consistency local_quorum')).toEqual({
      kind: 'consistency',
      level: 'LOCAL_QUORUM',
    });
    expect(parseShellCommand('SERIAL CONSISTENCY LOCAL_SERIAL')).toEqual({
      kind: 'serialConsistency',
      level: 'LOCAL_SERIAL',
    });
    expect(parseShellCommand('paging 50')).toEqual({ kind: 'paging', state: true, pageSize: 50 });
    expect(parseShellCommand('PAGING off')).toEqual({ kind: 'paging', state: false });
    expect(parseShellCommand('expand ON')).toEqual({ kind: 'expand', state: true });
    expect(parseShellCommand('TRACING')).toEqual({ kind: 'tracing' });
    expect(parseShellCommand('show VERSION')).toEqual({ kind: 'show', what: 'version' });
    expect(parseShellCommand('quit')).toEqual({ kind: 'exit' });
  });

  it('reads DESCRIBE targets, quoted names exact and bare names folded', () => {
    expect(parseShellCommand('DESC KEYSPACES')).toEqual({ kind: 'describe', target: { what: 'keyspaces' } });
    expect(parseShellCommand('describe full schema')).toEqual({
      kind: 'describe',
      target: { what: 'schema', full: true },
    });
    expect(parseShellCommand('DESCRIBE TABLE Ks."MyTable"')).toEqual({
      kind: 'describe',
      target: { what: 'table', keyspace: 'ks', name: 'MyTable' },
    });
    expect(parseShellCommand('describe type addr')).toEqual({
      kind: 'describe',
      target: { what: 'type', name: 'addr' },
    });
    expect(parseShellCommand('describe keyspace')).toEqual({
      kind: 'describe',
      target: { what: 'keyspace' },
    });
    expect(parseShellCommand('describe t1')).toEqual({
      kind: 'describe',
      target: { what: 'object', name: 't1' },
    });
  });

  it('reads SOURCE, CAPTURE and COPY with their options', () => {
    expect(parseShellCommand("SOURCE 'a''b.cql'")).toEqual({ kind: 'source', file: "a'b.cql" });
    expect(parseShellCommand('CAPTURE OFF')).toEqual({ kind: 'capture', off: true });
    expect(parseShellCommand("capture '/tmp/x'")).toEqual({ kind: 'capture', file: '/tmp/x' });
    expect(
      parseShellCommand(
        "COPY ks.t (a, \"B\") TO 'out.csv' WITH HEADER = true AND DELIMITER = '|' AND NULL = 'NIL'",
      ),
    ).toEqual({
      kind: 'copy',
      keyspace: 'ks',
      table: 't',
      columns: ['a', 'B'],
      direction: 'to',
      file: 'out.csv',
      options: { ...DEFAULT_COPY_OPTIONS, header: true, delimiter: '|', nullValue: 'NIL' },
    });
    expect(parseShellCommand("copy t from 'in.csv'")).toMatchObject({
      table: 't',
      direction: 'from',
      file: 'in.csv',
    });
    expect(parseShellCommand('copy t to STDOUT')).toMatchObject({ file: null });
  });

  it('refuses malformed shell commands as cqlsh does', () => {
    expect(() => parseShellCommand('CONSISTENCY SOMETIMES')).toThrow(
      new ImproperCommandError("Improper CONSISTENCY command (problem at 'SOMETIMES')."),
    );
    expect(() => parseShellCommand('SERIAL CONSISTENCY ONE')).toThrow(ImproperCommandError);
    expect(() => parseShellCommand('EXPAND MAYBE')).toThrow(ImproperCommandError);
    expect(() => parseShellCommand('SOURCE file.cql')).toThrow(ImproperCommandError);
    expect(() => parseShellCommand("COPY t SIDEWAYS 'f'")).toThrow(ImproperCommandError);
    expect(() => parseShellCommand("COPY t TO 'f' WITH COLOUR = 'red'")).toThrow(
      'Unrecognized COPY option: colour',
    );
  });
});

describe('CSV', () => {
  const dialect = { delimiter: ',', quote: '"', escape: '\\' };

  it('quotes what needs quoting and reads it back, telling "" from an empty field', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\nlines', '', null, ' padded ', 'ünïcødé 日本'];
    const line = formatCsvRecord(fields, dialect, '');
    expect(line).toBe('plain,"a,b","say ""hi""","two\nlines","",," padded ",ünïcødé 日本');
    const reader = new CsvReader(dialect);
    // Fed in two arbitrary pieces: a record may straddle chunks.
    const records = [...reader.push(`${line.slice(0, 17)}`), ...reader.push(`${line.slice(17)}\r\nx,y`)];
    records.push(reader.end()!);
    expect(records[0]!.map((f) => (f.text === '' && !f.quoted ? null : f.text))).toEqual(fields);
    expect(records[1]!.map((f) => f.text)).toEqual(['x', 'y']);
  });

  it('skips blank lines and rejects a file ending inside quotes', () => {
    const reader = new CsvReader(dialect);
    expect(reader.push('a\n\n\nb\n')).toHaveLength(2);
    expect(reader.end()).toBeNull();
    const open = new CsvReader(dialect);
    open.push('"never closed');
    expect(() => open.end()).toThrow('CSV ends inside a quoted field');
  });
});

describe('COPY FROM fields', () => {
  it('keeps collection fields to one literal, refusing text that would add clauses', async () => {
    const { importLiteral } = await import('../../cli/shell/copy.js');
    const { CqlTypes, listOf } = await import('../../cql/types/index.js');
    const list = listOf(CqlTypes.int, false);
    expect(importLiteral(list, { text: '[1,2]', quoted: false }, '')).toBe('[1, 2]');
    expect(() => importLiteral(list, { text: '[1]) USING TIMESTAMP 0 --', quoted: false }, '')).toThrow(
      /not a CQL literal/,
    );
    expect(() => importLiteral(list, { text: '[1]); DROP KEYSPACE ks; --', quoted: true }, '')).toThrow(
      /not a CQL literal/,
    );
    expect(() => importLiteral(list, { text: 'now()', quoted: false }, '')).toThrow(/not a CQL literal/);
  });
});
