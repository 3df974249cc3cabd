import { payloadFor } from './helpers.js';

/** The records crash-writer.ts appends: sequence number first, so replay can tell which it is. */
export function crashPayload(seq: number): Uint8Array {
  const body = payloadFor(seq, 40 + (seq % 200));
  const payload = new Uint8Array(4 + body.length);
  new DataView(payload.buffer).setUint32(0, seq);
  payload.set(body, 4);
  return payload;
}

export function crashTable(seq: number): string {
  return `ks.crash${seq % 3}`;
}

export function sequenceOf(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
}
