import { SibylError } from '../common/errors.js';

/** A component longer than this cannot be written: its length is an unsigned 16-bit field. */
export const MAX_COMPONENT_BYTES = 0xffff;

const END_OF_COMPONENT = 0x00;

/**
 * Serializes a partition key the way Cassandra does before hashing it, so tokens match:
 * one column is its value's bytes unchanged; several columns are CompositeType, each component
 * written as a 2-byte big-endian length, the bytes, and a 0x00 end-of-component byte.
 * A single component is returned as is (not copied).
 */
export function serializePartitionKey(components: readonly Uint8Array[]): Uint8Array {
  if (components.length === 0) throw new Error('assertion failed: a partition key has at least one column');
  if (components.length === 1) return components[0]!;
  let totalBytes = 0;
  for (const component of components) {
    if (component.length > MAX_COMPONENT_BYTES) {
      throw new SibylError(
        'INVALID_PARTITION_KEY',
        `partition key component of ${component.length} bytes exceeds the maximum of ${MAX_COMPONENT_BYTES}`,
      );
    }
    totalBytes += 3 + component.length;
  }
  const out = new Uint8Array(totalBytes);
  let offset = 0;
  for (const component of components) {
    out[offset] = component.length >>> 8;
    out[offset + 1] = component.length & 0xff;
    out.set(component, offset + 2);
    offset += 2 + component.length;
    out[offset++] = END_OF_COMPONENT;
  }
  if (offset !== totalBytes) throw new Error('assertion failed: composite key size mismatch');
  return out;
}

/**
 * The inverse of `serializePartitionKey` for a key of `componentCount` columns. The components are
 * views into `key` (no copy). Keys arrive from peers, files and clients, so a malformed key is an
 * operating error, not an assertion.
 */
export function splitPartitionKey(key: Uint8Array, componentCount: number): Uint8Array[] {
  if (!(Number.isInteger(componentCount) && componentCount >= 1)) {
    throw new Error(`assertion failed: component count ${componentCount} must be a positive integer`);
  }
  if (componentCount === 1) return [key];
  const components: Uint8Array[] = [];
  let offset = 0;
  while (offset < key.length) {
    if (offset + 2 > key.length) throw malformed(key, offset, 'truncated component length');
    const length = (key[offset]! << 8) | key[offset + 1]!;
    const start = offset + 2;
    const end = start + length;
    if (end + 1 > key.length) throw malformed(key, offset, `component of ${length} bytes overruns the key`);
    if (key[end] !== END_OF_COMPONENT) throw malformed(key, end, `end-of-component byte is ${key[end]}`);
    components.push(key.subarray(start, end));
    offset = end + 1;
  }
  if (components.length !== componentCount) {
    throw malformed(key, offset, `found ${components.length} components, expected ${componentCount}`);
  }
  return components;
}

function malformed(key: Uint8Array, offset: number, detail: string): SibylError {
  return new SibylError(
    'INVALID_PARTITION_KEY',
    `malformed composite partition key of ${key.length} bytes at offset ${offset}: ${detail}`,
  );
}
