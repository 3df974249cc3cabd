/**
 * The replica side of hinted handoff (Cassandra's HintVerbHandler): HINT_REQ carries one hint
 * (docs/formats/internode.md "Hints"); the replica applies it to its storage engine with the
 * write's original timestamps and answers HINT_RSP (null).
 *
 * - A hint addressed to another host (it came from a node passing its hints on) is stored here as a
 *   hint for that host, to be delivered later.
 * - A hint whose table is unknown here (dropped since) or that is older than the table's
 *   gc_grace_seconds is answered without being applied: retrying it could never succeed.
 * - A payload of the wrong shape fails with INVALID_HINT (the sender keeps the hint); partition
 *   bytes that do not decode are skipped with a warning, as Cassandra skips a hint it cannot
 *   validate, since sending them again would fail again.
 */
import type { Clock } from '../../common/clock.js';
import { SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { HostId } from '../../ring/endpoint.js';
import type { Mutation, Partition } from '../../storage/model.js';
import { decodePartition } from '../../storage/partition-codec.js';
import type { IncomingMessage } from '../messaging/incoming-message.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import type { HintPayload } from '../messaging/verbs.js';
import { Verb } from '../messaging/verbs.js';
import { replayDecision } from './hint-policy.js';

/** What the handler needs of the local node. */
export interface HintReplica {
  readonly localHostId: HostId;
  /** Applies a mutation to the local storage engine (commit log, memtable). */
  apply(mutation: Mutation): Promise<void>;
  /** The table's gc_grace_seconds; undefined when the table does not exist here. */
  gcGraceSeconds(tableId: string): number | undefined;
  /** Keeps a hint for another host (a node passing its hints on); absent: such hints fail. */
  storeHint?(target: HostId, mutation: Mutation, creationMs: number): boolean;
  readonly clock: Clock;
  readonly log: Logger;
}

export function registerHintVerbHandler(messaging: MessagingService, replica: HintReplica): void {
  messaging.registerHandler(Verb.HINT_REQ, (message) => applyHint(message, replica));
}

export async function applyHint(message: IncomingMessage<HintPayload>, replica: HintReplica): Promise<null> {
  const hint = checkHintPayload(message.payload);
  let partition: Partition;
  try {
    // A copy: the decoded partition is made of views, and a memtable may keep it.
    partition = decodePartition(Buffer.from(hint.partition), `hint from ${message.from}`);
  } catch (error) {
    replica.log.warn(
      { err: error, from: message.from, hostId: hint.hostId },
      'Failed to validate a hint - skipped',
    );
    return null;
  }
  const mutation: Mutation = { tableId: hint.tableId, partition };
  if (hint.hostId !== replica.localHostId) {
    if (replica.storeHint === undefined) {
      throw new SibylError('INVALID_HINT', `hint for host ${hint.hostId} sent to ${replica.localHostId}`);
    }
    replica.storeHint(hint.hostId, mutation, hint.creationMs);
    return null;
  }
  const decision = replayDecision(
    hint.creationMs,
    replica.gcGraceSeconds(hint.tableId),
    replica.clock.nowMs(),
  );
  if (decision !== 'deliver') {
    replica.log.debug({ from: message.from, tableId: hint.tableId, decision }, 'hint not applied');
    return null;
  }
  await replica.apply(mutation);
  return null;
}

/** The payload as the wire delivered it, checked field by field (a peer sent it). */
function checkHintPayload(payload: unknown): HintPayload {
  const hint = payload as Partial<HintPayload> | null;
  const fail = (what: string): never => {
    throw new SibylError('INVALID_HINT', `malformed HINT_REQ payload: ${what}`);
  };
  if (hint === null || typeof hint !== 'object') return fail('not an object');
  if (typeof hint.hostId !== 'string') fail('hostId is not a string');
  if (typeof hint.tableId !== 'string') fail('tableId is not a string');
  if (typeof hint.creationMs !== 'number' || !Number.isSafeInteger(hint.creationMs)) fail('bad creationMs');
  if (!(hint.partition instanceof Uint8Array)) fail('partition is not bytes');
  return hint as HintPayload;
}
