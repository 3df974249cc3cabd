/**
 * One connection against a scripted server (a plain TCP server using the protocol codecs): the
 * handshake, request timeouts that keep the stream id until the late answer, events on stream -1,
 * and every pending request failing when the socket closes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DecodedRequest,
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  type ResponseMessage,
} from '../../cql/protocol/index.js';
import { Connection } from '../../driver/connection.js';
import { ConnectionError, OperationTimedOutError, ResponseError } from '../../driver/errors.js';

type Script = (
  request: DecodedRequest,
  reply: (message: ResponseMessage, streamId?: number) => void,
  socket: Socket,
) => void;

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

async function serve(script: Script): Promise<number> {
  server = createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind !== 'frame') continue;
        const request = decodeRequest(item.frame);
        const reply = (message: ResponseMessage, streamId = item.frame.header.streamId) =>
          socket.write(encodeResponse(message, { streamId }));
        if (request.message.type === 'STARTUP') reply({ type: 'READY' });
        else script(request, reply, socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const options = {
  connectTimeoutMs: 1000,
  readTimeoutMs: 1000,
  heartbeatIntervalMs: 60_000,
  maxRequestsPerConnection: 4,
};

describe('connection', () => {
  it('times a request out but keeps its stream id until the late answer arrives', async () => {
    const held: (() => void)[] = [];
    const port = await serve((request, reply) => {
      if (request.message.type === 'OPTIONS')
        held.push(() => reply({ type: 'SUPPORTED', options: new Map() }));
    });
    const connection = await Connection.open({ host: '127.0.0.1', port }, options);
    const error = await connection.request({ type: 'OPTIONS' }, 50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimedOutError);
    expect(connection.inFlight).toBe(1);
    held[0]!();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.inFlight).toBe(0);
    connection.close();
  });

  it('turns an ERROR answer into a ResponseError and hands events to the listener', async () => {
    const events: string[] = [];
    const port = await serve((_request, reply) => {
      reply(
        {
          type: 'EVENT',
          event: { type: 'STATUS_CHANGE', change: 'DOWN', address: { address: '10.0.0.9', port: 9042 } },
        },
        -1,
      );
      reply({ type: 'ERROR', error: { code: 0x2200, message: 'nope' } });
    });
    const connection = await Connection.open(
      { host: '127.0.0.1', port },
      {
        ...options,
        onEvent: (event) => events.push(event.type),
      },
    );
    await expect(connection.request({ type: 'OPTIONS' })).rejects.toBeInstanceOf(ResponseError);
    expect(events).toEqual(['STATUS_CHANGE']);
    connection.close();
  });

  it('fails every pending request when the server closes the socket', async () => {
    const port = await serve((_request, _reply, socket) => socket.destroy());
    const connection = await Connection.open({ host: '127.0.0.1', port }, options);
    const closed = new Promise<Error>((resolve) => connection.onClose(resolve));
    const error = await connection.request({ type: 'OPTIONS' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(await closed).toBeInstanceOf(ConnectionError);
    expect(connection.isOpen).toBe(false);
    await expect(connection.request({ type: 'OPTIONS' })).rejects.toMatchObject({ requestWritten: false });
  });
});
