/**
 * ERROR bodies (spec 4.2.1 and 9): an [int] code, a [string] message, then the fields of that code.
 * `errorBodyFrom` turns the typed errors of cql/errors.ts into a body, so the server never reads
 * messages to pick a code (STYLE.md §7).
 */
import { SibylError } from '../../common/errors.js';
import {
  AlreadyExistsError,
  type ConsistencyName,
  ReadFailureError,
  ReadTimeoutError,
  UnavailableError,
  UnpreparedError,
  WriteFailureError,
  WriteTimeoutError,
  type WriteType,
} from '../errors.js';
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { ErrorCode } from './constants.js';
import { ProtocolError } from './protocol-error.js';

type Codes = typeof ErrorCode;

/** Codes whose body is only the message. */
export type PlainErrorCode =
  | Codes['SERVER_ERROR']
  | Codes['PROTOCOL_ERROR']
  | Codes['AUTHENTICATION_ERROR']
  | Codes['OVERLOADED']
  | Codes['IS_BOOTSTRAPPING']
  | Codes['TRUNCATE_ERROR']
  | Codes['SYNTAX_ERROR']
  | Codes['UNAUTHORIZED']
  | Codes['INVALID']
  | Codes['CONFIG_ERROR'];

interface Replicas {
  readonly consistency: ConsistencyName;
  readonly received: number;
  readonly blockFor: number;
}

export type ErrorBody =
  | { readonly code: PlainErrorCode; readonly message: string }
  | {
      readonly code: Codes['UNAVAILABLE'];
      readonly message: string;
      readonly consistency: ConsistencyName;
      readonly required: number;
      readonly alive: number;
    }
  | ({
      readonly code: Codes['WRITE_TIMEOUT'];
      readonly message: string;
      readonly writeType: WriteType;
    } & Replicas)
  | ({
      readonly code: Codes['READ_TIMEOUT'];
      readonly message: string;
      readonly dataPresent: boolean;
    } & Replicas)
  | ({
      readonly code: Codes['READ_FAILURE'];
      readonly message: string;
      /** v4 sends a count; the per-replica reason map is v5's. */
      readonly numFailures: number;
      readonly dataPresent: boolean;
    } & Replicas)
  | ({
      readonly code: Codes['WRITE_FAILURE'];
      readonly message: string;
      readonly numFailures: number;
      readonly writeType: WriteType;
    } & Replicas)
  | {
      readonly code: Codes['FUNCTION_FAILURE'];
      readonly message: string;
      readonly keyspace: string;
      readonly functionName: string;
      readonly argumentTypes: readonly string[];
    }
  | {
      readonly code: Codes['ALREADY_EXISTS'];
      readonly message: string;
      readonly keyspace: string;
      /** Empty when a keyspace already exists. */
      readonly table: string;
    }
  | { readonly code: Codes['UNPREPARED']; readonly message: string; readonly id: Uint8Array };

const WRITE_TYPES: readonly WriteType[] = [
  'SIMPLE',
  'BATCH',
  'UNLOGGED_BATCH',
  'COUNTER',
  'BATCH_LOG',
  'CAS',
  'VIEW',
  'CDC',
];

const PLAIN_CODES = new Set<number>([
  ErrorCode.SERVER_ERROR,
  ErrorCode.PROTOCOL_ERROR,
  ErrorCode.AUTHENTICATION_ERROR,
  ErrorCode.OVERLOADED,
  ErrorCode.IS_BOOTSTRAPPING,
  ErrorCode.TRUNCATE_ERROR,
  ErrorCode.SYNTAX_ERROR,
  ErrorCode.UNAUTHORIZED,
  ErrorCode.INVALID,
  ErrorCode.CONFIG_ERROR,
]);

export function writeErrorBody(writer: BodyWriter, error: ErrorBody): void {
  writer.int(error.code).string(error.message);
  switch (error.code) {
    case ErrorCode.UNAVAILABLE:
      writer.consistency(error.consistency).int(error.required).int(error.alive);
      return;
    case ErrorCode.WRITE_TIMEOUT:
      writeReplicas(writer, error).string(error.writeType);
      return;
    case ErrorCode.READ_TIMEOUT:
      writeReplicas(writer, error).byte(error.dataPresent ? 1 : 0);
      return;
    case ErrorCode.READ_FAILURE:
      writeReplicas(writer, error)
        .int(error.numFailures)
        .byte(error.dataPresent ? 1 : 0);
      return;
    case ErrorCode.WRITE_FAILURE:
      writeReplicas(writer, error).int(error.numFailures).string(error.writeType);
      return;
    case ErrorCode.FUNCTION_FAILURE:
      writer.string(error.keyspace).string(error.functionName).stringList(error.argumentTypes);
      return;
    case ErrorCode.ALREADY_EXISTS:
      writer.string(error.keyspace).string(error.table);
      return;
    case ErrorCode.UNPREPARED:
      writer.shortBytes(error.id);
      return;
    default:
      return;
  }
}

function writeReplicas(writer: BodyWriter, replicas: Replicas): BodyWriter {
  return writer.consistency(replicas.consistency).int(replicas.received).int(replicas.blockFor);
}

export function readErrorBody(reader: BodyReader): ErrorBody {
  const code = reader.int();
  const message = reader.string();
  switch (code) {
    case ErrorCode.UNAVAILABLE: {
      const consistency = reader.consistency();
      const required = reader.int();
      return { code, message, consistency, required, alive: reader.int() };
    }
    case ErrorCode.WRITE_TIMEOUT: {
      const replicas = readReplicas(reader);
      return { code, message, ...replicas, writeType: readWriteType(reader) };
    }
    case ErrorCode.READ_TIMEOUT: {
      const replicas = readReplicas(reader);
      return { code, message, ...replicas, dataPresent: reader.byte() !== 0 };
    }
    case ErrorCode.READ_FAILURE: {
      const replicas = readReplicas(reader);
      const numFailures = reader.int();
      return { code, message, ...replicas, numFailures, dataPresent: reader.byte() !== 0 };
    }
    case ErrorCode.WRITE_FAILURE: {
      const replicas = readReplicas(reader);
      const numFailures = reader.int();
      return { code, message, ...replicas, numFailures, writeType: readWriteType(reader) };
    }
    default:
      return readOtherError(reader, code, message);
  }
}

function readOtherError(reader: BodyReader, code: number, message: string): ErrorBody {
  switch (code) {
    case ErrorCode.FUNCTION_FAILURE: {
      const keyspace = reader.string();
      const functionName = reader.string();
      return { code, message, keyspace, functionName, argumentTypes: reader.stringList() };
    }
    case ErrorCode.ALREADY_EXISTS: {
      const keyspace = reader.string();
      return { code, message, keyspace, table: reader.string() };
    }
    case ErrorCode.UNPREPARED:
      return { code, message, id: reader.shortBytes() };
    default:
      if (!PLAIN_CODES.has(code)) throw new ProtocolError(`Unknown error code 0x${code.toString(16)}`);
      return { code: code as PlainErrorCode, message };
  }
}

function readReplicas(reader: BodyReader): Replicas {
  const consistency = reader.consistency();
  const received = reader.int();
  return { consistency, received, blockFor: reader.int() };
}

function readWriteType(reader: BodyReader): WriteType {
  const name = reader.string();
  const writeType = WRITE_TYPES.find((t) => t === name);
  if (writeType === undefined) throw new ProtocolError(`Unknown write type ${name}`);
  return writeType;
}

/**
 * The ERROR body for an error a request ended with: the typed errors carry their code and fields;
 * anything else is a Server error (a bug), reported by its message as Cassandra does.
 */
export function errorBodyFrom(error: unknown): ErrorBody {
  if (error instanceof UnavailableError) {
    const { consistency, required, alive, message } = error;
    return { code: ErrorCode.UNAVAILABLE, message, consistency, required, alive };
  }
  if (error instanceof WriteTimeoutError) {
    const { consistency, received, blockFor, writeType, message } = error;
    return { code: ErrorCode.WRITE_TIMEOUT, message, consistency, received, blockFor, writeType };
  }
  if (error instanceof ReadTimeoutError) {
    const { consistency, received, blockFor, dataPresent, message } = error;
    return { code: ErrorCode.READ_TIMEOUT, message, consistency, received, blockFor, dataPresent };
  }
  if (error instanceof ReadFailureError) {
    const { consistency, received, blockFor, numFailures, dataPresent, message } = error;
    return {
      code: ErrorCode.READ_FAILURE,
      message,
      consistency,
      received,
      blockFor,
      numFailures,
      dataPresent,
    };
  }
  if (error instanceof WriteFailureError) {
    const { consistency, received, blockFor, numFailures, writeType, message } = error;
    return {
      code: ErrorCode.WRITE_FAILURE,
      message,
      consistency,
      received,
      blockFor,
      numFailures,
      writeType,
    };
  }
  if (error instanceof AlreadyExistsError) {
    return {
      code: ErrorCode.ALREADY_EXISTS,
      message: error.message,
      keyspace: error.keyspace,
      table: error.table,
    };
  }
  if (error instanceof UnpreparedError)
    return { code: ErrorCode.UNPREPARED, message: error.message, id: error.id };
  if (
    error instanceof SibylError &&
    'protocolCode' in error &&
    PLAIN_CODES.has(error.protocolCode as number)
  ) {
    return { code: error.protocolCode as PlainErrorCode, message: error.message };
  }
  // Cassandra sends an unexpected exception's toString(): its class and message.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: ErrorCode.SERVER_ERROR, message };
}
