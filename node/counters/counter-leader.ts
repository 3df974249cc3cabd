/**
 * The leader replica of a counter write (Cassandra's CounterMutationVerbHandler and
 * StorageProxy.applyCounterMutationOnLeader). A coordinator sends a counter update — delta cells
 * and deletions, which no replica applies as they are — to one live replica of the partition with
 * COUNTER_MUTATION_REQ (or, when it is a replica itself, calls `applyAndReplicate` directly). The
 * leader:
 *  1. applies it through `StorageEngine.applyCounterUpdate`, counting under its own host id: under a
 *     lock on the partition it reads its shard of each cell and writes `(clock + 1, count + delta)`
 *     through its commit log and memtable;
 *  2. hands the mutation it wrote — counter cells carrying only its shard — to `replicate`, which
 *     sends it as a plain MUTATION to the other replicas and resolves once the request's consistency
 *     level is met counting the leader's own write (write type COUNTER; replicas down or silent get
 *     hints of that same shard mutation, which replay idempotently);
 *  3. answers COUNTER_MUTATION_RSP (null), or FAILURE_RSP with the error's code.
 *
 * Payload (msgpack, docs/formats/internode.md): `{ tableId, partition, durable, consistency }` with
 * `partition` in the partition codec (docs/formats/partition.md, counter delta cells).
 */
import { SibylError } from '../../common/errors.js';
import type { ConsistencyName } from '../../cql/errors.js';
import { CONSISTENCY_NAMES } from '../../cql/protocol/constants.js';
import type { CounterId } from '../../storage/counter-context.js';
import { counterIdFromHostId } from '../../storage/counter-context.js';
import type { Mutation } from '../../storage/model.js';
import { decodePartition, encodePartition } from '../../storage/partition-codec.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { CounterMutationPayload, MessagingService } from '../messaging/index.js';
import { Verb } from '../messaging/index.js';

/**
 * Sends the leader's shard mutation to the other replicas of its partition and resolves once
 * `consistency` is met, the leader's own write counting as one acknowledgement (the coordinator's
 * write path with write type COUNTER). Rejects with the coordinator's WriteTimeout / Unavailable.
 */
export type ReplicateShards = (
  shards: Mutation,
  consistency: ConsistencyName,
  durable: boolean,
) => Promise<void>;

/** A counter update as the leader receives it. */
export interface CounterUpdate {
  readonly mutation: Mutation;
  readonly consistency: ConsistencyName;
  readonly durable: boolean;
}

export class MalformedCounterMutationError extends SibylError {
  constructor(detail: string) {
    super('MALFORMED_PAYLOAD', `malformed COUNTER_MUTATION_REQ payload: ${detail}`);
    this.name = 'MalformedCounterMutationError';
  }
}

/** The COUNTER_MUTATION_REQ payload of a counter update (what the coordinator sends). */
export function counterMutationPayload(update: CounterUpdate): CounterMutationPayload {
  return {
    tableId: update.mutation.tableId,
    partition: encodePartition(update.mutation.partition),
    durable: update.durable,
    consistency: update.consistency,
  };
}

/** Checks and decodes a COUNTER_MUTATION_REQ payload (a peer's bytes are input, not trusted state). */
export function parseCounterMutationPayload(payload: unknown, from: string): CounterUpdate {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new MalformedCounterMutationError('not an object');
  const { tableId, partition, durable, consistency } = payload as Record<string, unknown>;
  if (typeof tableId !== 'string' || tableId.length === 0)
    throw new MalformedCounterMutationError('tableId is not a string');
  if (!(partition instanceof Uint8Array)) throw new MalformedCounterMutationError('partition is not bytes');
  if (typeof durable !== 'boolean') throw new MalformedCounterMutationError('durable is not a boolean');
  if (typeof consistency !== 'string' || !CONSISTENCY_NAMES.includes(consistency as ConsistencyName))
    throw new MalformedCounterMutationError(`unknown consistency level ${String(consistency)}`);
  if (consistency === 'ANY' || consistency === 'SERIAL' || consistency === 'LOCAL_SERIAL')
    throw new MalformedCounterMutationError(
      `consistency level ${consistency} is not valid for a counter write`,
    );
  return {
    mutation: { tableId, partition: decodePartition(partition, `COUNTER_MUTATION_REQ from ${from}`) },
    consistency: consistency as ConsistencyName,
    durable,
  };
}

export interface CounterLeaderDeps {
  readonly engine: StorageEngine;
  /** This node's host id: the counter id its shards carry. */
  readonly hostId: string;
  /** Supplied by the coordinator; see `ReplicateShards`. */
  readonly replicate: ReplicateShards;
}

export class CounterLeader {
  readonly counterId: CounterId;

  constructor(private readonly deps: CounterLeaderDeps) {
    this.counterId = counterIdFromHostId(deps.hostId);
  }

  /**
   * Step 1 only: applies the update as leader and returns the shard mutation written (for a caller
   * that replicates it itself).
   */
  applyAsLeader(mutation: Mutation, durable: boolean): Promise<Mutation> {
    return this.deps.engine.applyCounterUpdate(mutation, this.counterId, durable);
  }

  /** Steps 1 and 2: applies as leader, then replicates the shard mutation at the consistency level. */
  async applyAndReplicate(update: CounterUpdate): Promise<Mutation> {
    const shards = await this.applyAsLeader(update.mutation, update.durable);
    await this.deps.replicate(shards, update.consistency, update.durable);
    return shards;
  }

  /** Answers COUNTER_MUTATION_REQ on `messaging`. */
  register(messaging: MessagingService): void {
    messaging.registerHandler(Verb.COUNTER_MUTATION_REQ, async (message) => {
      await this.applyAndReplicate(parseCounterMutationPayload(message.payload, message.from));
      return null;
    });
  }

  /** Stops answering (a node closing stops before its storage closes). */
  unregister(messaging: MessagingService): void {
    messaging.unregisterHandler(Verb.COUNTER_MUTATION_REQ);
  }
}
