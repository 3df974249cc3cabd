/**
 * The admin endpoint (DESIGN.md: HTTP on port 7199): `node:http` on `listen_address:admin_port`,
 * requests dispatched through an `AdminRouter`. Answers are JSON (`TextReply` for /metrics); errors
 * are JSON `{error, message}` with a 4xx status for what the client got wrong and 500 for bugs.
 * Only loopback or operator networks should reach it: it can flush, compact and partition the node.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { AdminRequest, AdminRouter } from './admin-router.js';
import { AdminError, badRequest, TextReply } from './admin-router.js';
import type { AdminErrorBody } from './admin-types.js';

/** A request body larger than this is refused (413): fault rules and table lists are small. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /**
   * When the port is taken: listen on a free one with a warning instead of failing. For a node that
   * was not given an admin port (nothing else depends on it: peers never learn it).
   */
  readonly freePortIfBusy: boolean;
  readonly router: AdminRouter;
  readonly log: Logger;
}

export class AdminServer {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly router: AdminRouter,
  ) {}

  static async start(options: AdminServerOptions): Promise<AdminServer> {
    const { host, port, log } = options;
    try {
      return await AdminServer.listen(options, port);
    } catch (error) {
      if (!options.freePortIfBusy || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      const admin = await AdminServer.listen(options, 0);
      log.warn(
        { port, boundPort: admin.port, host },
        'admin port in use; the admin endpoint took a free port',
      );
      return admin;
    }
  }

  private static async listen(options: AdminServerOptions, port: number): Promise<AdminServer> {
    const server = createServer();
    const admin = new AdminServer(server, options.router);
    server.on('request', (request, response) => void admin.serve(request, response, options.log));
    server.on('error', (error) => options.log.error({ err: error }, 'admin server error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return admin;
  }

  get address(): AddressInfo {
    const address = this.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('assertion failed: admin server is listening');
    return address;
  }

  get port(): number {
    return this.address.port;
  }

  /** Stops accepting and closes idle and open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async serve(request: IncomingMessage, response: ServerResponse, log: Logger): Promise<void> {
    try {
      const reply = await this.dispatch(request);
      if (reply instanceof TextReply) send(response, 200, reply.contentType, reply.text);
      else send(response, 200, 'application/json', `${JSON.stringify(reply ?? {})}\n`);
    } catch (error) {
      const { status, body } = errorAnswer(error);
      if (status >= 500) log.error({ err: error, url: request.url }, 'admin request failed');
      if (error instanceof AdminError)
        for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
      send(response, status, 'application/json', `${JSON.stringify(body)}\n`);
    }
  }

  private async dispatch(request: IncomingMessage): Promise<unknown> {
    const url = new URL(request.url ?? '/', 'http://admin');
    const method = request.method ?? 'GET';
    const match = this.router.match(method, url.pathname);
    if (match.kind === 'not-found')
      throw new AdminError(404, 'NOT_FOUND', `no admin route ${method} ${url.pathname} (GET / lists them)`);
    if (match.kind === 'wrong-method')
      throw new AdminError(
        405,
        'METHOD_NOT_ALLOWED',
        `${method} is not allowed on ${url.pathname} (allowed: ${match.allowed.join(', ')})`,
        { Allow: match.allowed.join(', ') },
      );
    const body = await readJsonBody(request);
    const adminRequest: AdminRequest = { params: match.params, query: url.searchParams, body };
    return await match.route.handle(adminRequest);
  }
}

function send(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, {
    'Content-Type': contentType.includes('charset=') ? contentType : `${contentType}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function errorAnswer(error: unknown): { status: number; body: AdminErrorBody } {
  if (error instanceof AdminError)
    return { status: error.status, body: { error: error.code, message: error.message } };
  const code = error instanceof SibylError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: code, message } };
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new AdminError(413, 'BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`request body is not JSON: ${(error as Error).message}`);
  }
}
