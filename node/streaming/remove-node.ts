/**
 * Removing a dead node (Cassandra's StorageService.removeNode, run by `nodetool removenode HOSTID` on
 * a live node): refused for an unknown host id, ourselves, a live node or a node that is not a
 * member, with Cassandra's messages. Then, ring_delay after checking that the dead node does not
 * come back meanwhile (same gossip generation), its STATUS becomes `removing` on its behalf (so
 * every peer writes its ranges to their next owners too), each live node that gains ranges pulls
 * them from the surviving replicas and reports REPLICATION_DONE, and its STATUS becomes `removed`:
 * every peer drops it from the ring and from system.peers.
 */
import { SibylError } from '../../common/errors.js';
import { type HostId, parseHostId } from '../../ring/endpoint.js';
import { gossipDefaults } from '../gossip/gossip-defaults.js';
import type { MembershipContext } from './membership-context.js';
import { addressed, replicatedKeyspaces, unsupported } from './membership-context.js';
import { locationDistance, removalPlan } from './range-plan.js';
import type { AddressedUnit } from './stream-fetcher.js';

/** What `removenode status` reports while a removal runs here. */
export interface RemovalProgress {
  readonly hostId: HostId;
  readonly endpoint: string;
  /** Gainers whose REPLICATION_DONE is still awaited. */
  readonly waitingFor: Set<string>;
}

export async function removeNode(
  ctx: MembershipContext,
  hostIdText: string,
  onProgress: (progress: RemovalProgress | undefined) => void,
): Promise<void> {
  const { hostId, endpoint } = checkRemovable(ctx, hostIdText);
  const progress: RemovalProgress = { hostId, endpoint, waitingFor: new Set() };
  onProgress(progress);
  try {
    const generation = ctx.cluster.generationOf(endpoint);
    const ringDelayMs = ctx.config.streaming.ringDelayMs;
    ctx.log.info({ hostId, endpoint }, `Removing host: ${hostId}`);
    ctx.log.info(`Sleeping for ${ringDelayMs}ms to ensure ${endpoint} does not change`);
    await ctx.sleep(ringDelayMs);
    if (ctx.cluster.generationOf(endpoint) !== generation || ctx.cluster.isAlive(endpoint))
      throw new SibylError(
        'REMOVAL_ABORTED',
        `Endpoint ${endpoint} generation changed while trying to remove it`,
      );
    const plan = planRemoval(ctx, hostId);
    for (const gainer of plan.keys()) progress.waitingFor.add(gainer);
    ctx.log.info({ endpoint }, `Advertising removal for ${endpoint}`);
    ctx.cluster.advertiseRemoval(endpoint, { kind: 'removing', hostId });
    await ctx.streaming.requestFetches('removenode', plan, (gainer) => progress.waitingFor.delete(gainer));
    ctx.cluster.advertiseRemoval(endpoint, { kind: 'removed', hostId });
    ctx.log.info({ endpoint }, `Completing removal of ${endpoint}`);
    // At least one gossip round before returning, as Cassandra's advertiseTokenRemoved.
    await ctx.sleep(2 * gossipDefaults.gossipIntervalMs);
  } finally {
    onProgress(undefined);
  }
}

function checkRemovable(ctx: MembershipContext, hostIdText: string): { hostId: HostId; endpoint: string } {
  let hostId: HostId;
  try {
    hostId = parseHostId(hostIdText);
  } catch {
    throw new SibylError('INVALID_ARGUMENT', `Invalid UUID string: ${hostIdText}`);
  }
  const ring = ctx.cluster.ring;
  const info = ring.endpoint(hostId);
  if (info === undefined) throw unsupported('Host ID not found.');
  if (!ring.isMember(hostId)) throw unsupported('Node to be removed is not a member of the token ring');
  if (hostId === ctx.hostId) throw unsupported('Cannot remove self');
  if (ctx.cluster.isAlive(info.address))
    throw unsupported(
      `Node /${info.address} is alive and owns this ID. Use decommission command to remove it from the ring`,
    );
  if (ring.isLeaving(hostId))
    ctx.log.warn(
      { endpoint: info.address },
      `Node ${info.address} is already being removed, continuing removal anyway`,
    );
  return { hostId, endpoint: info.address };
}

function planRemoval(ctx: MembershipContext, removed: HostId): Map<string, AddressedUnit[]> {
  const ring = ctx.cluster.ring;
  const { plan, deadGainers, unavailable } = removalPlan({
    ring,
    removed,
    keyspaces: replicatedKeyspaces(ctx.processor.schema.schema, ctx.hostId, ctx.log),
    isAlive: (hostId) => {
      const address = ring.endpoint(hostId)?.address;
      return address !== undefined && ctx.cluster.isAlive(address);
    },
    distance: (from, to) => locationDistance(ring, from, to),
  });
  for (const gainer of deadGainers) {
    const address = ring.endpoint(gainer)?.address ?? gainer;
    ctx.log.warn(`Endpoint ${address} is down and will not receive data for re-replication of ${removed}`);
  }
  for (const what of unavailable) ctx.log.warn(`No live replica left to re-replicate ${what} from`);
  const result = new Map<string, AddressedUnit[]>();
  for (const [gainer, units] of plan)
    result.set(ring.endpoint(gainer)?.address ?? gainer, addressed(ring, units));
  return result;
}
