/**
 * Whether a node could bind its ports, found by binding them for a moment. Checked before spawning,
 * so that "port in use" is one clear line naming address and port rather than a node that dies in
 * its log; and at `create`, to choose a port offset when Cassandra's ports are taken.
 */
import { createServer } from 'node:net';
import type { ClusterPorts } from './cluster-spec.js';
import { MAX_PORT_OFFSET, portsFor } from './cluster-spec.js';

export type PortState = 'free' | 'in-use' | 'no-address';

export function portState(address: string, port: number): Promise<PortState> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve('in-use');
      else if (error.code === 'EADDRNOTAVAIL') resolve('no-address');
      else reject(error);
    });
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

export interface PortProblem {
  readonly address: string;
  readonly port: number;
  readonly state: Exclude<PortState, 'free'>;
}

/** Every port of every address that cannot be bound now. */
export async function portProblems(
  addresses: readonly string[],
  ports: ClusterPorts,
): Promise<PortProblem[]> {
  const checks = addresses.flatMap((address) =>
    [ports.native, ports.storage, ports.admin].map(async (port) => ({
      address,
      port,
      state: await portState(address, port),
    })),
  );
  const results = await Promise.all(checks);
  return results.filter((r): r is PortProblem => r.state !== 'free');
}

/**
 * The first offset (0, 100, 200, …) at which every address can bind all three ports, or undefined.
 * Steps of 100 keep the ports recognisable (9142 / 7100 / 7299) and never overlap each other.
 * A missing loopback address is not cured by another offset, so it ends the search.
 */
export async function choosePortOffset(addresses: readonly string[]): Promise<number | undefined> {
  for (let offset = 0; offset <= Math.min(MAX_PORT_OFFSET, 5000); offset += 100) {
    const problems = await portProblems(addresses, portsFor(offset));
    if (problems.length === 0) return offset;
    if (problems.some((p) => p.state === 'no-address')) return undefined;
  }
  return undefined;
}
