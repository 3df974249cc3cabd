import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BodyReader,
  BodyWriter,
  NOT_SET,
  ProtocolError,
  readTypeOption,
  writeTypeOption,
} from '../../../cql/protocol/index.js';
import { freeze, typeEquals } from '../../../cql/types/index.js';
import { everyTypeColumns } from './samples.js';

const hex = (writer: BodyWriter) => Buffer.from(writer.finish()).toString('hex');

describe('body notations (spec 3)', () => {
  it('write the layouts the spec gives', () => {
    expect(hex(new BodyWriter().byte(0xab).short(0xfffe).int(-2).long(-1n))).toBe(
      'abfffefffffffeffffffffffffffff',
    );
    expect(hex(new BodyWriter().string('é'))).toBe('0002c3a9');
    expect(hex(new BodyWriter().longString('ab'))).toBe('000000026162');
    expect(hex(new BodyWriter().stringList(['a', '']))).toBe('0002000161' + '0000');
    expect(hex(new BodyWriter().bytes(null).bytes(Uint8Array.of(7)))).toBe('ffffffff' + '0000000107');
    expect(hex(new BodyWriter().value(NOT_SET).value(null))).toBe('fffffffe' + 'ffffffff');
    expect(hex(new BodyWriter().shortBytes(Uint8Array.of(1, 2)))).toBe('00020102');
    expect(hex(new BodyWriter().inet({ address: '10.0.0.1', port: 9042 }))).toBe(
      '04' + '0a000001' + '00002352',
    );
    expect(hex(new BodyWriter().inetAddress('::1'))).toBe(`10${'00'.repeat(15)}01`);
    expect(hex(new BodyWriter().consistency('LOCAL_ONE').consistency('ANY'))).toBe('000a0000');
    expect(hex(new BodyWriter().uuid('00112233-4455-6677-8899-aabbccddeeff'))).toBe(
      '00112233445566778899aabbccddeeff',
    );
    expect(hex(new BodyWriter().stringMap(new Map([['k', 'v']])))).toBe('0001' + '00016b' + '000176');
    expect(hex(new BodyWriter().stringMultimap(new Map([['k', ['v']]])))).toBe(
      '0001' + '00016b' + '0001000176',
    );
    expect(hex(new BodyWriter().bytesMap(new Map([['k', null]])))).toBe('0001' + '00016b' + 'ffffffff');
    expect(hex(new BodyWriter().unsignedVInt(0x7fn).unsignedVInt(0x80n).vint(-1n))).toBe(
      '7f' + '8080' + '01',
    );
  });

  it('read back what they write', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 5 }),
        (text, long, vint, bytes, list) => {
          const writer = new BodyWriter(4)
            .string(text)
            .longString(text)
            .long(long)
            .unsignedVInt(vint)
            .vint(long)
            .bytes(bytes)
            .stringList(list);
          const reader = new BodyReader(writer.finish());
          expect(reader.string()).toBe(text);
          expect(reader.longString()).toBe(text);
          expect(reader.long()).toBe(long);
          expect(reader.unsignedVInt()).toBe(vint);
          expect(reader.vint()).toBe(long);
          expect(reader.bytes()).toEqual(bytes);
          expect(reader.stringList()).toEqual(list);
          expect(reader.remaining).toBe(0);
        },
      ),
    );
  });

  it('throw ProtocolError, not RangeError, on truncated input', () => {
    const reads: ((r: BodyReader) => unknown)[] = [
      (r) => r.byte(),
      (r) => r.short(),
      (r) => r.int(),
      (r) => r.long(),
      (r) => r.string(),
      (r) => r.uuid(),
      (r) => r.bytes(),
      (r) => r.value(),
      (r) => r.inet(),
      (r) => r.stringMap(),
      (r) => r.unsignedVInt(),
    ];
    for (const read of reads) {
      expect(() => read(new BodyReader(new Uint8Array(0)))).toThrow(ProtocolError);
    }
    expect(() => new BodyReader(Buffer.from('0005616263', 'hex')).string()).toThrow(/Not enough bytes/);
    expect(() => new BodyReader(Buffer.from('fffffffd', 'hex')).value()).toThrow(ProtocolError);
    expect(() => new BodyReader(Buffer.from('0500000000', 'hex')).inet()).toThrow(
      /Invalid \[inetaddr\] size 5/,
    );
    // A count larger than what could follow is refused before anything is allocated for it.
    expect(() => new BodyReader(Buffer.from('ffff0000', 'hex')).stringList()).toThrow(/count 65535/);
  });

  it('read maps into Maps, so wire keys cannot touch prototypes', () => {
    const writer = new BodyWriter().stringMap(new Map([['__proto__', 'x']]));
    const map = new BodyReader(writer.finish()).stringMap();
    expect(map.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('type options', () => {
  it.each(everyTypeColumns.map((c) => [c.name, c.type] as const))('round-trip %s', (_, type) => {
    const writer = new BodyWriter();
    writeTypeOption(writer, type);
    const reader = new BodyReader(writer.finish());
    const decoded = readTypeOption(reader);
    expect(reader.remaining).toBe(0);
    if (type.kind === 'custom' || decoded.kind === 'custom') expect(decoded).toEqual(type);
    else expect(typeEquals(freeze(decoded), freeze(type))).toBe(true);
  });

  it('write duration as the DurationType custom class and a map option byte for byte', () => {
    const duration = everyTypeColumns.find((c) => c.name === 'c_duration')!.type;
    const writer = new BodyWriter();
    writeTypeOption(writer, duration);
    const className = 'org.apache.cassandra.db.marshal.DurationType';
    expect(hex(writer)).toBe(
      `0000${className.length.toString(16).padStart(4, '0')}${Buffer.from(className).toString('hex')}`,
    );
    const map = new BodyWriter();
    writeTypeOption(map, everyTypeColumns.find((c) => c.name === 'c_map')!.type);
    expect(hex(map)).toBe('0021' + '000d' + '0020' + '0002');
  });

  it('refuse unknown ids, v1 text (0x000A) and nesting deeper than the parser allows', () => {
    expect(() => readTypeOption(new BodyReader(Buffer.from('000a', 'hex')))).toThrow(
      /Unknown type option id 0x000a/,
    );
    expect(() => readTypeOption(new BodyReader(Buffer.from('0040', 'hex')))).toThrow(ProtocolError);
    const deep = Buffer.from(`${'0020'.repeat(10_000)}0009`, 'hex');
    expect(() => readTypeOption(new BodyReader(deep))).toThrow(/nested deeper/);
  });
});
