/** The batchlog: atomic LOGGED batches across partitions (see README.md). */
export type { BatchlogCandidate, BatchlogTopology, BatchlogWritePlan } from './batchlog-endpoints.js';
export { batchlogCandidates, chooseBatchlogEndpoints, planBatchlogWrite } from './batchlog-endpoints.js';
export type { StoredBatch } from './batchlog-format.js';
export {
  BATCHES_TABLE,
  BATCHLOG_FORMAT_VERSION,
  batchWrittenAtMs,
  decodeBatchMutation,
  encodeBatchMutation,
  isBatchId,
} from './batchlog-format.js';
export type { BatchlogMetrics } from './batchlog-metrics.js';
export type { ReplayDecision, ReplayRoundResult, ReplayTableInfo } from './batchlog-replay.js';
export { decideReplay, tableInfoFromSchema } from './batchlog-replay.js';
export type { BatchlogServiceDependencies } from './batchlog-service.js';
export { BatchlogService } from './batchlog-service.js';
export { BatchlogTable } from './batchlog-table.js';
export { InvalidBatchError } from './batchlog-verbs.js';
export type { LoggedBatchLog, LoggedBatchSteps } from './logged-batch.js';
export { writeLoggedBatch } from './logged-batch.js';
export { ReplayThrottle, replayRateBytesPerSecond } from './replay-throttle.js';
