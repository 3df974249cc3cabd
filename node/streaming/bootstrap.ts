/**
 * Joining the ring (Cassandra's StorageService.joinTokenRing and bootstrap). After the shadow round
 * a node enters gossip as a NORMAL member when it has joined before, or when it is the first node
 * (evenly spaced tokens, nothing to balance against). Any other new node enters without a status,
 * waits for the ring and for schema agreement and for the ring to settle (Cassandra's
 * waitToSettle), then chooses balanced tokens against the ring it sees. One that does not
 * bootstrap (a seed, auto_bootstrap false) announces NORMAL at once; one that bootstraps announces
 * BOOT, waits ring_delay while every peer computes the ranges pending for it, streams those ranges
 * from their current replicas, flushes, and announces NORMAL.
 */
import { SibylError } from '../../common/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import { parseToken, type Token } from '../../ring/token.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { GossipEntry } from '../cluster/cluster-service.js';
import { statusKind } from '../gossip/application-values.js';
import { gossipDefaults } from '../gossip/gossip-defaults.js';
import { splitHostPort } from '../messaging/transport.js';
import { chooseTokens } from './bootstrap-tokens.js';
import type { MembershipContext, MembershipDeps } from './membership-context.js';
import {
  addressed,
  localHostId,
  recordMembership,
  replicatedKeyspaces,
  unsupported,
} from './membership-context.js';
import { bootstrapPlan, locationDistance, RANGE_MOVEMENT_FLAG } from './range-plan.js';

/** Whether this node streams its ranges before it serves (Cassandra's shouldBootstrap). */
export function shouldBootstrap(deps: MembershipDeps, localEndpoint: string): boolean {
  return (
    deps.config.autoBootstrap && deps.identity.bootstrapState !== 'COMPLETED' && !isSeed(deps, localEndpoint)
  );
}

/** Our address among the seeds (an address without a port names our storage port). */
export function isSeed(deps: MembershipDeps, localEndpoint: string): boolean {
  const local = splitHostPort(localEndpoint, deps.config.storagePort);
  return deps.config.seeds.some((seed) => {
    const { host, port } = splitHostPort(seed, local.port);
    const ours = host === deps.config.broadcastAddress || host === deps.config.listenAddress;
    return ours && port === local.port;
  });
}

/**
 * Between the shadow round and gossip start: NORMAL for a node that has joined before or does not
 * bootstrap (its tokens chosen now against the ring the seeds described), else joining.
 */
export async function prepareJoin(
  deps: MembershipDeps,
  seedRing: TokenMetadata,
  localEndpoint: string,
): Promise<GossipEntry> {
  const { identity, log } = deps;
  const me = localHostId(identity);
  if (identity.bootstrapState === 'COMPLETED' && identity.tokens.length > 0) return 'normal';
  const others = seedRing.normalEndpoints().filter((hostId) => hostId !== me);
  const bootstraps = shouldBootstrap(deps, localEndpoint);
  if (identity.tokens.length > 0 && (!bootstraps || others.length === 0)) {
    log.info('using saved tokens');
  } else if (others.length === 0 || (!bootstraps && deps.config.initialTokens.length > 0)) {
    // The first node of a cluster (nothing to stream, nothing to balance against), or tokens given
    // by initial_token (nothing to wait for: Cassandra takes them as they are).
    const { tokens, how } = tokensFor(deps, seedRing);
    log.info({ tokens: tokens.length, how }, 'tokens chosen (no bootstrap)');
    await identity.update({ tokens: tokens.map(String) });
  } else {
    return 'joining';
  }
  await recordMembership(deps, { bootstrapState: 'COMPLETED' });
  return 'normal';
}

/** A new node that does not bootstrap (a seed, auto_bootstrap false): balanced tokens, then NORMAL. */
export async function joinWithoutBootstrap(ctx: MembershipContext): Promise<void> {
  ctx.mode = 'JOINING';
  ctx.log.info('JOINING: waiting for ring information and schema agreement (no bootstrap)');
  await waitForRingAndSchema(ctx);
  const tokens = ctx.identity.tokens.length > 0 ? ctx.identity.tokens.map(parseToken) : newTokens(ctx);
  checkTokensFree(ctx.cluster.ring, ctx, tokens);
  await recordMembership(ctx, { tokens: tokens.map(String), bootstrapState: 'COMPLETED' });
  ctx.cluster.announceStatus({ kind: 'NORMAL', tokens });
  ctx.mode = 'NORMAL';
  ctx.log.info({ tokens: tokens.length }, 'joined the ring without bootstrap: NORMAL');
}

function tokensFor(deps: MembershipDeps, ring: TokenMetadata): ReturnType<typeof chooseTokens> {
  const endpoint = ring.endpoint(localHostId(deps.identity));
  if (endpoint === undefined)
    throw new Error('assertion failed: the local endpoint is registered in the ring');
  return chooseTokens({
    ring,
    endpoint,
    numTokens: deps.config.numTokens,
    initialTokens: deps.config.initialTokens,
    localReplicationFactor: deps.config.allocateTokensForLocalReplicationFactor,
    random: deps.random,
  });
}

/** After gossip started as `joining`: the bootstrap proper, ending NORMAL. */
export async function bootstrap(ctx: MembershipContext): Promise<void> {
  const { identity, log, cluster } = ctx;
  ctx.mode = 'JOINING';
  if (identity.bootstrapState === 'IN_PROGRESS') log.warn('Detected previous bootstrap failure; retrying');
  else await recordMembership(ctx, { bootstrapState: 'IN_PROGRESS' });
  log.info('JOINING: waiting for ring information and schema agreement');
  await waitForRingAndSchema(ctx);
  checkRangeMovement(ctx);
  const tokens = identity.tokens.length > 0 ? identity.tokens.map(parseToken) : newTokens(ctx);
  checkTokensFree(cluster.ring, ctx, tokens);
  // Sources are checked before BOOT too: a bootstrap bound to fail does not disturb the ring.
  planStreams(ctx, tokens);
  await recordMembership(ctx, { tokens: tokens.map(String) });
  cluster.announceStatus({ kind: 'BOOT', tokens });
  const ringDelayMs = ctx.config.streaming.ringDelayMs;
  log.info({ ringDelayMs }, 'JOINING: sleeping ring_delay for pending range setup');
  await ctx.sleep(ringDelayMs);
  log.info('JOINING: streaming the ranges this node takes');
  await streamRanges(ctx, tokens);
  await recordMembership(ctx, { bootstrapState: 'COMPLETED' });
  cluster.announceStatus({ kind: 'NORMAL', tokens });
  ctx.mode = 'NORMAL';
  log.info({ tokens: tokens.length }, 'bootstrap complete: NORMAL');
}

function newTokens(ctx: MembershipContext): Token[] {
  const { tokens, how } = tokensFor(ctx, ctx.cluster.ring);
  ctx.log.info({ tokens: tokens.length, how }, 'JOINING: tokens chosen');
  return tokens;
}

/** Gossip rounds the ring must stay unchanged before tokens are chosen against it. */
const SETTLE_ROUNDS = 2;

/**
 * Polls until the ring has a live member, every live member gossips our schema version, no node
 * joins ahead of us (below), and the ring has not changed for SETTLE_ROUNDS gossip rounds (a node
 * that joined just before us has reached us, so we do not pick the tokens it picked).
 */
async function waitForRingAndSchema(ctx: MembershipContext): Promise<void> {
  const timeoutMs = ctx.config.streaming.schemaAgreementTimeoutMs;
  const deadline = ctx.nowMs() + timeoutMs;
  const settleMs = SETTLE_ROUNDS * gossipDefaults.gossipIntervalMs;
  let ringVersion = -1;
  let stableSinceMs = ctx.nowMs();
  for (;;) {
    const now = ctx.nowMs();
    if (ctx.cluster.ring.version !== ringVersion) {
      ringVersion = ctx.cluster.ring.version;
      stableSinceMs = now;
    }
    const agreed = ctx.cluster.inSchemaAgreementWithMembers();
    const ahead = joiningAhead(ctx);
    if (agreed && ahead.length === 0 && now - stableSinceMs >= settleMs) return;
    if (now > deadline && ahead.length > 0) {
      throw new SibylError(
        'JOIN_TIMEOUT',
        `Other nodes are joining the ring (${ahead.join(', ')}) and did not finish within ${timeoutMs} ms; ` +
          'a new node waits for those ahead of it (start new nodes one at a time)',
      );
    }
    if (now > deadline) {
      throw new SibylError(
        'SCHEMA_DISAGREEMENT',
        `Didn't receive schemas for all known versions within the timeout (${timeoutMs} ms): ` +
          `schema versions ${JSON.stringify(ctx.cluster.schemaVersions())}`,
      );
    }
    await ctx.sleep(100);
  }
}

/**
 * Live nodes joining ahead of us: any bootstrapping one (BOOT), and any that has not announced a
 * status yet and has a lower host id. Nodes started together thus join one after another, each
 * choosing its tokens against a ring that holds the previous one's (the same ring would give them
 * the same tokens), and never bootstrap at the same time.
 */
function joiningAhead(ctx: MembershipContext): string[] {
  const ahead: string[] = [];
  for (const [endpoint, state] of ctx.cluster.endpointStates()) {
    if (endpoint === ctx.cluster.endpoint || !ctx.cluster.isAlive(endpoint)) continue;
    const status = statusKind(state);
    const hostId = state.states.HOST_ID?.value;
    if (status === 'BOOT' || (status === undefined && hostId !== undefined && hostId < ctx.hostId))
      ahead.push(endpoint);
  }
  return ahead;
}

/** consistent_rangemovement: one range movement at a time (Cassandra's check before bootstrap). */
function checkRangeMovement(ctx: MembershipContext): void {
  if (!ctx.config.consistentRangeMovement) return;
  const ring = ctx.cluster.ring;
  const me = ctx.hostId;
  const bootstrapping = [...ring.bootstrappingEndpoints().keys()].filter((hostId) => hostId !== me);
  const leaving = [...ring.leavingEndpoints];
  if (bootstrapping.length === 0 && leaving.length === 0) return;
  const names = (ids: readonly HostId[]) => ids.map((id) => ring.endpoint(id)?.address ?? id).join(', ');
  throw unsupported(
    'Other bootstrapping/leaving/moving nodes detected, cannot bootstrap while cassandra.consistent.rangemovement is true. ' +
      `Nodes detected, bootstrapping: [${names(bootstrapping)}]; leaving: [${names(leaving)}]; moving: []` +
      ` (or set ${RANGE_MOVEMENT_FLAG})`,
  );
}

function checkTokensFree(ring: TokenMetadata, ctx: MembershipContext, tokens: readonly Token[]): void {
  if (ring.isMember(ctx.hostId))
    throw unsupported(
      'This node is already a member of the token ring; bootstrap aborted. (If replacing a dead node, remove the old one from the ring first.)',
    );
  for (const token of tokens) {
    const owner = ring.ownerOf(token) ?? ring.bootstrapTokens.get(token);
    if (owner !== undefined && owner !== ctx.hostId)
      throw new SibylError(
        'TOKEN_COLLISION',
        `Bootstrapping to existing token ${token} is not allowed (decommission/removenode the old node first).`,
      );
  }
}

async function streamRanges(ctx: MembershipContext, tokens: readonly Token[]): Promise<void> {
  const { ring, keyspaces, units, warnings } = planStreams(ctx, tokens);
  for (const warning of warnings) ctx.log.warn(warning);
  const summary = await ctx.streaming.fetch(addressed(ring, units), 'bootstrap');
  ctx.log.info({ keyspaces: keyspaces.length, ranges: units.length, ...summary }, 'bootstrap streaming done');
}

function planStreams(ctx: MembershipContext, tokens: readonly Token[]) {
  const ring = ctx.cluster.ring;
  const keyspaces = replicatedKeyspaces(ctx.processor.schema.schema, ctx.hostId, ctx.log);
  const { units, warnings } = bootstrapPlan({
    ring,
    joining: ctx.hostId,
    tokens,
    keyspaces,
    isAlive: (hostId) => {
      const address = ring.endpoint(hostId)?.address;
      return address !== undefined && ctx.cluster.isAlive(address);
    },
    distance: (hostId) => locationDistance(ring, ctx.hostId, hostId),
    strict: ctx.config.consistentRangeMovement,
  });
  return { ring, keyspaces, units, warnings };
}
