/**
 * Operating errors of `sibyl stress` (STYLE.md §7): a stable code, a message for the user. The
 * command prints `error: MESSAGE` and exits 1; every other error is a bug and is thrown.
 */
import { SibylError } from '../../common/errors.js';

export type StressErrorCode =
  /** A malformed or unsupported cassandra-stress argument; the message names it. */
  | 'INVALID_ARGUMENT'
  /** No node of `-node` could be reached (or the driver refused them, e.g. a data center mismatch). */
  | 'NO_HOST'
  /** Creating the keyspace/table or preparing the statements failed: the run cannot start. */
  | 'SETUP_FAILED'
  /** A read found no row for its key (cassandra-stress: "Data returned was not validated"). */
  | 'NOT_VALIDATED';

export class StressError extends SibylError {
  constructor(
    override readonly code: StressErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'StressError';
  }
}

export class StressArgumentError extends StressError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
    this.name = 'StressArgumentError';
  }
}
