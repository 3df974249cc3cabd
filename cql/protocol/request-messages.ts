/** The request messages a client sends (spec 4.1): their JS form and their body codecs. */
import { assert } from '../../common/errors.js';
import type { ConsistencyName } from '../errors.js';
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import {
  BatchFlag,
  BatchType,
  type BatchTypeName,
  EVENT_TYPES,
  type EventType,
  Opcode,
} from './constants.js';
import { ProtocolError } from './protocol-error.js';
import { type QueryParameters, readQueryParameters, writeQueryParameters } from './query-parameters.js';
import type { ProtocolValue } from './values.js';

export interface StartupMessage {
  readonly type: 'STARTUP';
  /** CQL_VERSION (mandatory), COMPRESSION, and whatever else drivers send (DRIVER_NAME, ...). */
  readonly options: ReadonlyMap<string, string>;
}

export interface AuthResponseMessage {
  readonly type: 'AUTH_RESPONSE';
  readonly token: Uint8Array | null;
}

export interface OptionsMessage {
  readonly type: 'OPTIONS';
}

export interface QueryMessage {
  readonly type: 'QUERY';
  readonly query: string;
  readonly parameters: QueryParameters;
}

export interface PrepareMessage {
  readonly type: 'PREPARE';
  readonly query: string;
}

export interface ExecuteMessage {
  readonly type: 'EXECUTE';
  readonly id: Uint8Array;
  readonly parameters: QueryParameters;
}

/**
 * One statement of a BATCH: a query string or a prepared id, with its bound values. `valueNames`
 * (flag 0x40) is encoded as the spec describes, but the flag follows the values it names, so no
 * server can decode it (CASSANDRA-10246): the decoder refuses it, as Cassandra does.
 */
export type BatchStatement =
  | {
      readonly kind: 'query';
      readonly query: string;
      readonly values: readonly ProtocolValue[];
      readonly valueNames?: readonly string[];
    }
  | {
      readonly kind: 'prepared';
      readonly id: Uint8Array;
      readonly values: readonly ProtocolValue[];
      readonly valueNames?: readonly string[];
    };

export interface BatchMessage {
  readonly type: 'BATCH';
  readonly batchType: BatchTypeName;
  readonly statements: readonly BatchStatement[];
  readonly consistency: ConsistencyName;
  readonly serialConsistency?: ConsistencyName;
  readonly defaultTimestamp?: bigint;
}

export interface RegisterMessage {
  readonly type: 'REGISTER';
  readonly events: readonly EventType[];
}

export type RequestMessage =
  | StartupMessage
  | AuthResponseMessage
  | OptionsMessage
  | QueryMessage
  | PrepareMessage
  | ExecuteMessage
  | BatchMessage
  | RegisterMessage;

export function writeRequestBody(writer: BodyWriter, message: RequestMessage): void {
  switch (message.type) {
    case 'STARTUP':
      writer.stringMap(message.options);
      return;
    case 'AUTH_RESPONSE':
      writer.bytes(message.token);
      return;
    case 'OPTIONS':
      return;
    case 'QUERY':
      writer.longString(message.query);
      writeQueryParameters(writer, message.parameters);
      return;
    case 'PREPARE':
      writer.longString(message.query);
      return;
    case 'EXECUTE':
      writer.shortBytes(message.id);
      writeQueryParameters(writer, message.parameters);
      return;
    case 'BATCH':
      writeBatch(writer, message);
      return;
    case 'REGISTER':
      writer.stringList(message.events);
      return;
  }
}

/** Decodes a request body; `undefined` when the opcode is not a request's. */
export function readRequestBody(opcode: number, reader: BodyReader): RequestMessage | undefined {
  switch (opcode) {
    case Opcode.STARTUP:
      return { type: 'STARTUP', options: reader.stringMap() };
    case Opcode.AUTH_RESPONSE:
      return { type: 'AUTH_RESPONSE', token: reader.bytes() };
    case Opcode.OPTIONS:
      return { type: 'OPTIONS' };
    case Opcode.QUERY: {
      const query = reader.longString();
      return { type: 'QUERY', query, parameters: readQueryParameters(reader) };
    }
    case Opcode.PREPARE:
      return { type: 'PREPARE', query: reader.longString() };
    case Opcode.EXECUTE: {
      const id = reader.shortBytes();
      return { type: 'EXECUTE', id, parameters: readQueryParameters(reader) };
    }
    case Opcode.BATCH:
      return readBatch(reader);
    case Opcode.REGISTER:
      return { type: 'REGISTER', events: reader.stringList().map(eventType) };
    default:
      return undefined;
  }
}

function eventType(name: string): EventType {
  const known = EVENT_TYPES.find((type) => type === name);
  if (known === undefined) throw new ProtocolError(`Invalid value '${name}' for Type`);
  return known;
}

function writeBatch(writer: BodyWriter, message: BatchMessage): void {
  const named = message.statements[0]?.valueNames !== undefined;
  writer.byte(BatchType[message.batchType]).short(message.statements.length);
  for (const statement of message.statements) {
    assert((statement.valueNames !== undefined) === named, 'all or none of the batch statements name values');
    if (statement.kind === 'query') writer.byte(0).longString(statement.query);
    else writer.byte(1).shortBytes(statement.id);
    writer.short(statement.values.length);
    statement.values.forEach((value, i) => {
      if (statement.valueNames !== undefined) writer.string(statement.valueNames[i]!);
      writer.value(value);
    });
  }
  let flags = named ? BatchFlag.NAMES_FOR_VALUES : 0;
  if (message.serialConsistency !== undefined) flags |= BatchFlag.SERIAL_CONSISTENCY;
  if (message.defaultTimestamp !== undefined) flags |= BatchFlag.DEFAULT_TIMESTAMP;
  writer.consistency(message.consistency).byte(flags);
  if (message.serialConsistency !== undefined) writer.consistency(message.serialConsistency);
  if (message.defaultTimestamp !== undefined) writer.long(message.defaultTimestamp);
}

const BATCH_TYPE_NAMES = Object.keys(BatchType) as BatchTypeName[];
const KNOWN_BATCH_FLAGS =
  BatchFlag.SERIAL_CONSISTENCY | BatchFlag.DEFAULT_TIMESTAMP | BatchFlag.NAMES_FOR_VALUES;

function readBatch(reader: BodyReader): BatchMessage {
  const typeCode = reader.byte();
  const batchType = BATCH_TYPE_NAMES[typeCode];
  if (batchType === undefined) throw new ProtocolError(`Invalid BATCH message type ${typeCode}`);
  const count = reader.short();
  reader.checkCount(count, 7, 'batch statement');
  const statements: BatchStatement[] = [];
  for (let i = 0; i < count; i++) statements.push(readStatement(reader));
  const consistency = reader.consistency();
  const flags = reader.byte();
  if ((flags & ~KNOWN_BATCH_FLAGS) !== 0)
    throw new ProtocolError(`Invalid BATCH flags 0x${flags.toString(16)}`);
  if (flags & BatchFlag.NAMES_FOR_VALUES) {
    // The flag follows the values it would name, so no server can parse it (CASSANDRA-10246).
    throw new ProtocolError('Names for values are not supported in BATCH messages (CASSANDRA-10246)');
  }
  const batch: { -readonly [K in keyof BatchMessage]: BatchMessage[K] } = {
    type: 'BATCH',
    batchType,
    statements,
    consistency,
  };
  if (flags & BatchFlag.SERIAL_CONSISTENCY) batch.serialConsistency = reader.consistency();
  if (flags & BatchFlag.DEFAULT_TIMESTAMP) batch.defaultTimestamp = reader.long();
  return batch;
}

function readStatement(reader: BodyReader): BatchStatement {
  const kind = reader.byte();
  if (kind !== 0 && kind !== 1) {
    throw new ProtocolError(`Invalid query kind in BATCH messages. Must be 0 or 1 but got ${kind}`);
  }
  const query = kind === 0 ? reader.longString() : '';
  const id = kind === 1 ? reader.shortBytes() : undefined;
  const count = reader.short();
  reader.checkCount(count, 4, 'bound value');
  const values: ProtocolValue[] = [];
  for (let i = 0; i < count; i++) values.push(reader.value());
  return id === undefined ? { kind: 'query', query, values } : { kind: 'prepared', id, values };
}
