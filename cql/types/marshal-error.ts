import { SibylError } from '../../common/errors.js';

/**
 * A value that does not fit its CQL type: bad bytes from a client or a peer, a JS value of the wrong
 * kind, or a literal that does not parse. The message follows Cassandra's wording (its
 * MarshalException), because drivers and users match on it; code classifies by `code`, which maps to
 * the native protocol's Invalid error (0x2200).
 */
export class MarshalError extends SibylError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID', message, options);
    this.name = 'MarshalError';
  }
}

export function marshalFail(message: string): never {
  throw new MarshalError(message);
}
