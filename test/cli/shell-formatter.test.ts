import { describe, expect, it } from 'vitest';
import { cqlshErrorText, describeCqlError } from '../../cli/shell/error-text.js';
import {
  colors,
  displayWidth,
  nameCell,
  rowCells,
  tableLines,
  valueText,
  verticalLines,
  warningLines,
} from '../../cli/shell/formatter.js';
import {
  AlreadyExistsError,
  InvalidRequestError,
  UnavailableError,
  WriteTimeoutError,
} from '../../cql/errors.js';
import { CqlTypes, listOf, mapOf, serialize, setOf, tupleOf } from '../../cql/types/index.js';

const plain = colors(false);
const columns = [
  { name: 'id', type: CqlTypes.int },
  { name: 'name', type: CqlTypes.text },
  { name: 'tags', type: setOf(CqlTypes.text) },
];
const names = columns.map((c) => nameCell(c.name, plain));
const rows = rowCells(
  columns,
  [
    [
      serialize(CqlTypes.int, 1),
      serialize(CqlTypes.text, 'alice'),
      serialize(setOf(CqlTypes.text), ['a', "it's"]),
    ],
    [serialize(CqlTypes.int, 1234), null, null],
  ],
  plain,
);

describe('shell formatter', () => {
  it('pads the header left and right-aligns every value, as cqlsh', () => {
    expect(tableLines(names, rows, { withHeader: true, tty: false })).toEqual([
      ' id   | name  | tags',
      '------+-------+----------------',
      "    1 | alice | {'a', 'it''s'}",
      ' 1234 |  null |           null',
    ]);
  });

  it('adds a blank line after the rows on a terminal, and prints only the header of an empty result', () => {
    expect(tableLines(names, rows, { withHeader: false, tty: true }).at(-1)).toBe('');
    expect(tableLines(names, null, { withHeader: true, tty: false })).toEqual([
      ' id | name | tags',
      '----+------+------',
      '',
    ]);
  });

  it('formats nulls, collections, tuples, maps, blobs and control characters as cqlsh shows them', () => {
    expect(valueText(CqlTypes.text, null)).toBe('null');
    expect(valueText(listOf(CqlTypes.int), serialize(listOf(CqlTypes.int), [3, 1]))).toBe('[3, 1]');
    const map = mapOf(CqlTypes.text, CqlTypes.boolean);
    expect(valueText(map, serialize(map, new Map([['k', true]])))).toBe("{'k': True}");
    const tuple = tupleOf([CqlTypes.int, CqlTypes.text]);
    expect(valueText(tuple, serialize(tuple, [1, null]))).toBe('(1, null)');
    expect(valueText(CqlTypes.blob, serialize(CqlTypes.blob, Uint8Array.of(0xca, 0xfe)))).toBe('0xcafe');
    expect(valueText(CqlTypes.text, serialize(CqlTypes.text, 'a\nb\t\\c'))).toBe('a\\nb\\t\\\\c');
  });

  it('measures wide characters as two cells and combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    const wide = rowCells([{ name: 'v', type: CqlTypes.text }], [[serialize(CqlTypes.text, '日本')]], plain);
    expect(tableLines([nameCell('v', plain)], wide, { withHeader: true, tty: false })).toEqual([
      ' v',
      '------',
      ' 日本',
    ]);
  });

  it('prints EXPAND ON as one @ Row block per row', () => {
    expect(verticalLines(names, rows, 1)).toEqual([
      '@ Row 1',
      '------+----------------',
      ' id   | 1',
      ' name | alice',
      " tags | {'a', 'it''s'}",
      '',
      '@ Row 2',
      '------+----------------',
      ' id   | 1234',
      ' name | null',
      ' tags | null',
      '',
    ]);
  });

  it('colours only when asked', () => {
    const colored = rowCells(columns.slice(0, 1), [[serialize(CqlTypes.int, 1)]], colors(true));
    expect(colored[0]![0]!.shown).toContain('\x1b[');
    expect(colored[0]![0]!.width).toBe(1);
    expect(rows[0]![0]!.shown).toBe('1');
  });

  it('prints warnings as cqlsh', () => {
    expect(warningLines([])).toEqual([]);
    expect(warningLines(['w1'])).toEqual(['', 'Warnings :', 'w1', '']);
  });

  it('prints errors as cqlsh (the Python driver decides the shape)', () => {
    expect(cqlshErrorText(new InvalidRequestError('unconfigured table t'))).toBe(
      'InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table t"',
    );
    expect(cqlshErrorText(new AlreadyExistsError('ks', 't', 'x'))).toBe(
      "AlreadyExists: Table 'ks.t' already exists",
    );
    expect(cqlshErrorText(new AlreadyExistsError('ks', '', 'x'))).toBe(
      "AlreadyExists: Keyspace 'ks' already exists",
    );
    expect(cqlshErrorText(new UnavailableError('QUORUM', 2, 1))).toBe(
      'Unavailable: Error from server: code=1000 [Unavailable exception] message="Cannot achieve consistency level QUORUM"' +
        " info={'consistency': 'QUORUM', 'required_replicas': 2, 'alive_replicas': 1}",
    );
    expect(cqlshErrorText(new WriteTimeoutError('ONE', 0, 1, 'SIMPLE'))).toContain(
      "info={'consistency': 'ONE', 'required_responses': 1, 'received_responses': 0, 'write_type': 'SIMPLE'}",
    );
    expect(cqlshErrorText(new Error('a bug'))).toBeNull();
    expect(describeCqlError(new InvalidRequestError('m'))).toBe('InvalidRequest: m');
  });
});
