import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  encodeFrame,
  encodeRequest,
  encodeResponse,
  type Frame,
  FrameDecoder,
  lz4Compressor,
  Opcode,
  ProtocolError,
  snappyCompressor,
} from '../../../cql/protocol/index.js';
import { sampleRequests, sampleResponses } from './samples.js';

const opcodes = Object.values(Opcode);

function frame(isResponse: boolean, opcode: number, flags: number, body: Uint8Array): Frame {
  const bytes = encodeFrame({ version: 4, isResponse, flags, streamId: 0, opcode }, body);
  const [item] = new FrameDecoder().push(bytes);
  if (item?.kind !== 'frame') throw new Error('expected a frame');
  return item.frame;
}

/** Decoding either succeeds or throws ProtocolError: never another error, never a crash. */
function decodesOrProtocolError(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

const bodyOf = (bytes: Uint8Array) => bytes.subarray(9);
const requestBodies = sampleRequests.map((m) => ({
  opcode: Opcode[m.type],
  body: bodyOf(encodeRequest(m, { streamId: 0 })),
}));
const responseBodies = sampleResponses.map((m) => ({
  opcode: Opcode[m.type],
  body: bodyOf(encodeResponse(m, { streamId: 0 })),
}));

describe('decoding hostile bodies', () => {
  it('every truncation of every valid body is decoded or refused with ProtocolError', () => {
    for (const { opcode, body } of requestBodies) {
      for (let length = 0; length < body.length; length++) {
        const truncated = frame(false, opcode, 0, body.subarray(0, length));
        expect(() => decodeRequest(truncated)).toThrow(ProtocolError);
      }
    }
    for (const { opcode, body } of responseBodies) {
      for (let length = 0; length < body.length; length++) {
        decodesOrProtocolError(() => decodeResponse(frame(true, opcode, 0, body.subarray(0, length))));
      }
    }
  });

  it('random bodies under every opcode and flag combination give ProtocolError or a message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...opcodes),
        fc.integer({ min: 0, max: 0x1f }),
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        (opcode, flags, body, isResponse) => {
          const options = { compressor: flags & 1 ? lz4Compressor : undefined, maxFrameBodyBytes: 1 << 20 };
          const decoded = frame(isResponse, opcode, flags, body);
          decodesOrProtocolError(() =>
            isResponse ? decodeResponse(decoded, options) : decodeRequest(decoded, options),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('valid bodies with bytes flipped give ProtocolError or a message', () => {
    const samples = [
      ...requestBodies.map((s) => ({ ...s, isResponse: false })),
      ...responseBodies.map((s) => ({ ...s, isResponse: true })),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (sample, flips) => {
          const body = Uint8Array.from(sample.body);
          if (body.length === 0) return;
          for (const [at, value] of flips) body[at % body.length] = value;
          const decoded = frame(sample.isResponse, sample.opcode, 0, body);
          decodesOrProtocolError(() =>
            sample.isResponse ? decodeResponse(decoded) : decodeRequest(decoded),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random compressed bodies give ProtocolError or a message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (body, lz4) => {
        const compressor = lz4 ? lz4Compressor : snappyCompressor;
        decodesOrProtocolError(() =>
          decodeResponse(frame(true, Opcode.RESULT, 1, body), { compressor, maxFrameBodyBytes: 4096 }),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('random byte streams never throw from the frame decoder', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const decoder = new FrameDecoder({ maxFrameBodyBytes: 1024 });
        for (const chunk of chunks) decoder.push(chunk);
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(1024 + 9);
      }),
    );
  });
});
