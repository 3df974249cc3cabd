/**
 * Streaming on one node: the source side (STREAM_INIT / CHUNK / COMPLETE handlers), the receiving
 * side (`fetch`), and the fetches asked of other nodes (STREAM_FETCH_REQ, answered at once, then
 * REPLICATION_DONE_REQ back when the pull is over) that decommission and removenode use.
 */
import { randomUUID } from 'node:crypto';
import { SibylError } from '../../common/errors.js';
import type { StreamingOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import type { SchemaView } from '../../cql/schema/index.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { IncomingMessage, MessagingService, PeerAddress } from '../messaging/index.js';
import { Verb } from '../messaging/index.js';
import type { AddressedUnit, FetchSummary } from './stream-fetcher.js';
import { StreamFetcher } from './stream-fetcher.js';
import type { ReplicationDone, StreamFetchRequest, StreamReason, WireFetchUnit } from './stream-messages.js';
import { parseFetchRequest, parseReplicationDone, rangesFromWire, rangesToWire } from './stream-messages.js';
import type { StreamSessionInfo } from './stream-sessions.js';
import { StreamSessions } from './stream-sessions.js';
import { StreamSource } from './stream-source.js';

export interface StreamingServiceDeps {
  readonly messaging: MessagingService;
  readonly engine: StorageEngine;
  readonly schema: () => SchemaView;
  readonly options: StreamingOptions;
  /** Our own messaging address (a fetch asked of ourselves runs here, without messages). */
  readonly localAddress: string;
  readonly isAlive: (endpoint: string) => boolean;
  readonly onEndpointDown: (listener: (endpoint: string) => void) => () => void;
  readonly nowMs: () => number;
  readonly log: Logger;
}

interface DoneWaiter {
  resolve(): void;
  reject(error: Error): void;
}

export class StreamingService {
  private readonly sessions: StreamSessions;
  private readonly source: StreamSource;
  private readonly fetcher: StreamFetcher;
  /** REPLICATION_DONE awaited, by `taskId/address`. */
  private readonly waiters = new Map<string, DoneWaiter>();
  private readonly background = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: StreamingServiceDeps) {
    this.sessions = new StreamSessions(deps.nowMs);
    this.source = new StreamSource({ ...deps, sessions: this.sessions });
    this.fetcher = new StreamFetcher({ ...deps, sessions: this.sessions });
    const { messaging } = deps;
    messaging.registerHandler(Verb.STREAM_INIT_REQ, (message) => this.source.init(message));
    messaging.registerHandler(Verb.STREAM_CHUNK_REQ, (message) => this.source.chunk(message));
    messaging.registerHandler(Verb.STREAM_COMPLETE_REQ, (message) => this.source.complete(message));
    messaging.registerHandler(Verb.STREAM_FETCH_REQ, (message) => this.fetchRequested(message));
    messaging.registerHandler(Verb.REPLICATION_DONE_REQ, (message) => this.replicationDone(message));
  }

  /** Sessions under way and the last finished ones (netstats). */
  list(): StreamSessionInfo[] {
    return this.sessions.list();
  }

  /** Pulls the units here (bootstrap, or a fetch another node asked for). */
  fetch(units: readonly AddressedUnit[], reason: StreamReason): Promise<FetchSummary> {
    if (this.closed) return Promise.reject(new SibylError('NODE_CLOSED', 'node is shutting down'));
    return this.fetcher.fetch(units, reason);
  }

  /**
   * Has each gainer (by address) pull its units, and resolves when all report REPLICATION_DONE.
   * Fails if one reports a failure or is marked down before it reports (Cassandra waits forever).
   */
  async requestFetches(
    reason: StreamReason,
    plan: ReadonlyMap<string, readonly AddressedUnit[]>,
    onGainerDone: (gainer: string) => void = () => {},
  ): Promise<void> {
    const taskId = randomUUID();
    const results = await Promise.allSettled(
      [...plan].map(([gainer, units]) =>
        (gainer === this.deps.localAddress
          ? this.fetch(units, reason).then(() => {})
          : this.remoteFetch(gainer, taskId, reason, units)
        ).then(() => onGainerDone(gainer)),
      ),
    );
    const failures = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failures.length > 0) throw failures[0]!.reason;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.values())
      waiter.reject(new SibylError('NODE_CLOSED', 'node is shutting down'));
    this.waiters.clear();
    await this.source.close();
    await Promise.allSettled([...this.background]);
  }

  private async remoteFetch(
    gainer: string,
    taskId: string,
    reason: StreamReason,
    units: readonly AddressedUnit[],
  ): Promise<void> {
    const key = `${taskId}/${gainer}`;
    const done = new Promise<void>((resolve, reject) => this.waiters.set(key, { resolve, reject }));
    const unsubscribe = this.deps.onEndpointDown((endpoint) => {
      if (endpoint === gainer)
        this.settle(
          key,
          new SibylError(
            'STREAM_FAILED',
            `Stream failed: ${gainer} went down before it reported its ${reason} stream done`,
          ),
        );
    });
    try {
      const request: StreamFetchRequest = { taskId, reason, units: toWireUnits(units) };
      await this.deps.messaging.request(gainer as PeerAddress, Verb.STREAM_FETCH_REQ, request);
      this.deps.log.info({ gainer, taskId, reason, ranges: units.length }, 'stream fetch requested');
      await done;
    } catch (error) {
      this.settle(key, error as Error);
      await done.catch(() => {});
      throw error;
    } finally {
      unsubscribe();
      this.waiters.delete(key);
    }
  }

  private settle(key: string, error?: Error): void {
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    this.waiters.delete(key);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  /** STREAM_FETCH_REQ: accepted at once; the pull runs here and REPLICATION_DONE reports its end. */
  private fetchRequested(message: IncomingMessage<unknown>): { accepted: true } {
    if (this.closed) throw new SibylError('NODE_CLOSED', 'node is shutting down');
    const request = parseFetchRequest(message.payload);
    const units: AddressedUnit[] = request.units.flatMap((unit) =>
      rangesFromWire(unit.ranges, 'unit').map((range) => ({
        keyspace: unit.keyspace,
        range,
        sources: unit.sources,
      })),
    );
    const requester = message.from;
    const run = this.fetch(units, request.reason).then(
      () => this.reportDone(requester, { taskId: request.taskId, ok: true }),
      (error: unknown) => {
        const failure = error as { code?: string; message?: string };
        this.deps.log.error(
          { err: error, requester, reason: request.reason },
          'requested stream fetch failed',
        );
        return this.reportDone(requester, {
          taskId: request.taskId,
          ok: false,
          code: failure.code ?? 'STREAM_FAILED',
          message: failure.message ?? String(error),
        });
      },
    );
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
    return { accepted: true };
  }

  private async reportDone(requester: PeerAddress, done: ReplicationDone): Promise<void> {
    try {
      await this.deps.messaging.request(requester, Verb.REPLICATION_DONE_REQ, done);
    } catch (error) {
      this.deps.log.warn({ err: error, requester }, 'could not report REPLICATION_DONE');
    }
  }

  private replicationDone(message: IncomingMessage<unknown>): null {
    const done = parseReplicationDone(message.payload);
    const key = `${done.taskId}/${message.from}`;
    this.settle(
      key,
      done.ok
        ? undefined
        : new SibylError(
            done.code ?? 'STREAM_FAILED',
            `Stream failed on ${message.from}: ${done.message ?? 'unknown error'}`,
          ),
    );
    return null;
  }
}

/** Units sharing keyspace and sources travel as one wire unit with all their ranges. */
function toWireUnits(units: readonly AddressedUnit[]): WireFetchUnit[] {
  const byKey = new Map<
    string,
    { keyspace: string; sources: readonly string[]; ranges: AddressedUnit['range'][] }
  >();
  for (const unit of units) {
    const key = `${unit.keyspace}\u0000${unit.sources.join(',')}`;
    const entry = byKey.get(key) ?? { keyspace: unit.keyspace, sources: unit.sources, ranges: [] };
    entry.ranges.push(unit.range);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((entry) => ({
    keyspace: entry.keyspace,
    sources: entry.sources,
    ranges: rangesToWire(entry.ranges),
  }));
}
