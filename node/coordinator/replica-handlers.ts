/**
 * The replica side of the coordinator's verbs: what a node does when a coordinator (possibly itself,
 * through the same functions without messaging) asks it to apply, read, scan or truncate. Every
 * payload is checked first; a failure answers FAILURE_RSP with the error's code (UNKNOWN_TABLE while
 * a schema change has not reached this node yet, MALFORMED_PAYLOAD, MUTATION_TOO_LARGE, …).
 */
import type { Partition } from '../../storage/model.js';
import { encodePartition } from '../../storage/partition-codec.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type {
  DigestResponsePayload,
  MessagingService,
  RangeResponsePayload,
  ReadResponsePayload,
} from '../messaging/index.js';
import { Verb } from '../messaging/index.js';
import { partitionDigest } from './partition-digest.js';
import type { RangeCommand, ReadCommand } from './replica-messages.js';
import { parseMutation, parseRange, parseRead, parseTruncate } from './replica-messages.js';

export interface ReplicaLimits {
  /** Most partitions one RANGE_RSP carries (a larger `limit` asked for is cut to it). */
  readonly maxRangePartitions: number;
  /** A RANGE_RSP stops adding partitions once its encoded partitions reach this many bytes. */
  readonly maxRangeResponseBytes: number;
}

/** One partition, sliced, as this replica holds it (tombstones included). */
export function readLocally(engine: StorageEngine, command: ReadCommand): Promise<Partition | null> {
  return engine.read(command.tableId, command.key, command.slice);
}

/**
 * Partitions of a range in (token, key) order, at most `limit` and (when `sizeOf` is given) about
 * `maxBytes` of them; `more` when it stopped at a bound rather than at the end of the range.
 */
export async function scanLocally<T>(
  engine: StorageEngine,
  command: RangeCommand,
  convert: (partition: Partition) => T,
  sizeOf: (item: T) => number = () => 0,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ partitions: T[]; more: boolean }> {
  const partitions: T[] = [];
  let bytes = 0;
  for await (const partition of engine.scan(command.tableId, command.range)) {
    const item = convert(partition);
    partitions.push(item);
    bytes += sizeOf(item);
    // Stopping here closes the scan (the generator's finally releases its SSTables).
    if (partitions.length >= command.limit || bytes >= maxBytes) return { partitions, more: true };
  }
  return { partitions, more: false };
}

/**
 * Installs the handlers of MUTATION, READ_REPAIR, READ, READ_DIGEST, RANGE and TRUNCATE (a counter
 * update's leader step, COUNTER_MUTATION_REQ, is node/counters/'s).
 */
export function registerReplicaHandlers(
  messaging: MessagingService,
  engine: StorageEngine,
  limits: ReplicaLimits,
): void {
  const apply = async (payload: unknown, verb: string, from: string): Promise<null> => {
    const { tableId, partition, durable } = parseMutation(payload, verb);
    // The engine checks every byte (as decoding would) without building the partition, then stores
    // the bytes received as they are: commit log and memtable take them, nothing is re-encoded.
    await engine.applyEncoded(tableId, partition, durable, `${verb} from ${from}`);
    return null;
  };
  messaging.registerHandler(Verb.MUTATION_REQ, (message) =>
    apply(message.payload, 'MUTATION_REQ', message.from),
  );
  messaging.registerHandler(Verb.READ_REPAIR_REQ, (message) =>
    apply(message.payload, 'READ_REPAIR_REQ', message.from),
  );
  messaging.registerHandler(Verb.READ_REQ, async (message): Promise<ReadResponsePayload> => {
    const partition = await readLocally(engine, parseRead(message.payload, 'READ_REQ'));
    return { partition: partition === null ? null : encodePartition(partition) };
  });
  messaging.registerHandler(Verb.READ_DIGEST_REQ, async (message): Promise<DigestResponsePayload> => {
    const partition = await readLocally(engine, parseRead(message.payload, 'READ_DIGEST_REQ'));
    return { digest: partitionDigest(partition) };
  });
  messaging.registerHandler(Verb.RANGE_REQ, (message): Promise<RangeResponsePayload> => {
    const command = parseRange(message.payload, 'RANGE_REQ', limits.maxRangePartitions);
    return scanLocally(
      engine,
      command,
      encodePartition,
      (bytes) => bytes.length,
      limits.maxRangeResponseBytes,
    );
  });
  messaging.registerHandler(Verb.TRUNCATE_REQ, async (message) => {
    await engine.truncate(parseTruncate(message.payload, 'TRUNCATE_REQ').tableId);
    return null;
  });
}

/** Removes the handlers (a node closing stops answering before its storage closes). */
export function unregisterReplicaHandlers(messaging: MessagingService): void {
  for (const verb of [
    Verb.MUTATION_REQ,
    Verb.READ_REPAIR_REQ,
    Verb.READ_REQ,
    Verb.READ_DIGEST_REQ,
    Verb.RANGE_REQ,
    Verb.TRUNCATE_REQ,
  ]) {
    messaging.unregisterHandler(verb);
  }
}
