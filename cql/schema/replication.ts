/**
 * Replication options of a keyspace (Cassandra's ReplicationParams and the strategies' option
 * checks): the class is resolved to its full Java name, SimpleStrategy takes `replication_factor`,
 * NetworkTopologyStrategy a factor per data center (`replication_factor` expands to every known
 * one), an omitted factor is the default of 1 (default_keyspace_rf). Pure.
 */
import { ConfigurationError, InvalidRequestError } from '../errors.js';

export const LOCATOR_PACKAGE = 'org.apache.cassandra.locator.';
export const SIMPLE_STRATEGY = `${LOCATOR_PACKAGE}SimpleStrategy`;
export const NETWORK_TOPOLOGY_STRATEGY = `${LOCATOR_PACKAGE}NetworkTopologyStrategy`;
export const LOCAL_STRATEGY = `${LOCATOR_PACKAGE}LocalStrategy`;
const EVERYWHERE_STRATEGY = `${LOCATOR_PACKAGE}EverywhereStrategy`;

/** default_keyspace_rf in cassandra.yaml. */
export const DEFAULT_KEYSPACE_RF = '1';

const KNOWN_STRATEGIES = new Set([SIMPLE_STRATEGY, NETWORK_TOPOLOGY_STRATEGY, LOCAL_STRATEGY]);

export interface ReplicationContext {
  readonly keyspace: string;
  /** The data centers the node knows; undefined when unknown (then any name is accepted). */
  readonly datacenters?: readonly string[];
}

/** Cassandra resolves a class name without a package in org.apache.cassandra.locator. */
export function strategyClassName(name: string): string {
  return name.includes('.') ? name : `${LOCATOR_PACKAGE}${name}`;
}

/** Validated replication options as system_schema.keyspaces.replication stores them. */
export function replicationParams(
  options: ReadonlyMap<string, string>,
  context: ReplicationContext,
): Readonly<Record<string, string>> {
  const given = options.get('class');
  if (given === undefined) throw new ConfigurationError('Missing replication strategy class');
  const className = strategyClassName(given);
  if (!KNOWN_STRATEGIES.has(className) || className === EVERYWHERE_STRATEGY) {
    throw new ConfigurationError(`Unable to find replication strategy class '${className}'`);
  }
  if (className === LOCAL_STRATEGY) {
    throw new InvalidRequestError(
      'Unable to use given strategy class: LocalStrategy is reserved for internal use.',
    );
  }
  const rest = new Map([...options].filter(([key]) => key !== 'class'));
  const resolved =
    className === SIMPLE_STRATEGY ? simpleOptions(rest, context) : networkTopologyOptions(rest, context);
  return sortedRecord({ class: className, ...resolved });
}

function simpleOptions(options: Map<string, string>, context: ReplicationContext): Record<string, string> {
  for (const key of options.keys()) {
    if (key !== 'replication_factor') throw unrecognized(key, 'SimpleStrategy', context.keyspace);
  }
  const factor = options.get('replication_factor') ?? DEFAULT_KEYSPACE_RF;
  validateFactor(factor);
  return { replication_factor: factor };
}

function networkTopologyOptions(
  options: Map<string, string>,
  context: ReplicationContext,
): Record<string, string> {
  const result: Record<string, string> = {};
  const expand = options.get('replication_factor') ?? (options.size === 0 ? DEFAULT_KEYSPACE_RF : undefined);
  if (expand !== undefined) {
    validateFactor(expand);
    for (const dc of context.datacenters ?? ['datacenter1']) result[dc] = expand;
  }
  for (const [dc, factor] of options) {
    if (dc === 'replication_factor') continue;
    if (context.datacenters && !context.datacenters.includes(dc)) {
      throw unrecognized(dc, 'NetworkTopologyStrategy', context.keyspace);
    }
    validateFactor(factor);
    result[dc] = factor;
  }
  return result;
}

/** ReplicationFactor.fromString: `3`, or `3/1` (transient replicas, which Sibyl does not support). */
function validateFactor(text: string): void {
  if (!/^-?\d+$/.test(text.trim())) throw new ConfigurationError(`For input string: "${text}"`);
  const value = Number(text);
  if (value < 0) throw new ConfigurationError(`Replication factor must be non-negative, found ${value}`);
}

function unrecognized(option: string, strategy: string, keyspace: string): ConfigurationError {
  return new ConfigurationError(
    `Unrecognized strategy option {${option}} passed to ${strategy} for keyspace ${keyspace}`,
  );
}

export function sortedRecord(record: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
