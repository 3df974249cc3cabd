/** The schema layer: metadata, DDL execution, the registry and its storage (see README.md). */

export * from './metadata.js';
export { Schema } from './schema.js';
export type {
  SchemaChangeEvent,
  SchemaChangeListener,
  SchemaChangeResult,
  SchemaChangeTarget,
  SchemaChangeType,
} from './schema-change.js';
export { type KeyspaceSchemaRows, keyspaceFromRows } from './schema-decoder.js';
export { schemaChanges } from './schema-diff.js';
export type { DdlStatement, SchemaManagerDeps, Session } from './schema-manager.js';
export { SchemaManager } from './schema-manager.js';
export type { SchemaPartition } from './schema-store.js';
export { schemaVersion } from './schema-version.js';
export { SCHEMA_KEYSPACE, SYSTEM_KEYSPACE, SYSTEM_KEYSPACES, schemaTable } from './system-keyspaces.js';
