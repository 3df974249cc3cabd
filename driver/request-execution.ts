/**
 * Running one request along a query plan: borrow a connection from the next host's pool, send,
 * and on failure ask the retry policy whether to try the same host, the next one, or give up.
 * When the plan runs out, the caller gets NoHostAvailableError with every host's error.
 */
import type { DecodedResponse } from '../cql/protocol/index.js';
import type { Connection } from './connection.js';
import { ConnectionError, NoHostAvailableError, OperationTimedOutError, ResponseError } from './errors.js';
import { decideRetry, failureOfErrorCode, type RequestFailure } from './retry-policy.js';

export interface PoolLookup {
  /** A connection to lend at once, if there is one (no promise); else `borrow` is used. */
  tryBorrow(hostKey: string): Connection | undefined;
  borrow(hostKey: string): Promise<Connection>;
}

export interface Outcome {
  readonly response: DecodedResponse;
  readonly host: string;
  /** Hosts that failed before `host` answered. */
  readonly tried: ReadonlyMap<string, Error>;
}

/** Shared by every outcome that succeeded at the first host (the common case): nothing to allocate. */
const NOTHING_TRIED: ReadonlyMap<string, Error> = new Map();

/** How an error looks to the retry policy. */
export function failureOf(error: unknown): RequestFailure {
  if (error instanceof ResponseError) return failureOfErrorCode(error.code, error);
  if (error instanceof ConnectionError)
    return error.requestWritten ? { kind: 'request-error' } : { kind: 'not-sent' };
  if (error instanceof OperationTimedOutError) return { kind: 'request-error' };
  return { kind: 'other' };
}

export async function executeOnPlan(
  plan: readonly string[],
  pools: PoolLookup,
  send: (connection: Connection) => Promise<DecodedResponse>,
  idempotent: boolean,
): Promise<Outcome> {
  let tried: Map<string, Error> | undefined;
  let retries = 0;
  let index = 0;
  while (index < plan.length) {
    const host = plan[index]!;
    try {
      const connection = pools.tryBorrow(host) ?? (await pools.borrow(host));
      const response = await send(connection);
      return { response, host, tried: tried ?? NOTHING_TRIED };
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      tried ??= new Map();
      tried.set(host, error);
      const failure = failureOf(error);
      const decision = decideRetry(failure, { retries, idempotent });
      if (decision.kind === 'rethrow') throw error;
      // A request that never left counts as no retry: it has not been seen by any server.
      if (failure.kind !== 'not-sent') retries++;
      if (!decision.sameHost) index++;
    }
  }
  throw new NoHostAvailableError(tried ?? new Map());
}
