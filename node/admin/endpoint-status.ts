/**
 * One row per ring member for `status`, `ring` and `describecluster`: liveness from gossip
 * (nodetool's U / D / ?), ring state (J from bootstrap tokens, L from leaving endpoints, M from a
 * MOVING status, N otherwise), load, token count and ownership. Pure over what it is given.
 */

import type { HostId } from '../../ring/endpoint.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import { statusKind } from '../gossip/application-values.js';
import type { EndpointState } from '../gossip/endpoint-state.js';
import { splitHostPort } from '../messaging/transport.js';
import type { EndpointRingState, EndpointStatus, StatusEndpoint } from './admin-types.js';

export interface EndpointStatusInput {
  readonly ring: TokenMetadata;
  /** Our own gossip endpoint: always UP, its load measured now rather than gossiped. */
  readonly localEndpoint: string;
  readonly localLoadBytes: number;
  readonly states: ReadonlyMap<string, EndpointState>;
  readonly isAlive: (endpoint: string) => boolean;
  readonly unreachable: ReadonlySet<string>;
  readonly owns: ReadonlyMap<HostId, number>;
}

/** Ring members and joining endpoints, by data center, then address. */
export function statusEndpoints(input: EndpointStatusInput): StatusEndpoint[] {
  const { ring } = input;
  const joining = ring.bootstrappingEndpoints();
  const members = new Set<HostId>([...ring.normalEndpoints(), ...joining.keys()]);
  const rows: StatusEndpoint[] = [];
  for (const hostId of members) {
    const info = ring.endpoint(hostId);
    if (info === undefined) continue; // tokens without a registered endpoint cannot happen; skip defensively
    const endpoint = info.address;
    rows.push({
      endpoint,
      address: hostOf(endpoint),
      dataCenter: info.dataCenter,
      rack: info.rack,
      hostId,
      status: statusOf(endpoint, input),
      state: ringStateOf(hostId, endpoint, input, joining.has(hostId)),
      loadBytes:
        endpoint === input.localEndpoint ? input.localLoadBytes : gossipLoad(input.states.get(endpoint)),
      tokenCount: joining.get(hostId)?.length ?? ring.tokensOf(hostId).length,
      owns: input.owns.get(hostId) ?? null,
    });
  }
  return rows.sort(compareEndpoints);
}

function statusOf(endpoint: string, input: EndpointStatusInput): EndpointStatus {
  if (endpoint === input.localEndpoint || input.isAlive(endpoint)) return 'UP';
  return input.unreachable.has(endpoint) ? 'DOWN' : 'UNKNOWN';
}

function ringStateOf(
  hostId: HostId,
  endpoint: string,
  input: EndpointStatusInput,
  joining: boolean,
): EndpointRingState {
  if (joining) return 'JOINING';
  if (input.ring.isLeaving(hostId)) return 'LEAVING';
  if (statusKind(input.states.get(endpoint)) === 'MOVING') return 'MOVING';
  return 'NORMAL';
}

/** LOAD is a Java double's text (`1234.0`); anything else is not a load. */
function gossipLoad(state: EndpointState | undefined): number | null {
  const value = state?.states.LOAD?.value;
  if (value === undefined) return null;
  const bytes = Number(value);
  return Number.isFinite(bytes) && bytes >= 0 ? bytes : null;
}

/** The IP of a gossip endpoint (`ip:port`, `[v6]:port`). */
export function hostOf(endpoint: string): string {
  try {
    return splitHostPort(endpoint, 0).host;
  } catch {
    return endpoint;
  }
}

function compareEndpoints(a: StatusEndpoint, b: StatusEndpoint): number {
  if (a.dataCenter !== b.dataCenter) return a.dataCenter < b.dataCenter ? -1 : 1;
  return compareAddresses(a.endpoint, b.endpoint);
}

/** IPv4 addresses by their numbers (127.0.0.10 after 127.0.0.9), then port; others as text. */
export function compareAddresses(a: string, b: string): number {
  const ka = addressKey(a);
  const kb = addressKey(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return ka.length - kb.length;
}

function addressKey(endpoint: string): (number | string)[] {
  const { host, port } = (() => {
    try {
      return splitHostPort(endpoint, 0);
    } catch {
      return { host: endpoint, port: 0 };
    }
  })();
  const octets = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host.split('.').map(Number) : [host];
  return [...octets, port];
}
