/** Counters of one MessagingService (exported by the admin endpoint's /metrics, docs/admin.md). */
export interface MessagingMetrics {
  /** Frames handed to transports, their bytes, and the writes that carried them (coalescing = frames / writes). */
  messagesSent: number;
  bytesSent: number;
  transportWrites: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Refused because the peer's queue was at its byte limit (MESSAGING_QUEUE_FULL). */
  droppedQueueFull: number;
  /** Dropped by the fault filter (either direction). */
  droppedByFilter: number;
  /** Delayed by the fault filter. */
  delayedByFilter: number;
  /** Requests that arrived (or waited in a queue) past their timeout and were not executed or sent. */
  droppedExpired: number;
  /** Requests of ours that got no response in time. */
  requestTimeouts: number;
  /** Responses that came after their request timed out. */
  lateResponses: number;
  /** FAILURE_RSP sent by our handlers. */
  failureResponsesSent: number;
  connectionAttempts: number;
  connectionFailures: number;
  /** Connections closed because the peer sent a frame that does not parse or is too large. */
  malformedFrames: number;
}

export function newMessagingMetrics(): MessagingMetrics {
  return {
    messagesSent: 0,
    bytesSent: 0,
    transportWrites: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    droppedQueueFull: 0,
    droppedByFilter: 0,
    delayedByFilter: 0,
    droppedExpired: 0,
    requestTimeouts: 0,
    lateResponses: 0,
    failureResponsesSent: 0,
    connectionAttempts: 0,
    connectionFailures: 0,
    malformedFrames: 0,
  };
}
