import { describe, expect, it } from 'vitest';
import {
  CqlTypes,
  cqlTypeName,
  isMultiCell,
  listOf,
  mapOf,
  parseCqlType,
  protocolOption,
  typeEquals,
  type UdtType,
  udt,
} from '../../../cql/types/index.js';

const address: UdtType = udt('ks', 'address', [
  { name: 'street', type: CqlTypes.text },
  { name: 'zip', type: CqlTypes.int },
]);
const resolve = (keyspace: string | undefined, name: string) =>
  (keyspace === undefined || keyspace === 'ks') && name === 'address' ? address : undefined;

describe('parseCqlType and cqlTypeName', () => {
  it.each([
    ['int', 'int'],
    ['VARCHAR', 'text'],
    ['map<text,int>', 'map<text, int>'],
    ['map<text, frozen<list<int>>>', 'map<text, frozen<list<int>>>'],
    ['frozen<map<text,int>>', 'frozen<map<text, int>>'],
    ['frozen<list<list<int>>>', 'frozen<list<frozen<list<int>>>>'],
    ['tuple<int, text>', 'frozen<tuple<int, text>>'],
    ['list<tuple<int, list<int>>>', 'list<frozen<tuple<int, frozen<list<int>>>>>'],
    ['set<frozen<address>>', 'set<frozen<address>>'],
    ['address', 'address'],
    ['frozen<ks.address>', 'frozen<address>'],
  ])('%s prints as %s', (source, printed) => {
    const type = parseCqlType(source, resolve);
    expect(cqlTypeName(type)).toBe(printed);
    expect(typeEquals(parseCqlType(printed, resolve), type)).toBe(true);
  });

  it.each([
    ['frozen<int>', 'frozen<> is only allowed on collections, tuples, and user-defined types (got int)'],
    ['list<list<int>>', 'Non-frozen collections are not allowed inside collections: list<list<int>>'],
    ['set<address>', 'Non-frozen UDTs are not allowed inside collections: set<address>'],
    ['list<counter>', 'Counters are not allowed inside collections: list<counter>'],
    ['set<duration>', 'Durations are not allowed inside sets: set<duration>'],
    ['map<duration, int>', 'Durations are not allowed as map keys: map<duration, int>'],
    ['nosuch', 'Unknown type nosuch'],
    ['other.address', 'Unknown type other.address'],
  ])('%s is refused: %s', (source, message) => {
    expect(() => parseCqlType(source, resolve)).toThrow(message);
  });

  it.each(['map<int>', 'list<int', 'list<int>>', 'list<,>', ''])('%s is a syntax error', (source) => {
    expect(() => parseCqlType(source)).toThrow(expect.objectContaining({ code: 'SYNTAX_ERROR' }));
  });
});

describe('type properties', () => {
  it('isMultiCell holds for non-frozen collections and UDTs only', () => {
    expect(isMultiCell(parseCqlType('list<int>'))).toBe(true);
    expect(isMultiCell(parseCqlType('frozen<list<int>>'))).toBe(false);
    expect(isMultiCell(parseCqlType('address', resolve))).toBe(true);
    expect(isMultiCell(parseCqlType('frozen<address>', resolve))).toBe(false);
    expect(isMultiCell(parseCqlType('tuple<int>'))).toBe(false);
    expect(isMultiCell(CqlTypes.int)).toBe(false);
  });

  it('equality is structural and sees frozenness', () => {
    expect(typeEquals(mapOf(CqlTypes.text, CqlTypes.int), parseCqlType('map<text, int>'))).toBe(true);
    expect(typeEquals(listOf(CqlTypes.int), listOf(CqlTypes.int, true))).toBe(false);
    expect(typeEquals(CqlTypes.varchar, CqlTypes.text)).toBe(true);
  });

  it('gives the protocol v4 option ids (spec 4.2.5.2)', () => {
    expect(protocolOption(CqlTypes.int)).toEqual({ id: 0x0009 });
    expect(protocolOption(CqlTypes.text)).toEqual({ id: 0x000d });
    expect(protocolOption(CqlTypes.tinyint)).toEqual({ id: 0x0014 });
    expect(protocolOption(listOf(CqlTypes.int))).toEqual({ id: 0x0020 });
    expect(protocolOption(parseCqlType('map<int, int>'))).toEqual({ id: 0x0021 });
    expect(protocolOption(parseCqlType('set<int>'))).toEqual({ id: 0x0022 });
    expect(protocolOption(address)).toEqual({ id: 0x0030 });
    expect(protocolOption(parseCqlType('tuple<int>'))).toEqual({ id: 0x0031 });
    expect(protocolOption(CqlTypes.duration)).toEqual({
      id: 0x0000,
      customClassName: 'org.apache.cassandra.db.marshal.DurationType',
    });
  });
});
