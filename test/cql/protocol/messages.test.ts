import { describe, expect, it } from 'vitest';
import * as errors from '../../../cql/errors.js';
import {
  decodeRequest,
  decodeResponse,
  ErrorCode,
  encodeRequest,
  encodeResponse,
  errorBodyFrom,
  type Frame,
  FrameDecoder,
  ProtocolError,
  readFrameHeader,
} from '../../../cql/protocol/index.js';
import { sampleErrors, sampleRequests, sampleResponses } from './samples.js';

/** Cuts one encoded frame back into header and body, as the decoder does. */
function frameOf(bytes: Uint8Array): Frame {
  const items = new FrameDecoder().push(bytes);
  expect(items).toHaveLength(1);
  const item = items[0]!;
  if (item.kind !== 'frame') throw item.error;
  return item.frame;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('request messages', () => {
  it.each(sampleRequests.map((m, i) => [`${i} ${m.type}`, m] as const))('round-trips %s', (_, message) => {
    const encoded = encodeRequest(message, { streamId: 7 });
    const decoded = decodeRequest(frameOf(encoded));
    expect(decoded.message).toEqual(message);
    expect(decoded.header).toMatchObject({ version: 4, isResponse: false, streamId: 7, flags: 0 });
    // Encoding the decoded message gives the same bytes: flags are derived from the fields.
    expect(hex(encodeRequest(decoded.message, { streamId: 7 }))).toBe(hex(encoded));
  });

  it('carries the tracing flag and a custom payload before the body', () => {
    const customPayload = new Map([
      ['k', Uint8Array.of(1, 2)],
      ['null', null],
    ]);
    const encoded = encodeRequest({ type: 'OPTIONS' }, { streamId: 1, tracing: true, customPayload });
    const decoded = decodeRequest(frameOf(encoded));
    expect(decoded.tracing).toBe(true);
    expect(decoded.customPayload).toEqual(customPayload);
    expect(decoded.header.flags).toBe(0x02 | 0x04);
  });

  it('writes STARTUP {CQL_VERSION: 3.0.0} byte for byte as the spec lays it out', () => {
    const encoded = encodeRequest(
      { type: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0']]) },
      { streamId: 0 },
    );
    const header = '04' + '00' + '0000' + '01' + '00000016';
    const body =
      '0001' +
      '000b' +
      Buffer.from('CQL_VERSION').toString('hex') +
      '0005' +
      Buffer.from('3.0.0').toString('hex');
    expect(hex(encoded)).toBe(header + body);
  });

  it('writes QUERY "SELECT 1" at ONE with no flags byte for byte', () => {
    const encoded = encodeRequest(
      { type: 'QUERY', query: 'SELECT 1', parameters: { consistency: 'ONE', skipMetadata: false } },
      { streamId: 0x0102 },
    );
    expect(hex(encoded)).toBe(
      `040001020700000${'00f'}00000008${Buffer.from('SELECT 1').toString('hex')}000100`,
    );
  });

  it('reads a hand-built EXECUTE with values null and not set', () => {
    const body = Buffer.from(
      '0002' + 'abcd' + '0004' + '01' + '0003' + 'ffffffff' + 'fffffffe' + '00000001' + '2a',
      'hex',
    );
    const header = Buffer.from(`04000005${'0a'}${body.length.toString(16).padStart(8, '0')}`, 'hex');
    const decoded = decodeRequest(frameOf(Buffer.concat([header, body])));
    expect(decoded.message).toMatchObject({ type: 'EXECUTE', parameters: { consistency: 'QUORUM' } });
    if (decoded.message.type !== 'EXECUTE') throw new Error('not EXECUTE');
    expect(decoded.message.parameters.values).toHaveLength(3);
    expect(decoded.message.parameters.values![0]).toBeNull();
    expect(typeof decoded.message.parameters.values![1]).toBe('symbol');
    expect(Array.from(decoded.message.parameters.values![2] as Uint8Array)).toEqual([0x2a]);
  });

  it('refuses a [value] length below -2, an unknown query flag, batch names, an unknown event', () => {
    const query = (parameters: string) => {
      const body = Buffer.concat([
        Buffer.from('00000001', 'hex'),
        Buffer.from('x'),
        Buffer.from(parameters, 'hex'),
      ]);
      const header = Buffer.from(`0400000007${body.length.toString(16).padStart(8, '0')}`, 'hex');
      return () => decodeRequest(frameOf(Buffer.concat([header, body])));
    };
    expect(query('0001' + '01' + '0001' + 'fffffffd')).toThrow(/Invalid \[value\] length -3/);
    expect(query('0001' + '80')).toThrow(ProtocolError);
    expect(query('000b' + '00')).toThrow(/Unknown code 11 for a consistency level/);
    const batch = Buffer.from('01' + '0000' + '0001' + '40', 'hex');
    const batchHeader = Buffer.from(`040000000d${batch.length.toString(16).padStart(8, '0')}`, 'hex');
    expect(() => decodeRequest(frameOf(Buffer.concat([batchHeader, batch])))).toThrow(/CASSANDRA-10246/);
    const register = Buffer.from(`00010004${Buffer.from('NOPE').toString('hex')}`, 'hex');
    const registerHeader = Buffer.from(`040000000b${register.length.toString(16).padStart(8, '0')}`, 'hex');
    expect(() => decodeRequest(frameOf(Buffer.concat([registerHeader, register])))).toThrow(
      "Invalid value 'NOPE' for Type",
    );
  });

  it('refuses a response opcode or direction on the request side', () => {
    const ready = encodeResponse({ type: 'READY' }, { streamId: 0 });
    expect(() => decodeRequest(frameOf(ready))).toThrow(/Wrong protocol direction/);
    const asRequest = Buffer.from(ready);
    asRequest[0] = 0x04;
    expect(() => decodeRequest(frameOf(asRequest))).toThrow(/Unknown or unexpected request opcode 2/);
  });
});

describe('response messages', () => {
  it.each(sampleResponses.map((m, i) => [`${i} ${m.type}`, m] as const))('round-trips %s', (_, message) => {
    const encoded = encodeResponse(message, { streamId: -1 });
    const decoded = decodeResponse(frameOf(encoded));
    expect(decoded.message).toEqual(message);
    expect(decoded.header).toMatchObject({ version: 4, isResponse: true, streamId: -1 });
    expect(hex(encodeResponse(decoded.message, { streamId: -1 }))).toBe(hex(encoded));
  });

  it('covers every error code of spec section 9', () => {
    const codes = new Set(sampleErrors.map((e) => e.code));
    expect([...codes].sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('carries tracing id, warnings and custom payload, in that order', () => {
    const envelope = {
      streamId: 3,
      tracingId: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
      warnings: ['Aggregation query used without partition key'],
      customPayload: new Map([['p', Uint8Array.of(5)]]),
    };
    const encoded = encodeResponse({ type: 'RESULT', result: { kind: 'void' } }, envelope);
    expect(readFrameHeader(encoded).flags).toBe(0x02 | 0x08 | 0x04);
    expect(hex(encoded.subarray(9, 25))).toBe('6f9619ff8b86d011b42d00c04fc964ff');
    const decoded = decodeResponse(frameOf(encoded));
    expect(decoded).toMatchObject({ tracingId: envelope.tracingId, warnings: envelope.warnings });
    expect(decoded.customPayload).toEqual(envelope.customPayload);
    expect(decoded.message).toEqual({ type: 'RESULT', result: { kind: 'void' } });
  });

  it('writes READY and an Unavailable ERROR byte for byte', () => {
    expect(hex(encodeResponse({ type: 'READY' }, { streamId: 1 }))).toBe('840000010200000000');
    const error = sampleErrors.find((e) => e.code === ErrorCode.UNAVAILABLE)!;
    const message = Buffer.from(error.message).toString('hex');
    const body = `00001000${error.message.length.toString(16).padStart(4, '0')}${message}00040000000200000001`;
    const encoded = encodeResponse({ type: 'ERROR', error }, { streamId: 0 });
    expect(hex(encoded)).toBe(`8400000000${(body.length / 2).toString(16).padStart(8, '0')}${body}`);
  });

  it('sends the Global_tables_spec flag only when all columns share keyspace and table', () => {
    const rows = sampleResponses.filter((m) => m.type === 'RESULT' && m.result.kind === 'rows');
    const flagsOf = (message: (typeof rows)[number]) =>
      encodeResponse(message, { streamId: 0 }).readInt32BE(13);
    expect(flagsOf(rows[0]!)).toBe(0x0001 | 0x0002);
    expect(flagsOf(rows[1]!)).toBe(0);
    expect(flagsOf(rows[2]!)).toBe(0x0004);
  });
});

describe('errorBodyFrom', () => {
  it('maps the typed request errors to their codes and fields, anything else to Server error', () => {
    expect(errorBodyFrom(new errors.UnavailableError('QUORUM', 2, 1))).toEqual({
      code: 0x1000,
      message: 'Cannot achieve consistency level QUORUM',
      consistency: 'QUORUM',
      required: 2,
      alive: 1,
    });
    expect(errorBodyFrom(new errors.WriteTimeoutError('ONE', 0, 1, 'BATCH_LOG'))).toMatchObject({
      code: 0x1100,
      writeType: 'BATCH_LOG',
    });
    expect(errorBodyFrom(new errors.ReadTimeoutError('ONE', 0, 1, true))).toMatchObject({
      code: 0x1200,
      dataPresent: true,
    });
    expect(errorBodyFrom(new errors.AlreadyExistsError('ks', '', 'exists'))).toEqual({
      code: 0x2400,
      message: 'exists',
      keyspace: 'ks',
      table: '',
    });
    expect(errorBodyFrom(new errors.UnpreparedError(Uint8Array.of(1), 'gone'))).toMatchObject({
      code: 0x2500,
    });
    expect(errorBodyFrom(new errors.InvalidRequestError('bad'))).toEqual({ code: 0x2200, message: 'bad' });
    expect(errorBodyFrom(new errors.CqlSyntaxError('line 1:0 x'))).toEqual({
      code: 0x2000,
      message: 'line 1:0 x',
    });
    expect(errorBodyFrom(new ProtocolError('frame'))).toEqual({ code: 0x000a, message: 'frame' });
    expect(errorBodyFrom(new TypeError('oops'))).toEqual({ code: 0x0000, message: 'TypeError: oops' });
  });
});
