/** CREATE / ALTER / DROP KEYSPACE (Cassandra's Create/Alter/DropKeyspaceStatement). Pure. */
import { AlreadyExistsError, ConfigurationError, InvalidRequestError } from '../errors.js';
import type { Property } from '../parser/index.js';
import { type DdlContext, type DdlOutcome, type Keyspaces, unchanged, withKeyspace } from './ddl-outcome.js';
import type { KeyspaceMetadata } from './metadata.js';
import { validateKeyspaceName } from './names.js';
import { Properties } from './properties.js';
import { replicationParams } from './replication.js';

const KEYSPACE_OPTIONS: ReadonlySet<string> = new Set(['durable_writes', 'replication']);

export function createKeyspace(
  keyspaces: Keyspaces,
  statement: { keyspace: string; ifNotExists: boolean; properties: readonly Property[] },
  context: DdlContext,
): DdlOutcome {
  const name = statement.keyspace;
  const properties = keyspaceProperties(statement.properties);
  if (!properties.has('replication')) throw new InvalidRequestError("Missing mandatory option 'replication'");
  if (keyspaces.has(name)) {
    if (statement.ifNotExists) return unchanged(keyspaces);
    throw new AlreadyExistsError(name, '', `Cannot add existing keyspace "${name}"`);
  }
  validateKeyspaceName(name);
  const keyspace: KeyspaceMetadata = {
    name,
    durableWrites: properties.getBoolean('durable_writes') ?? true,
    replication: replicationParams(properties.getMap('replication')!, {
      keyspace: name,
      ...(context.datacenters ? { datacenters: context.datacenters } : {}),
    }),
    tables: new Map(),
    types: new Map(),
  };
  return {
    keyspaces: withKeyspace(keyspaces, keyspace),
    event: { change: 'CREATED', target: 'KEYSPACE', keyspace: name },
    createdTables: [],
    droppedTables: [],
  };
}

export function alterKeyspace(
  keyspaces: Keyspaces,
  statement: { keyspace: string; ifExists: boolean; properties: readonly Property[] },
  context: DdlContext,
): DdlOutcome {
  const name = statement.keyspace;
  const properties = keyspaceProperties(statement.properties);
  const keyspace = keyspaces.get(name);
  if (!keyspace) {
    if (statement.ifExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`Keyspace '${name}' doesn't exist`);
  }
  const replication = properties.getMap('replication');
  const altered: KeyspaceMetadata = {
    ...keyspace,
    durableWrites: properties.getBoolean('durable_writes') ?? keyspace.durableWrites,
    // Without a class the replication stays as it was (KeyspaceAttributes.asAlteredKeyspaceParams).
    replication:
      replication?.has('class') === true
        ? replicationParams(replication, {
            keyspace: name,
            ...(context.datacenters ? { datacenters: context.datacenters } : {}),
          })
        : keyspace.replication,
  };
  return {
    keyspaces: withKeyspace(keyspaces, altered),
    event: { change: 'UPDATED', target: 'KEYSPACE', keyspace: name },
    createdTables: [],
    droppedTables: [],
  };
}

export function dropKeyspace(
  keyspaces: Keyspaces,
  statement: { keyspace: string; ifExists: boolean },
): DdlOutcome {
  const name = statement.keyspace;
  const keyspace = keyspaces.get(name);
  if (!keyspace) {
    if (statement.ifExists) return unchanged(keyspaces);
    throw new InvalidRequestError(`Keyspace '${name}' doesn't exist`);
  }
  const next = new Map(keyspaces);
  next.delete(name);
  return {
    keyspaces: next,
    event: { change: 'DROPPED', target: 'KEYSPACE', keyspace: name },
    createdTables: [],
    droppedTables: [...keyspace.tables.values()],
  };
}

/** KeyspaceAttributes.validate: known names only; a replication map needs its class. */
function keyspaceProperties(list: readonly Property[]): Properties {
  const properties = new Properties(list);
  properties.validate(KEYSPACE_OPTIONS);
  const replication = properties.getMap('replication');
  if (replication && replication.size > 0 && !replication.has('class')) {
    // Cassandra 4's message (3.x said "Missing mandatory replication strategy class").
    throw new ConfigurationError('Missing replication strategy class');
  }
  return properties;
}
