/**
 * A LOGGED batch in Cassandra's order (StorageProxy.mutateAtomically):
 *
 * 1. every mutation's replicas are checked for availability (UnavailableError before anything is
 *    written);
 * 2. the batchlog endpoints are chosen (UnavailableError when there are none);
 * 3. the batch is stored in their batchlog and acknowledged by all of them (WriteTimeoutError
 *    BATCH_LOG otherwise; nothing is written then, and the client may retry);
 * 4. each mutation is written to its replicas at the batch's consistency (WriteTimeoutError BATCH
 *    otherwise: the batchlog stays, so the batch is replayed — the write is not lost, which is what
 *    writeType BATCH tells the client);
 * 5. the batch is removed from the batchlog, without waiting.
 *
 * A batch of one mutation is not logged (Cassandra writes it as a simple write): one partition is
 * atomic by itself.
 */
import type { ConsistencyName, WriteType } from '../../cql/errors.js';
import type { Mutation } from '../../storage/model.js';
import type { BatchlogTopology, BatchlogWritePlan } from './batchlog-endpoints.js';

/** The batchlog operations a logged batch uses (`BatchlogService` implements them). */
export interface LoggedBatchLog {
  newBatchId(): string;
  planWrite(topology: BatchlogTopology, batchConsistency: ConsistencyName): BatchlogWritePlan;
  store(batchId: string, mutations: readonly Mutation[], endpoints: readonly string[]): Promise<void>;
  remove(batchId: string, endpoints: readonly string[]): void;
}

export interface LoggedBatchSteps {
  readonly batchlog: LoggedBatchLog;
  /** The coordinator, the ring's members and their liveness, now. */
  readonly topology: BatchlogTopology;
  /** Throws UnavailableError when a mutation has too few live replicas for `consistency`. */
  readonly checkAvailable?: (mutations: readonly Mutation[], consistency: ConsistencyName) => void;
  /**
   * Writes every mutation to its replicas and resolves when each is acknowledged at `consistency`;
   * rejects with WriteTimeoutError/UnavailableError carrying `writeType`.
   */
  readonly writeEach: (
    mutations: readonly Mutation[],
    consistency: ConsistencyName,
    writeType: WriteType,
  ) => Promise<void>;
}

/** Writes `mutations` as one LOGGED batch at `consistency` (see the file comment). */
export async function writeLoggedBatch(
  mutations: readonly Mutation[],
  consistency: ConsistencyName,
  steps: LoggedBatchSteps,
): Promise<void> {
  if (mutations.length === 0) return;
  steps.checkAvailable?.(mutations, consistency);
  if (mutations.length === 1) {
    await steps.writeEach(mutations, consistency, 'SIMPLE');
    return;
  }
  const plan = steps.batchlog.planWrite(steps.topology, consistency);
  const batchId = steps.batchlog.newBatchId();
  await steps.batchlog.store(batchId, mutations, plan.endpoints);
  await steps.writeEach(mutations, consistency, 'BATCH');
  steps.batchlog.remove(batchId, plan.endpoints);
}
