/**
 * What a schema change announces: the native protocol's SCHEMA_CHANGE event and the RESULT of kind
 * Schema_change carry exactly these fields (spec sections 4.2.5.5 and 4.2.6).
 */
export type SchemaChangeType = 'CREATED' | 'UPDATED' | 'DROPPED';
export type SchemaChangeTarget = 'KEYSPACE' | 'TABLE' | 'TYPE';

export interface SchemaChangeEvent {
  readonly change: SchemaChangeType;
  readonly target: SchemaChangeTarget;
  readonly keyspace: string;
  /** The table or type name; absent for a keyspace change. */
  readonly name?: string;
}

/** A DDL that changed nothing (IF [NOT] EXISTS) answers `null`: the protocol's RESULT Void. */
export type SchemaChangeResult = SchemaChangeEvent | null;

export type SchemaChangeListener = (event: SchemaChangeEvent) => void;
