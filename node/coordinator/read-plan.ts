/**
 * The replicas of one read — a partition, or a piece of a range read — decided before anything is
 * sent: the live natural replicas nearest first, their data centers, how many answers the level
 * needs, and whom to ask. Too few live replicas: Unavailable (counted in the metrics).
 */

import { UnavailableError } from '../../cql/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import type { ConsistencyLevel, ReplicationFactors } from './consistency.js';
import { assureSufficientLive, blockFor as blockForLevel, filterForQuery } from './consistency.js';
import type { CoordinatorContext } from './context.js';
import type { TableContext } from './table-catalog.js';

export interface ReadPlan {
  readonly level: ConsistencyLevel;
  readonly factors: ReplicationFactors;
  readonly blockFor: number;
  /** Live replicas, nearest first. */
  readonly live: readonly HostId[];
  /** Whom to ask: those of `live` the level needs (`filterForQuery`), nearest first. */
  readonly contacts: readonly HostId[];
  readonly dataCenters: ReadonlyMap<HostId, string>;
}

/**
 * The plan for reading at `level` what the natural replicas of `token` hold (null: no replicas, as
 * on an empty ring); `extra` contacts beyond what the level needs (speculative retry ALWAYS).
 */
export function planRead(
  ctx: CoordinatorContext,
  context: TableContext,
  token: bigint | null,
  level: ConsistencyLevel,
  extra = 0,
): ReadPlan {
  const { planner } = ctx;
  const cluster = ctx.cluster();
  const ring = cluster.ring;
  const replication = planner.replication(context.keyspace);
  const natural = token === null ? [] : planner.natural(replication, ring, token);
  const live = planner.sortForRead(
    ring,
    natural.filter((replica) => planner.isAlive(cluster, replica)),
  );
  const dataCenters = new Map(live.map((replica) => [replica, planner.dataCenterOf(ring, replica)]));
  const localDc = planner.localDataCenter;
  const blockFor = blockForLevel(level, replication.factors, localDc);
  try {
    assureSufficientLive(level, replication.factors, localDc, [...dataCenters.values()], blockFor);
  } catch (error) {
    if (error instanceof UnavailableError) ctx.metrics.unavailables++;
    throw error;
  }
  const dcOf = (replica: HostId) => dataCenters.get(replica)!;
  const contacts = filterForQuery(level, replication.factors, localDc, live, dcOf, extra);
  return { level, factors: replication.factors, blockFor, live, contacts, dataCenters };
}
