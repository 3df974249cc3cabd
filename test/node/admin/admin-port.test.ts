/**
 * The admin port: `admin_port` in the YAML, its default (7199, or a free one for a node asked for a
 * free native port), and 7199 taken: a node not told a port takes a free one (nothing in the
 * cluster depends on it), a node told 7199 fails to start as Cassandra does on a busy port.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml, resolveConfig, startNode } from '../../../node/index.js';
import { tempDir } from '../../storage/helpers.js';
import { commonFreePorts } from '../cluster/cluster-helpers.js';

/** An address no other test listens on, so holding its port 7199 here is certain to last. */
const ADDRESS = '127.0.0.19';
let holder: Server;

beforeAll(async () => {
  holder = await new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(7199, ADDRESS, () => resolve(server));
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
});

describe('admin port configuration', () => {
  it('reads admin_port from the YAML and checks it', () => {
    expect(parseConfigYaml('admin_port: 7299\n')).toMatchObject({ adminPort: 7299 });
    expect(resolveConfig({ dataDir: '/d' }).adminPort).toBe(7199);
    expect(resolveConfig({ dataDir: '/d', nativePort: 0 }).adminPort).toBe(0);
    expect(() => resolveConfig({ dataDir: '/d', adminPort: 70000 })).toThrow(
      'Invalid value for admin_port: 70000 (expected a port)',
    );
  });

  it('moves a node not told a port off a busy 7199, and stops a node told 7199', async () => {
    const [nativePort] = (await commonFreePorts([ADDRESS], 1)) as [number];
    const free = await tempDir('sibyl-admin-port-free-');
    const told = await tempDir('sibyl-admin-port-told-');
    const base = { listenAddress: ADDRESS, nativePort, storagePort: 0, logToFile: false, logLevel: 'error' };
    try {
      const node = await startNode({ ...base, dataDir: free.dir });
      try {
        expect(node.adminPort).not.toBe(7199);
        const version = await fetch(`http://${ADDRESS}:${node.adminPort}/version`);
        expect(await version.json()).toEqual({ releaseVersion: '4.1.0' });
      } finally {
        await node.close();
      }
      const outcome = await startNode({ ...base, dataDir: told.dir, adminPort: 7199 }).then(
        (started) => started.close().then(() => 'started'),
        (error: unknown) => error,
      );
      expect(outcome).toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await free.cleanup();
      await told.cleanup();
    }
  });
});
