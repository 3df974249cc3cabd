/**
 * The bodies of the streaming verbs (docs/formats/internode.md, "Streaming") and their checks:
 * they come from peers, so a malformed one is an operating error (`INVALID_STREAM_MESSAGE`), never
 * trusted. Tokens travel as bigints (msgpack int64), partitions in the partition codec's bytes.
 */
import { SibylError } from '../../common/errors.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import { TokenRange } from '../../ring/token-range.js';

export type StreamReason = 'bootstrap' | 'decommission' | 'removenode';
const REASONS: readonly StreamReason[] = ['bootstrap', 'decommission', 'removenode'];

/** A range `(left, right]` on the wire. */
export type WireRange = readonly [left: bigint, right: bigint];

/** STREAM_INIT_REQ: the receiver opens a session on the source. */
export interface StreamInitRequest {
  readonly sessionId: string;
  readonly reason: StreamReason;
  readonly keyspace: string;
  /** Table ids of the keyspace, as both nodes' schemas name them. */
  readonly tableIds: readonly string[];
  /** Sorted, disjoint, non-wrapping ranges. */
  readonly ranges: readonly WireRange[];
}

/** STREAM_INIT_RSP. */
export interface StreamInitResponse {
  readonly sessionId: string;
}

/** STREAM_CHUNK_REQ and STREAM_COMPLETE_REQ. */
export interface StreamSessionRequest {
  readonly sessionId: string;
}

/** STREAM_CHUNK_RSP: the next partitions in (table, range, token, key) order. */
export interface StreamChunk {
  /** `[index into tableIds, encodePartition bytes]`; a large partition may come in several pieces. */
  readonly partitions: readonly (readonly [number, Uint8Array])[];
  /** Nothing follows: the receiver sends STREAM_COMPLETE_REQ. */
  readonly done: boolean;
}

/** One keyspace's ranges to pull, with sources in order of preference (listen addresses). */
export interface WireFetchUnit {
  readonly keyspace: string;
  readonly ranges: readonly WireRange[];
  readonly sources: readonly string[];
}

/** STREAM_FETCH_REQ: pull these ranges, then say REPLICATION_DONE to the sender. */
export interface StreamFetchRequest {
  readonly taskId: string;
  readonly reason: StreamReason;
  readonly units: readonly WireFetchUnit[];
}

/** STREAM_FETCH_RSP. */
export interface StreamFetchResponse {
  readonly accepted: true;
}

/** REPLICATION_DONE_REQ: how the pull asked for by `taskId` ended. */
export interface ReplicationDone {
  readonly taskId: string;
  readonly ok: boolean;
  /** When not ok: the error's code and message. */
  readonly code?: string;
  readonly message?: string;
}

function invalid(what: string): SibylError {
  return new SibylError('INVALID_STREAM_MESSAGE', `invalid stream message: ${what}`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256)
    throw invalid(`${what} is not a name`);
  return value;
}

function token(value: unknown, what: string): Token {
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== 'bigint' || n < MIN_TOKEN || n > MAX_TOKEN) throw invalid(`${what} is not a token`);
  return n as Token;
}

function reason(value: unknown): StreamReason {
  if (!REASONS.includes(value as StreamReason)) throw invalid(`unknown reason ${String(value)}`);
  return value as StreamReason;
}

export function rangesFromWire(value: unknown, what: string): TokenRange[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${what} has no ranges`);
  return value.map((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw invalid(`${what} range ${index} is not [left, right]`);
    return new TokenRange(token(pair[0], `${what} range ${index}`), token(pair[1], `${what} range ${index}`));
  });
}

export function rangesToWire(ranges: readonly TokenRange[]): WireRange[] {
  return ranges.map((range) => [range.left, range.right] as const);
}

export function parseInitRequest(
  payload: unknown,
): StreamInitRequest & { readonly parsedRanges: TokenRange[] } {
  const body = record(payload, 'STREAM_INIT_REQ');
  const tableIds = body.tableIds;
  if (!Array.isArray(tableIds) || tableIds.length === 0) throw invalid('STREAM_INIT_REQ names no tables');
  const parsedRanges = rangesFromWire(body.ranges, 'STREAM_INIT_REQ');
  return {
    sessionId: text(body.sessionId, 'sessionId'),
    reason: reason(body.reason),
    keyspace: text(body.keyspace, 'keyspace'),
    tableIds: tableIds.map((id, index) => text(id, `table ${index}`)),
    ranges: rangesToWire(parsedRanges),
    parsedRanges,
  };
}

export function parseSessionRequest(payload: unknown, verb: string): StreamSessionRequest {
  return { sessionId: text(record(payload, verb).sessionId, 'sessionId') };
}

export function parseChunk(payload: unknown, tableCount: number): StreamChunk {
  const body = record(payload, 'STREAM_CHUNK_RSP');
  if (!Array.isArray(body.partitions) || typeof body.done !== 'boolean') throw invalid('STREAM_CHUNK_RSP');
  for (const entry of body.partitions) {
    const ok =
      Array.isArray(entry) &&
      entry.length === 2 &&
      Number.isInteger(entry[0]) &&
      entry[0] >= 0 &&
      entry[0] < tableCount &&
      entry[1] instanceof Uint8Array;
    if (!ok) throw invalid('STREAM_CHUNK_RSP partition entry');
  }
  return { partitions: body.partitions as StreamChunk['partitions'], done: body.done };
}

export function parseFetchRequest(payload: unknown): StreamFetchRequest {
  const body = record(payload, 'STREAM_FETCH_REQ');
  if (!Array.isArray(body.units)) throw invalid('STREAM_FETCH_REQ has no units');
  const units = body.units.map((value, index) => {
    const unit = record(value, `unit ${index}`);
    if (!Array.isArray(unit.sources) || unit.sources.length === 0)
      throw invalid(`unit ${index} has no sources`);
    return {
      keyspace: text(unit.keyspace, `unit ${index} keyspace`),
      ranges: rangesToWire(rangesFromWire(unit.ranges, `unit ${index}`)),
      sources: unit.sources.map((source, at) => text(source, `unit ${index} source ${at}`)),
    };
  });
  return { taskId: text(body.taskId, 'taskId'), reason: reason(body.reason), units };
}

export function parseReplicationDone(payload: unknown): ReplicationDone {
  const body = record(payload, 'REPLICATION_DONE_REQ');
  if (typeof body.ok !== 'boolean') throw invalid('REPLICATION_DONE_REQ without ok');
  return {
    taskId: text(body.taskId, 'taskId'),
    ok: body.ok,
    ...(typeof body.code === 'string' ? { code: body.code } : {}),
    ...(typeof body.message === 'string' ? { message: body.message } : {}),
  };
}
