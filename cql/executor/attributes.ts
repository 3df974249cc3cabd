/** USING TIMESTAMP / TTL (Cassandra's Attributes) and the table's default_time_to_live. */
import type { UsingAttributes } from '../parser/index.js';
import type { TableMetadata } from '../schema/metadata.js';
import { CqlTypes } from '../types/index.js';
import { readInt64 } from './collection-bytes.js';
import type { MarkerScope, PreparedTerm } from './terms.js';
import { compileTerm } from './terms.js';
import type { TermContext } from './values.js';
import { invalidRequest, UNSET } from './values.js';

/** Cassandra's Attributes.MAX_TTL: 20 years. */
export const MAX_TTL_SECONDS = 20 * 365 * 24 * 60 * 60;

export interface PreparedAttributes {
  readonly timestamp: PreparedTerm | null;
  readonly ttl: PreparedTerm | null;
}

export function prepareAttributes(using: UsingAttributes, scope: MarkerScope): PreparedAttributes {
  return {
    timestamp: using.timestamp
      ? compileTerm(using.timestamp, { name: '[timestamp]', type: CqlTypes.bigint }, scope)
      : null,
    ttl: using.ttl ? compileTerm(using.ttl, { name: '[ttl]', type: CqlTypes.int }, scope) : null,
  };
}

/** The statement's USING TIMESTAMP, or undefined to take the default. */
export function timestampOf(attributes: PreparedAttributes, ctx: TermContext): number | undefined {
  if (!attributes.timestamp) return undefined;
  const value = attributes.timestamp(ctx);
  if (value === UNSET) return undefined;
  if (value === null) throw invalidRequest('Invalid null value of timestamp');
  const ts = readInt64(value);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER) || ts < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalidRequest(`Timestamp ${ts} is out of the supported range`);
  }
  return Number(ts);
}

/** The TTL in seconds (0 = none): USING TTL, else the table's default_time_to_live. */
export function ttlOf(attributes: PreparedAttributes, table: TableMetadata, ctx: TermContext): number {
  if (!attributes.ttl) return table.params.defaultTimeToLive;
  const value = attributes.ttl(ctx);
  if (value === UNSET) return table.params.defaultTimeToLive;
  if (value === null) throw invalidRequest('Invalid null value of TTL');
  const ttl = new DataView(value.buffer, value.byteOffset, 4).getInt32(0);
  if (ttl < 0) throw invalidRequest(`A TTL must be greater or equal to 0, but was ${ttl}`);
  if (ttl > MAX_TTL_SECONDS)
    throw invalidRequest(`ttl is too large. requested (${ttl}) maximum (${MAX_TTL_SECONDS})`);
  // An explicit TTL of 0 means "no TTL", even over a table default (as Cassandra).
  return ttl;
}
