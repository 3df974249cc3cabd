import { compressSync as lz4Frame } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type FrameCompressor,
  FrameDecoder,
  lz4Compressor,
  ProtocolError,
  readFrameHeader,
  snappyCompressor,
} from '../../../cql/protocol/index.js';
import { sampleRequests, sampleResponses } from './samples.js';

const only = (bytes: Uint8Array) => {
  const [item] = new FrameDecoder().push(bytes);
  if (item?.kind !== 'frame') throw new Error('expected a frame');
  return item.frame;
};

describe.each([lz4Compressor, snappyCompressor] as FrameCompressor[])('$name frames', (compressor) => {
  it('round-trip every request and response with the compression flag set', () => {
    for (const message of sampleRequests) {
      const encoded = encodeRequest(message, { streamId: 1 }, { compressor });
      const frame = only(encoded);
      // STARTUP is never compressed (it negotiates compression); everything else with a body is.
      const compressed = message.type !== 'STARTUP' && message.type !== 'OPTIONS';
      expect((frame.header.flags & 0x01) !== 0).toBe(compressed);
      expect(decodeRequest(frame, { compressor }).message).toEqual(message);
    }
    for (const message of sampleResponses) {
      const frame = only(encodeResponse(message, { streamId: 1, warnings: ['w'] }, { compressor }));
      expect(frame.header.flags & 0x01).toBe(0x01);
      expect(decodeResponse(frame, { compressor }).message).toEqual(message);
    }
  });

  it('shrinks a repetitive body', () => {
    const query = `SELECT ${'a, '.repeat(500)}b FROM t`;
    const plain = encodeRequest({ type: 'PREPARE', query }, { streamId: 0 });
    const packed = encodeRequest({ type: 'PREPARE', query }, { streamId: 0 }, { compressor });
    expect(packed.length).toBeLessThan(plain.length / 5);
  });

  it('refuses a body that inflates past the limit, and garbage, with ProtocolError', () => {
    const body = compressor.compress(new Uint8Array(10_000));
    expect(() => compressor.decompress(body, 9_999)).toThrow(ProtocolError);
    expect(compressor.decompress(body, 10_000)).toHaveLength(10_000);
    for (const garbage of [Uint8Array.of(), Uint8Array.of(0xff), Uint8Array.of(0, 0, 0, 9, 0xf0, 1, 2)]) {
      expect(() => compressor.decompress(garbage, 1000)).toThrow(ProtocolError);
    }
  });

  it('refuses a compressed frame when nothing was negotiated', () => {
    const frame = only(
      encodeRequest({ type: 'PREPARE', query: 'SELECT 1' }, { streamId: 0 }, { compressor }),
    );
    expect(() => decodeRequest(frame)).toThrow(
      'Received a compressed frame but no compression was negotiated',
    );
  });
});

describe('lz4 body layout', () => {
  it('is a big-endian uncompressed length and a raw LZ4 block', () => {
    const input = Buffer.from('hello hello hello hello hello hello world');
    const body = Buffer.from(lz4Compressor.compress(input));
    expect(body.readUInt32BE(0)).toBe(input.length);
    // The block is the one lz4-napi makes; only its little-endian size prefix differs.
    expect(body.subarray(4)).toEqual(lz4Frame(input).subarray(4));
  });

  it('checks the decompressed length against the declared one', () => {
    const body = Buffer.from(lz4Compressor.compress(Buffer.from('abcdefgh')));
    body.writeUInt32BE(20, 0);
    expect(() => lz4Compressor.decompress(body, 1000)).toThrow(ProtocolError);
  });

  it('leaves empty bodies uncompressed', () => {
    const ready = encodeResponse({ type: 'READY' }, { streamId: 0 }, { compressor: lz4Compressor });
    expect(readFrameHeader(ready).flags).toBe(0);
  });
});
