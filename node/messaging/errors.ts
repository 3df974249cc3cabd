/**
 * Messaging's operating errors (STYLE.md §7): each has a stable code; callers classify by `code`.
 */
import { SibylError } from '../../common/errors.js';
import type { PeerAddress } from './transport.js';
import { verbName } from './verbs.js';

/** A request got no response within its timeout (the peer may or may not have executed it). */
export class MessageTimeoutError extends SibylError {
  constructor(
    readonly peer: PeerAddress,
    readonly verb: number,
    readonly timeoutMs: number,
  ) {
    super('MESSAGE_TIMEOUT', `${verbName(verb)} to ${peer} timed out after ${timeoutMs} ms`);
    this.name = 'MessageTimeoutError';
  }
}

/** The peer answered with FAILURE_RSP: its handler failed with `reason` (the remote error's code). */
export class RemoteFailureError extends SibylError {
  constructor(
    readonly peer: PeerAddress,
    readonly verb: number,
    readonly reason: string,
    readonly remoteMessage: string,
  ) {
    super('REMOTE_FAILURE', `${verbName(verb)} failed on ${peer}: ${reason}: ${remoteMessage}`);
    this.name = 'RemoteFailureError';
  }
}

/** The peer's outbound queue is at its byte limit (it is slow or unreachable): the message is refused. */
export class MessagingQueueFullError extends SibylError {
  constructor(
    readonly peer: PeerAddress,
    readonly verb: number,
    readonly queuedBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'MESSAGING_QUEUE_FULL',
      `${verbName(verb)} to ${peer} refused: ${queuedBytes} bytes already queued (limit ${limitBytes})`,
    );
    this.name = 'MessagingQueueFullError';
  }
}

/** Too many requests are awaiting responses across all peers. */
export class MessagingOverloadedError extends SibylError {
  constructor(readonly pendingRequests: number) {
    super('MESSAGING_OVERLOADED', `${pendingRequests} requests already awaiting responses`);
    this.name = 'MessagingOverloadedError';
  }
}

/** A message whose frame would exceed the frame size limit. */
export class MessageTooLargeError extends SibylError {
  constructor(
    readonly verb: number,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'MESSAGE_TOO_LARGE',
      `${verbName(verb)} frame of ${sizeBytes} bytes exceeds the limit of ${limitBytes}`,
    );
    this.name = 'MessageTooLargeError';
  }
}

/** The service was closed: nothing more is sent, pending requests are rejected with this. */
export class MessagingClosedError extends SibylError {
  constructor() {
    super('MESSAGING_CLOSED', 'messaging service is closed');
    this.name = 'MessagingClosedError';
  }
}

/** Bytes on a connection that are not a valid frame: that connection is closed, no other. */
export class MalformedFrameError extends SibylError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('MALFORMED_FRAME', `malformed internode frame: ${detail}`, options);
    this.name = 'MalformedFrameError';
  }
}
