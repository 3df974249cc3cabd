/**
 * The route registry and the HTTP server around it: parameters decoded from the path, 404 and 405
 * (with Allow) answered as JSON, a route's own error kept, a bug answered 500, a duplicate refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminError, AdminRouter, TextReply } from '../../../node/admin/admin-router.js';
import { AdminServer } from '../../../node/admin/admin-server.js';
import { quiet } from '../messaging/helpers.js';

let server: AdminServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function router(): AdminRouter {
  const r = new AdminRouter();
  r.register(
    { method: 'GET', path: '/', summary: 'root', handle: () => ({ root: true }) },
    {
      method: 'GET',
      path: '/echo/:a/:b',
      summary: 'echo',
      handle: ({ params, query }) => ({ ...params, q: query.get('q') }),
    },
    { method: 'POST', path: '/echo/:a/:b', summary: 'echo body', handle: ({ body }) => ({ body }) },
    { method: 'GET', path: '/text', summary: 'text', handle: () => new TextReply('text/plain', 'hello\n') },
    {
      method: 'GET',
      path: '/teapot',
      summary: 'own error',
      handle: () => {
        throw new AdminError(418, 'TEAPOT', 'short and stout');
      },
    },
    {
      method: 'GET',
      path: '/bug',
      summary: 'a bug',
      handle: () => {
        throw new TypeError('x is undefined');
      },
    },
  );
  return r;
}

describe('AdminRouter', () => {
  it('matches literal and parameter segments, decoding parameters', () => {
    const r = router();
    expect(r.match('GET', '/echo/a%3Ab/%E2%9C%93')).toMatchObject({
      kind: 'found',
      params: { a: 'a:b', b: '✓' },
    });
    expect(r.match('GET', '/echo/x/y/')).toMatchObject({ kind: 'found', params: { a: 'x', b: 'y' } });
    expect(r.match('GET', '/echo/x')).toEqual({ kind: 'not-found' });
    expect(r.match('DELETE', '/echo/x/y')).toEqual({ kind: 'wrong-method', allowed: ['GET', 'POST'] });
    expect(r.match('GET', '/')).toMatchObject({ kind: 'found' });
  });

  it('refuses a route registered twice for the same method and pattern', () => {
    const r = router();
    expect(() => r.register({ method: 'GET', path: '/echo/:x/:y', summary: '', handle: () => null })).toThrow(
      /registered twice/,
    );
  });
});

describe('AdminServer', () => {
  async function get(path: string, init: RequestInit = {}) {
    server ??= await AdminServer.start({
      host: '127.0.0.1',
      port: 0,
      freePortIfBusy: false,
      router: router(),
      log: quiet,
    });
    return fetch(`http://127.0.0.1:${server.port}${path}`, init);
  }

  it('answers JSON, text, and a body echoed back', async () => {
    const echoed = await get('/echo/k%20s/t?q=1');
    expect(echoed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await echoed.json()).toEqual({ a: 'k s', b: 't', q: '1' });
    expect(await (await get('/text')).text()).toBe('hello\n');
    const posted = await get('/echo/a/b', { method: 'POST', body: '{"x": [1]}' });
    expect(await posted.json()).toEqual({ body: { x: [1] } });
  });

  it('answers 404, 405 with Allow, a route error with its status, and a bug with 500, all as JSON', async () => {
    const missing = await get('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: 'NOT_FOUND',
      message: 'no admin route GET /nope (GET / lists them)',
    });
    const wrong = await get('/echo/a/b', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(await wrong.json()).toMatchObject({ error: 'METHOD_NOT_ALLOWED' });
    const teapot = await get('/teapot');
    expect([teapot.status, await teapot.json()]).toEqual([
      418,
      { error: 'TEAPOT', message: 'short and stout' },
    ]);
    const bug = await get('/bug');
    expect([bug.status, await bug.json()]).toEqual([500, { error: 'INTERNAL', message: 'x is undefined' }]);
    const badPath = await get('/echo/%E2%9C/x');
    expect(badPath.status).toBe(400);
  });

  it('takes a free port when its port is busy and it may, and fails when it may not', async () => {
    server = await AdminServer.start({
      host: '127.0.0.1',
      port: 0,
      freePortIfBusy: false,
      router: router(),
      log: quiet,
    });
    const taken = server.port;
    const moved = await AdminServer.start({
      host: '127.0.0.1',
      port: taken,
      freePortIfBusy: true,
      router: router(),
      log: quiet,
    });
    try {
      expect(moved.port).not.toBe(taken);
    } finally {
      await moved.close();
    }
    await expect(
      AdminServer.start({
        host: '127.0.0.1',
        port: taken,
        freePortIfBusy: false,
        router: router(),
        log: quiet,
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
