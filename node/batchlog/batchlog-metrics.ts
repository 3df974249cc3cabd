/** Counters of one node's batchlog (for the admin endpoint's /metrics). */
export interface BatchlogMetrics {
  /** Batches written into this node's system.batches (BATCH_STORE_REQ, or stored here by its own coordinator). */
  batchesStored: number;
  /** Batches deleted from system.batches because their coordinator's writes were acknowledged. */
  batchesRemoved: number;
  /** Batches this node replayed and then deleted (Cassandra's totalBatchesReplayed). */
  batchesReplayed: number;
  /** Batches deleted without replay: undecodable, unknown format, or a table that no longer exists. */
  batchesSkipped: number;
  /** Batches deleted without replay: past gc_grace_seconds, or every table truncated since. */
  batchesExpired: number;
  /** Replays that failed; the batch stays for the next round. */
  replayFailures: number;
  /** Replay rounds completed. */
  replayRounds: number;
  /** Batchlog writes of this coordinator that did not reach every chosen endpoint in time (WriteTimeout BATCH_LOG). */
  batchlogWriteTimeouts: number;
}

export function newBatchlogMetrics(): BatchlogMetrics {
  return {
    batchesStored: 0,
    batchesRemoved: 0,
    batchesReplayed: 0,
    batchesSkipped: 0,
    batchesExpired: 0,
    replayFailures: 0,
    replayRounds: 0,
    batchlogWriteTimeouts: 0,
  };
}
