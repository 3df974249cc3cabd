/**
 * Leaving the ring on purpose (Cassandra's StorageService.decommission / unbootstrap / leaveRing):
 * refused unless the node is NORMAL and every keyspace keeps its replication factor without it;
 * then STATUS LEAVING, ring_delay for every peer to compute the pending ranges (writes reach the
 * next owners from then on), every range this node replicates pulled by the endpoints that gain it
 * (they are asked to; each reports REPLICATION_DONE), STATUS LEFT with Cassandra's 3-day expiry,
 * ring_delay again for the news to spread, and the node stops serving and leaves gossip. The
 * process stays up, reporting DECOMMISSIONED, until it is stopped (as Cassandra's does).
 */

import { PendingRanges } from '../../ring/pending-ranges.js';
import { parseToken } from '../../ring/token.js';
import { gossipDefaults } from '../gossip/gossip-defaults.js';
import type { MembershipContext } from './membership-context.js';
import { addressed, recordMembership, replicatedKeyspaces, unsupported } from './membership-context.js';
import type { KeyspaceReplication } from './range-plan.js';
import { decommissionPlan } from './range-plan.js';
import type { AddressedUnit } from './stream-fetcher.js';

export interface DecommissionOptions {
  /** nodetool decommission --force: leave even if a keyspace drops below its replication factor. */
  readonly force?: boolean;
}

export async function decommission(ctx: MembershipContext, options: DecommissionOptions): Promise<void> {
  const keyspaces = replicatedKeyspaces(ctx.processor.schema.schema, ctx.hostId, ctx.log);
  const resuming = ctx.mode === 'LEAVING';
  if (!resuming) checkCanLeave(ctx, keyspaces, options);
  const tokens = ctx.identity.tokens.map(parseToken);
  const ringDelayMs = ctx.config.streaming.ringDelayMs;
  if (!resuming) {
    ctx.mode = 'LEAVING';
    ctx.cluster.announceStatus({ kind: 'LEAVING', tokens });
    ctx.log.info({ ringDelayMs }, 'LEAVING: sleeping ring_delay for pending range setup');
    await ctx.sleep(ringDelayMs);
  }
  ctx.log.info('LEAVING: streaming data to other nodes');
  const ring = ctx.cluster.ring;
  const plan = new Map<string, AddressedUnit[]>();
  for (const [gainer, units] of decommissionPlan(ring, ctx.hostId, keyspaces)) {
    plan.set(ring.endpoint(gainer)?.address ?? gainer, addressed(ring, units));
  }
  await ctx.streaming.requestFetches('decommission', plan);
  ctx.log.info({ gainers: plan.size }, 'LEAVING: finished streaming');
  // Its hints must outlive it: another node keeps them for their targets (Cassandra's streamHints).
  ctx.log.info('LEAVING: transferring hints');
  await ctx.transferHints();
  // leaveRing: announce LEFT and let it spread before going silent.
  await recordMembership(ctx, { bootstrapState: 'NEEDS_BOOTSTRAP' });
  const expiresAtMs = ctx.nowMs() + ctx.config.streaming.deadStateExpiryMs;
  ctx.cluster.announceStatus({ kind: 'LEFT', tokens, expiresAtMs });
  const announceMs = Math.max(ringDelayMs, 2 * gossipDefaults.gossipIntervalMs);
  ctx.log.info({ ms: announceMs }, 'Announcing that I have left the ring');
  await ctx.sleep(announceMs);
  // finishLeaving: no more clients, no more gossip or messaging.
  await ctx.stopServing();
  await ctx.cluster.close();
  await recordMembership(ctx, { bootstrapState: 'DECOMMISSIONED' });
  ctx.mode = 'DECOMMISSIONED';
  ctx.log.info('DECOMMISSIONED');
}

/** Cassandra's checks before a decommission, with its messages. */
function checkCanLeave(
  ctx: MembershipContext,
  keyspaces: readonly KeyspaceReplication[],
  options: DecommissionOptions,
): void {
  const ring = ctx.cluster.ring;
  if (!ring.isMember(ctx.hostId)) throw unsupported('local node is not a member of the token ring yet');
  const afterAllLeft = ring.afterAllLeft();
  if (afterAllLeft.normalEndpoints().length < 2)
    throw unsupported('no other normal nodes in the ring; decommission would be pointless');
  if (ctx.mode !== 'NORMAL')
    throw unsupported(`Node in ${ctx.mode} state; wait for status to become normal or restart`);
  const dc = ctx.config.dc;
  for (const { name, strategy } of keyspaces) {
    if (!options.force) {
      const isNts = strategy.name === 'NetworkTopologyStrategy';
      const rf = isNts ? strategy.replicationFactorIn(dc) : strategy.replicationFactor();
      const nodes = isNts
        ? (afterAllLeft.topology().get(dc)?.endpointCount ?? 0)
        : afterAllLeft.normalEndpoints().length;
      if (nodes <= rf)
        throw unsupported(
          `Not enough live nodes to maintain replication factor in keyspace ${name} (RF = ${rf}, N = ${nodes}). Perform a forceful decommission to ignore.`,
        );
    }
    if (PendingRanges.calculate(ring, strategy).rangesOf(ctx.hostId).length > 0)
      throw unsupported('data is currently moving to this node; unable to leave the ring');
  }
}
