/** A bare native-protocol client for tests: raw bytes out, decoded responses in. */
import { connect, type Socket } from 'node:net';
import type { DecodedResponse, FrameCompressor, RequestMessage } from '../../cql/protocol/index.js';
import { decodeResponse, encodeRequest, FrameDecoder } from '../../cql/protocol/index.js';

export class RawClient {
  private readonly decoder = new FrameDecoder();
  private readonly received: DecodedResponse[] = [];
  private waiters: (() => void)[] = [];
  compressor: FrameCompressor | undefined;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const item of this.decoder.push(chunk)) {
        if (item.kind !== 'frame') throw new Error(`bad response frame: ${item.error.message}`);
        const options = this.compressor ? { compressor: this.compressor } : {};
        this.received.push(decodeResponse(item.frame, options));
      }
      this.wake();
    });
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: RequestMessage, streamId: number): void {
    const options = this.compressor ? { compressor: this.compressor } : {};
    this.socket.write(encodeRequest(message, { streamId }, options));
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next `count` responses (in arrival order); rejects if the socket closes first. */
  async next(count = 1, timeoutMs = 5_000): Promise<DecodedResponse[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (this.closed) throw new Error(`connection closed after ${this.received.length} responses`);
      if (Date.now() > deadline) throw new Error('timed out waiting for responses');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.received.splice(0, count);
  }

  async request(message: RequestMessage, streamId = 1): Promise<DecodedResponse> {
    this.send(message, streamId);
    return (await this.next(1))[0]!;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
