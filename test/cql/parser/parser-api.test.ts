import { describe, expect, it } from 'vitest';
import { SibylError } from '../../../common/errors.js';
import { CqlSyntaxError, formatType, lex, parseScript, parseStatement } from '../../../cql/parser/index.js';
import { parseCqlType } from '../../../cql/types/index.js';

/** The parser's public surface beyond the corpus: error objects, scripts, tokens, type text. */
describe('CqlSyntaxError', () => {
  function errorOf(text: string): CqlSyntaxError {
    try {
      parseStatement(text);
    } catch (error) {
      if (error instanceof CqlSyntaxError) return error;
      throw error;
    }
    throw new Error(`${text} parsed`);
  }

  it('is a SibylError with the protocol Syntax error code and the offending position', () => {
    const error = errorOf('SELECT *\nFROM t WHERE k = = 1');
    expect(error).toBeInstanceOf(SibylError);
    expect(error.code).toBe('SYNTAX_ERROR');
    expect(error.protocolCode).toBe(0x2000);
    expect(error.position).toEqual({ line: 2, column: 17 });
    expect(error.message).toBe("line 2:17 no viable alternative at input '=' (...FROM t WHERE k = [=]...)");
  });

  it('says line 0:-1 at the end of input, as Cassandra, but keeps the real position', () => {
    const error = errorOf('SELECT * FROM t WHERE');
    expect(error.message).toBe("line 0:-1 no viable alternative at input '<EOF>'");
    expect(error.position).toEqual({ line: 1, column: 21 });
  });

  it('has no position for errors Cassandra reports by message alone', () => {
    expect(errorOf('UPDATE t SET a = b + 1 WHERE k = 0').message).toBe(
      'Only expressions of the form X = X +<value> are supported.',
    );
  });
});

describe('parseScript', () => {
  it('keeps each statement text, position and markers', () => {
    const [first, second] = parseScript('SELECT * FROM t WHERE k = ?;\n  UPDATE t SET v = :v WHERE k = ? ;');
    expect(first?.text).toBe('SELECT * FROM t WHERE k = ?');
    expect(first?.bindMarkers.map((m) => m.index)).toEqual([0]);
    expect(second?.text).toBe('UPDATE t SET v = :v WHERE k = ?');
    expect(second?.position).toEqual({ line: 2, column: 2 });
    expect(second?.bindMarkers.map((m) => [m.index, m.name])).toEqual([
      [0, 'v'],
      [1, undefined],
    ]);
  });
});

describe('lexer', () => {
  it('cuts tokens as Cassandra does, keywords marked and names decoded', () => {
    const tokens = lex(`SELECT "a""b", 'x''y', 1.., -1, 1..2, key FROM table`).tokens;
    expect(tokens.map((t) => [t.type, t.value, t.keyword ?? ''])).toEqual([
      ['IDENT', 'SELECT', 'SELECT'],
      ['QUOTED_NAME', 'a"b', ''],
      ['SYMBOL', ',', ''],
      ['STRING', "x'y", ''],
      ['SYMBOL', ',', ''],
      ['INTEGER', '1', ''],
      ['SYMBOL', '..', ''],
      ['SYMBOL', ',', ''],
      ['INTEGER', '-1', ''],
      ['SYMBOL', ',', ''],
      ['INTEGER', '1', ''],
      ['SYMBOL', '..', ''],
      ['INTEGER', '2', ''],
      ['SYMBOL', ',', ''],
      ['IDENT', 'key', 'KEY'],
      ['IDENT', 'FROM', 'FROM'],
      ['IDENT', 'table', 'COLUMNFAMILY'],
      ['EOF', '', ''],
    ]);
  });

  it('counts lines on newlines and columns from 0', () => {
    const tokens = lex('a\n  b\r\n c').tokens;
    expect(tokens.map((t) => [t.line, t.column])).toEqual([
      [1, 0],
      [2, 2],
      [3, 1],
      [3, 2],
    ]);
  });
});

describe('type text', () => {
  it('prints types that cql/types parseCqlType reads back', () => {
    const parsed = parseStatement(
      'CREATE TABLE t (k frozen<map<text, frozen<list<int>>>> PRIMARY KEY, v tuple<int, varchar>)',
    );
    if (parsed.statement.kind !== 'createTable') throw new Error('not a table');
    const texts = parsed.statement.columns.map((c) => formatType(c.type));
    expect(texts).toEqual(['frozen<map<text, frozen<list<int>>>>', 'tuple<int, text>']);
    expect(texts.map((t) => parseCqlType(t).kind)).toEqual(['map', 'tuple']);
  });
});
