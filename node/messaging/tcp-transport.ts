/**
 * The production transport: `node:net` TCP on the storage port, Nagle off (messaging already
 * coalesces a tick's frames into one write).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { SibylError } from '../../common/errors.js';
import type {
  ConnectionHandlers,
  PeerAddress,
  Transport,
  TransportConnection,
  TransportListener,
} from './transport.js';
import { formatPeerAddress, splitHostPort } from './transport.js';

const END_TIMEOUT_MS = 5_000;

export class TcpTransport implements Transport {
  connect(address: PeerAddress, timeoutMs: number): Promise<TransportConnection> {
    const { host, port } = splitHostPort(address, 0);
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SibylError('CONNECT_TIMEOUT', `connecting to ${address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpConnection(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      });
    });
  }

  listen(
    address: PeerAddress,
    onConnection: (connection: TransportConnection) => void,
  ): Promise<TransportListener> {
    const { host, port } = splitHostPort(address, 0);
    const server = createServer({ noDelay: true }, (socket) => onConnection(new TcpConnection(socket)));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        const bound = server.address();
        const boundPort = typeof bound === 'object' && bound ? bound.port : port;
        resolve(new TcpListener(server, formatPeerAddress(host, boundPort)));
      });
    });
  }
}

class TcpListener implements TransportListener {
  constructor(
    private readonly server: Server,
    readonly address: PeerAddress,
  ) {}

  /** Stops accepting. Accepted connections belong to messaging, which closes them itself. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class TcpConnection implements TransportConnection {
  readonly remote: string;
  private handlers: ConnectionHandlers | undefined;
  /** Events that came before `attach` (none in practice: Node emits them on a later tick). */
  private early: (() => void)[] = [];
  private closed = false;

  constructor(private readonly socket: Socket) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.emit((h) => h.onData(chunk)));
    socket.on('drain', () => this.emit((h) => h.onDrain()));
    let failure: Error | undefined;
    socket.on('error', (error) => {
      failure = error;
    });
    socket.on('close', () => {
      this.closed = true;
      this.emit((h) => h.onClose(failure));
    });
  }

  attach(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const event of early) event();
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return true;
    return this.socket.write(chunk);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    // A peer that never reads would keep a half-closed socket forever: destroy it after a while.
    this.socket.end();
    this.socket.setTimeout(END_TIMEOUT_MS, () => this.socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }

  private emit(event: (handlers: ConnectionHandlers) => void): void {
    const handlers = this.handlers;
    if (handlers) event(handlers);
    else this.early.push(() => event(this.handlers!));
  }
}
