/**
 * The sending side of a pull stream (STREAM_INIT / CHUNK / COMPLETE): a session per receiver and
 * keyspace, scanning the storage engine lazily over the session's ranges, one table after another,
 * and answering each chunk request with at most `batchBytes` of encoded partitions. The receiver
 * asks for the next chunk only when it is ready for it, so memory and pace are bounded by the
 * receiver (pull = backpressure); the node's outbound throughput is capped by `Throttle`.
 */

import { assert, SibylError } from '../../common/errors.js';
import type { StreamingOptions } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import type { SchemaView } from '../../cql/schema/index.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import { normalize, type TokenRange } from '../../ring/token-range.js';
import type { Partition } from '../../storage/model.js';
import { encodePartition } from '../../storage/partition-codec.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { ScanRange } from '../../storage/table-store.js';
import type { IncomingMessage } from '../messaging/index.js';
import type { StreamChunk, StreamInitRequest } from './stream-messages.js';
import { parseInitRequest, parseSessionRequest } from './stream-messages.js';
import { SessionProgress, type StreamSessions } from './stream-sessions.js';

type Piece = readonly [table: number, bytes: Uint8Array];

/** Bytes per second over every session of the node; a chunk is answered when its bytes are "sent". */
export class Throttle {
  private freeAtMs = 0;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly nowMs: () => number,
    /** Never hold one answer longer than this (a request must not time out waiting for its turn). */
    private readonly maxDelayMs: number,
  ) {}

  /** How long to wait before answering with `bytes` more. */
  delayFor(bytes: number): number {
    if (this.bytesPerSecond <= 0) return 0;
    const now = this.nowMs();
    this.freeAtMs = Math.max(now, this.freeAtMs) + (bytes * 1000) / this.bytesPerSecond;
    return Math.min(this.maxDelayMs, Math.max(0, this.freeAtMs - now));
  }
}

/** The (table, partition) sequence of a session: tables in order, each over every range in order. */
async function* sessionPartitions(
  engine: StorageEngine,
  tableIds: readonly string[],
  ranges: readonly TokenRange[],
): AsyncGenerator<readonly [number, Partition]> {
  for (let table = 0; table < tableIds.length; table++) {
    const tableId = tableIds[table]!;
    for (const range of ranges) {
      if (!engine.hasTable(tableId)) break; // dropped while streaming: nothing more to send
      for await (const partition of engine.scan(tableId, scanRangeOf(range))) {
        // The bounds are cut on tokens with an empty key; the range decides exactly.
        if (range.contains(partition.key.token as Token)) yield [table, partition];
      }
    }
  }
}

/** Storage key bounds covering a non-wrapping `(left, right]` (MIN_TOKEN as right: to the end). */
export function scanRangeOf(range: TokenRange): ScanRange {
  const empty = new Uint8Array(0);
  const from =
    range.left === MIN_TOKEN || range.left === MAX_TOKEN
      ? undefined
      : { key: { token: range.left + 1n, key: empty }, inclusive: true };
  const to =
    range.right === MIN_TOKEN || range.right === MAX_TOKEN
      ? undefined
      : { key: { token: range.right + 1n, key: empty }, inclusive: false };
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/**
 * A partition as one or more encoded pieces of at most about `maxBytes`: rows are cut into groups;
 * the partition deletion, static row and range tombstones travel with the first. Applying the
 * pieces in any order gives the partition back (the merge is last-write-wins).
 */
export function partitionPieces(partition: Partition, maxBytes: number): Uint8Array[] {
  const whole = encodePartition(partition);
  if (whole.length <= maxBytes || partition.rows.length <= 1) return [whole];
  const bare: Partition = {
    key: partition.key,
    deletion: null,
    staticRow: null,
    rangeTombstones: [],
    rows: [],
  };
  const overhead = encodePartition(bare).length;
  const header = encodePartition({ ...partition, rows: [] }).length;
  const sizes = partition.rows.map((row) => encodePartition({ ...bare, rows: [row] }).length - overhead);
  const pieces: Uint8Array[] = [];
  let start = 0;
  while (start < sizes.length) {
    let size = start === 0 ? header : overhead;
    let end = start;
    do {
      size += sizes[end]!;
      end++;
    } while (end < sizes.length && size + sizes[end]! <= maxBytes);
    const rows = partition.rows.slice(start, end);
    pieces.push(encodePartition(start === 0 ? { ...partition, rows } : { ...bare, rows }));
    start = end;
  }
  assert(pieces.length > 1, 'a partition cut into pieces has at least two');
  return pieces;
}

class OutgoingSession {
  private readonly partitions: AsyncGenerator<readonly [number, Partition]>;
  /** A piece read but not sent (it would have overfilled the previous chunk). */
  private carried: Piece[] = [];
  private exhausted = false;
  busy = false;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly request: StreamInitRequest,
    readonly peer: string,
    readonly progress: SessionProgress,
    engine: StorageEngine,
    ranges: readonly TokenRange[],
  ) {
    this.partitions = sessionPartitions(engine, request.tableIds, ranges);
  }

  /** The next chunk: whole pieces up to `batchBytes` (at least one piece when any is left). */
  async nextChunk(batchBytes: number): Promise<{ chunk: StreamChunk; bytes: number; count: number }> {
    const out: Piece[] = [];
    let bytes = 0;
    let count = 0;
    for (;;) {
      if (this.carried.length === 0) {
        if (this.exhausted) break;
        const next = await this.partitions.next();
        if (next.done) {
          this.exhausted = true;
          break;
        }
        const [table, partition] = next.value;
        this.carried = partitionPieces(partition, batchBytes).map((piece) => [table, piece] as const);
        count++;
      }
      const piece = this.carried[0]!;
      if (out.length > 0 && bytes + piece[1].length > batchBytes) break;
      out.push(piece);
      bytes += piece[1].length;
      this.carried.shift();
    }
    const done = this.exhausted && this.carried.length === 0;
    assert(done || out.length > 0, 'a chunk that is not the last carries at least one piece');
    return { chunk: { partitions: out, done }, bytes, count };
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.partitions.return(undefined).catch(() => {});
  }
}

export interface StreamSourceDeps {
  readonly engine: StorageEngine;
  readonly schema: () => SchemaView;
  readonly options: StreamingOptions;
  readonly sessions: StreamSessions;
  readonly nowMs: () => number;
  readonly log: Logger;
}

/** Every outgoing session of this node, driven by the receivers' requests. */
export class StreamSource {
  private readonly outgoing = new Map<string, OutgoingSession>();
  private readonly throttle: Throttle;
  private closed = false;

  constructor(private readonly deps: StreamSourceDeps) {
    this.throttle = new Throttle(
      deps.options.throughputBytesPerSecond,
      deps.nowMs,
      deps.options.requestTimeoutMs / 2,
    );
  }

  /** STREAM_INIT_REQ: checks the keyspace and tables against our schema and opens the session. */
  init(message: IncomingMessage<unknown>): { sessionId: string } {
    if (this.closed) throw new SibylError('STREAM_SOURCE_CLOSED', 'node is shutting down');
    const request = parseInitRequest(message.payload);
    const key = this.key(message.from, request.sessionId);
    if (this.outgoing.has(key))
      throw new SibylError('STREAM_SESSION_EXISTS', `stream session ${request.sessionId} already open`);
    const keyspace = this.deps.schema().keyspace(request.keyspace);
    if (keyspace === undefined)
      throw new SibylError('UNKNOWN_KEYSPACE', `Unknown keyspace ${request.keyspace}`);
    const ids = new Set([...keyspace.tables.values()].map((table) => table.id));
    for (const id of request.tableIds) {
      if (!ids.has(id) || !this.deps.engine.hasTable(id))
        throw new SibylError('UNKNOWN_TABLE', `Unknown table id ${id} in keyspace ${request.keyspace}`);
    }
    const ranges = normalize(request.parsedRanges);
    const progress = this.deps.sessions.start(
      new SessionProgress(
        request.sessionId,
        'out',
        message.from,
        request.reason,
        request.keyspace,
        ranges.length,
        this.deps.nowMs(),
      ),
    );
    const session = new OutgoingSession(request, message.from, progress, this.deps.engine, ranges);
    this.outgoing.set(key, session);
    this.touch(key, session);
    this.deps.log.info(
      {
        session: request.sessionId,
        peer: message.from,
        keyspace: request.keyspace,
        ranges: ranges.length,
        reason: request.reason,
      },
      'stream session opened (outgoing)',
    );
    return { sessionId: request.sessionId };
  }

  /** STREAM_CHUNK_REQ: the next batch, once the throttle lets it go. */
  async chunk(message: IncomingMessage<unknown>): Promise<StreamChunk> {
    const { sessionId } = parseSessionRequest(message.payload, 'STREAM_CHUNK_REQ');
    const key = this.key(message.from, sessionId);
    const session = this.session(key, sessionId);
    if (session.busy)
      throw new SibylError('STREAM_SESSION_BUSY', `stream session ${sessionId} is reading a chunk`);
    session.busy = true;
    try {
      const { chunk, bytes, count } = await session.nextChunk(this.deps.options.batchBytes);
      session.progress.add(count, bytes);
      const delayMs = this.throttle.delayFor(bytes);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      this.touch(key, session);
      return chunk;
    } catch (error) {
      await this.end(key, session, error);
      throw error;
    } finally {
      session.busy = false;
    }
  }

  /** STREAM_COMPLETE_REQ: the receiver is done with the session (or gives up on it). */
  async complete(message: IncomingMessage<unknown>): Promise<null> {
    const { sessionId } = parseSessionRequest(message.payload, 'STREAM_COMPLETE_REQ');
    const key = this.key(message.from, sessionId);
    const session = this.outgoing.get(key);
    if (session) await this.end(key, session);
    return null;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [key, session] of [...this.outgoing]) await this.end(key, session, new Error('node closed'));
  }

  private session(key: string, sessionId: string): OutgoingSession {
    const session = this.outgoing.get(key);
    if (!session)
      throw new SibylError('UNKNOWN_STREAM_SESSION', `no stream session ${sessionId} (expired or closed)`);
    return session;
  }

  private touch(key: string, session: OutgoingSession): void {
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => {
      this.deps.log.warn(
        { session: session.request.sessionId, peer: session.peer },
        'stream session idle: closed',
      );
      void this.end(key, session, new Error('idle'));
    }, this.deps.options.sessionIdleTimeoutMs);
    session.idleTimer.unref();
  }

  private async end(key: string, session: OutgoingSession, error?: unknown): Promise<void> {
    if (this.outgoing.get(key) !== session) return;
    this.outgoing.delete(key);
    await session.close();
    const { progress } = session;
    const failed = error !== undefined || progress.state === 'failed';
    this.deps.sessions.finish(progress, failed ? 'failed' : 'complete', failed ? String(error) : undefined);
    this.deps.log.info(
      {
        session: progress.id,
        peer: session.peer,
        keyspace: progress.keyspace,
        partitions: progress.partitions,
        bytes: progress.bytes,
        ms: progress.elapsedMs(this.deps.nowMs()),
        ...(failed ? { err: error } : {}),
      },
      failed ? 'stream session failed (outgoing)' : 'stream session complete (outgoing)',
    );
  }

  private key(peer: string, sessionId: string): string {
    return `${peer}/${sessionId}`;
  }
}
