/**
 * <query_parameters> of QUERY and EXECUTE (spec 4.1.4). Flags are derived from which fields are
 * present, so a decoded message re-encodes to the same bytes.
 */
import { assert } from '../../common/errors.js';
import type { ConsistencyName } from '../errors.js';
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { QueryFlag } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import type { ProtocolValue } from './values.js';

export interface QueryParameters {
  readonly consistency: ConsistencyName;
  /** Bound values (flag 0x01); absent when the flag is not set. */
  readonly values?: readonly ProtocolValue[];
  /** Names of the values, one per value (flag 0x40). */
  readonly valueNames?: readonly string[];
  /** Flag 0x02: the client has the result metadata already. */
  readonly skipMetadata: boolean;
  readonly pageSize?: number;
  readonly pagingState?: Uint8Array;
  readonly serialConsistency?: ConsistencyName;
  /** Microseconds since the epoch (flag 0x20). */
  readonly defaultTimestamp?: bigint;
}

const KNOWN_FLAGS = Object.values(QueryFlag).reduce((all, flag) => all | flag, 0);

function flagsOf(parameters: QueryParameters): number {
  let flags = 0;
  if (parameters.values !== undefined) flags |= QueryFlag.VALUES;
  if (parameters.skipMetadata) flags |= QueryFlag.SKIP_METADATA;
  if (parameters.pageSize !== undefined) flags |= QueryFlag.PAGE_SIZE;
  if (parameters.pagingState !== undefined) flags |= QueryFlag.PAGING_STATE;
  if (parameters.serialConsistency !== undefined) flags |= QueryFlag.SERIAL_CONSISTENCY;
  if (parameters.defaultTimestamp !== undefined) flags |= QueryFlag.DEFAULT_TIMESTAMP;
  if (parameters.valueNames !== undefined) flags |= QueryFlag.NAMES_FOR_VALUES;
  return flags;
}

export function writeQueryParameters(writer: BodyWriter, parameters: QueryParameters): void {
  const { values, valueNames } = parameters;
  assert(valueNames === undefined || values?.length === valueNames.length, 'one name per bound value');
  writer.consistency(parameters.consistency).byte(flagsOf(parameters));
  if (values !== undefined) {
    writer.short(values.length);
    values.forEach((value, i) => {
      if (valueNames !== undefined) writer.string(valueNames[i]!);
      writer.value(value);
    });
  }
  if (parameters.pageSize !== undefined) writer.int(parameters.pageSize);
  if (parameters.pagingState !== undefined) writer.bytes(parameters.pagingState);
  if (parameters.serialConsistency !== undefined) writer.consistency(parameters.serialConsistency);
  if (parameters.defaultTimestamp !== undefined) writer.long(parameters.defaultTimestamp);
}

export function readQueryParameters(reader: BodyReader): QueryParameters {
  const consistency = reader.consistency();
  const flags = reader.byte();
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    // v5's 0x80 (keyspace) would be followed by a field v4 does not define: refuse, don't misparse.
    throw new ProtocolError(`Unknown query flags 0x${flags.toString(16)} in protocol v4`);
  }
  const parameters: {
    -readonly [K in keyof QueryParameters]: QueryParameters[K];
  } = { consistency, skipMetadata: (flags & QueryFlag.SKIP_METADATA) !== 0 };
  if ((flags & QueryFlag.VALUES) !== 0) {
    if ((flags & QueryFlag.NAMES_FOR_VALUES) !== 0) {
      const names: string[] = [];
      parameters.values = readNamedValues(reader, names);
      parameters.valueNames = names;
    } else {
      parameters.values = readValues(reader);
    }
  }
  if (flags & QueryFlag.PAGE_SIZE) parameters.pageSize = reader.int();
  if (flags & QueryFlag.PAGING_STATE) {
    // Cassandra reads a null paging state as "first page"; so does Sibyl.
    const pagingState = reader.bytes();
    if (pagingState !== null) parameters.pagingState = pagingState;
  }
  if (flags & QueryFlag.SERIAL_CONSISTENCY) parameters.serialConsistency = reader.consistency();
  if (flags & QueryFlag.DEFAULT_TIMESTAMP) parameters.defaultTimestamp = reader.long();
  return parameters;
}

/** Positional values (every EXECUTE of a prepared statement): one array, sized once. */
function readValues(reader: BodyReader): ProtocolValue[] {
  const count = reader.short();
  reader.checkCount(count, 4, 'bound value');
  const values = new Array<ProtocolValue>(count);
  for (let i = 0; i < count; i++) values[i] = reader.value();
  return values;
}

/** Values with names (flag 0x40): each name precedes its value; the names go to `names`. */
function readNamedValues(reader: BodyReader, names: string[]): ProtocolValue[] {
  const count = reader.short();
  reader.checkCount(count, 6, 'bound value');
  const values: ProtocolValue[] = [];
  for (let i = 0; i < count; i++) {
    names.push(reader.string());
    values.push(reader.value());
  }
  return values;
}
