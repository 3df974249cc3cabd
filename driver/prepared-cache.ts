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

interface Entry {
  readonly statement: PreparedStatement;
  /** The cache's use counter when the entry was last used: the smallest goes first. */
  lastUse: number;
}

export class PreparedCache {
  /**
   * Keyspace (or '') → query text → entry. Two levels rather than one concatenated key: a lookup
   * happens for every request, and the caller's query string (usually the same string each time)
   * keeps its hash, where a concatenation would be a new string to hash every time.
   */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly pending = new Map<string, Promise<PreparedStatement>>();
  private count = 0;
  private uses = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  get(keyspace: string | undefined, query: string): PreparedStatement | undefined {
    const entry = this.entries.get(keyspace ?? '')?.get(query);
    if (entry === undefined) return undefined;
    entry.lastUse = ++this.uses;
    return entry.statement;
  }

  /** The cached statement, or the one `prepare` produces (shared by concurrent callers). */
  async getOrPrepare(
    keyspace: string | undefined,
    query: string,
    prepare: () => Promise<PreparedStatement>,
  ): Promise<PreparedStatement> {
    const cached = this.get(keyspace, query);
    if (cached !== undefined) return cached;
    const key = `${keyspace ?? ''}\u0000${query}`;
    let promise = this.pending.get(key);
    if (promise === undefined) {
      promise = prepare().finally(() => this.pending.delete(key));
      this.pending.set(key, promise);
      promise.then(
        (statement) => this.put(keyspace, statement),
        () => {},
      );
    }
    return promise;
  }

  /** Replaces an entry after a re-prepare (the server may hand out the same id again). */
  replace(statement: PreparedStatement): void {
    this.put(statement.keyspace, statement);
  }

  /** Forgets the statements binding or selecting columns of `keyspace.table` (all of it without a table). */
  invalidate(keyspace: string, table?: string): number {
    let dropped = 0;
    for (const byQuery of this.entries.values()) {
      for (const [query, entry] of byQuery) {
        if (touches(entry.statement, keyspace, table)) {
          byQuery.delete(query);
          dropped++;
        }
      }
    }
    this.count -= dropped;
    return dropped;
  }

  clear(): void {
    this.entries.clear();
    this.count = 0;
  }

  private put(keyspace: string | undefined, statement: PreparedStatement): void {
    let byQuery = this.entries.get(keyspace ?? '');
    if (byQuery === undefined) {
      byQuery = new Map();
      this.entries.set(keyspace ?? '', byQuery);
    }
    if (!byQuery.has(statement.query)) this.count++;
    byQuery.set(statement.query, { statement, lastUse: ++this.uses });
    while (this.count > this.capacity) this.evictLeastRecentlyUsed();
  }

  /** A scan, but only when a new statement overflows the cache (each costs a PREPARE anyway). */
  private evictLeastRecentlyUsed(): void {
    let oldest: { byQuery: Map<string, Entry>; query: string; lastUse: number } | undefined;
    for (const byQuery of this.entries.values()) {
      for (const [query, entry] of byQuery) {
        if (oldest === undefined || entry.lastUse < oldest.lastUse) {
          oldest = { byQuery, query, lastUse: entry.lastUse };
        }
      }
    }
    if (oldest === undefined) return;
    oldest.byQuery.delete(oldest.query);
    this.count--;
  }
}

function touches(statement: PreparedStatement, keyspace: string, table: string | undefined): boolean {
  const specs = [...statement.variables, ...(statement.resultColumns ?? [])];
  // A statement without column specs (no markers, no rows) may still read the table: when in doubt, drop.
  if (specs.length === 0) return true;
  return specs.some((s) => s.keyspace === keyspace && (table === undefined || s.table === table));
}
