import { describe, expect, it } from 'vitest';
import {
  type DecodedItem,
  decodeRequest,
  encodeRequest,
  encodeResponse,
  FrameDecoder,
  isSupportedVersion,
  MAX_FRAME_BODY_BYTES,
} from '../../../cql/protocol/index.js';
import { sampleRequests, sampleResponses } from './samples.js';

const frames = (items: DecodedItem[]) =>
  items.map((item) => {
    if (item.kind !== 'frame') throw item.error;
    return item.frame;
  });

const requestStream = Buffer.concat(sampleRequests.map((m, i) => encodeRequest(m, { streamId: i })));

describe('FrameDecoder', () => {
  it('yields several frames from one chunk, in order', () => {
    const decoded = frames(new FrameDecoder().push(requestStream));
    expect(decoded.map((f) => decodeRequest(f).message)).toEqual(sampleRequests);
    expect(decoded.map((f) => f.header.streamId)).toEqual(sampleRequests.map((_, i) => i));
  });

  it('reassembles frames split at every byte boundary', () => {
    const whole = Buffer.concat([
      encodeRequest(sampleRequests[6]!, { streamId: 1 }),
      encodeResponse({ type: 'READY' }, { streamId: 2 }),
      encodeRequest(sampleRequests[0]!, { streamId: 3 }),
    ]);
    for (let cut = 0; cut <= whole.length; cut++) {
      for (const second of [cut, Math.min(whole.length, cut + 5)]) {
        const decoder = new FrameDecoder();
        const items = [
          ...decoder.push(whole.subarray(0, cut)),
          ...decoder.push(whole.subarray(cut, second)),
          ...decoder.push(whole.subarray(second)),
        ];
        expect(frames(items).map((f) => f.header.streamId)).toEqual([1, 2, 3]);
        expect(decoder.bufferedBytes).toBe(0);
      }
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const decoder = new FrameDecoder();
    const items: DecodedItem[] = [];
    for (let i = 0; i < requestStream.length; i++)
      items.push(...decoder.push(requestStream.subarray(i, i + 1)));
    expect(frames(items).map((f) => decodeRequest(f).message)).toEqual(sampleRequests);
  });

  it('returns a body inside one chunk as a view, without copying', () => {
    const bytes = encodeRequest(sampleRequests[5]!, { streamId: 0 });
    const [frame] = frames(new FrameDecoder().push(bytes));
    expect(frame!.body.buffer).toBe(bytes.buffer);
  });

  it('reports an oversized frame at its header, skips its body and goes on', () => {
    const big = encodeRequest({ type: 'PREPARE', query: 'x'.repeat(1000) }, { streamId: 5 });
    const small = encodeRequest({ type: 'OPTIONS' }, { streamId: 6 });
    const decoder = new FrameDecoder({ maxFrameBodyBytes: 100 });
    const first = decoder.push(big.subarray(0, 9));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'error',
      fatal: false,
      header: { streamId: 5, bodyLength: 1004 },
    });
    if (first[0]!.kind !== 'error') throw new Error('expected an error');
    expect(first[0]!.error.protocolCode).toBe(0x000a);
    expect(first[0]!.error.message).toBe(
      'Request is too big: length 1004 exceeds maximum allowed length 100.',
    );
    expect(decoder.push(big.subarray(9, 500))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(0);
    const rest = decoder.push(Buffer.concat([big.subarray(500), small]));
    expect(frames(rest).map((f) => f.header.streamId)).toEqual([6]);
  });

  it('caps the limit at 256 MiB and refuses a length past it without buffering', () => {
    const header = Buffer.from('04000001077fffffff', 'hex');
    const decoder = new FrameDecoder({ maxFrameBodyBytes: 2 ** 31 });
    const [item] = decoder.push(header);
    expect(item).toMatchObject({ kind: 'error', fatal: false });
    if (item?.kind !== 'error') throw new Error('expected an error');
    expect(item.error.message).toContain(`maximum allowed length ${MAX_FRAME_BODY_BYTES}`);
  });

  it('stops at a negative body length', () => {
    const decoder = new FrameDecoder();
    const [item] = decoder.push(Buffer.from('0400000107ffffffff', 'hex'));
    expect(item).toMatchObject({ kind: 'error', fatal: true });
    expect(decoder.push(encodeRequest({ type: 'OPTIONS' }, { streamId: 0 }))).toEqual([]);
  });

  it('reports an unsupported version at once, before its body arrives, then stops', () => {
    const decoder = new FrameDecoder({ acceptVersion: isSupportedVersion });
    // A TLS ClientHello read as a frame: version 0x16, a 16 MiB "body" that never comes.
    const [item, ...more] = decoder.push(Buffer.from('160301020001000001fc0303', 'hex'));
    expect(more).toEqual([]);
    expect(item).toMatchObject({ kind: 'error', fatal: true, header: { version: 0x16 } });
    if (item?.kind !== 'error') throw new Error('expected an error');
    expect(item.error.message).toMatch(/^Invalid or unsupported protocol version \(22\)/);
    expect(decoder.push(encodeRequest({ type: 'OPTIONS' }, { streamId: 0 }))).toEqual([]);
  });

  it('parses the 8-byte header of a v1/v2 client', () => {
    const decoder = new FrameDecoder({ acceptVersion: isSupportedVersion });
    const [item] = decoder.push(Buffer.from('0200050500000000', 'hex'));
    expect(item).toMatchObject({
      kind: 'error',
      header: { version: 2, streamId: 5, opcode: 5, bodyLength: 0 },
    });
  });

  it('decodes the responses a client receives', () => {
    const stream = Buffer.concat(sampleResponses.map((m) => encodeResponse(m, { streamId: 1 })));
    expect(frames(new FrameDecoder().push(stream))).toHaveLength(sampleResponses.length);
  });
});
