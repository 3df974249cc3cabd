/**
 * Requests awaiting responses: request ids, and their timeouts without one timer per request.
 * Requests with the same timeout expire in the order they were made, so each timeout value keeps
 * an insertion-ordered bucket and one timer waits for the earliest head of all buckets.
 */
import { assert } from '../../common/errors.js';
import type { Scheduler, TimerHandle } from '../sim/scheduler.js';
import { MessageTimeoutError, MessagingOverloadedError } from './errors.js';
import type { PeerAddress } from './transport.js';

export interface PendingRequest {
  readonly id: number;
  readonly peer: PeerAddress;
  readonly verb: number;
  readonly timeoutMs: number;
  readonly expiresAtMs: number;
  readonly resolve: (payload: unknown) => void;
  readonly reject: (error: Error) => void;
}

const MAX_REQUEST_ID = 0xffff_ffff;

export class PendingRequests {
  private readonly byId = new Map<number, PendingRequest>();
  private readonly buckets = new Map<number, Map<number, PendingRequest>>();
  private nextId = 1;
  private timer: TimerHandle | undefined;
  private timerDueMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly maxPending: number,
    private readonly onTimeout: (request: PendingRequest) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Registers a request; throws MESSAGING_OVERLOADED past the limit. */
  add(peer: PeerAddress, verb: number, timeoutMs: number): { id: number; response: Promise<unknown> } {
    if (this.byId.size >= this.maxPending) throw new MessagingOverloadedError(this.byId.size);
    const id = this.allocateId();
    const expiresAtMs = this.scheduler.nowMs() + timeoutMs;
    let request: PendingRequest | undefined;
    const response = new Promise<unknown>((resolve, reject) => {
      request = { id, peer, verb, timeoutMs, expiresAtMs, resolve, reject };
    });
    assert(request, 'promise executors run synchronously');
    this.byId.set(id, request);
    let bucket = this.buckets.get(timeoutMs);
    if (!bucket) this.buckets.set(timeoutMs, (bucket = new Map()));
    bucket.set(id, request);
    if (expiresAtMs < this.timerDueMs) this.armTimer(expiresAtMs);
    return { id, response };
  }

  /** Removes and returns the request with this id (undefined if it already timed out). */
  take(id: number): PendingRequest | undefined {
    const request = this.byId.get(id);
    if (!request) return undefined;
    this.byId.delete(id);
    this.buckets.get(request.timeoutMs)?.delete(id);
    if (this.byId.size === 0) this.disarmTimer(); // nothing left to time out: no idle wake-ups
    return request;
  }

  /** Fails every pending request (the service is closing). */
  rejectAll(error: Error): void {
    const all = [...this.byId.values()];
    this.byId.clear();
    this.buckets.clear();
    this.disarmTimer();
    for (const request of all) request.reject(error);
  }

  private allocateId(): number {
    // Ids wrap; one still in use (a request pending for 2^32 ids) is skipped.
    for (;;) {
      const id = this.nextId;
      this.nextId = id === MAX_REQUEST_ID ? 1 : id + 1;
      if (!this.byId.has(id)) return id;
    }
  }

  private disarmTimer(): void {
    if (this.timer) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = Number.POSITIVE_INFINITY;
  }

  private armTimer(dueMs: number): void {
    if (this.timer) this.scheduler.clearTimeout(this.timer);
    this.timerDueMs = dueMs;
    this.timer = this.scheduler.setTimeout(() => this.expire(), Math.max(0, dueMs - this.scheduler.nowMs()));
  }

  private expire(): void {
    this.timer = undefined;
    this.timerDueMs = Number.POSITIVE_INFINITY;
    const now = this.scheduler.nowMs();
    const expired: PendingRequest[] = [];
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [timeoutMs, bucket] of this.buckets) {
      for (const request of bucket.values()) {
        if (request.expiresAtMs > now) {
          nextDue = Math.min(nextDue, request.expiresAtMs);
          break;
        }
        expired.push(request);
      }
      for (const request of expired) bucket.delete(request.id);
      if (bucket.size === 0) this.buckets.delete(timeoutMs);
    }
    for (const request of expired) {
      this.byId.delete(request.id);
      this.onTimeout(request);
      request.reject(new MessageTimeoutError(request.peer, request.verb, request.timeoutMs));
    }
    if (nextDue !== Number.POSITIVE_INFINITY) this.armTimer(nextDue);
  }
}
