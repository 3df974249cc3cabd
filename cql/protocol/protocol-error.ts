/**
 * The native protocol's Protocol error (0x000A): a client sent bytes that do not follow the protocol
 * (truncated or malformed body, unknown opcode or flag, oversized frame, unsupported version). The
 * server answers it with an ERROR of this code; the codecs throw it and nothing else on bad input.
 */
import { CqlRequestError } from '../errors.js';

export class ProtocolError extends CqlRequestError {
  readonly protocolCode = 0x000a;

  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_ERROR', message, options);
    this.name = 'ProtocolError';
  }
}
