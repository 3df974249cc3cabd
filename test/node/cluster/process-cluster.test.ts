/**
 * Three real `sibyl node start` processes on 127.0.0.1–3 (same ports, 127.0.0.1 the seed, the
 * default phi_convict_threshold 8). node3 is killed with SIGKILL: its storage port then refuses
 * connections, so node1's failure detector convicts it in about 10 s (not the ~18 s of silence phi 8
 * needs on its own), and node1 pushes STATUS_CHANGE DOWN to its
 * registered clients; restarted on the same data directory, node3 is UP again with the same host
 * id and tokens in node1's system.peers.
 *
 * The CLI is started as `node --import tsx cli/main.ts` rather than through bin/sibyl.js: the
 * launcher forwards signals it can catch, and SIGKILL on it would leave the real node running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProtocolEvent, StartupMessage } from '../../../cql/protocol/index.js';
import { startupOptions } from '../../../cql/protocol/index.js';
import { tempDir } from '../../storage/helpers.js';
import { RawClient } from '../raw-client.js';
import { commonFreePorts, HOSTS } from './cluster-helpers.js';

const STARTUP: StartupMessage = { type: 'STARTUP', options: startupOptions() };

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function startProcess(args: readonly string[], host: string, nativePort: number): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'node', 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`listening for CQL clients on ${host}:${nativePort}`)) resolve({ child, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${host} exited with ${code} before listening:\n${output}`)));
  });
}

/** Reads pushed events until one matches; fails after `timeoutMs`. */
async function waitForEvent(
  raw: RawClient,
  matches: (event: ProtocolEvent) => boolean,
  timeoutMs: number,
): Promise<ProtocolEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error('timed out waiting for an event');
    const [response] = await raw.next(1, remaining);
    const message = response!.message;
    if (message.type === 'EVENT' && matches(message.event)) return message.event;
  }
}

describe('a cluster of three processes', () => {
  it('sees a SIGKILLed node DOWN through the failure detector and UP again after restart', async () => {
    const [nativePort, storagePort] = (await commonFreePorts(HOSTS, 2)) as [number, number];
    const yaml = await tempDir('sibyl-cluster-yaml-');
    cleanups.push(yaml.cleanup);
    const config = join(yaml.dir, 'sibyl.yaml');
    // Nodes of a new cluster, as `sibyl cluster create` makes them: they join without streaming.
    await writeFile(config, 'num_tokens: 4\nauto_bootstrap: false\n');
    const dirs: string[] = [];
    for (const host of HOSTS) {
      const temp = await tempDir(`sibyl-proc-${host}-`);
      cleanups.push(temp.cleanup);
      dirs.push(temp.dir);
    }
    const argsOf = (index: number) => [
      ...['--data-dir', dirs[index]!, '--listen-address', HOSTS[index]!, '--config', config],
      ...['--native-port', String(nativePort), '--storage-port', String(storagePort), '--seeds', HOSTS[0]],
    ];
    // One after another: each new node's tokens are balanced against the ring it finds.
    await startProcess(argsOf(0), HOSTS[0], nativePort);
    await startProcess(argsOf(1), HOSTS[1], nativePort);
    const third = await startProcess(argsOf(2), HOSTS[2], nativePort);

    const client = new cassandra.Client({
      contactPoints: [`${HOSTS[0]}:${nativePort}`],
      localDataCenter: 'datacenter1',
      protocolOptions: { port: nativePort },
    });
    const raw = await RawClient.open(nativePort);
    try {
      await client.connect();
      // The control connection refreshes hosts on each NEW_NODE: wait until it knows all three.
      const deadline = Date.now() + 15_000;
      while (client.hosts.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(client.hosts.length).toBe(3);

      expect((await raw.request(STARTUP)).message.type).toBe('READY');
      const registered = await raw.request({
        type: 'REGISTER',
        events: ['STATUS_CHANGE', 'TOPOLOGY_CHANGE'],
      });
      expect(registered.message.type).toBe('READY');
      const identity = JSON.parse(await readFile(join(dirs[2]!, 'node-identity.json'), 'utf8')) as {
        hostId: string;
        tokens: string[];
      };

      third.child.kill('SIGKILL');
      const killedAt = Date.now();
      const isNode3 = (event: ProtocolEvent, change: string) =>
        event.type === 'STATUS_CHANGE' && event.change === change && event.address.address === HOSTS[2];
      const down = await waitForEvent(raw, (e) => isNode3(e, 'DOWN'), 20_000);
      expect(down).toMatchObject({ address: { address: HOSTS[2], port: nativePort } });
      // Phi 8 alone would need ~18.6 s of silence; the refused connections halve that.
      expect(Date.now() - killedAt).toBeLessThan(15_000);

      await startProcess(argsOf(2), HOSTS[2], nativePort);
      await waitForEvent(raw, (e) => isNode3(e, 'UP'), 15_000);
      const peers = await client.execute('SELECT peer, host_id, tokens FROM system.peers', [], {
        host: client.hosts.get(`${HOSTS[0]}:${nativePort}`),
      } as cassandra.QueryOptions);
      const row = peers.rows.find((r) => String(r.get('peer')) === HOSTS[2]);
      expect(String(row?.get('host_id'))).toBe(identity.hostId);
      expect([...((row?.get('tokens') as string[] | undefined) ?? [])].sort()).toEqual(
        [...identity.tokens].sort(),
      );
    } finally {
      raw.close();
      await client.shutdown();
    }
  });
});
