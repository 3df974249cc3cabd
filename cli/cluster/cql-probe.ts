/**
 * "Does this node accept CQL?" answered the way a driver would find out: connect to the native port,
 * send STARTUP (protocol v4) and receive READY. An open port alone is not enough; the node binds it
 * only once storage and schema are loaded, but a READY proves the request path works.
 */
import { connect } from 'node:net';
import { decodeResponse, encodeRequest, FrameDecoder, startupOptions } from '../../cql/protocol/index.js';

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function probeCql(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const decoder = new FrameDecoder();
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => {
      socket.write(encodeRequest({ type: 'STARTUP', options: startupOptions() }, { streamId: 0 }));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const item of decoder.push(chunk)) {
          if (item.kind === 'error') return finish({ ok: false, reason: item.error.message });
          const { message } = decodeResponse(item.frame);
          if (message.type === 'READY') return finish({ ok: true });
          return finish({ ok: false, reason: `STARTUP answered with ${message.type}` });
        }
      } catch (error) {
        finish({ ok: false, reason: (error as Error).message });
      }
    });
    socket.once('error', (error: Error) => finish({ ok: false, reason: error.message }));
    socket.once('close', () => finish({ ok: false, reason: 'connection closed' }));
  });
}
