/**
 * The network seam (STYLE.md §3): messaging moves bytes through a `Transport` and never touches a
 * socket itself, so the same code runs over TCP (`TcpTransport`) and over the in-process
 * `SimulatedNetwork`. A transport moves ordered byte chunks; framing is messaging's job.
 */
import { SibylError } from '../../common/errors.js';
import { messagingDefaults } from '../../common/limits.js';

/**
 * Where a node listens for internode messages, `host:port` (IPv6 hosts in brackets). Branded so a
 * bare host, a HostId or a client address is never taken for one.
 */
export type PeerAddress = string & { readonly __brand: 'PeerAddress' };

/** Parses `host`, `host:port` or `[v6]:port`; the port defaults to the storage port (7000). */
export function toPeerAddress(
  text: string,
  defaultPort: number = messagingDefaults.storagePort,
): PeerAddress {
  const { host, port } = splitHostPort(text, defaultPort);
  return formatPeerAddress(host, port);
}

export function formatPeerAddress(host: string, port: number): PeerAddress {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `${shown}:${port}` as PeerAddress;
}

export function splitHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(trimmed);
  const match = bracketed ?? plain;
  const host = match?.[1];
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (!host || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SibylError('INVALID_PEER_ADDRESS', `invalid peer address '${text}': expected host[:port]`);
  }
  return { host, port };
}

/** What a connection tells its owner. Set once, before any byte is delivered. */
export interface ConnectionHandlers {
  /** A chunk of bytes, in order (chunk boundaries carry no meaning). */
  onData(chunk: Uint8Array): void;
  /** The transport's buffer has room again after `write` returned false. */
  onDrain(): void;
  /** The connection is gone (either side closed it, or it failed); called once. */
  onClose(error?: Error): void;
}

export interface TransportConnection {
  /** For logs only: the other end as the transport sees it. */
  readonly remote: string;
  attach(handlers: ConnectionHandlers): void;
  /**
   * Hands bytes to the network, whole and in order. False when the transport's buffer is past its
   * high-water mark: the bytes are still taken, and `onDrain` follows when there is room again.
   */
  write(chunk: Uint8Array): boolean;
  /** Stops (and restarts) delivering data: backpressure towards the sender. */
  pause(): void;
  resume(): void;
  /** Closes after the bytes already written are delivered. */
  end(): void;
  /** Closes now; bytes not yet delivered may be lost. */
  destroy(): void;
}

export interface TransportListener {
  /** The address actually bound (a port 0 request gets the chosen port). */
  readonly address: PeerAddress;
  close(): Promise<void>;
}

export interface Transport {
  /** Opens a connection to a listening peer; rejects if it cannot within `timeoutMs`. */
  connect(address: PeerAddress, timeoutMs: number): Promise<TransportConnection>;
  /** Accepts connections on `address` (port 0: any free port). */
  listen(
    address: PeerAddress,
    onConnection: (connection: TransportConnection) => void,
  ): Promise<TransportListener>;
}
