/**
 * Name rules and qualified-name resolution shared by the DDL statements (Cassandra's
 * SchemaConstants and QualifiedStatement), with Cassandra's messages.
 */

import { ConfigurationError, InvalidRequestError } from '../errors.js';
import type { QualifiedName } from '../parser/index.js';
import { maybeQuoteIdentifier } from '../types/index.js';

/** SchemaConstants.NAME_LENGTH. */
export const NAME_LENGTH = 48;

/** The keyspaces users may not change (SchemaConstants.LOCAL_SYSTEM_KEYSPACE_NAMES plus virtual ones). */
export const LOCAL_SYSTEM_KEYSPACES: ReadonlySet<string> = new Set([
  'system',
  'system_schema',
  'system_views',
  'system_virtual_schema',
]);

export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= NAME_LENGTH && /^\w+$/.test(name);
}

export function validateKeyspaceName(name: string): void {
  if (!isValidName(name)) {
    throw new InvalidRequestError(
      `Keyspace name must not be empty, more than ${NAME_LENGTH} characters long, or contain non-alphanumeric-underscore characters (got '${name}')`,
    );
  }
}

export function validateTableName(name: string): void {
  if (!isValidName(name)) {
    throw new ConfigurationError(
      `Table name must not be empty, more than ${NAME_LENGTH} characters long, or contain non-alphanumeric-underscore characters (got "${name}")`,
    );
  }
}

/** The keyspace a statement acts on: the one written, else the session's (USE). */
export function keyspaceOf(name: QualifiedName, session: { readonly keyspace?: string }): string {
  const keyspace = name.keyspace ?? session.keyspace;
  if (keyspace === undefined) {
    throw new InvalidRequestError(
      'No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename',
    );
  }
  return keyspace;
}

/** `ks.name` as Cassandra prints a table or type in messages (identifiers quoted when needed). */
export function qualified(keyspace: string, name: string): string {
  return `${maybeQuoteIdentifier(keyspace)}.${maybeQuoteIdentifier(name)}`;
}
