/**
 * The HTTP client `sibyl tool` talks to a node's admin endpoint with (node:http, JSON). A node that
 * cannot be reached is a `ToolConnectError` (nodetool's "Failed to connect to 'host:port'"); an
 * error the node answers with is a `ToolRemoteError` carrying its message.
 */
import { request } from 'node:http';
import type { AdminErrorBody } from '../../node/admin/admin-types.js';

/** How long to wait for the connection (an address nobody answers on, e.g. a firewalled one). */
const CONNECT_TIMEOUT_MS = 5_000;

/** Words for the socket errors an operator meets, as Java names them in nodetool's message. */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  ENOTFOUND: 'Unknown host',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ECONNRESET: 'Connection reset',
};

export class ToolConnectError extends Error {
  constructor(host: string, port: number, reason: string) {
    super(`Failed to connect to '${host}:${port}' - ConnectException: '${reason}'.`);
    this.name = 'ToolConnectError';
  }
}

export class ToolRemoteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ToolRemoteError';
  }
}

export class AdminClient {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call('GET', path, undefined);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call('DELETE', path, undefined);
  }

  private call<T>(method: string, path: string, body: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      let connected = false;
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: false,
          headers:
            payload === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            try {
              resolve(parseAnswer<T>(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      const connectTimer = setTimeout(
        () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
        CONNECT_TIMEOUT_MS,
      );
      req.on('socket', (socket) =>
        socket.once('connect', () => {
          connected = true;
          clearTimeout(connectTimer);
        }),
      );
      req.on('close', () => clearTimeout(connectTimer));
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        if (connected)
          reject(
            new ToolRemoteError(
              0,
              error.code ?? 'CONNECTION_LOST',
              `connection to the node lost: ${error.message}`,
            ),
          );
        else
          reject(
            new ToolConnectError(this.host, this.port, CONNECT_FAILURES[error.code ?? ''] ?? error.message),
          );
      });
      req.end(payload);
    });
  }
}

function parseAnswer<T>(status: number, text: string): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ToolRemoteError(
      status,
      'BAD_ANSWER',
      `the node answered ${status} with something other than JSON: ${text.slice(0, 200)}`,
    );
  }
  if (status >= 200 && status < 300) return body as T;
  const error = body as Partial<AdminErrorBody>;
  throw new ToolRemoteError(status, error.error ?? 'UNKNOWN', error.message ?? `HTTP ${status}`);
}
