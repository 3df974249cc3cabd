/** The retry and reconnection policies decide without IO: each decision is a table row here. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../cql/protocol/index.js';
import {
  BusyConnectionError,
  ConnectionError,
  OperationTimedOutError,
  ResponseError,
} from '../../driver/errors.js';
import { reconnectDelayMs } from '../../driver/reconnection-policy.js';
import { failureOf } from '../../driver/request-execution.js';
import { decideRetry, type RequestFailure } from '../../driver/retry-policy.js';

const first = { retries: 0, idempotent: false };
const second = { retries: 1, idempotent: false };
const sameHost = { kind: 'retry', sameHost: true };
const nextHost = { kind: 'retry', sameHost: false };
const rethrow = { kind: 'rethrow' };

describe('retry policy (DataStax default)', () => {
  const readTimeout = (received: number, blockFor: number, dataPresent: boolean): RequestFailure => ({
    kind: 'read-timeout',
    received,
    blockFor,
    dataPresent,
  });

  it('retries a read timeout once on the same host when enough replicas replied but not the data one', () => {
    expect(decideRetry(readTimeout(2, 2, false), first)).toEqual(sameHost);
    expect(decideRetry(readTimeout(2, 2, false), second)).toEqual(rethrow);
  });

  it('rethrows a read timeout with too few replies or with the data present', () => {
    expect(decideRetry(readTimeout(1, 2, false), first)).toEqual(rethrow);
    expect(decideRetry(readTimeout(2, 2, true), first)).toEqual(rethrow);
  });

  it('retries a batch-log write timeout once, and no other write timeout', () => {
    expect(decideRetry({ kind: 'write-timeout', writeType: 'BATCH_LOG' }, first)).toEqual(sameHost);
    expect(decideRetry({ kind: 'write-timeout', writeType: 'BATCH_LOG' }, second)).toEqual(rethrow);
    expect(decideRetry({ kind: 'write-timeout', writeType: 'SIMPLE' }, first)).toEqual(rethrow);
    expect(
      decideRetry({ kind: 'write-timeout', writeType: 'SIMPLE' }, { ...first, idempotent: true }),
    ).toEqual(rethrow);
  });

  it('tries the next host once on unavailable', () => {
    expect(decideRetry({ kind: 'unavailable' }, first)).toEqual(nextHost);
    expect(decideRetry({ kind: 'unavailable' }, second)).toEqual(rethrow);
  });

  it('moves an idempotent request to the next host after a request error, never a non-idempotent one', () => {
    expect(decideRetry({ kind: 'request-error' }, { retries: 3, idempotent: true })).toEqual(nextHost);
    expect(decideRetry({ kind: 'request-error' }, first)).toEqual(rethrow);
  });

  it('always moves a request that was never written to the next host', () => {
    expect(decideRetry({ kind: 'not-sent' }, { retries: 7, idempotent: false })).toEqual(nextHost);
  });

  it('rethrows everything else', () => {
    expect(decideRetry({ kind: 'other' }, first)).toEqual(rethrow);
  });
});

describe('failures as the policy sees them', () => {
  const response = (body: ConstructorParameters<typeof ResponseError>[0]) => new ResponseError(body, 'h:1');

  it('classifies server errors by code', () => {
    expect(failureOf(response({ code: ErrorCode.SYNTAX_ERROR, message: 'x' }))).toEqual({ kind: 'other' });
    expect(failureOf(response({ code: ErrorCode.OVERLOADED, message: 'x' }))).toEqual({
      kind: 'request-error',
    });
    expect(
      failureOf(
        response({ code: ErrorCode.UNAVAILABLE, message: 'x', consistency: 'ONE', required: 1, alive: 0 }),
      ),
    ).toEqual({ kind: 'unavailable' });
    expect(
      failureOf(
        response({
          code: ErrorCode.READ_TIMEOUT,
          message: 'x',
          consistency: 'QUORUM',
          received: 2,
          blockFor: 2,
          dataPresent: false,
        }),
      ),
    ).toEqual({ kind: 'read-timeout', received: 2, blockFor: 2, dataPresent: false });
    expect(
      failureOf(
        response({
          code: ErrorCode.WRITE_TIMEOUT,
          message: 'x',
          consistency: 'ONE',
          received: 0,
          blockFor: 1,
          writeType: 'BATCH_LOG',
        }),
      ),
    ).toEqual({ kind: 'write-timeout', writeType: 'BATCH_LOG' });
  });

  it('classifies client-side failures by whether the request was written', () => {
    expect(failureOf(new BusyConnectionError('h:1', 2048))).toEqual({ kind: 'not-sent' });
    expect(failureOf(new ConnectionError('h:1', 'closed', false))).toEqual({ kind: 'not-sent' });
    expect(failureOf(new ConnectionError('h:1', 'reset', true))).toEqual({ kind: 'request-error' });
    expect(failureOf(new OperationTimedOutError('h:1', 100))).toEqual({ kind: 'request-error' });
    expect(failureOf(new Error('bug'))).toEqual({ kind: 'other' });
  });

  it('copies the fields of the error body onto ResponseError', () => {
    const error = response({ code: ErrorCode.ALREADY_EXISTS, message: 'exists', keyspace: 'ks', table: 't' });
    expect(error).toMatchObject({
      name: 'AlreadyExists',
      code: 0x2400,
      keyspace: 'ks',
      table: 't',
      message: 'exists',
    });
  });
});

describe('reconnection backoff', () => {
  it('doubles from the base delay up to the cap', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5, 100].map((n) => reconnectDelayMs(n, options))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });
});
