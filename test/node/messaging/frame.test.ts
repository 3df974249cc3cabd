/**
 * The frame format of docs/formats/internode.md: header fields round-trip, payloads keep bigints
 * and bytes, frames split anywhere across chunks reassemble, and what is not a frame (too large, too
 * short, another version, unknown flags, a body that is not msgpack) is refused with MALFORMED_FRAME.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../../node/messaging/frame.js';
import {
  decodePayload,
  encodeFrame,
  Flag,
  FRAME_PREFIX_BYTES,
  FrameDecoder,
  hostIdFromBytes,
  hostIdToBytes,
  MESSAGING_VERSION,
} from '../../../node/messaging/frame.js';
import { MalformedFrameError, MessageTooLargeError, Verb } from '../../../node/messaging/index.js';
import { hostIdFor } from './helpers.js';

const sender = hostIdToBytes(hostIdFor(0xabcdef));
const header = {
  flags: Flag.EXPECTS_RESPONSE,
  verb: Verb.READ_REQ,
  requestId: 0xfffffffe,
  createdAtMs: 1_700_000_123_456,
  timeoutMs: 5_000,
};

function decodeAll(chunks: Uint8Array[], maxFrameBytes = 1 << 20): DecodedFrame[] {
  const decoder = new FrameDecoder(maxFrameBytes);
  const frames: DecodedFrame[] = [];
  for (const chunk of chunks) decoder.push(chunk, (frame) => frames.push(frame));
  return frames;
}

describe('internode frame', () => {
  it('round-trips the header and a payload with bigints, bytes and nesting', () => {
    const payload = {
      token: -9223372036854775808n,
      max: 9223372036854775807n,
      key: new Uint8Array([0, 255]),
      n: [1, 'x', null],
    };
    const frame = encodeFrame(header, sender, payload, 1 << 20);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(frame[4]).toBe(MESSAGING_VERSION);
    const [decoded] = decodeAll([frame]);
    expect(decoded).toMatchObject(header);
    expect(hostIdFromBytes(decoded!.sender)).toBe(hostIdFor(0xabcdef));
    const body = decodePayload(decoded!.body) as typeof payload;
    expect(body).toEqual({ ...payload, key: Buffer.from([0, 255]) });
    expect(typeof body.token).toBe('bigint');
  });

  it('encodes the worked example of docs/formats/internode.md byte for byte', () => {
    const example = encodeFrame(
      {
        flags: Flag.EXPECTS_RESPONSE,
        verb: Verb.READ_REQ,
        requestId: 7,
        createdAtMs: 1_700_000_000_000,
        timeoutMs: 5_000,
      },
      hostIdToBytes(hostIdFor(1)),
      null,
      1 << 20,
    );
    const expected = [
      '00 00 00 25',
      '01',
      '04',
      '00 14',
      '00 00 00 07',
      '00 00 01 8b cf e5 68 00',
      '00 00 13 88',
      '00 00 00 00 00 00 40 00 80 00 00 00 00 00 00 01',
      'c0',
    ];
    expect(example.toString('hex')).toBe(expected.join('').replaceAll(' ', ''));
  });

  it('has a 40-byte prefix before the msgpack body', () => {
    const frame = encodeFrame(header, sender, null, 1 << 20);
    expect(frame.length).toBe(FRAME_PREFIX_BYTES + 1); // msgpack nil is one byte
    expect(frame.subarray(FRAME_PREFIX_BYTES)).toEqual(Buffer.from([0xc0]));
  });

  it('reassembles frames split at every byte boundary', () => {
    const frames = [1, 2, 3].map((n) =>
      encodeFrame({ ...header, requestId: n }, sender, { n, pad: 'x'.repeat(n * 50) }, 1 << 20),
    );
    const stream = Buffer.concat(frames);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const decoded = decodeAll([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(decoded.map((frame) => frame.requestId)).toEqual([1, 2, 3]);
    }
    const byteByByte = decodeAll([...stream].map((byte) => Uint8Array.of(byte)));
    expect(byteByByte.map((frame) => decodePayload(frame.body))).toEqual(
      [1, 2, 3].map((n) => ({ n, pad: 'x'.repeat(n * 50) })),
    );
  });

  it('refuses to encode past the limit and to decode a length past it', () => {
    expect(() => encodeFrame(header, sender, new Uint8Array(2_000), 1_024)).toThrow(MessageTooLargeError);
    const big = encodeFrame(header, sender, new Uint8Array(2_000), 1 << 20);
    // The length alone is enough to refuse: nothing past the first 4 bytes is buffered.
    expect(() => decodeAll([big.subarray(0, 4)], 1_024)).toThrow(/exceeds the limit of 1024/);
  });

  it('refuses frames too short, of another version, with unknown flags, or with a bad body', () => {
    const short = Buffer.alloc(12);
    short.writeUInt32BE(8, 0);
    expect(() => decodeAll([short])).toThrow(MalformedFrameError);
    const otherVersion = encodeFrame(header, sender, null, 1 << 20);
    otherVersion[4] = MESSAGING_VERSION + 1;
    expect(() => decodeAll([otherVersion])).toThrow(/version 2 is not supported/);
    const flags = encodeFrame(header, sender, null, 1 << 20);
    flags[5] = 0x80;
    expect(() => decodeAll([flags])).toThrow(/unknown flags/);
    expect(() => decodePayload(Buffer.from([0x92, 0x01]))).toThrow(MalformedFrameError); // array of 2, 1 element
  });
});
