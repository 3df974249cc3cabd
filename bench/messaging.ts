import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Packr } from 'msgpackr';
import { pino } from 'pino';
import type { PeerAddress } from '../node/messaging/index.js';
import { MessagingService, TcpTransport, toPeerAddress, Verb } from '../node/messaging/index.js';
import type { HostId } from '../ring/endpoint.js';
import { slidingWindow } from './window.js';

/*
 * Internode request/response round trips on loopback, 128 in flight: two MessagingServices (READ_REQ
 * answered with its payload) against a bare msgpackr-over-TCP echo (u32 length + msgpackr body
 * carrying an id, one socket write per frame, Nagle off) in the same process and run. Both sides
 * send the same payload: a read-like request with a token bigint and a 16-byte key.
 */
const IN_FLIGHT = 128;
const WARMUP = 20_000;
const COUNT = 200_000;

const payload = {
  tableId: '5bc52802-de25-35ed-aeab-188eecebb090',
  key: { token: -4069959284402364209n, key: new Uint8Array(16) },
};

async function sibylRoundTrips(count: number): Promise<number> {
  const log = pino({ level: 'silent' });
  const listenAddress = toPeerAddress('127.0.0.1:0');
  const start = (n: number) =>
    MessagingService.start({
      transport: new TcpTransport(),
      hostId: `00000000-0000-4000-8000-00000000000${n}` as HostId,
      listenAddress,
      log,
    });
  const client = await start(1);
  const server = await start(2);
  server.registerHandler(Verb.READ_REQ, (message) => message.payload);
  const peer: PeerAddress = server.address;
  await slidingWindow(WARMUP, IN_FLIGHT, () => client.request(peer, Verb.READ_REQ, payload));
  const result = await slidingWindow(count, IN_FLIGHT, () => client.request(peer, Verb.READ_REQ, payload));
  await client.close();
  await server.close();
  return result.opsPerSecond;
}

/**
 * The reference: the least a msgpackr request/response protocol over TCP must do. `batched` gathers
 * a tick's frames into one socket write, as messaging does; otherwise each frame is its own write.
 */
async function bareRoundTrips(count: number, batched: boolean): Promise<number> {
  const packr = new Packr({ useRecords: false });
  const server: Server = createServer({ noDelay: true }, (socket) => {
    const write = writer(socket, batched);
    onFrames(socket, (body) => {
      const message = packr.unpack(body) as { id: number; payload: unknown };
      write(frame(packr.pack({ id: message.id, payload: message.payload })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const socket = createConnection({ host: '127.0.0.1', port, noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const waiting = new Map<number, (value: unknown) => void>();
  onFrames(socket, (body) => {
    const message = packr.unpack(body) as { id: number; payload: unknown };
    waiting.get(message.id)?.(message.payload);
    waiting.delete(message.id);
  });
  let nextId = 1;
  const write = writer(socket, batched);
  const request = () =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      write(frame(packr.pack({ id, payload })));
    });
  await slidingWindow(WARMUP, IN_FLIGHT, request);
  const result = await slidingWindow(count, IN_FLIGHT, request);
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  return result.opsPerSecond;
}

export function writer(socket: Socket, batched: boolean): (frame: Buffer) => void {
  if (!batched) return (frame) => socket.write(frame);
  let queue: Buffer[] = [];
  const flush = () => {
    socket.write(queue.length === 1 ? queue[0]! : Buffer.concat(queue));
    queue = [];
  };
  return (frame) => {
    if (queue.push(frame) === 1) setImmediate(flush);
  };
}

export function frame(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

export function onFrames(socket: Socket, onFrame: (body: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    let buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (buffer.length < 4 + length) break;
      onFrame(buffer.subarray(4, 4 + length));
      buffer = buffer.subarray(4 + length);
    }
    pending = Buffer.from(buffer);
  });
}

/** Prints both rates, their ratio and one JSON line (the bench runner's convention). */
export async function run(): Promise<void> {
  const bare = await bareRoundTrips(COUNT, false);
  const bareBatched = await bareRoundTrips(COUNT, true);
  const sibyl = await sibylRoundTrips(COUNT);
  const ratio = sibyl / bare;
  console.log(`messaging round trips on loopback, ${IN_FLIGHT} in flight`);
  console.log(`  sibyl MessagingService                 ${Math.round(sibyl)} req/s`);
  console.log(`  bare msgpackr over TCP                 ${Math.round(bare)} req/s`);
  console.log(`  bare, frames of a tick in one write    ${Math.round(bareBatched)} req/s`);
  console.log(`  ratio (to bare)                        ${ratio.toFixed(2)}`);
  console.log(`  ratio (to bare with batched writes)    ${(sibyl / bareBatched).toFixed(2)}`);
  console.log(
    JSON.stringify({
      bench: 'messaging',
      sibyl_rps: Math.round(sibyl),
      bare_rps: Math.round(bare),
      ratio: Math.round(ratio * 100) / 100,
      bare_batched_rps: Math.round(bareBatched),
      ratio_to_batched: Math.round((sibyl / bareBatched) * 100) / 100,
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
