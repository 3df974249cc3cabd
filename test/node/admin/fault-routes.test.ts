/**
 * The fault filter over HTTP: an AdminServer carrying only the fault routes of one real
 * MessagingService (TCP on 127.0.0.1). A drop rule posted over HTTP is the rule messaging applies
 * (a request to the named peer times out, the drop is counted), and clearing it restores traffic.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminRouter } from '../../../node/admin/admin-router.js';
import { AdminServer } from '../../../node/admin/admin-server.js';
import { faultRoutes } from '../../../node/admin/fault-routes.js';
import type { MessagingService } from '../../../node/messaging/index.js';
import { Verb } from '../../../node/messaging/index.js';
import { splitHostPort } from '../../../node/messaging/transport.js';
import { quiet, startTcpService } from '../messaging/helpers.js';

let a: MessagingService;
let b: MessagingService;
let admin: AdminServer;
let base: string;

beforeEach(async () => {
  a = await startTcpService(1);
  b = await startTcpService(2);
  const router = new AdminRouter();
  router.register(...faultRoutes(a.faultFilter, splitHostPort(a.address, 7000).port));
  admin = await AdminServer.start({ host: '127.0.0.1', port: 0, freePortIfBusy: false, router, log: quiet });
  base = `http://127.0.0.1:${admin.port}`;
});

afterEach(async () => {
  await admin.close();
  await Promise.all([a.close(), b.close()]);
});

/** The answers these tests read. */
interface Answer {
  readonly id: number;
  readonly rule: unknown;
  readonly rules: unknown;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const response = await fetch(base + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Answer };
}

describe('fault routes', () => {
  it('a drop rule set over HTTP is the filter messaging applies, and clearing it restores traffic', async () => {
    expect(await a.request(b.address, Verb.ECHO_REQ, null)).toBeNull();

    const added = await call('POST', '/faults', { action: 'drop', verbs: ['ECHO_REQ'], peers: [b.address] });
    expect(added.status).toBe(200);
    expect(a.faultFilter.list()).toEqual([
      { id: added.json.id, rule: { action: 'drop', verbs: ['ECHO_REQ'], peers: [b.address] } },
    ]);
    const dropped = await a
      .request(b.address, Verb.ECHO_REQ, null, { timeoutMs: 300 })
      .catch((error: unknown) => error);
    expect(dropped).toMatchObject({ code: 'MESSAGE_TIMEOUT' });
    expect(a.metrics.droppedByFilter).toBe(1);

    const listed = await call('GET', '/faults');
    expect(listed.json.rules).toEqual(a.faultFilter.list());

    const cleared = await call('DELETE', '/faults');
    expect(cleared).toEqual({ status: 200, json: { cleared: 1 } });
    expect(a.faultFilter.list()).toEqual([]);
    expect(await a.request(b.address, Verb.ECHO_REQ, null)).toBeNull();
  });

  it('takes a peer without a port as one on our storage port, and removes one rule by id', async () => {
    const port = splitHostPort(a.address, 7000).port;
    const added = await call('POST', '/faults', {
      action: 'delay',
      delayMs: 5,
      peers: ['127.0.0.2'],
      direction: 'inbound',
    });
    expect(added.json.rule).toEqual({
      action: 'delay',
      delayMs: 5,
      peers: [`127.0.0.2:${port}`],
      direction: 'inbound',
    });
    expect(await call('DELETE', `/faults/${added.json.id + 100}`)).toMatchObject({
      status: 404,
      json: { error: 'UNKNOWN_FAULT_RULE', message: `no fault rule ${added.json.id + 100}` },
    });
    expect(await call('DELETE', `/faults/${added.json.id}`)).toEqual({
      status: 200,
      json: { removed: added.json.id },
    });
    expect(a.faultFilter.list()).toEqual([]);
  });

  it('refuses malformed rules with 400 and a message naming the problem', async () => {
    const cases: [unknown, string][] = [
      [{ action: 'drop', verbs: ['NOPE'] }, 'invalid fault rule: unknown verb NOPE'],
      [{ action: 'explode' }, 'invalid fault rule: action must be drop or delay, not "explode"'],
      [{ action: 'drop', verbs: 'ECHO_REQ' }, 'invalid fault rule: verbs must be an array of verb names'],
      [{ action: 'delay', delayMs: -1 }, 'invalid fault rule: delayMs must be >= 0'],
      [{ action: 'drop', probability: 2 }, 'invalid fault rule: probability must be within [0, 1]'],
      [{ action: 'drop', colour: 'red' }, 'unknown field(s) colour in fault rule'],
      [[1, 2], 'expected a JSON fault rule such as {"action": "drop", "verbs": ["MUTATION_REQ"]}'],
    ];
    for (const [body, message] of cases) {
      expect(await call('POST', '/faults', body)).toEqual({
        status: 400,
        json: { error: expect.any(String), message },
      });
    }
    const notJson = await fetch(`${base}/faults`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/^request body is not JSON/);
    expect(a.faultFilter.list()).toEqual([]);
  });
});
