import { describe, expect, it } from 'vitest';
import {
  decodeResponse,
  ErrorCode,
  FrameDecoder,
  negotiateCompression,
  ProtocolError,
  readFrameHeader,
  startupOptions,
  unsupportedVersionMessage,
  unsupportedVersionResponse,
} from '../../../cql/protocol/index.js';

describe('version negotiation', () => {
  it("uses Cassandra's message word for word", () => {
    expect(unsupportedVersionMessage(5)).toBe(
      'Invalid or unsupported protocol version (5); supported versions are (3/v3, 4/v4, 5/v5-beta)',
    );
  });

  it.each([5, 0x41, 0x42, 3])('answers version %i in its own version byte, on its stream', (version) => {
    const answer = unsupportedVersionResponse({ version, streamId: 12 });
    expect(answer[0]).toBe(0x80 | version);
    const header = readFrameHeader(answer);
    expect(header).toMatchObject({ version, isResponse: true, streamId: 12, opcode: 0x00, flags: 0 });
    // The frame parses as an ERROR ProtocolError whatever the version byte says.
    const [item] = new FrameDecoder().push(answer);
    if (item?.kind !== 'frame') throw new Error('expected a frame');
    const { message } = decodeResponse(item.frame);
    expect(message).toEqual({
      type: 'ERROR',
      error: { code: ErrorCode.PROTOCOL_ERROR, message: unsupportedVersionMessage(version) },
    });
  });

  it('answers a v1/v2 client with the 8-byte header it reads', () => {
    const answer = unsupportedVersionResponse({ version: 1, streamId: 3 });
    expect(answer.subarray(0, 4)).toEqual(Buffer.from([0x81, 0x00, 0x03, 0x00]));
    expect(answer.readInt32BE(4)).toBe(answer.length - 8);
  });
});

describe('compression negotiation', () => {
  it('takes COMPRESSION from STARTUP, case-insensitively, and refuses unknown ones', () => {
    expect(negotiateCompression({ type: 'STARTUP', options: startupOptions() })).toBeUndefined();
    expect(negotiateCompression({ type: 'STARTUP', options: startupOptions('lz4') })?.name).toBe('lz4');
    const snappy = new Map([['COMPRESSION', 'Snappy']]);
    expect(negotiateCompression({ type: 'STARTUP', options: snappy })?.name).toBe('snappy');
    const zstd = new Map([['COMPRESSION', 'zstd']]);
    expect(() => negotiateCompression({ type: 'STARTUP', options: zstd })).toThrow(ProtocolError);
    expect(() => negotiateCompression({ type: 'STARTUP', options: zstd })).toThrow(
      'Unknown compression algorithm: zstd',
    );
  });
});
