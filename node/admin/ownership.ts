/**
 * The "Owns" column of `status` and `ring`, decided as Cassandra's StorageService.effectiveOwnership:
 * a keyspace given → its effective ownership (unknown → an error, LocalStrategy → a note); none given
 * → the replication every user keyspace shares, or primary ownership with nodetool's note when
 * they differ or there is none. Pure over the schema and the ring.
 */
import type { KeyspaceMetadata, SchemaView } from '../../cql/schema/index.js';
import type { HostId } from '../../ring/endpoint.js';
import { createReplicationStrategy, effectiveOwnership } from '../../ring/replication-strategy.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import { badRequest } from './admin-router.js';
import type { OwnershipInfo } from './admin-types.js';

export const OWNERSHIP_NOTES = {
  differentReplication:
    "Non-system keyspaces don't have the same replication settings, effective ownership information is meaningless",
  /** What nodetool printed before keyspaces defaulted to system_traces (which Sibyl does not have). */
  noUserKeyspace:
    'Ownership information does not include topology; for complete information, specify a keyspace',
  localStrategy: 'Ownership values for keyspaces with LocalStrategy are meaningless',
} as const;

export interface Ownership {
  readonly info: OwnershipInfo;
  /** Effective ownership when `info.effective`, else primary ownership, per ring member. */
  readonly owns: ReadonlyMap<HostId, number>;
}

export function isLocalStrategy(keyspace: KeyspaceMetadata): boolean {
  return keyspace.replication.class?.endsWith('LocalStrategy') === true;
}

export function ownershipOf(
  schema: SchemaView,
  ring: TokenMetadata,
  localHostId: HostId,
  keyspaceName: string | undefined,
): Ownership {
  const primary = (note: string): Ownership => ({
    info: { effective: false, keyspace: null, note },
    owns: ring.ownership(),
  });
  let keyspace: KeyspaceMetadata | undefined;
  if (keyspaceName !== undefined) {
    keyspace = schema.keyspace(keyspaceName);
    if (keyspace === undefined)
      throw badRequest(`The keyspace ${keyspaceName}, does not exist`, 'UNKNOWN_KEYSPACE');
    if (isLocalStrategy(keyspace)) return primary(OWNERSHIP_NOTES.localStrategy);
  } else {
    const user = [...schema.keyspaces()].filter((k) => !isLocalStrategy(k));
    keyspace = user[0];
    if (keyspace === undefined) return primary(OWNERSHIP_NOTES.noUserKeyspace);
    const settings = replicationKey(keyspace);
    if (user.some((k) => replicationKey(k) !== settings))
      return primary(OWNERSHIP_NOTES.differentReplication);
  }
  const strategy = createReplicationStrategy(keyspace.name, keyspace.replication, { localHostId });
  return {
    info: { effective: true, keyspace: keyspace.name, note: null },
    owns: effectiveOwnership(ring, strategy),
  };
}

/** Replication settings compared as Cassandra's hasSameSettings: class and options, order aside. */
function replicationKey(keyspace: KeyspaceMetadata): string {
  return JSON.stringify(
    Object.entries(keyspace.replication).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
