/**
 * The coordinator's messages on the wire (docs/formats/internode.md, "Coordinator verbs"): storage
 * keys, slices and key bounds to and from their payload form, and the checks a replica runs on a
 * payload before acting on it (a peer's bytes are input, not trusted state).
 */
import { SibylError } from '../../common/errors.js';
import type { ClusteringBound, ClusteringSlice, DecoratedKey } from '../../storage/model.js';
import type { KeyBound, ScanRange } from '../../storage/table-store.js';
import type {
  MutationPayload,
  RangePayload,
  ReadPayload,
  TruncatePayload,
  WireClusteringBound,
  WireKeyBound,
} from '../messaging/index.js';

/** A single-partition read as the coordinator sends it (never reversed: it reverses after merging). */
export interface ReadCommand {
  readonly tableId: string;
  readonly key: DecoratedKey;
  readonly slice: ClusteringSlice;
}

/** A range read of one round: `range` in (token, key) order, at most `limit` partitions. */
export interface RangeCommand {
  readonly tableId: string;
  readonly range: ScanRange;
  readonly limit: number;
}

export function readPayload(command: ReadCommand): ReadPayload {
  const { start, end } = command.slice;
  return {
    tableId: command.tableId,
    key: { token: command.key.token, key: command.key.key },
    ...(start ? { start: wireBound(start) } : {}),
    ...(end ? { end: wireBound(end) } : {}),
  };
}

function wireBound(bound: ClusteringBound): WireClusteringBound {
  return { prefix: bound.prefix, inclusive: bound.inclusive };
}

export function rangePayload(command: RangeCommand): RangePayload {
  const { from, to, afterClustering } = command.range;
  return {
    tableId: command.tableId,
    limit: command.limit,
    ...(from ? { from: wireKeyBound(from) } : {}),
    ...(to ? { to: wireKeyBound(to) } : {}),
    ...(afterClustering ? { afterClustering } : {}),
  };
}

function wireKeyBound(bound: KeyBound): WireKeyBound {
  return { token: bound.key.token, key: bound.key.key, inclusive: bound.inclusive };
}

// ---- checks on what a peer sent ----

export class MalformedPayloadError extends SibylError {
  constructor(verb: string, detail: string) {
    super('MALFORMED_PAYLOAD', `malformed ${verb} payload: ${detail}`);
    this.name = 'MalformedPayloadError';
  }
}

function record(value: unknown, verb: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedPayloadError(verb, 'not an object');
  return value as Record<string, unknown>;
}

function text(value: unknown, verb: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new MalformedPayloadError(verb, `${field} is not a string`);
  return value;
}

function bytes(value: unknown, verb: string, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new MalformedPayloadError(verb, `${field} is not binary`);
  return value;
}

function flag(value: unknown, verb: string, field: string): boolean {
  if (typeof value !== 'boolean') throw new MalformedPayloadError(verb, `${field} is not a boolean`);
  return value;
}

function token(value: unknown, verb: string): bigint {
  if (typeof value === 'bigint') return value;
  // msgpack sends small integers compactly; a token that fits a double may come back as a number.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new MalformedPayloadError(verb, 'token is not an integer');
}

function decoratedKey(value: unknown, verb: string): DecoratedKey {
  const key = record(value, verb);
  return { token: token(key.token, verb), key: bytes(key.key, verb, 'key') };
}

function clusteringBound(value: unknown, verb: string): ClusteringBound {
  const bound = record(value, verb);
  if (!Array.isArray(bound.prefix)) throw new MalformedPayloadError(verb, 'bound prefix is not a list');
  return {
    prefix: bound.prefix.map((component) => bytes(component, verb, 'bound prefix')),
    inclusive: flag(bound.inclusive, verb, 'bound inclusive'),
  };
}

function keyBound(value: unknown, verb: string): KeyBound {
  const bound = record(value, verb);
  return { key: decoratedKey(bound, verb), inclusive: flag(bound.inclusive, verb, 'inclusive') };
}

export function parseMutation(value: unknown, verb: string): MutationPayload {
  const payload = record(value, verb);
  return {
    tableId: text(payload.tableId, verb, 'tableId'),
    partition: bytes(payload.partition, verb, 'partition'),
    durable: flag(payload.durable, verb, 'durable'),
  };
}

export function parseRead(value: unknown, verb: string): ReadCommand {
  const payload = record(value, verb);
  const slice: { start?: ClusteringBound; end?: ClusteringBound } = {};
  if (payload.start !== undefined && payload.start !== null)
    slice.start = clusteringBound(payload.start, verb);
  if (payload.end !== undefined && payload.end !== null) slice.end = clusteringBound(payload.end, verb);
  return { tableId: text(payload.tableId, verb, 'tableId'), key: decoratedKey(payload.key, verb), slice };
}

export function parseRange(value: unknown, verb: string, maxLimit: number): RangeCommand {
  const payload = record(value, verb);
  const limit = payload.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
    throw new MalformedPayloadError(verb, 'limit is not a positive integer');
  const range: { from?: KeyBound; to?: KeyBound; afterClustering?: Uint8Array[] } = {};
  if (payload.from !== undefined && payload.from !== null) range.from = keyBound(payload.from, verb);
  if (payload.to !== undefined && payload.to !== null) range.to = keyBound(payload.to, verb);
  if (payload.afterClustering !== undefined && payload.afterClustering !== null) {
    if (!Array.isArray(payload.afterClustering))
      throw new MalformedPayloadError(verb, 'afterClustering is not a list');
    range.afterClustering = payload.afterClustering.map((c) => bytes(c, verb, 'afterClustering'));
  }
  return { tableId: text(payload.tableId, verb, 'tableId'), range, limit: Math.min(limit, maxLimit) };
}

export function parseTruncate(value: unknown, verb: string): TruncatePayload {
  return { tableId: text(record(value, verb).tableId, verb, 'tableId') };
}
