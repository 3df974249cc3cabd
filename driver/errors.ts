/**
 * The errors a Client call can end with. Classify by class and by `code` (the protocol's error
 * code for server errors), never by message text (STYLE.md §7):
 * - `ResponseError`: the server answered ERROR; `code` is spec §9's code, plus the fields of that code;
 * - `NoHostAvailableError`: every host of the query plan failed; `innerErrors` says why, per host;
 * - `OperationTimedOutError`: no answer within `readTimeoutMs` (the request may still be applied);
 * - `ConnectionError`: a socket failed or closed; `requestWritten` says whether the request left;
 * - `ArgumentError`: a parameter cannot be encoded, or options are wrong; nothing was sent;
 * - `DriverError`: the base of all of them, and the error of a misuse (for example a closed client).
 */
import { type ErrorBody, ErrorCode } from '../cql/protocol/index.js';

export class DriverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DriverError';
  }
}

export class ArgumentError extends DriverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArgumentError';
  }
}

export class ConnectionError extends DriverError {
  constructor(
    readonly endpoint: string,
    message: string,
    /** False when the request never reached the socket: then it is safe to send it elsewhere. */
    readonly requestWritten = true,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint}: ${message}`, options);
    this.name = 'ConnectionError';
  }
}

/** A connection with no free stream id (or at its in-flight limit): the request was not written. */
export class BusyConnectionError extends ConnectionError {
  constructor(endpoint: string, inFlight: number) {
    super(endpoint, `connection busy (${inFlight} requests in flight)`, false);
    this.name = 'BusyConnectionError';
  }
}

export class OperationTimedOutError extends DriverError {
  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {
    super(`${endpoint}: the host did not reply within ${timeoutMs} ms`);
    this.name = 'OperationTimedOutError';
  }
}

/** Names by code, as the DataStax drivers and cqlsh call them (`SyntaxException` → `SyntaxError`). */
const NAMES: Readonly<Record<number, string>> = {
  [ErrorCode.SERVER_ERROR]: 'ServerError',
  [ErrorCode.PROTOCOL_ERROR]: 'ProtocolError',
  [ErrorCode.AUTHENTICATION_ERROR]: 'AuthenticationError',
  [ErrorCode.UNAVAILABLE]: 'Unavailable',
  [ErrorCode.OVERLOADED]: 'Overloaded',
  [ErrorCode.IS_BOOTSTRAPPING]: 'IsBootstrapping',
  [ErrorCode.TRUNCATE_ERROR]: 'TruncateError',
  [ErrorCode.WRITE_TIMEOUT]: 'WriteTimeout',
  [ErrorCode.READ_TIMEOUT]: 'ReadTimeout',
  [ErrorCode.READ_FAILURE]: 'ReadFailure',
  [ErrorCode.FUNCTION_FAILURE]: 'FunctionFailure',
  [ErrorCode.WRITE_FAILURE]: 'WriteFailure',
  [ErrorCode.SYNTAX_ERROR]: 'SyntaxError',
  [ErrorCode.UNAUTHORIZED]: 'Unauthorized',
  [ErrorCode.INVALID]: 'InvalidRequest',
  [ErrorCode.CONFIG_ERROR]: 'ConfigurationError',
  [ErrorCode.ALREADY_EXISTS]: 'AlreadyExists',
  [ErrorCode.UNPREPARED]: 'Unprepared',
};

/** The name of a server error code (`InvalidRequest` for 0x2200). */
export function errorCodeName(code: number): string {
  return NAMES[code] ?? `Error0x${code.toString(16)}`;
}

/**
 * An ERROR answer of the server: `code` (spec §9) and, copied from the body, the fields that code
 * carries (`consistency`, `required`, `alive`, `received`, `blockFor`, `writeType`, `dataPresent`,
 * `numFailures`, `keyspace`, `table`, `functionName`, `argumentTypes`, `id`). `body` keeps the
 * typed union for exhaustive handling.
 */
export class ResponseError extends DriverError {
  readonly code: number;
  readonly consistency?: string;
  readonly required?: number;
  readonly alive?: number;
  readonly received?: number;
  readonly blockFor?: number;
  readonly writeType?: string;
  readonly dataPresent?: boolean;
  readonly numFailures?: number;
  readonly keyspace?: string;
  readonly table?: string;
  readonly functionName?: string;
  readonly argumentTypes?: readonly string[];
  /** The prepared statement id an UNPREPARED refers to. */
  readonly id?: Uint8Array;

  constructor(
    readonly body: ErrorBody,
    /** The host that answered, as `address:port`. */
    readonly endpoint: string,
  ) {
    super(body.message);
    this.name = errorCodeName(body.code);
    this.code = body.code;
    Object.assign(this, body);
  }
}

/** Every host of the query plan was tried and failed (or there was none). */
export class NoHostAvailableError extends DriverError {
  constructor(readonly innerErrors: ReadonlyMap<string, Error>) {
    super(noHostMessage(innerErrors));
    this.name = 'NoHostAvailableError';
  }
}

function noHostMessage(innerErrors: ReadonlyMap<string, Error>): string {
  if (innerErrors.size === 0) return 'No host available: the query plan is empty (every host is down)';
  const reasons = [...innerErrors].slice(0, 3).map(([host, error]) => `${host}: ${error.message}`);
  const more = innerErrors.size > 3 ? ` (and ${innerErrors.size - 3} more)` : '';
  return `All host(s) tried for query failed. ${reasons.join('; ')}${more}`;
}
