/**
 * BATCH (Cassandra's BatchStatement): every statement is prepared with one marker numbering; at
 * execution they share one timestamp (the batch's USING TIMESTAMP or one generated value) and their
 * writes are merged into one mutation per partition before they are applied together.
 */
import type { BatchStatement, QualifiedName } from '../parser/index.js';
import type { TableMetadata } from '../schema/metadata.js';
import { prepareAttributes, timestampOf } from './attributes.js';
import { checkCounterConsistency, DEFAULT_CONSISTENCY } from './data-store.js';
import type { ExecutorEnvironment } from './environment.js';
import type { PreparedModification } from './modification.js';
import { prepareModification } from './modification.js';
import { MutationCollector } from './mutation-builder.js';
import type { ExecuteOptions } from './result.js';
import { MarkerCollector } from './terms.js';
import type { BindMarkerSpec, BindValues, TermContext } from './values.js';
import { checkValueCount, invalidRequest } from './values.js';

export interface PreparedBatch {
  readonly kind: 'batch';
  readonly type: 'logged' | 'unlogged' | 'counter';
  readonly statements: readonly PreparedModification[];
  readonly bindMarkers: readonly BindMarkerSpec[];
  /** From the first statement, as Cassandra reports for a prepared batch. */
  readonly partitionKeyBindIndexes: readonly number[] | null;
  execute(values: BindValues, options?: ExecuteOptions): Promise<void>;
}

export function prepareBatch(
  stmt: BatchStatement,
  resolveTable: (name: QualifiedName) => TableMetadata,
  context: { readonly env: ExecutorEnvironment; readonly markerCount: number },
): PreparedBatch {
  if (stmt.using.ttl) throw invalidRequest('Global TTL on the BATCH statement is not supported.');
  const markers = new MarkerCollector();
  const statements = stmt.statements.map((s) =>
    prepareModification(s, resolveTable(s.table), { env: context.env, markers, markerCount: -1 }),
  );
  const hasCounters = statements.some((s) => s.isCounter);
  const hasNonCounters = statements.some((s) => !s.isCounter);
  if (stmt.type === 'counter' && hasNonCounters)
    throw invalidRequest('Cannot include non-counter statement in a counter batch');
  if (stmt.type === 'logged' && hasCounters)
    throw invalidRequest('Cannot include a counter statement in a logged batch');
  if (hasCounters && hasNonCounters)
    throw invalidRequest('Counter and non-counter mutations cannot exist in the same batch');
  const scope = { collector: markers, keyspace: '', table: '' };
  const attributes = prepareAttributes(stmt.using, scope);
  if (attributes.timestamp && stmt.statements.some((s) => s.using.timestamp)) {
    throw invalidRequest('Timestamp must be set either on BATCH or individual statements');
  }
  const bindMarkers = markers.all(context.markerCount);
  const env = context.env;
  return {
    kind: 'batch',
    type: stmt.type,
    statements,
    bindMarkers,
    partitionKeyBindIndexes: statements[0]?.partitionKeyBindIndexes ?? null,
    async execute(values: BindValues, options: ExecuteOptions = {}): Promise<void> {
      checkValueCount(bindMarkers, values);
      const ctx: TermContext = { values, env, nowMs: env.clock.nowMs() };
      const consistency = options.consistency ?? DEFAULT_CONSISTENCY;
      if (hasCounters) checkCounterConsistency(statements[0]!.table.name, consistency);
      const batchTimestamp = timestampOf(attributes, ctx) ?? options.timestamp ?? env.timestamps.next();
      const collector = new MutationCollector();
      for (const s of statements) {
        const timestamp = s.hasTimestamp(ctx) ? s.timestampFor(ctx, options) : batchTimestamp;
        await s.collect(collector, ctx, timestamp);
      }
      // Counter increments are delta cells for a leader replica: no read, no lock here.
      await env.store.apply(collector.build(), {
        consistency,
        durable: options.durable ?? true,
        batchType: stmt.type,
        ...(hasCounters ? { counter: true } : {}),
      });
    },
  };
}
