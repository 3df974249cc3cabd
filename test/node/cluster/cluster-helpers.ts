/** Shared by the cluster tests: ports free on every loopback alias, polling, system.peers reads. */
import { createServer } from 'node:net';
import type { QueryProcessor } from '../../../cql/query-processor.js';
import { CqlTypes, deserialize, inetFromBytes, setOf } from '../../../cql/types/index.js';

export const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive ports free on every host, so each node uses the same ports on its own address
 * as ccm does, without colliding with a real cluster or another test on 9042/7000.
 */
export async function commonFreePorts(hosts: readonly string[], count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: count }, (_, i) => base + i * 7);
    let free = true;
    for (const host of hosts)
      for (const port of ports) if (free && !(await canBind(host, port))) free = false;
    if (free) return ports;
  }
  throw new Error('no common free ports found');
}

/** Polls `condition` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PeerRow {
  readonly peer: string;
  readonly hostId: string;
  readonly schemaVersion: string | null;
  readonly tokens: readonly string[];
}

/** system.peers as the node holds it, decoded. */
export async function peersOf(processor: QueryProcessor): Promise<PeerRow[]> {
  const result = await processor.execute(
    'SELECT peer, host_id, schema_version, tokens FROM system.peers',
    {},
  );
  if (result.kind !== 'rows') throw new Error('expected rows');
  return result.result.rows.map(([peer, hostId, schema, tokens]) => ({
    peer: String(inetFromBytes(peer!)),
    hostId: deserialize(CqlTypes.uuid, hostId!) as string,
    schemaVersion: schema ? (deserialize(CqlTypes.uuid, schema) as string) : null,
    tokens: tokens ? (deserialize(setOf(CqlTypes.text), tokens) as string[]) : [],
  }));
}
