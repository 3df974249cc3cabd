/** Shared set-up for messaging tests: host ids, TCP services on free ports, simulated clusters. */
import { pino } from 'pino';
import type { MessagingOptions } from '../../../common/limits.js';
import type {
  PeerAddress,
  SimulatedNetworkOptions,
  Transport,
  TransportConnection,
} from '../../../node/messaging/index.js';
import {
  MessagingService,
  SimulatedNetwork,
  TcpTransport,
  toPeerAddress,
} from '../../../node/messaging/index.js';
import { SeededRandom } from '../../../node/sim/random.js';
import { SimulatedScheduler } from '../../../node/sim/scheduler.js';
import type { HostId } from '../../../ring/endpoint.js';

/** Tests provoke failures on purpose; their log lines are noise. */
export const quiet = pino({ level: 'silent' });

export function hostIdFor(index: number): HostId {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}` as HostId;
}

export async function startTcpService(
  index: number,
  options: Partial<MessagingOptions> = {},
  transport: Transport = new TcpTransport(),
  listenAddress: PeerAddress = toPeerAddress('127.0.0.1:0'),
): Promise<MessagingService> {
  return MessagingService.start({ transport, hostId: hostIdFor(index), listenAddress, options, log: quiet });
}

/** A TCP transport that counts the writes its connections make (one write = one socket write). */
export class CountingTransport implements Transport {
  writes = 0;
  private readonly inner = new TcpTransport();

  async connect(address: PeerAddress, timeoutMs: number): Promise<TransportConnection> {
    return this.count(await this.inner.connect(address, timeoutMs));
  }

  listen(address: PeerAddress, onConnection: (connection: TransportConnection) => void) {
    return this.inner.listen(address, (connection) => onConnection(this.count(connection)));
  }

  private count(connection: TransportConnection): TransportConnection {
    const write = connection.write.bind(connection);
    connection.write = (chunk) => {
      this.writes++;
      return write(chunk);
    };
    return connection;
  }
}

export interface SimulatedCluster {
  readonly scheduler: SimulatedScheduler;
  readonly network: SimulatedNetwork;
  readonly nodes: MessagingService[];
  readonly addresses: PeerAddress[];
}

/** `count` services at 10.0.0.1:7000 … on one simulated network, all driven by one seed. */
export async function simulatedCluster(
  count: number,
  seed: number,
  networkOptions: Partial<SimulatedNetworkOptions> = {},
  options: Partial<MessagingOptions> = {},
): Promise<SimulatedCluster> {
  const scheduler = new SimulatedScheduler();
  const random = new SeededRandom(seed);
  const network = new SimulatedNetwork({ scheduler, random: random.fork(), ...networkOptions });
  const nodes: MessagingService[] = [];
  for (let index = 1; index <= count; index++) {
    const address = toPeerAddress(`10.0.0.${index}:7000`);
    nodes.push(
      await MessagingService.start({
        transport: network.transportFor(address),
        hostId: hostIdFor(index),
        listenAddress: address,
        scheduler,
        random: random.fork(),
        options,
        log: quiet,
      }),
    );
  }
  return { scheduler, network, nodes, addresses: nodes.map((node) => node.address) };
}

/** Settles a promise into a value or an error, so a test can advance time before looking. */
export function outcome<T>(promise: Promise<T>): { result?: T; error?: unknown; done: boolean } {
  const state: { result?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (result) => {
      state.result = result;
      state.done = true;
    },
    (error: unknown) => {
      state.error = error;
      state.done = true;
    },
  );
  return state;
}
