/**
 * A partition key typed as text, as `nodetool getendpoints` takes it: each column's value in its
 * type's string form (Cassandra's `AbstractType.fromString`), the columns of a composite key joined
 * by ':' with a literal colon written `\:` (CompositeType.fromString). Pure.
 */
import { SibylError } from '../../common/errors.js';
import type { TableMetadata } from '../../cql/schema/index.js';
import { cqlTypeName, fromString, MarshalError } from '../../cql/types/index.js';
import { serializePartitionKey } from '../../ring/composite-key.js';
import { badRequest } from './admin-router.js';

/** The serialized partition key (what the token is computed from) for `text`. */
export function partitionKeyFromText(table: TableMetadata, text: string): Uint8Array {
  const columns = table.partitionKey;
  const parts = columns.length === 1 ? [text] : splitComposite(text);
  if (parts.length !== columns.length) {
    const names = columns.map((c) => c.name).join(':');
    throw badRequest(
      `Invalid key '${text}' for ${table.keyspace}.${table.name}: its partition key has ${columns.length} columns (${names}), separated by ':'`,
      'INVALID_KEY',
    );
  }
  const components = columns.map((column, i) => componentFromText(column.type, parts[i]!, column.name));
  try {
    return serializePartitionKey(components);
  } catch (error) {
    if (error instanceof SibylError && error.code === 'INVALID_PARTITION_KEY')
      throw badRequest(error.message, 'INVALID_KEY');
    throw error;
  }
}

function componentFromText(
  type: TableMetadata['partitionKey'][number]['type'],
  text: string,
  column: string,
): Uint8Array {
  if (type.kind !== 'native')
    throw badRequest(
      `Cannot parse a key of type ${cqlTypeName(type)} (column ${column}) from text; only native types are supported`,
      'INVALID_KEY',
    );
  try {
    return fromString(type.name, text);
  } catch (error) {
    if (error instanceof MarshalError) throw badRequest(error.message, 'INVALID_KEY');
    throw error;
  }
}

/** Splits on ':' not preceded by '\', and unescapes `\:` in each part (CompositeType's rules). */
export function splitComposite(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && text[i + 1] === ':') {
      current += ':';
      i++;
    } else if (char === ':') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
