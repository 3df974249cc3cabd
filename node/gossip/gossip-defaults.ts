/**
 * Gossip and failure-detection defaults, Cassandra's values and names. They belong with the other
 * limits in `common/limits.ts` (STYLE.md §6); they sit here until the node wires gossip in.
 */
export const gossipDefaults = {
  /** Gossiper.intervalInMillis: one round per second. */
  gossipIntervalMs: 1_000,
  /** phi_convict_threshold. */
  phiConvictThreshold: 8,
  /** Sibyl's: the share of the threshold that convicts an endpoint that refused a connection. */
  refusedThresholdRatio: 0.5,
  /** FailureDetector.SAMPLE_SIZE: intervals kept per endpoint. */
  failureDetectorSampleSize: 1_000,
  /** cassandra.max_local_pause_in_ms. */
  maxLocalPauseMs: 5_000,
  /** StorageService.RING_DELAY (ring_delay_ms): how long the shadow round waits for a seed. */
  ringDelayMs: 30_000,
  /** The shadow round re-sends its SYN to the seeds this often (CASSANDRA-8072). */
  shadowRoundResendMs: 5_000,
  /** Gossiper.QUARANTINE_DELAY = 2 × RING_DELAY: gossip about a removed endpoint is ignored this long. */
  quarantineDelayMs: 60_000,
  /** Gossiper.MAX_GENERATION_DIFFERENCE: a generation this far past our clock is corrupt (one year, in s). */
  maxGenerationDifferenceSeconds: 86_400 * 365,
  /** An ECHO_REQ without a reply is sent again after this long. */
  echoRetryMs: 1_000,
} as const;
