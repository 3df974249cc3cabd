/**
 * <change_type><target><options> of a SCHEMA_CHANGE event and a Schema_change result (spec 4.2.6),
 * in the v4 form: targets KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE.
 */
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { ProtocolError } from './protocol-error.js';

export type SchemaChangeType = 'CREATED' | 'UPDATED' | 'DROPPED';

export type SchemaChange =
  | { readonly change: SchemaChangeType; readonly target: 'KEYSPACE'; readonly keyspace: string }
  | {
      readonly change: SchemaChangeType;
      readonly target: 'TABLE' | 'TYPE';
      readonly keyspace: string;
      /** The table or user type. */
      readonly name: string;
    }
  | {
      readonly change: SchemaChangeType;
      readonly target: 'FUNCTION' | 'AGGREGATE';
      readonly keyspace: string;
      readonly name: string;
      /** One CQL type name per argument. */
      readonly argumentTypes: readonly string[];
    };

const CHANGE_TYPES: readonly SchemaChangeType[] = ['CREATED', 'UPDATED', 'DROPPED'];

export function writeSchemaChange(writer: BodyWriter, change: SchemaChange): void {
  writer.string(change.change).string(change.target).string(change.keyspace);
  switch (change.target) {
    case 'KEYSPACE':
      return;
    case 'TABLE':
    case 'TYPE':
      writer.string(change.name);
      return;
    case 'FUNCTION':
    case 'AGGREGATE':
      writer.string(change.name).stringList(change.argumentTypes);
      return;
  }
}

export function readSchemaChange(reader: BodyReader): SchemaChange {
  const changeName = reader.string();
  const change = CHANGE_TYPES.find((c) => c === changeName);
  if (change === undefined) throw new ProtocolError(`Unknown schema change type ${changeName}`);
  const target = reader.string();
  const keyspace = reader.string();
  switch (target) {
    case 'KEYSPACE':
      return { change, target, keyspace };
    case 'TABLE':
    case 'TYPE':
      return { change, target, keyspace, name: reader.string() };
    case 'FUNCTION':
    case 'AGGREGATE': {
      const name = reader.string();
      return { change, target, keyspace, name, argumentTypes: reader.stringList() };
    }
    default:
      throw new ProtocolError(`Unknown schema change target ${target}`);
  }
}
