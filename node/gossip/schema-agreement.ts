/**
 * Schema versions as gossip carries them (application state SCHEMA): what `describecluster` shows
 * and drivers wait on, and from whom to pull schema when a peer's version differs from ours
 * (Cassandra's MigrationManager.maybeScheduleSchemaPull / shouldPullSchemaFrom). Pure.
 */
import { isDeadState, isShutdown } from './application-values.js';
import type { EndpointStates } from './digest-exchange.js';
import type { EndpointAddress, EndpointState } from './endpoint-state.js';

/** Cassandra waits this long before pulling from a peer whose version differs, unless our schema is empty. */
export const MIGRATION_DELAY_MS = 60_000;

export interface SchemaVersions {
  /** Schema version → the live endpoints holding it (ourselves included), addresses sorted. */
  readonly versions: ReadonlyMap<string, EndpointAddress[]>;
  /** Endpoints down (nodetool describecluster's UNREACHABLE). */
  readonly unreachable: EndpointAddress[];
  /** Live endpoints that have not gossiped a SCHEMA yet (still starting). */
  readonly unknown: EndpointAddress[];
}

/** Endpoints that have left or were removed are not part of the cluster's schema any more. */
function isMember(state: EndpointState): boolean {
  return !isDeadState(state);
}

export function schemaVersions(
  states: EndpointStates,
  isAlive: (endpoint: EndpointAddress) => boolean,
): SchemaVersions {
  const versions = new Map<string, EndpointAddress[]>();
  const unreachable: EndpointAddress[] = [];
  const unknown: EndpointAddress[] = [];
  const endpoints = [...states.keys()].sort();
  for (const endpoint of endpoints) {
    const state = states.get(endpoint)!;
    if (!isMember(state)) continue;
    const version = state.states.SCHEMA?.value;
    if (!isAlive(endpoint)) unreachable.push(endpoint);
    else if (version === undefined) unknown.push(endpoint);
    else versions.set(version, [...(versions.get(version) ?? []), endpoint]);
  }
  return { versions, unreachable, unknown };
}

/** Every live endpoint that has a schema version has the same one (what drivers wait for). */
export function inSchemaAgreement(versions: SchemaVersions): boolean {
  return versions.versions.size <= 1;
}

/** The shape `nodetool describecluster` prints: version → addresses, plus UNREACHABLE. */
export function describeSchemaVersions(versions: SchemaVersions): Record<string, EndpointAddress[]> {
  const described: Record<string, EndpointAddress[]> = Object.fromEntries(versions.versions);
  if (versions.unreachable.length > 0) described.UNREACHABLE = versions.unreachable;
  return described;
}

function majorVersion(releaseVersion: string | undefined): string | undefined {
  return releaseVersion?.split('.')[0];
}

export interface SchemaPullRequest {
  readonly local: EndpointAddress;
  readonly localSchemaVersion: string | undefined;
  readonly localReleaseVersion: string;
  readonly states: EndpointStates;
  readonly isAlive: (endpoint: EndpointAddress) => boolean;
  /** Endpoints already asked (in flight or failed), tried last. */
  readonly exclude?: ReadonlySet<EndpointAddress>;
}

/**
 * Whether `state` is a peer to pull schema from: alive, not leaving the cluster or shutting down,
 * on our major release (schema tables differ between majors), and holding a version we lack.
 */
export function shouldPullSchemaFrom(
  endpoint: EndpointAddress,
  state: EndpointState,
  request: SchemaPullRequest,
): boolean {
  const theirs = state.states.SCHEMA?.value;
  return (
    endpoint !== request.local &&
    theirs !== undefined &&
    theirs !== request.localSchemaVersion &&
    request.isAlive(endpoint) &&
    !isDeadState(state) &&
    !isShutdown(state) &&
    majorVersion(state.states.RELEASE_VERSION?.value) === majorVersion(request.localReleaseVersion)
  );
}

export interface SchemaPull {
  readonly endpoint: EndpointAddress;
  readonly schemaVersion: string;
}

/**
 * One endpoint to pull from per schema version that differs from ours, the versions held by the
 * most endpoints first (the likeliest to be the newest), endpoints not yet asked first, then by
 * address so a run replays. Empty when we agree with every live peer.
 */
export function schemaPulls(request: SchemaPullRequest): SchemaPull[] {
  const candidates = new Map<string, EndpointAddress[]>();
  for (const [endpoint, state] of request.states) {
    if (!shouldPullSchemaFrom(endpoint, state, request)) continue;
    const version = state.states.SCHEMA!.value;
    candidates.set(version, [...(candidates.get(version) ?? []), endpoint]);
  }
  const asked = (endpoint: EndpointAddress): number => (request.exclude?.has(endpoint) ? 1 : 0);
  return [...candidates]
    .sort(([a, holdersA], [b, holdersB]) => holdersB.length - holdersA.length || (a < b ? -1 : 1))
    .map(([schemaVersion, holders]) => {
      const sorted = [...holders].sort((a, b) => asked(a) - asked(b) || (a < b ? -1 : a > b ? 1 : 0));
      return { endpoint: sorted[0]!, schemaVersion };
    });
}
