/**
 * Operating errors are values with a stable code (STYLE.md §7); classify by `code`, never by message.
 * Codes of errors sent to clients are the native protocol's (spec section 9).
 */
export class SibylError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SibylError';
  }
}

/** Data on disk failed its checksum or does not parse: never served as valid. */
export class CorruptionError extends SibylError {
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super('CORRUPTION', `corrupt data in ${file} at offset ${offset}: ${detail}`);
    this.name = 'CorruptionError';
  }
}

/** A read hit tombstone_failure_threshold (Cassandra's TombstoneOverwhelmingException). */
export class TombstoneOverwhelmingError extends SibylError {
  constructor(
    readonly tombstones: number,
    readonly table: string,
    readonly partitionKeyHex: string,
  ) {
    super(
      'TOMBSTONE_OVERWHELMING',
      `Scanned over ${tombstones} tombstones during query on ${table} (key 0x${partitionKeyHex}); query aborted`,
    );
    this.name = 'TombstoneOverwhelmingError';
  }
}

/** A broken invariant is a bug: crash loudly. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
