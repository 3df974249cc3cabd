/**
 * The replica side of the batchlog verbs: BATCH_STORE_REQ writes the batch into this node's
 * `system.batches` and answers once it is durable; BATCH_REMOVE_REQ deletes it (one-way, as
 * Cassandra sends it; answered only if the sender asked). Payloads come from the network, so they
 * are checked before anything is written: a malformed one fails with INVALID_BATCH.
 */
import { SibylError } from '../../common/errors.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import type { BatchRemovePayload, BatchStorePayload } from '../messaging/verbs.js';
import { Verb } from '../messaging/verbs.js';
import { batchMutationTableId, isBatchId } from './batchlog-format.js';
import type { BatchlogMetrics } from './batchlog-metrics.js';
import type { BatchlogTable } from './batchlog-table.js';

/** A batch payload that does not have the documented shape (docs/formats/internode.md "Batchlog"). */
export class InvalidBatchError extends SibylError {
  constructor(message: string) {
    super('INVALID_BATCH', message);
    this.name = 'InvalidBatchError';
  }
}

function checkId(id: unknown): string {
  if (!isBatchId(id))
    throw new InvalidBatchError(`Invalid batch id ${JSON.stringify(id)}: expected a timeuuid`);
  return id;
}

export function checkStorePayload(payload: unknown): BatchStorePayload {
  if (typeof payload !== 'object' || payload === null)
    throw new InvalidBatchError('Batch payload is not an object');
  const { id, mutations } = payload as Record<string, unknown>;
  checkId(id);
  if (!Array.isArray(mutations) || mutations.length === 0)
    throw new InvalidBatchError(`Batch ${String(id)} carries no mutations`);
  for (const [index, blob] of mutations.entries()) {
    if (!(blob instanceof Uint8Array))
      throw new InvalidBatchError(`Mutation ${index} of batch ${String(id)} is not bytes`);
    try {
      batchMutationTableId(blob, `mutation ${index} of batch ${String(id)}`);
    } catch (error) {
      throw new InvalidBatchError((error as Error).message);
    }
  }
  return payload as BatchStorePayload;
}

export function checkRemovePayload(payload: unknown): BatchRemovePayload {
  if (typeof payload !== 'object' || payload === null)
    throw new InvalidBatchError('Batch remove payload is not an object');
  checkId((payload as Record<string, unknown>).id);
  return payload as BatchRemovePayload;
}

/** Installs the BATCH_STORE_REQ and BATCH_REMOVE_REQ handlers on `messaging`. */
export function registerBatchlogHandlers(
  messaging: MessagingService,
  table: BatchlogTable,
  metrics: BatchlogMetrics,
): void {
  messaging.registerHandler(Verb.BATCH_STORE_REQ, async (message) => {
    const { id, mutations } = checkStorePayload(message.payload);
    await table.write(id, mutations);
    metrics.batchesStored++;
    return null;
  });
  messaging.registerHandler(Verb.BATCH_REMOVE_REQ, async (message) => {
    const { id } = checkRemovePayload(message.payload);
    await table.delete(id);
    metrics.batchesRemoved++;
    return null;
  });
}

export function unregisterBatchlogHandlers(messaging: MessagingService): void {
  messaging.unregisterHandler(Verb.BATCH_STORE_REQ);
  messaging.unregisterHandler(Verb.BATCH_REMOVE_REQ);
}
