/**
 * Bound values and the per-execution context terms are evaluated in. A bound value is the bytes a
 * client sent, `null`, or UNSET (protocol v4 "unset": leave the column alone).
 */

import { InvalidRequestError } from '../errors.js';
import type { CqlType } from '../types/index.js';
import type { ExecutorEnvironment } from './environment.js';

export const UNSET: unique symbol = Symbol('unset');
export type Unset = typeof UNSET;
export type BoundValue = Uint8Array | null | Unset;

/** One bind marker of a prepared statement, as PREPARED result metadata lists it. */
export interface BindMarkerSpec {
  readonly index: number;
  /** The receiver's name: a column, or Cassandra's names (`[limit]`, `[ttl]`, `in(c)`, `key(m)`, ...). */
  readonly name: string;
  /** The marker's own name for `:name` markers. */
  readonly markerName?: string;
  readonly keyspace: string;
  readonly table: string;
  readonly type: CqlType;
}

/** Values by marker index (named markers are resolved to indexes by `bindNamedValues`). */
export type BindValues = readonly BoundValue[];

/** Per-execution state shared by every term of a statement (one `now()` time per statement). */
export interface TermContext {
  readonly values: BindValues;
  readonly env: ExecutorEnvironment;
  /** The statement's time in milliseconds: `now()`, `currentTimestamp()`, `'now'` constants. */
  readonly nowMs: number;
}

export function invalidRequest(message: string): InvalidRequestError {
  return new InvalidRequestError(message);
}

/**
 * Positional values from named ones (protocol QUERY/EXECUTE with names): each marker takes the
 * value of its name; a marker without a value is an error, as in Cassandra.
 */
export function bindNamedValues(
  markers: readonly BindMarkerSpec[],
  named: ReadonlyMap<string, BoundValue>,
): BoundValue[] {
  return markers.map((m) => {
    const name = m.markerName ?? m.name;
    if (!named.has(name)) throw invalidRequest(`No value for bind marker ${name}`);
    return named.get(name)!;
  });
}

export function checkValueCount(markers: readonly BindMarkerSpec[], values: BindValues): void {
  if (markers.length !== values.length) {
    throw invalidRequest(
      `There were ${markers.length} markers(?) in CQL but ${values.length} bound variables`,
    );
  }
}
