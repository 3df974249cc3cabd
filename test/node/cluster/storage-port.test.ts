/**
 * The storage port when 7000 is taken: a node with no seeds and no storage port given is a cluster of
 * one and listens on a free port (tests and embedded nodes on one host must not collide); a node
 * with seeds fails to start, naming the busy address, as Cassandra does.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode } from '../../../node/index.js';
import { tempDir } from '../../storage/helpers.js';
import { commonFreePorts } from './cluster-helpers.js';

/** An address no other test listens on, so holding its port 7000 here is certain to last. */
const ADDRESS = '127.0.0.9';
let holder: Server;

beforeAll(async () => {
  holder = await new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(7000, ADDRESS, () => resolve(server));
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
});

describe('a busy default storage port', () => {
  it('moves a node without seeds to a free port, and stops a node with seeds', async () => {
    const [nativePort] = (await commonFreePorts([ADDRESS], 1)) as [number];
    const alone = await tempDir('sibyl-port-alone-');
    const seeded = await tempDir('sibyl-port-seeded-');
    try {
      const node = await startNode({
        dataDir: alone.dir,
        listenAddress: ADDRESS,
        nativePort,
        logToFile: false,
        logLevel: 'error',
      });
      try {
        expect(node.cluster.endpoint).not.toBe(`${ADDRESS}:7000`);
        expect(node.cluster.ring.normalEndpoints()).toEqual([node.hostId]);
      } finally {
        await node.close();
      }
      const outcome = await startNode({
        dataDir: seeded.dir,
        listenAddress: ADDRESS,
        nativePort,
        seeds: [ADDRESS],
        logToFile: false,
        logLevel: 'error',
      }).then(
        (started) => started.close().then(() => 'started'),
        (error: unknown) => error,
      );
      expect(outcome).toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await alone.cleanup();
      await seeded.cleanup();
    }
  });
});
