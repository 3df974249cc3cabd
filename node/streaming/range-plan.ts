/**
 * Which ranges move where when the ring changes, and from whom to pull them (Cassandra's
 * RangeStreamer and StorageService.getChangedReplicasForLeaving). Pure: the ring, the keyspaces'
 * strategies and liveness in, units of work out; the streaming shell performs them.
 */
import { SibylError } from '../../common/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import type { ReplicationStrategy } from '../../ring/replication-strategy.js';
import type { Token } from '../../ring/token.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { TokenRange } from '../../ring/token-range.js';

/** One range of one keyspace to pull, with the endpoints that hold it, best first. */
export interface FetchUnit {
  readonly keyspace: string;
  readonly range: TokenRange;
  /** Host ids to pull from, in order: the next one is tried when a pull fails. */
  readonly sources: readonly HostId[];
}

/** A non-local keyspace and its strategy (LocalStrategy keyspaces never stream). */
export interface KeyspaceReplication {
  readonly name: string;
  readonly strategy: ReplicationStrategy;
}

export interface BootstrapPlanInput {
  /** The ring as it is: normal members (the joining node need not be one). */
  readonly ring: TokenMetadata;
  readonly joining: HostId;
  readonly tokens: readonly Token[];
  readonly keyspaces: readonly KeyspaceReplication[];
  readonly isAlive: (hostId: HostId) => boolean;
  /** Lower is closer to the joining node: same rack, same data center, elsewhere. */
  readonly distance: (hostId: HostId) => number;
  /** consistent_rangemovement: the replica that gives a range up must be the source and alive. */
  readonly strict: boolean;
}

export const RANGE_MOVEMENT_FLAG =
  '-Dcassandra.consistent.rangemovement=false (consistent_rangemovement: false in sibyl.yaml)';

/**
 * The ranges a joining node will replicate, each with its sources: with `strict`, the replica that
 * stops replicating the range once the node has joined comes first (it holds exactly what the new
 * replica set lacks), then the other current replicas by distance; without it, live replicas by
 * distance. A range with no live source fails the bootstrap (RF 1 without `strict` only warns).
 */
export function bootstrapPlan(input: BootstrapPlanInput): { units: FetchUnit[]; warnings: string[] } {
  const { ring, joining, tokens } = input;
  const before = ring.onlyTokenMap();
  const after = before.updateNormalTokens(joining, tokens);
  const units: FetchUnit[] = [];
  const warnings: string[] = [];
  for (const { name, strategy } of input.keyspaces) {
    for (let index = 0; index < after.sortedTokens.length; index++) {
      if (!strategy.replicasAt(after, index).includes(joining)) continue;
      const range = after.rangeAt(index);
      // A range of the new ring lies within one range of the old (its bounds are a superset).
      const current = strategy.calculateNaturalEndpoints(before, range.right);
      const future = strategy.calculateNaturalEndpoints(after, range.right);
      const leaving = current.filter((endpoint) => !future.includes(endpoint));
      const sources = bootstrapSources(input, name, range, current, leaving);
      if (sources.length > 0) units.push({ keyspace: name, range, sources });
      else if (!input.strict && strategy.replicationFactor() === 1) {
        warnings.push(
          `Unable to find sufficient sources to stream range ${range} for keyspace ${name} with RF=1. Keyspace might be missing data.`,
        );
      } else {
        throw new SibylError(
          'INSUFFICIENT_SOURCES',
          `Unable to find sufficient sources for streaming range ${range} in keyspace ${name}`,
        );
      }
    }
  }
  return { units, warnings };
}

function bootstrapSources(
  input: BootstrapPlanInput,
  keyspace: string,
  range: TokenRange,
  current: readonly HostId[],
  leaving: readonly HostId[],
): HostId[] {
  const strictSource = leaving[0];
  if (input.strict && strictSource !== undefined && !input.isAlive(strictSource)) {
    throw new SibylError(
      'SOURCE_DOWN',
      `A node required to move the data consistently is down (${addressOf(input.ring, strictSource)}). ` +
        `If you wish to move the data from a potentially inconsistent replica, restart the node with ${RANGE_MOVEMENT_FLAG}` +
        ` (range ${range} of keyspace ${keyspace})`,
    );
  }
  const others = byDistance(
    current.filter((endpoint) => endpoint !== strictSource && input.isAlive(endpoint)),
    input.distance,
  );
  const first = input.strict && strictSource !== undefined ? [strictSource] : [];
  const rest = input.strict
    ? others
    : byDistance([...others, ...leaving.filter(input.isAlive)], input.distance);
  return [...new Set([...first, ...rest])].filter((endpoint) => endpoint !== input.joining);
}

/** Who gains which range when `leaving` goes, per keyspace (getChangedReplicasForLeaving). */
export interface Transfer {
  readonly keyspace: string;
  readonly range: TokenRange;
  readonly gainer: HostId;
  /** The replicas of the range today, the leaving endpoint included. */
  readonly currentReplicas: readonly HostId[];
}

export function leavingTransfers(
  ring: TokenMetadata,
  leaving: HostId,
  keyspaces: readonly KeyspaceReplication[],
): Transfer[] {
  const before = ring.onlyTokenMap();
  const after = before.removeEndpoint(leaving);
  const transfers: Transfer[] = [];
  for (const { name, strategy } of keyspaces) {
    for (let index = 0; index < before.sortedTokens.length; index++) {
      const current = strategy.replicasAt(before, index);
      if (!current.includes(leaving)) continue;
      const range = before.rangeAt(index);
      const future = strategy.calculateNaturalEndpoints(after, range.right);
      for (const gainer of future) {
        if (!current.includes(gainer)) {
          transfers.push({ keyspace: name, range, gainer, currentReplicas: current });
        }
      }
    }
  }
  return transfers;
}

/** Decommission: every gainer pulls its new ranges from the leaving node itself. */
export function decommissionPlan(
  ring: TokenMetadata,
  leaving: HostId,
  keyspaces: readonly KeyspaceReplication[],
): Map<HostId, FetchUnit[]> {
  const plan = new Map<HostId, FetchUnit[]>();
  for (const transfer of leavingTransfers(ring, leaving, keyspaces)) {
    add(plan, transfer.gainer, { keyspace: transfer.keyspace, range: transfer.range, sources: [leaving] });
  }
  return plan;
}

/**
 * removenode (Cassandra's restoreReplicaCount): every live gainer pulls its new ranges from the
 * surviving replicas, live ones, nearest to the gainer first. Keyspaces of RF 1 are skipped (the
 * data is gone with the node); dead gainers are reported, not waited for.
 */
export function removalPlan(input: {
  readonly ring: TokenMetadata;
  readonly removed: HostId;
  readonly keyspaces: readonly KeyspaceReplication[];
  readonly isAlive: (hostId: HostId) => boolean;
  readonly distance: (from: HostId, to: HostId) => number;
}): { plan: Map<HostId, FetchUnit[]>; deadGainers: HostId[]; unavailable: string[] } {
  const plan = new Map<HostId, FetchUnit[]>();
  const deadGainers = new Set<HostId>();
  const unavailable: string[] = [];
  const keyspaces = input.keyspaces.filter((keyspace) => keyspace.strategy.replicationFactor() > 1);
  for (const transfer of leavingTransfers(input.ring, input.removed, keyspaces)) {
    if (!input.isAlive(transfer.gainer)) {
      deadGainers.add(transfer.gainer);
      continue;
    }
    const survivors = transfer.currentReplicas.filter(
      (replica) => replica !== input.removed && input.isAlive(replica),
    );
    const sources = byDistance(survivors, (replica) => input.distance(transfer.gainer, replica));
    if (sources.length === 0) {
      unavailable.push(`${transfer.range} of keyspace ${transfer.keyspace}`);
      continue;
    }
    add(plan, transfer.gainer, { keyspace: transfer.keyspace, range: transfer.range, sources });
  }
  return { plan, deadGainers: [...deadGainers], unavailable };
}

/** 0 same rack, 1 same data center, 2 elsewhere (Cassandra's snitch ordering for streaming). */
export function locationDistance(ring: TokenMetadata, from: HostId, to: HostId): number {
  const a = ring.endpoint(from);
  const b = ring.endpoint(to);
  if (a === undefined || b === undefined || a.dataCenter !== b.dataCenter) return 2;
  return a.rack === b.rack ? 0 : 1;
}

function byDistance(endpoints: readonly HostId[], distance: (hostId: HostId) => number): HostId[] {
  // Stable: equally close endpoints keep their ring order (the primary replica first).
  return endpoints
    .map((endpoint, order) => ({ endpoint, order, distance: distance(endpoint) }))
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .map(({ endpoint }) => endpoint);
}

function add(plan: Map<HostId, FetchUnit[]>, gainer: HostId, unit: FetchUnit): void {
  const units = plan.get(gainer) ?? [];
  units.push(unit);
  plan.set(gainer, units);
}

function addressOf(ring: TokenMetadata, hostId: HostId): string {
  return ring.endpoint(hostId)?.address ?? hostId;
}
