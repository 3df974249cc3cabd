/**
 * `sibyl cluster add --start` and `sibyl cluster decommission` with real node processes on
 * 127.0.0.1 … 127.0.0.3: a node added to a running cluster bootstraps (its log says so) and shows in
 * the others' `sibyl tool status`; decommissioned, it leaves their ring and reports
 * `Mode: DECOMMISSIONED` while its process stays up.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSandbox, freePortOffset } from './cluster-helpers.js';

let sandbox: ClusterSandbox;
let offset: number;

beforeAll(async () => {
  sandbox = await ClusterSandbox.create();
  offset = await freePortOffset(3);
});

afterAll(async () => {
  await sandbox?.destroy();
});

function tool(host: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sibyl.js', 'tool', '--host', host, '--port', String(7199 + offset), ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Addresses `tool status` lists with state UN, polled until `expected` (gossip spreads NORMAL). */
async function normalAddresses(host: string, expected: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { stdout } = await tool(host, 'status');
    const addresses = [...stdout.matchAll(/^UN\s+(\S+)/gm)].map((match) => match[1]!).sort();
    if (addresses.length === expected || Date.now() > deadline) return addresses;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('sibyl cluster add and decommission', () => {
  it('adds a node that bootstraps into the running cluster', async () => {
    expect(
      (await sandbox.cluster('create', 'gamma', '-n', '2', '--vnodes', '4', '--port-offset', String(offset)))
        .code,
    ).toBe(0);
    const started = await sandbox.cluster('start');
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const added = await sandbox.cluster('add', '--start');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain('node3 accepts CQL on 127.0.0.3');
    const log = await readFile(join(sandbox.root, 'gamma', 'node3', 'logs', 'system.log'), 'utf8');
    expect(log).toContain('bootstrap complete: NORMAL');
    expect(await normalAddresses('127.0.0.1', 3)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
  }, 90_000);

  it('decommissions it: it leaves the ring and reports DECOMMISSIONED', async () => {
    const decommissioned = await sandbox.cluster('decommission', 'node3');
    expect(decommissioned).toMatchObject({ code: 0, stderr: '' });
    expect(decommissioned.stdout).toContain('node3 decommissioned');
    expect((await tool('127.0.0.3', 'netstats')).stdout).toMatch(/^Mode: DECOMMISSIONED\n/);
    expect(await normalAddresses('127.0.0.1', 2)).toEqual(['127.0.0.1', '127.0.0.2']);
  }, 60_000);
});
