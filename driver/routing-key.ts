/**
 * The token a statement's partition lives at, for token-aware routing: the partition-key values
 * (at the PREPARED result's partition-key indexes, or given as `routingKey`) serialized as
 * Cassandra does (CompositeType for several columns) and hashed with Cassandra's Murmur3. Pure.
 */
import type { ProtocolValue } from '../cql/protocol/index.js';
import { serializePartitionKey } from '../ring/composite-key.js';
import { getToken } from '../ring/murmur3-partitioner.js';
import type { Token } from '../ring/token.js';

/** The routing key of bound values, or undefined when a partition-key value is missing or null. */
export function routingKeyOf(
  values: readonly ProtocolValue[],
  partitionKeyIndexes: readonly number[],
): Uint8Array | undefined {
  if (partitionKeyIndexes.length === 0) return undefined;
  const components: Uint8Array[] = [];
  for (const index of partitionKeyIndexes) {
    const value = values[index];
    if (!(value instanceof Uint8Array)) return undefined;
    components.push(value);
  }
  return componentsToKey(components);
}

/** A routing key given by the caller: the serialized key, or its components in order. */
export function explicitRoutingKey(key: Uint8Array | readonly Uint8Array[]): Uint8Array | undefined {
  if (key instanceof Uint8Array) return key;
  return key.length === 0 ? undefined : componentsToKey(key);
}

function componentsToKey(components: readonly Uint8Array[]): Uint8Array | undefined {
  // A component over 64 KiB cannot be a CompositeType part; such a statement is routed by the plan only.
  if (components.length > 1 && components.some((c) => c.length > 0xffff)) return undefined;
  return serializePartitionKey(components);
}

export function tokenOfRoutingKey(key: Uint8Array): Token {
  return getToken(key);
}
