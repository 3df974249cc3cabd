/** The response messages a server sends (spec 4.2): their JS form and their body codecs. */
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { Opcode } from './constants.js';
import { type ErrorBody, readErrorBody, writeErrorBody } from './error-message.js';
import { type ProtocolEvent, readEvent, writeEvent } from './event-message.js';
import { type Result, readResultBody, writeResultBody } from './result-message.js';

export interface ErrorMessage {
  readonly type: 'ERROR';
  readonly error: ErrorBody;
}

export interface ReadyMessage {
  readonly type: 'READY';
}

export interface AuthenticateMessage {
  readonly type: 'AUTHENTICATE';
  /** Full class name of the authenticator, e.g. org.apache.cassandra.auth.PasswordAuthenticator. */
  readonly authenticator: string;
}

export interface SupportedMessage {
  readonly type: 'SUPPORTED';
  /** Each STARTUP option with its supported values (CQL_VERSION, COMPRESSION, PROTOCOL_VERSIONS...). */
  readonly options: ReadonlyMap<string, readonly string[]>;
}

export interface ResultMessage {
  readonly type: 'RESULT';
  readonly result: Result;
}

export interface EventMessage {
  readonly type: 'EVENT';
  readonly event: ProtocolEvent;
}

export interface AuthChallengeMessage {
  readonly type: 'AUTH_CHALLENGE';
  readonly token: Uint8Array | null;
}

export interface AuthSuccessMessage {
  readonly type: 'AUTH_SUCCESS';
  readonly token: Uint8Array | null;
}

export type ResponseMessage =
  | ErrorMessage
  | ReadyMessage
  | AuthenticateMessage
  | SupportedMessage
  | ResultMessage
  | EventMessage
  | AuthChallengeMessage
  | AuthSuccessMessage;

export function writeResponseBody(writer: BodyWriter, message: ResponseMessage): void {
  switch (message.type) {
    case 'ERROR':
      writeErrorBody(writer, message.error);
      return;
    case 'READY':
      return;
    case 'AUTHENTICATE':
      writer.string(message.authenticator);
      return;
    case 'SUPPORTED':
      writer.stringMultimap(message.options);
      return;
    case 'RESULT':
      writeResultBody(writer, message.result);
      return;
    case 'EVENT':
      writeEvent(writer, message.event);
      return;
    case 'AUTH_CHALLENGE':
    case 'AUTH_SUCCESS':
      writer.bytes(message.token);
      return;
  }
}

/** Decodes a response body; `undefined` when the opcode is not a response's. */
export function readResponseBody(opcode: number, reader: BodyReader): ResponseMessage | undefined {
  switch (opcode) {
    case Opcode.ERROR:
      return { type: 'ERROR', error: readErrorBody(reader) };
    case Opcode.READY:
      return { type: 'READY' };
    case Opcode.AUTHENTICATE:
      return { type: 'AUTHENTICATE', authenticator: reader.string() };
    case Opcode.SUPPORTED:
      return { type: 'SUPPORTED', options: reader.stringMultimap() };
    case Opcode.RESULT:
      return { type: 'RESULT', result: readResultBody(reader) };
    case Opcode.EVENT:
      return { type: 'EVENT', event: readEvent(reader) };
    case Opcode.AUTH_CHALLENGE:
      return { type: 'AUTH_CHALLENGE', token: reader.bytes() };
    case Opcode.AUTH_SUCCESS:
      return { type: 'AUTH_SUCCESS', token: reader.bytes() };
    default:
      return undefined;
  }
}
