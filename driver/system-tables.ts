/**
 * Reading the cluster's shape from system.local, system.peers and system_schema.keyspaces rows
 * (as the DataStax drivers read them). Pure: rows in, host descriptions out.
 */
import { parseToken, type Token } from '../ring/token.js';
import type { HostInfo } from './host.js';
import type { Row } from './result-set.js';
import { type Replication, replicationFromMap } from './token-ring.js';

export const LOCAL_QUERY = "SELECT * FROM system.local WHERE key='local'";
export const PEERS_QUERY = 'SELECT * FROM system.peers';
export const KEYSPACES_QUERY = 'SELECT keyspace_name, replication FROM system_schema.keyspaces';
export const LOCAL_SCHEMA_QUERY = "SELECT schema_version FROM system.local WHERE key='local'";
export const PEERS_SCHEMA_QUERY = 'SELECT peer, rpc_address, schema_version FROM system.peers';

export function hostInfoOf(row: Row): HostInfo {
  return {
    dataCenter: text(row.data_center) ?? '',
    rack: text(row.rack) ?? '',
    tokens: tokensOf(row.tokens),
    hostId: text(row.host_id),
    releaseVersion: text(row.release_version),
  };
}

/** The address clients reach a peer at: rpc_address, or `peer` when that is unset or 0.0.0.0. */
export function peerAddress(row: Row): string | undefined {
  const rpc = text(row.rpc_address);
  if (rpc !== undefined && rpc !== '0.0.0.0' && rpc !== '::') return rpc;
  return text(row.peer);
}

/** keyspace → replication, from system_schema.keyspaces rows. */
export function replicationsOf(rows: readonly Row[]): Map<string, Replication> {
  const out = new Map<string, Replication>();
  for (const row of rows) {
    const name = text(row.keyspace_name);
    const replication = row.replication;
    if (name === undefined || !(replication instanceof Map)) continue;
    const map = new Map<string, string>();
    for (const [key, value] of replication) {
      if (typeof key === 'string' && typeof value === 'string') map.set(key, value);
    }
    out.set(name, replicationFromMap(map));
  }
  return out;
}

function tokensOf(value: unknown): Token[] {
  if (!Array.isArray(value)) return [];
  const tokens: Token[] = [];
  for (const item of value) {
    // A malformed token from the server would only spoil routing: skip it rather than fail connect().
    try {
      if (typeof item === 'string') tokens.push(parseToken(item));
    } catch {}
  }
  return tokens;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
