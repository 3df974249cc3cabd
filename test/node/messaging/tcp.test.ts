/**
 * MessagingService over real TCP on 127.0.0.1 (free ports): request/response, failure responses,
 * coalescing counted in socket writes, reconnection after the peer restarts on the same port,
 * the frame size limit, and a malformed frame closing only its own connection.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SibylError } from '../../../common/errors.js';
import type { MessagingService, PeerAddress } from '../../../node/messaging/index.js';
import {
  MessageTooLargeError,
  RemoteFailureError,
  TcpTransport,
  Verb,
} from '../../../node/messaging/index.js';
import { CountingTransport, hostIdFor, startTcpService } from './helpers.js';

const services: MessagingService[] = [];
async function start(...args: Parameters<typeof startTcpService>): Promise<MessagingService> {
  const service = await startTcpService(...args);
  services.push(service);
  return service;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

describe('messaging over TCP', () => {
  it('answers a request with the handler result, bigints and binary intact', async () => {
    const a = await start(1);
    const b = await start(2);
    b.registerHandler(Verb.READ_REQ, (message) => {
      const { token, key } = message.payload.key;
      return { token: token - 1n, key, from: message.fromHostId, peer: message.from };
    });
    const response = await a.request(b.address, Verb.READ_REQ, {
      tableId: 't',
      key: { token: -9223372036854775807n, key: new Uint8Array([1, 2, 3]) },
    });
    expect(response).toEqual({
      token: -9223372036854775808n,
      key: Buffer.from([1, 2, 3]),
      from: hostIdFor(1),
      peer: a.address,
    });
    expect(await a.request(b.address, Verb.ECHO_REQ, null)).toBeNull();
  });

  it('turns a throwing handler into FAILURE_RSP: the requester rejects with the remote code', async () => {
    const a = await start(1);
    const b = await start(2);
    b.registerHandler(Verb.MUTATION_REQ, async () => {
      throw new SibylError('TOMBSTONE_OVERWHELMING', 'too many tombstones');
    });
    b.registerHandler(Verb.READ_REQ, () => {
      throw new TypeError('a bug');
    });
    const failure = await a
      .request(b.address, Verb.MUTATION_REQ, { tableId: 't', partition: new Uint8Array(0), durable: true })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteFailureError);
    expect(failure).toMatchObject({
      code: 'REMOTE_FAILURE',
      reason: 'TOMBSTONE_OVERWHELMING',
      peer: b.address,
    });
    const bug = await a
      .request(b.address, Verb.READ_REQ, { tableId: 't', key: { token: 0n, key: new Uint8Array(0) } })
      .catch((error: unknown) => error);
    expect(bug).toMatchObject({ reason: 'UNKNOWN', remoteMessage: 'a bug' });
    const unhandled = await a
      .request(b.address, Verb.RANGE_REQ, { tableId: 't', limit: 1 })
      .catch((error: unknown) => error);
    expect(unhandled).toMatchObject({ reason: 'NO_HANDLER' });
    expect(b.metrics.failureResponsesSent).toBe(3);
  });

  it('coalesces the frames queued in one tick into one socket write', async () => {
    const counting = new CountingTransport();
    const a = await start(1, {}, counting);
    const b = await start(2);
    const seen: number[] = [];
    b.registerHandler(Verb.GOSSIP_DIGEST_SYN, (message) => {
      seen.push(message.payload as number);
    });
    await a.request(b.address, Verb.ECHO_REQ, null).catch(() => undefined); // connect first
    const writesBefore = counting.writes;
    for (let index = 0; index < 200; index++) a.send(b.address, Verb.GOSSIP_DIGEST_SYN, index);
    await until(() => seen.length === 200);
    expect(counting.writes - writesBefore).toBe(1);
    expect(seen).toEqual([...Array(200).keys()]);
    for (let index = 0; index < 50; index++) a.send(b.address, Verb.GOSSIP_DIGEST_SYN, index);
    await new Promise((resolve) => setImmediate(resolve));
    for (let index = 0; index < 50; index++) a.send(b.address, Verb.GOSSIP_DIGEST_SYN, index);
    await until(() => seen.length === 300);
    expect(counting.writes - writesBefore).toBe(3);
  });

  it('coalesces the responses of one tick on the responder too', async () => {
    const counting = new CountingTransport();
    const a = await start(1);
    const b = await start(2, {}, counting);
    b.registerHandler(Verb.READ_REQ, (message) => message.payload.key.token);
    const read = (index: number) => ({ tableId: 't', key: { token: BigInt(index), key: new Uint8Array(0) } });
    await a.request(b.address, Verb.READ_REQ, read(0));
    const writesBefore = counting.writes;
    const responses = await Promise.all(
      [...Array(100).keys()].map((index) => a.request(b.address, Verb.READ_REQ, read(index))),
    );
    expect(responses).toEqual([...Array(100).keys()].map(BigInt));
    // One request write arrives as one or a few TCP reads; each read's responses leave in one write.
    expect(counting.writes - writesBefore).toBeLessThanOrEqual(4);
  });

  it('reconnects after the peer restarts on the same port', async () => {
    const a = await start(1, { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 100 });
    let b = await start(2);
    const address = b.address;
    expect(await a.request(address, Verb.ECHO_REQ, null)).toBeNull();
    await b.close();
    await until(() => a.peerStatus(address).state !== 'connected');
    const pending = a.request(address, Verb.ECHO_REQ, null, { timeoutMs: 5_000 });
    // A few failed attempts while nothing listens, then the peer comes back.
    await until(() => a.metrics.connectionFailures >= 2);
    b = await start(2, {}, new TcpTransport(), address);
    expect(await pending).toBeNull();
    expect(a.peerStatus(address).state).toBe('connected');
  });

  it('refuses to send a frame over the size limit', async () => {
    const a = await start(1, { maxFrameBytes: 4096, maxQueuedBytesPerPeer: 8192 });
    const b = await start(2);
    const large = { tableId: 't', partition: new Uint8Array(5000), durable: true };
    expect(() => a.send(b.address, Verb.MUTATION_REQ, large)).toThrow(MessageTooLargeError);
    await expect(a.request(b.address, Verb.MUTATION_REQ, large)).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
    expect(a.pendingRequests).toBe(0);
  });

  it('closes only the connection that sent an oversized or malformed frame', async () => {
    const a = await start(1);
    const b = await start(2, { maxFrameBytes: 4096, maxQueuedBytesPerPeer: 8192 });
    await a.request(b.address, Verb.ECHO_REQ, null);

    const oversized = await rawSocketClosed(b.address, lengthPrefixed(1_000_000));
    expect(oversized).toBe(true);
    const garbage = Buffer.alloc(60, 0xff);
    garbage.writeUInt32BE(56, 0);
    expect(await rawSocketClosed(b.address, garbage)).toBe(true);
    expect(b.metrics.malformedFrames).toBe(2);

    expect(await a.request(b.address, Verb.ECHO_REQ, null)).toBeNull();
    expect(a.peerStatus(b.address).state).toBe('connected');
  });
});

function lengthPrefixed(length: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeUInt32BE(length, 0);
  return buffer;
}

/** Writes raw bytes to a fresh connection and reports whether the server closed it. */
function rawSocketClosed(address: PeerAddress, bytes: Buffer): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host!, port: Number(port) }, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 2_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
