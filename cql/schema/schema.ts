/**
 * The schema registry: an immutable snapshot (keyspaces + version) swapped atomically on every
 * change, and the listeners told about it. A reader holding `snapshot()` sees one consistent schema
 * even while a DDL runs; `Schema` itself always answers from the newest snapshot.
 */
import { logger } from '../../common/logger.js';
import type { Keyspaces } from './ddl-outcome.js';
import type { KeyspaceMetadata, SchemaView, TableMetadata } from './metadata.js';
import type { SchemaChangeEvent, SchemaChangeListener } from './schema-change.js';
import { schemaVersion } from './schema-version.js';
import { BUILT_IN_KEYSPACES } from './system-keyspaces.js';

class SchemaSnapshot implements SchemaView {
  constructor(
    readonly all: Keyspaces,
    readonly version: string,
  ) {}

  keyspace(name: string): KeyspaceMetadata | undefined {
    return this.all.get(name);
  }

  keyspaces(): Iterable<KeyspaceMetadata> {
    return this.all.values();
  }
}

export class Schema implements SchemaView {
  private current: SchemaSnapshot;
  private readonly listeners = new Set<SchemaChangeListener>();
  private readonly log = logger('schema');

  /** `userKeyspaces` must not contain the system keyspaces: those are added here. */
  constructor(userKeyspaces: Keyspaces) {
    this.current = Schema.snapshotOf(userKeyspaces);
  }

  private static snapshotOf(keyspaces: Keyspaces): SchemaSnapshot {
    const all = new Map<string, KeyspaceMetadata>(BUILT_IN_KEYSPACES.map((k) => [k.name, k]));
    for (const [name, keyspace] of keyspaces) all.set(name, keyspace);
    return new SchemaSnapshot(all, schemaVersion(all));
  }

  get version(): string {
    return this.current.version;
  }

  keyspace(name: string): KeyspaceMetadata | undefined {
    return this.current.keyspace(name);
  }

  keyspaces(): Iterable<KeyspaceMetadata> {
    return this.current.keyspaces();
  }

  /** A table, or undefined when its keyspace or itself does not exist. */
  table(keyspace: string, name: string): TableMetadata | undefined {
    return this.current.keyspace(keyspace)?.tables.get(name);
  }

  /** The current snapshot: immutable, so several lookups agree with one another. */
  snapshot(): SchemaView {
    return this.current;
  }

  /** All keyspaces (system ones included) of the current snapshot. */
  get all(): Keyspaces {
    return this.current.all;
  }

  /** Registers a listener; returns the function that removes it. */
  onChange(listener: SchemaChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Swaps in the next schema (system keyspaces are kept as code has them), then notifies: one event
   * for a DDL, several for a schema merged from a peer.
   */
  replace(keyspaces: Keyspaces, events: SchemaChangeEvent | readonly SchemaChangeEvent[] | null): void {
    const user = new Map([...keyspaces].filter(([name]) => !BUILT_IN_KEYSPACES.some((k) => k.name === name)));
    this.current = Schema.snapshotOf(user);
    const list = events === null ? [] : 'change' in events ? [events] : events;
    for (const event of list) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          // One listener's failure must not stop the others from hearing of the change.
          this.log.error({ err: error, event }, 'schema change listener failed');
        }
      }
    }
  }
}
