/**
 * The events that turn one schema into another, for a schema that changed without a DDL statement
 * (rows merged from a peer): clients and listeners hear CREATED / UPDATED / DROPPED per keyspace,
 * table and type, as they would for the statements that made the change. Two definitions are equal
 * when they persist as the same system_schema rows (the rows the schema version digests). Pure.
 */
import type { Keyspaces } from './ddl-outcome.js';
import type { KeyspaceMetadata } from './metadata.js';
import type { SchemaChangeEvent, SchemaChangeTarget } from './schema-change.js';
import { keyspaceRows, type SchemaRow } from './schema-rows.js';

function fingerprint(rows: readonly SchemaRow[]): string {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return rows
    .map(
      (row) =>
        `${row.clustering.map(hex).join('.')}|${row.cells.map(([c, v]) => `${c}=${hex(v)}`).join(',')}`,
    )
    .join(';');
}

/** One fingerprint per element (the keyspace row itself under '', tables and types by name). */
function fingerprints(keyspace: KeyspaceMetadata, target: SchemaChangeTarget): Map<string, string> {
  const bare: KeyspaceMetadata = { ...keyspace, tables: new Map(), types: new Map() };
  const result = new Map<string, string>();
  if (target === 'KEYSPACE') {
    result.set('', fingerprint(keyspaceRows(bare).keyspaces));
  } else if (target === 'TABLE') {
    for (const [name, table] of keyspace.tables) {
      const rows = keyspaceRows({ ...bare, tables: new Map([[name, table]]) });
      result.set(name, fingerprint([...rows.tables, ...rows.columns, ...rows.dropped_columns]));
    }
  } else {
    for (const [name, type] of keyspace.types) {
      result.set(name, fingerprint(keyspaceRows({ ...bare, types: new Map([[name, type]]) }).types));
    }
  }
  return result;
}

function elementChanges(
  keyspace: string,
  target: 'TABLE' | 'TYPE',
  before: KeyspaceMetadata | undefined,
  after: KeyspaceMetadata | undefined,
): { created: SchemaChangeEvent[]; updated: SchemaChangeEvent[]; dropped: SchemaChangeEvent[] } {
  const old = before ? fingerprints(before, target) : new Map<string, string>();
  const now = after ? fingerprints(after, target) : new Map<string, string>();
  const event = (change: SchemaChangeEvent['change'], name: string): SchemaChangeEvent => ({
    change,
    target,
    keyspace,
    name,
  });
  const created: SchemaChangeEvent[] = [];
  const updated: SchemaChangeEvent[] = [];
  const dropped: SchemaChangeEvent[] = [];
  for (const [name, print] of now) {
    const previous = old.get(name);
    if (previous === undefined) created.push(event('CREATED', name));
    else if (previous !== print) updated.push(event('UPDATED', name));
  }
  for (const name of old.keys()) if (!now.has(name)) dropped.push(event('DROPPED', name));
  return { created, updated, dropped };
}

/**
 * Events from `before` to `after`, in an order a client can follow: a keyspace is created before
 * its types and tables, types before tables, and dropped after them.
 */
export function schemaChanges(before: Keyspaces, after: Keyspaces): SchemaChangeEvent[] {
  const events: SchemaChangeEvent[] = [];
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const name of names) {
    const old = before.get(name);
    const now = after.get(name);
    const types = elementChanges(name, 'TYPE', old, now);
    const tables = elementChanges(name, 'TABLE', old, now);
    if (old === undefined) events.push({ change: 'CREATED', target: 'KEYSPACE', keyspace: name });
    else if (
      now !== undefined &&
      fingerprints(old, 'KEYSPACE').get('') !== fingerprints(now, 'KEYSPACE').get('')
    )
      events.push({ change: 'UPDATED', target: 'KEYSPACE', keyspace: name });
    events.push(...types.created, ...types.updated, ...tables.created, ...tables.updated);
    events.push(...tables.dropped, ...types.dropped);
    if (now === undefined) events.push({ change: 'DROPPED', target: 'KEYSPACE', keyspace: name });
  }
  return events;
}
