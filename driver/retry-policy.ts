/**
 * What to do when a request fails, as the DataStax drivers' default retry policy decides
 * (lib/policies/retry.js, lib/request-execution.js). Pure (STYLE.md §2): a decision from the
 * failure and the retries so far; the request handler performs it.
 *
 * - Read timeout with enough replies but the data replica silent → retry once on the same host
 *   (the data is likely there now).
 * - Write timeout on the batch log → retry once on the same host: the batch log write failed, so
 *   the batch was not applied and retrying cannot apply it twice. Other write timeouts rethrow
 *   (a write may have been applied; only the application knows whether repeating it is safe).
 * - Unavailable → once, on the next host (another coordinator may see more replicas alive).
 * - Overloaded, bootstrapping, truncate error, a socket failure after the request was written or a
 *   client-side timeout → next host, only for idempotent requests.
 * - A request that never left the client (no connection, busy connection) → next host, always.
 * - Anything else (syntax, invalid, already exists, …) → rethrow.
 */
import { ErrorCode } from '../cql/protocol/index.js';

export type RetryDecision =
  | { readonly kind: 'retry'; readonly sameHost: boolean }
  | { readonly kind: 'rethrow' };

/** The failure as the policy sees it: only what it decides on. */
export type RequestFailure =
  | {
      readonly kind: 'read-timeout';
      readonly received: number;
      readonly blockFor: number;
      readonly dataPresent: boolean;
    }
  | { readonly kind: 'write-timeout'; readonly writeType: string }
  | { readonly kind: 'unavailable' }
  /** Overloaded, bootstrapping, truncate error; socket error or client timeout after writing. */
  | { readonly kind: 'request-error' }
  /** The request was never written (no connection, busy, socket closed before the write). */
  | { readonly kind: 'not-sent' }
  | { readonly kind: 'other' };

export interface RetryContext {
  /** Retries already made for this request (on any host). */
  readonly retries: number;
  readonly idempotent: boolean;
}

const RETHROW: RetryDecision = { kind: 'rethrow' };
const SAME_HOST: RetryDecision = { kind: 'retry', sameHost: true };
const NEXT_HOST: RetryDecision = { kind: 'retry', sameHost: false };

export function decideRetry(failure: RequestFailure, context: RetryContext): RetryDecision {
  switch (failure.kind) {
    case 'not-sent':
      return NEXT_HOST;
    case 'read-timeout':
      if (context.retries > 0) return RETHROW;
      return failure.received >= failure.blockFor && !failure.dataPresent ? SAME_HOST : RETHROW;
    case 'write-timeout':
      return context.retries === 0 && failure.writeType === 'BATCH_LOG' ? SAME_HOST : RETHROW;
    case 'unavailable':
      return context.retries === 0 ? NEXT_HOST : RETHROW;
    case 'request-error':
      return context.idempotent ? NEXT_HOST : RETHROW;
    case 'other':
      return RETHROW;
  }
}

/** The failure kind of a server error code (UNPREPARED is handled before the policy is asked). */
export function failureOfErrorCode(
  code: number,
  fields: { received?: number; blockFor?: number; dataPresent?: boolean; writeType?: string },
): RequestFailure {
  switch (code) {
    case ErrorCode.READ_TIMEOUT:
      return {
        kind: 'read-timeout',
        received: fields.received ?? 0,
        blockFor: fields.blockFor ?? 0,
        dataPresent: fields.dataPresent ?? false,
      };
    case ErrorCode.WRITE_TIMEOUT:
      return { kind: 'write-timeout', writeType: fields.writeType ?? 'SIMPLE' };
    case ErrorCode.UNAVAILABLE:
      return { kind: 'unavailable' };
    case ErrorCode.OVERLOADED:
    case ErrorCode.IS_BOOTSTRAPPING:
    case ErrorCode.TRUNCATE_ERROR:
      return { kind: 'request-error' };
    default:
      return { kind: 'other' };
  }
}
