/**
 * What joining and leaving the ring work with: the node's parts (identity, schema, storage,
 * gossip, streaming), its operation mode (Cassandra's StorageService.Mode, what `nodetool info`
 * and netstats show), and the helpers the three procedures share.
 */
import { SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { QueryProcessor } from '../../cql/query-processor.js';
import type { SchemaView } from '../../cql/schema/index.js';
import { type HostId, parseHostId } from '../../ring/endpoint.js';
import { createReplicationStrategy } from '../../ring/replication-strategy.js';
import type { TokenRandomSource } from '../../ring/token-allocation.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { ClusterService } from '../cluster/cluster-service.js';
import type { ResolvedNodeConfig } from '../config.js';
import type { LocalIdentity } from '../local-info.js';
import { updateSystemLocalMembership } from '../local-info.js';
import type { FetchUnit, KeyspaceReplication } from './range-plan.js';
import type { AddressedUnit } from './stream-fetcher.js';
import type { StreamingService } from './streaming-service.js';

/** Cassandra's StorageService.Mode names. */
export type OperationMode = 'STARTING' | 'JOINING' | 'NORMAL' | 'LEAVING' | 'DECOMMISSIONED' | 'DRAINED';

export interface MembershipDeps {
  readonly config: ResolvedNodeConfig;
  readonly identity: LocalIdentity;
  readonly processor: QueryProcessor;
  readonly engine: StorageEngine;
  readonly streaming: StreamingService;
  readonly random: TokenRandomSource;
  readonly nowMs: () => number;
  readonly log: Logger;
}

export interface MembershipContext extends MembershipDeps {
  readonly cluster: ClusterService;
  readonly hostId: HostId;
  mode: OperationMode;
  /** Waits `ms`, or rejects with NODE_CLOSED when the node closes meanwhile. */
  sleep(ms: number): Promise<void>;
  /** Stops the native server (decommission's end). */
  stopServing(): Promise<void>;
  /** Hands this node's hints to another node before it leaves (decommission); none: nothing to do. */
  transferHints(): Promise<void>;
}

/** Cassandra's UnsupportedOperationException: the operation is refused as asked. */
export function unsupported(message: string): SibylError {
  const error = new SibylError('UNSUPPORTED_OPERATION', message);
  error.name = 'UnsupportedOperationException';
  return error;
}

/** Keyspaces whose data lives on several nodes: every keyspace with tables and a non-local strategy. */
export function replicatedKeyspaces(
  schema: SchemaView,
  localHostId: HostId,
  log: Logger,
): KeyspaceReplication[] {
  const result: KeyspaceReplication[] = [];
  for (const keyspace of schema.keyspaces()) {
    if (keyspace.tables.size === 0) continue;
    try {
      const strategy = createReplicationStrategy(keyspace.name, keyspace.replication, { localHostId });
      if (strategy.name !== 'LocalStrategy') result.push({ name: keyspace.name, strategy });
    } catch (error) {
      log.warn({ err: error, keyspace: keyspace.name }, 'keyspace replication not understood: not streamed');
    }
  }
  return result;
}

/** Plan units (host ids) as the fetcher takes them (listen addresses). */
export function addressed(ring: TokenMetadata, units: readonly FetchUnit[]): AddressedUnit[] {
  return units.map((unit) => ({
    keyspace: unit.keyspace,
    range: unit.range,
    sources: unit.sources.map((source) => {
      const address = ring.endpoint(source)?.address;
      if (address === undefined)
        throw new SibylError('UNKNOWN_ENDPOINT', `no address for endpoint ${source}`);
      return address;
    }),
  }));
}

/** Persists tokens / bootstrap state and mirrors them in system.local. */
export async function recordMembership(
  ctx: MembershipDeps,
  change: Parameters<LocalIdentity['update']>[0],
): Promise<void> {
  await ctx.identity.update(change);
  await updateSystemLocalMembership(ctx.processor, ctx.identity.current);
}

export function localHostId(identity: LocalIdentity): HostId {
  return parseHostId(identity.hostId);
}
