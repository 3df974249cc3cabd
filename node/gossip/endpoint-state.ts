/**
 * What gossip knows about one endpoint (Cassandra's `EndpointState`, `HeartBeatState`,
 * `VersionedValue`): a heartbeat and versioned application states. Pure values: every function
 * here returns new objects and never reads a clock.
 *
 * Versions of one endpoint come from that endpoint's single version generator, so within one
 * generation a higher version is always the later value, whichever key it belongs to.
 */
import { SibylError } from '../../common/errors.js';

/** A gossip peer as messaging addresses it: `ip` or `ip:port` (Cassandra's InetAddressAndPort). */
export type EndpointAddress = string & { readonly __brand: 'EndpointAddress' };

/** The start time of an endpoint's process in seconds: a restart always gets a higher one. */
export type Generation = number & { readonly __brand: 'Generation' };

export function endpointAddress(text: string): EndpointAddress {
  if (text.length === 0 || /\s/.test(text))
    throw new SibylError('INVALID_ENDPOINT_ADDRESS', `invalid endpoint address '${text}'`);
  return text as EndpointAddress;
}

export function generation(seconds: number): Generation {
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw new SibylError('INVALID_GOSSIP_STATE', `invalid gossip generation ${seconds}`);
  return seconds as Generation;
}

/** The application states Sibyl gossips, with Cassandra's names. */
export const APPLICATION_STATE_NAMES = [
  'STATUS',
  'TOKENS',
  'HOST_ID',
  'DC',
  'RACK',
  'SCHEMA',
  'LOAD',
  'NATIVE_ADDRESS',
  'NATIVE_ADDRESS_AND_PORT',
  'RELEASE_VERSION',
  'RPC_READY',
] as const;

export type ApplicationStateName = (typeof APPLICATION_STATE_NAMES)[number];

export interface VersionedValue {
  readonly value: string;
  readonly version: number;
}

export interface HeartbeatState {
  readonly generation: Generation;
  readonly version: number;
}

/** Plain objects rather than Maps, so states go through msgpack and JSON unchanged. */
export type ApplicationStates = Readonly<Partial<Record<ApplicationStateName, VersionedValue>>>;

export interface EndpointState {
  readonly heartbeat: HeartbeatState;
  readonly states: ApplicationStates;
}

/**
 * One node's version counter (Cassandra's `VersionGenerator`): shared by the heartbeat and every
 * application state of that node, restarting at 0 with the process (hence the generation).
 */
export class VersionGenerator {
  constructor(private last = 0) {}
  next(): number {
    this.last += 1;
    return this.last;
  }
  current(): number {
    return this.last;
  }
}

export function stateEntries(state: EndpointState): [ApplicationStateName, VersionedValue][] {
  return Object.entries(state.states) as [ApplicationStateName, VersionedValue][];
}

/** The highest version in the state: heartbeat or any application state (`getMaxEndpointStateVersion`). */
export function maxVersion(state: EndpointState): number {
  let max = state.heartbeat.version;
  for (const [, value] of stateEntries(state)) if (value.version > max) max = value.version;
  return max;
}

/**
 * The part of `state` newer than `version` (`getStateForVersionBiggerThan`), or undefined when
 * nothing is. The heartbeat always travels with it: a receiver needs the generation to judge the rest.
 */
export function stateNewerThan(state: EndpointState, version: number): EndpointState | undefined {
  const states: Partial<Record<ApplicationStateName, VersionedValue>> = {};
  let any = state.heartbeat.version > version;
  for (const [name, value] of stateEntries(state)) {
    if (value.version > version) {
      states[name] = value;
      any = true;
    }
  }
  return any ? { heartbeat: state.heartbeat, states } : undefined;
}

export type MergeOutcome =
  /** The remote state adds nothing (older generation, or nothing newer). */
  | { readonly kind: 'unchanged'; readonly state: EndpointState | undefined }
  /** First sight of the endpoint. */
  | { readonly kind: 'new'; readonly state: EndpointState }
  /** A higher generation: the endpoint restarted; its old state is replaced whole. */
  | { readonly kind: 'restarted'; readonly state: EndpointState; readonly previous: EndpointState }
  /** Same generation, newer versions: `changed` names the application states that moved. */
  | { readonly kind: 'updated'; readonly state: EndpointState; readonly changed: ApplicationStateName[] };

/**
 * Merges what a peer sent about an endpoint into what we hold (`applyStateLocally`): a higher
 * generation replaces everything; within a generation each value is kept at its highest version.
 * Cassandra overwrites the heartbeat with the remote one even when it is older; we keep the
 * higher, so versions never go backwards (merge is idempotent and order-independent).
 */
export function mergeEndpointState(local: EndpointState | undefined, remote: EndpointState): MergeOutcome {
  if (local === undefined) return { kind: 'new', state: remote };
  if (remote.heartbeat.generation > local.heartbeat.generation)
    return { kind: 'restarted', state: remote, previous: local };
  if (remote.heartbeat.generation < local.heartbeat.generation) return { kind: 'unchanged', state: local };
  const states: Partial<Record<ApplicationStateName, VersionedValue>> = { ...local.states };
  const changed: ApplicationStateName[] = [];
  for (const [name, value] of stateEntries(remote)) {
    const mine = local.states[name];
    if (mine === undefined || value.version > mine.version) {
      states[name] = value;
      changed.push(name);
    }
  }
  const heartbeatNewer = remote.heartbeat.version > local.heartbeat.version;
  if (changed.length === 0 && !heartbeatNewer) return { kind: 'unchanged', state: local };
  const heartbeat = heartbeatNewer ? remote.heartbeat : local.heartbeat;
  return { kind: 'updated', state: { heartbeat, states }, changed };
}

/** `state` with one application state set at `version` (the local node's own updates). */
export function withApplicationState(
  state: EndpointState,
  name: ApplicationStateName,
  value: string,
  version: number,
): EndpointState {
  return { heartbeat: state.heartbeat, states: { ...state.states, [name]: { value, version } } };
}

export function withHeartbeatVersion(state: EndpointState, version: number): EndpointState {
  return { heartbeat: { generation: state.heartbeat.generation, version }, states: state.states };
}
