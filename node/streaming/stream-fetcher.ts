/**
 * The receiving side of a pull stream (Cassandra's RangeStreamer + StreamSession, pull-based):
 * ranges of keyspaces are fetched from their sources, one session per (source, keyspace), sessions
 * of different sources at once. Each session pulls chunk after chunk (the next request leaves while
 * the current chunk is applied) and applies the partitions through the storage engine; the tables
 * touched are flushed before the fetch counts as done, so what was streamed is on disk. A session
 * that fails — an error, a timeout, its source marked down by gossip — hands its ranges to each
 * range's next source; a range whose sources are all spent fails the fetch, naming it.
 */
import { randomUUID } from 'node:crypto';
import { assert, SibylError } from '../../common/errors.js';
import type { StreamingOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import type { SchemaView } from '../../cql/schema/index.js';
import { normalize, type TokenRange } from '../../ring/token-range.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { MessagingService, PeerAddress } from '../messaging/index.js';
import { Verb } from '../messaging/index.js';
import type { StreamChunk, StreamInitRequest, StreamReason } from './stream-messages.js';
import { parseChunk, rangesToWire } from './stream-messages.js';
import { SessionProgress, type StreamSessions } from './stream-sessions.js';

/** A range to fetch and where from (listen addresses, best first). */
export interface AddressedUnit {
  readonly keyspace: string;
  readonly range: TokenRange;
  readonly sources: readonly string[];
}

export interface FetchSummary {
  readonly sessions: number;
  readonly partitions: number;
  readonly bytes: number;
  readonly ms: number;
  readonly failedSources: readonly string[];
}

export interface StreamFetcherDeps {
  readonly messaging: MessagingService;
  readonly engine: StorageEngine;
  readonly schema: () => SchemaView;
  readonly options: StreamingOptions;
  readonly sessions: StreamSessions;
  readonly isAlive: (endpoint: string) => boolean;
  /** Subscribes to gossip's DOWN verdicts; returns the unsubscribe. */
  readonly onEndpointDown: (listener: (endpoint: string) => void) => () => void;
  readonly nowMs: () => number;
  readonly log: Logger;
}

interface PendingUnit extends AddressedUnit {
  readonly id: number;
}

interface SessionGroup {
  readonly source: string;
  readonly keyspace: string;
  readonly units: PendingUnit[];
}

export class StreamFetcher {
  constructor(private readonly deps: StreamFetcherDeps) {}

  /** Fetches every unit; resolves once all are applied and flushed, or rejects naming what failed. */
  async fetch(units: readonly AddressedUnit[], reason: StreamReason): Promise<FetchSummary> {
    const started = this.deps.nowMs();
    let pending: PendingUnit[] = units.map((unit, id) => ({ ...unit, id }));
    const failed = new Map<string, unknown>();
    const tables = new Set<string>();
    const totals = { sessions: 0, partitions: 0, bytes: 0 };
    while (pending.length > 0) {
      const groups = this.group(pending, failed);
      const results = await Promise.allSettled(
        groups.map((group) => this.pullSession(group, reason, tables)),
      );
      const done = new Set<number>();
      results.forEach((result, index) => {
        const group = groups[index]!;
        totals.sessions++;
        if (result.status === 'fulfilled') {
          totals.partitions += result.value.partitions;
          totals.bytes += result.value.bytes;
          for (const unit of group.units) done.add(unit.id);
        } else {
          if (!isSourceFailure(result.reason)) throw result.reason;
          failed.set(group.source, result.reason);
          this.deps.log.warn(
            { err: result.reason, source: group.source, keyspace: group.keyspace, reason },
            'stream from source failed; its ranges go to their next source',
          );
        }
      });
      pending = pending.filter((unit) => !done.has(unit.id));
    }
    for (const tableId of tables)
      if (this.deps.engine.hasTable(tableId)) await this.deps.engine.flush(tableId);
    const summary = { ...totals, ms: this.deps.nowMs() - started, failedSources: [...failed.keys()] };
    this.deps.log.info({ reason, ...summary }, 'stream fetch complete');
    return summary;
  }

  /** Each pending unit goes to its first source that is live and has not failed; none left fails the fetch. */
  private group(pending: readonly PendingUnit[], failed: ReadonlyMap<string, unknown>): SessionGroup[] {
    const groups = new Map<string, SessionGroup>();
    for (const unit of pending) {
      const source = unit.sources.find((candidate) => !failed.has(candidate) && this.deps.isAlive(candidate));
      if (source === undefined) {
        const tried = unit.sources.join(', ');
        const last = [...failed.values()].at(-1);
        throw new SibylError(
          'STREAM_FAILED',
          `Stream failed: no live source left for range ${unit.range} of keyspace ${unit.keyspace} (sources: ${tried})` +
            (last ? `; last error: ${(last as Error).message ?? String(last)}` : ''),
        );
      }
      const key = `${source}/${unit.keyspace}`;
      const group = groups.get(key) ?? { source, keyspace: unit.keyspace, units: [] };
      group.units.push(unit);
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  /** One session: INIT, chunks until done (the next one requested while this one is applied), COMPLETE. */
  private async pullSession(
    group: SessionGroup,
    reason: StreamReason,
    touched: Set<string>,
  ): Promise<{ partitions: number; bytes: number }> {
    assert(group.units.length > 0, 'a session has ranges to fetch');
    const tableIds = this.tableIdsOf(group.keyspace);
    const ranges = normalize(group.units.map((unit) => unit.range));
    const sessionId = randomUUID();
    const source = group.source as PeerAddress;
    const progress = this.deps.sessions.start(
      new SessionProgress(
        sessionId,
        'in',
        group.source,
        reason,
        group.keyspace,
        ranges.length,
        this.deps.nowMs(),
      ),
    );
    if (tableIds.length === 0) {
      this.deps.sessions.finish(progress, 'complete');
      return { partitions: 0, bytes: 0 };
    }
    const watch = this.watchSource(group.source);
    try {
      const init: StreamInitRequest = {
        sessionId,
        reason,
        keyspace: group.keyspace,
        tableIds,
        ranges: rangesToWire(ranges),
      };
      await watch.race(this.request(source, Verb.STREAM_INIT_REQ, init));
      let next = watch.race(this.request(source, Verb.STREAM_CHUNK_REQ, { sessionId }));
      for (;;) {
        const chunk = parseChunk(await next, tableIds.length);
        if (!chunk.done) next = quiet(watch.race(this.request(source, Verb.STREAM_CHUNK_REQ, { sessionId })));
        await this.apply(chunk, tableIds, group.source, progress, touched);
        if (chunk.done) break;
      }
      await this.request(source, Verb.STREAM_COMPLETE_REQ, { sessionId }).catch(() => {});
      this.deps.sessions.finish(progress, 'complete');
      this.deps.log.info(
        {
          session: sessionId,
          source: group.source,
          keyspace: group.keyspace,
          ranges: ranges.length,
          partitions: progress.partitions,
          bytes: progress.bytes,
          ms: progress.elapsedMs(this.deps.nowMs()),
          reason,
        },
        'stream session complete (incoming)',
      );
      return { partitions: progress.partitions, bytes: progress.bytes };
    } catch (error) {
      this.deps.sessions.finish(progress, 'failed', (error as Error).message ?? String(error));
      void this.request(source, Verb.STREAM_COMPLETE_REQ, { sessionId }).catch(() => {});
      throw error;
    } finally {
      watch.stop();
    }
  }

  private async apply(
    chunk: StreamChunk,
    tableIds: readonly string[],
    source: string,
    progress: SessionProgress,
    touched: Set<string>,
  ): Promise<void> {
    let bytes = 0;
    const writes: Promise<void>[] = [];
    for (const [table, encoded] of chunk.partitions) {
      const tableId = tableIds[table]!;
      if (!this.deps.engine.hasTable(tableId)) continue; // dropped here meanwhile
      touched.add(tableId);
      bytes += encoded.length;
      // Checked (as decoding would) and stored as received, not decoded and encoded again. Not
      // through the commit log: the fetch flushes every table it touched before it is done (as
      // Cassandra's streaming writes SSTables), so a crash before that restarts the fetch.
      writes.push(this.deps.engine.applyEncoded(tableId, encoded, false, `stream from ${source}`));
    }
    await Promise.all(writes);
    progress.add(chunk.partitions.length, bytes);
  }

  private tableIdsOf(keyspace: string): string[] {
    const metadata = this.deps.schema().keyspace(keyspace);
    if (metadata === undefined)
      throw new SibylError(
        'UNKNOWN_KEYSPACE',
        `cannot stream keyspace ${keyspace}: not in this node's schema`,
      );
    return [...metadata.tables.values()].map((table) => table.id).sort();
  }

  private request(
    source: PeerAddress,
    verb: typeof Verb.STREAM_INIT_REQ | typeof Verb.STREAM_CHUNK_REQ | typeof Verb.STREAM_COMPLETE_REQ,
    payload: unknown,
  ): Promise<unknown> {
    return this.deps.messaging.request(source, verb, payload, {
      timeoutMs: this.deps.options.requestTimeoutMs,
    });
  }

  /** Rejects pending requests to `source` as soon as gossip marks it down (not after their timeout). */
  private watchSource(source: string): { race<T>(promise: Promise<T>): Promise<T>; stop(): void } {
    let fail: (error: Error) => void = () => {};
    const down = new Promise<never>((_, reject) => {
      fail = reject;
    });
    down.catch(() => {});
    const downError = () => new SibylError('STREAM_SOURCE_DOWN', `stream source ${source} is down`);
    const unsubscribe = this.deps.onEndpointDown((endpoint) => {
      if (endpoint === source) fail(downError());
    });
    if (!this.deps.isAlive(source)) fail(downError());
    return {
      race: <T>(promise: Promise<T>) => Promise.race([promise, down]),
      stop: unsubscribe,
    };
  }
}

/** A prefetch nobody may await (the session failed first) must not be an unhandled rejection. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Errors that are the source's (or the network's) fault, where another source may do better; our
 * own problems (an unknown keyspace here, a storage failure) fail the fetch at once.
 */
function isSourceFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'MESSAGE_TIMEOUT' ||
    code === 'REMOTE_FAILURE' ||
    code === 'STREAM_SOURCE_DOWN' ||
    code === 'MESSAGING_QUEUE_FULL' ||
    code === 'INVALID_STREAM_MESSAGE' ||
    code === 'CORRUPTION'
  );
}
