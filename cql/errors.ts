/**
 * Errors a CQL request can end with, one class per native-protocol error code (spec section 9).
 * Each carries `protocolCode` and exactly the extra fields the protocol's ERROR body sends, so the
 * native server encodes them without looking at the message. Classify by `code`/`protocolCode`,
 * never by message text (STYLE.md §7); messages are Cassandra's own, word for word.
 */
import { SibylError } from '../common/errors.js';
import { CqlSyntaxError } from './parser/syntax-error.js';

export { CqlSyntaxError };

/** Protocol code of a syntax error (the class lives with the parser: `CqlSyntaxError`). */
export const SyntaxErrorCode = 0x2000;

/** Consistency level names as the protocol's [consistency] short maps them (spec section 3). */
export type ConsistencyName =
  | 'ANY'
  | 'ONE'
  | 'TWO'
  | 'THREE'
  | 'QUORUM'
  | 'ALL'
  | 'LOCAL_QUORUM'
  | 'EACH_QUORUM'
  | 'SERIAL'
  | 'LOCAL_SERIAL'
  | 'LOCAL_ONE';

/** The `writeType` string of a WriteTimeout (spec section 9). */
export type WriteType =
  | 'SIMPLE'
  | 'BATCH'
  | 'UNLOGGED_BATCH'
  | 'COUNTER'
  | 'BATCH_LOG'
  | 'CAS'
  | 'VIEW'
  | 'CDC';

/** Common base: every error a client can receive has a protocol code. */
export abstract class CqlRequestError extends SibylError {
  abstract readonly protocolCode: number;
}

/** 0x0000: something unexpected happened on the server. */
export class ServerError extends CqlRequestError {
  readonly protocolCode = 0x0000;
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVER_ERROR', message, options);
    this.name = 'ServerError';
  }
}

/** 0x1000: not enough replicas alive to even try the request. */
export class UnavailableError extends CqlRequestError {
  readonly protocolCode = 0x1000;
  constructor(
    readonly consistency: ConsistencyName,
    readonly required: number,
    readonly alive: number,
    message = `Cannot achieve consistency level ${consistency}`,
  ) {
    super('UNAVAILABLE', message);
    this.name = 'UnavailableError';
  }
}

/** 0x1003: a TRUNCATE could not complete. */
export class TruncateError extends CqlRequestError {
  readonly protocolCode = 0x1003;
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRUNCATE_ERROR', message, options);
    this.name = 'TruncateError';
  }
}

/** 0x1100: too few replicas acknowledged a write in time. */
export class WriteTimeoutError extends CqlRequestError {
  readonly protocolCode = 0x1100;
  constructor(
    readonly consistency: ConsistencyName,
    readonly received: number,
    readonly blockFor: number,
    readonly writeType: WriteType,
    message = `Operation timed out - received only ${received} responses.`,
  ) {
    super('WRITE_TIMEOUT', message);
    this.name = 'WriteTimeoutError';
  }
}

/** 0x1200: too few replicas answered a read in time. */
export class ReadTimeoutError extends CqlRequestError {
  readonly protocolCode = 0x1200;
  constructor(
    readonly consistency: ConsistencyName,
    readonly received: number,
    readonly blockFor: number,
    readonly dataPresent: boolean,
    message = `Operation timed out - received only ${received} responses.`,
  ) {
    super('READ_TIMEOUT', message);
    this.name = 'ReadTimeoutError';
  }
}

/**
 * 0x1300: replicas answered a read with failures, so the consistency level can no longer be met
 * (a replica missing the table during a schema change, a tombstone overwhelm, a corrupt file…).
 */
export class ReadFailureError extends CqlRequestError {
  readonly protocolCode = 0x1300;
  constructor(
    readonly consistency: ConsistencyName,
    readonly received: number,
    readonly blockFor: number,
    readonly numFailures: number,
    readonly dataPresent: boolean,
    detail?: string,
  ) {
    super('READ_FAILURE', failureMessage(received, numFailures, detail));
    this.name = 'ReadFailureError';
  }
}

/** 0x1500: replicas answered a write with failures, so the consistency level can no longer be met. */
export class WriteFailureError extends CqlRequestError {
  readonly protocolCode = 0x1500;
  constructor(
    readonly consistency: ConsistencyName,
    readonly received: number,
    readonly blockFor: number,
    readonly numFailures: number,
    readonly writeType: WriteType,
    detail?: string,
  ) {
    super('WRITE_FAILURE', failureMessage(received, numFailures, detail));
    this.name = 'WriteFailureError';
  }
}

/** Cassandra's RequestFailureException message; `detail` names the reasons (`UNKNOWN_TABLE from …`). */
function failureMessage(received: number, failures: number, detail: string | undefined): string {
  const base = `Operation failed - received ${received} responses and ${failures} failures`;
  return detail ? `${base}: ${detail}` : base;
}

/** 0x2100: the logged-in user may not do this. */
export class UnauthorizedError extends CqlRequestError {
  readonly protocolCode = 0x2100;
  constructor(message: string) {
    super('UNAUTHORIZED', message);
    this.name = 'UnauthorizedError';
  }
}

/** 0x2200: a syntactically valid query that is invalid (Cassandra's InvalidRequestException). */
export class InvalidRequestError extends CqlRequestError {
  readonly protocolCode = 0x2200;
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REQUEST', message, options);
    this.name = 'InvalidRequestError';
  }
}

/** 0x2300: a query that is invalid because of a configuration issue (ConfigurationException). */
export class ConfigurationError extends CqlRequestError {
  readonly protocolCode = 0x2300;
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_ERROR', message, options);
    this.name = 'ConfigurationError';
  }
}

/**
 * 0x2400: a keyspace or table that already exists. `table` is '' for a keyspace, as the protocol
 * sends it (user types also travel here with the type name in `table`, as Cassandra does).
 */
export class AlreadyExistsError extends CqlRequestError {
  readonly protocolCode = 0x2400;
  constructor(
    readonly keyspace: string,
    readonly table: string,
    message: string,
  ) {
    super('ALREADY_EXISTS', message);
    this.name = 'AlreadyExistsError';
  }
}

/** 0x2500: an EXECUTE for a prepared id this node does not know. `id` is the raw statement id. */
export class UnpreparedError extends CqlRequestError {
  readonly protocolCode = 0x2500;
  constructor(
    readonly id: Uint8Array,
    message: string,
  ) {
    super('UNPREPARED', message);
    this.name = 'UnpreparedError';
  }
}
