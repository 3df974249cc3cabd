import { SibylError } from '../common/errors.js';

/**
 * A node's identity on the ring: its host ID (a UUID, kept across restarts and address changes, as
 * Cassandra's). Branded so that an address or a keyspace name is never taken for one.
 */
export type HostId = string & { readonly __brand: 'HostId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Parses a host ID as gossip and system.peers carry it. Peers send it, so a bad value is an
 * operating error with a code, not an assertion. Lower-cased, as Java's UUID.toString prints it.
 */
export function parseHostId(text: string): HostId {
  const lower = text.trim().toLowerCase();
  if (!UUID.test(lower))
    throw new SibylError('INVALID_HOST_ID', `invalid host ID '${text}': expected a UUID`);
  return lower as HostId;
}

/** Where an endpoint sits: what the snitch says (cassandra-rackdc.properties, gossip DC and RACK). */
export interface EndpointLocation {
  readonly dataCenter: string;
  readonly rack: string;
}

/** A member of the cluster as the ring knows it. */
export interface EndpointInfo extends EndpointLocation {
  readonly hostId: HostId;
  /** Broadcast address (`ip` or `ip:port`), for display and for messaging to resolve. */
  readonly address: string;
}
