/**
 * Prepared statements the client knows, keyed by (keyspace, query text) as the server keys them
 * (its id is MD5 of both). One PREPARE is sent per key even when many requests need it at once.
 * A schema change of a table forgets the statements over it (their bind and result types may have
 * changed); a statement the server has forgotten comes back as UNPREPARED and is prepared again.
 * Bounded: the least recently used entry goes first.
 */
import type { ColumnSpec } from '../cql/protocol/index.js';

export interface PreparedStatement {
  readonly id: Uint8Array;
  readonly query: string;
  /** The keyspace the statement was prepared in (the session's), if any. */
  readonly keyspace: string | undefined;
  readonly variables: readonly ColumnSpec[];
  readonly partitionKeyIndexes: readonly number[];
  readonly resultColumns: readonly ColumnSpec[] | undefined;
}

export class PreparedCache {
  private readonly entries = new Map<string, PreparedStatement>();
  private readonly pending = new Map<string, Promise<PreparedStatement>>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(keyspace: string | undefined, query: string): PreparedStatement | undefined {
    const key = keyOf(keyspace, query);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Re-insert: Map order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** The cached statement, or the one `prepare` produces (shared by concurrent callers). */
  async getOrPrepare(
    keyspace: string | undefined,
    query: string,
    prepare: () => Promise<PreparedStatement>,
  ): Promise<PreparedStatement> {
    const cached = this.get(keyspace, query);
    if (cached !== undefined) return cached;
    const key = keyOf(keyspace, query);
    let promise = this.pending.get(key);
    if (promise === undefined) {
      promise = prepare().finally(() => this.pending.delete(key));
      this.pending.set(key, promise);
      promise.then(
        (statement) => this.put(key, statement),
        () => {},
      );
    }
    return promise;
  }

  /** Replaces an entry after a re-prepare (the server may hand out the same id again). */
  replace(statement: PreparedStatement): void {
    this.put(keyOf(statement.keyspace, statement.query), statement);
  }

  /** Forgets the statements binding or selecting columns of `keyspace.table` (all of it without a table). */
  invalidate(keyspace: string, table?: string): number {
    let dropped = 0;
    for (const [key, statement] of this.entries) {
      if (touches(statement, keyspace, table)) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    this.entries.clear();
  }

  private put(key: string, statement: PreparedStatement): void {
    this.entries.delete(key);
    this.entries.set(key, statement);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

function keyOf(keyspace: string | undefined, query: string): string {
  return `${keyspace ?? ''}\u0000${query}`;
}

function touches(statement: PreparedStatement, keyspace: string, table: string | undefined): boolean {
  const specs = [...statement.variables, ...(statement.resultColumns ?? [])];
  // A statement without column specs (no markers, no rows) may still read the table: when in doubt, drop.
  if (specs.length === 0) return true;
  return specs.some((s) => s.keyspace === keyspace && (table === undefined || s.table === table));
}
