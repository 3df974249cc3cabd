/**
 * BATCH requests: each statement a query string with inferred values or a prepared id with values
 * bound by its marker types. Routed by the first prepared statement's partition key (as the
 * DataStax driver routes by the first query).
 */
import type { BatchStatement, BatchTypeName, RequestMessage } from '../cql/protocol/index.js';
import type { Token } from '../ring/token.js';
import type { Consistency } from './client-options.js';
import { ArgumentError } from './errors.js';
import type { PreparedStatement } from './prepared-cache.js';
import { routingKeyOf, tokenOfRoutingKey } from './routing-key.js';
import { encodeForMarkers, encodeInferred, type Hints, type Params } from './value-encoding.js';

/** A statement of a batch: its text, or text with values (and hints when unprepared). */
export type BatchQuery =
  | string
  | { readonly query: string; readonly params?: Params; readonly hints?: Hints };

export interface BatchEntry {
  readonly query: BatchQuery;
  /** Set when the batch is prepared. */
  readonly statement?: PreparedStatement;
}

export interface BatchSettings {
  readonly logged?: boolean;
  readonly counter?: boolean;
  readonly consistency: Consistency;
  readonly serialConsistency?: Consistency;
  readonly timestamp: bigint | undefined;
  readonly keyspace: string | undefined;
}

/**
 * The message builder (it reads the ids from `statements` each time, so a re-prepared statement
 * is sent with its new id), the routing token and the keyspace of the batch.
 */
export function buildBatch(
  entries: readonly BatchEntry[],
  statements: readonly PreparedStatement[],
  settings: BatchSettings,
): { build: () => RequestMessage; token: Token | undefined; keyspace: string | undefined } {
  if (entries.length === 0) throw new ArgumentError('A batch needs at least one statement');
  let token: Token | undefined;
  let keyspace: string | undefined;
  let preparedIndex = 0;
  const parts = entries.map((entry) => {
    const query = typeof entry.query === 'string' ? entry.query : entry.query.query;
    const params = typeof entry.query === 'string' ? undefined : entry.query.params;
    if (entry.statement === undefined) {
      const hints = typeof entry.query === 'string' ? undefined : entry.query.hints;
      const { values, names } = encodeInferred(params, hints);
      if (names !== undefined) throw new ArgumentError('Named values need a prepared batch (prepare: true)');
      return { query, values, index: -1 };
    }
    const values = encodeForMarkers(params, entry.statement.variables);
    if (token === undefined) {
      const key = routingKeyOf(values, entry.statement.partitionKeyIndexes);
      if (key !== undefined) token = tokenOfRoutingKey(key);
      keyspace = entry.statement.variables[0]?.keyspace;
    }
    return { query, values, index: preparedIndex++ };
  });
  const batchType: BatchTypeName = settings.counter
    ? 'COUNTER'
    : settings.logged === false
      ? 'UNLOGGED'
      : 'LOGGED';
  const build = (): RequestMessage => ({
    type: 'BATCH',
    batchType,
    statements: parts.map(
      (part): BatchStatement =>
        part.index < 0
          ? { kind: 'query', query: part.query, values: part.values }
          : { kind: 'prepared', id: statements[part.index]!.id, values: part.values },
    ),
    consistency: settings.consistency,
    ...(settings.serialConsistency !== undefined && { serialConsistency: settings.serialConsistency }),
    ...(settings.timestamp !== undefined && { defaultTimestamp: settings.timestamp }),
  });
  return { build, token, keyspace: keyspace ?? settings.keyspace };
}
