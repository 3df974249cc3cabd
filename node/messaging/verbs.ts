/**
 * Every internode message kind on one screen (STYLE.md §5, in the spirit of Cassandra's Verb table):
 * its id on the wire, its response, its timeout class, its stage and its priority.
 *
 * The ids are persisted on the wire (docs/formats/internode.md): NEVER RENUMBER. Retire a verb by
 * leaving its id unused; add new verbs with new ids.
 */
import type { MessagingOptions } from '../../common/limits.js';
import type { HostId } from '../../ring/endpoint.js';

export const Verb = {
  /** First frame of every outbound connection: who is speaking (see `HandshakePayload`). */
  HANDSHAKE: 1,
  /** The answer to any request whose handler failed: `FailurePayload`. */
  FAILURE_RSP: 2,
  ECHO_REQ: 3,
  ECHO_RSP: 4,

  MUTATION_REQ: 10,
  MUTATION_RSP: 11,
  HINT_REQ: 12,
  HINT_RSP: 13,
  READ_REPAIR_REQ: 14,
  READ_REPAIR_RSP: 15,
  TRUNCATE_REQ: 16,
  TRUNCATE_RSP: 17,
  /** A counter update sent to its leader replica, which applies and replicates it (node/counters/). */
  COUNTER_MUTATION_REQ: 18,
  COUNTER_MUTATION_RSP: 19,

  READ_REQ: 20,
  READ_RSP: 21,
  READ_DIGEST_REQ: 22,
  READ_DIGEST_RSP: 23,
  RANGE_REQ: 24,
  RANGE_RSP: 25,

  GOSSIP_DIGEST_SYN: 30,
  GOSSIP_DIGEST_ACK: 31,
  GOSSIP_DIGEST_ACK2: 32,
  GOSSIP_SHUTDOWN: 33,

  SCHEMA_PULL_REQ: 40,
  SCHEMA_PULL_RSP: 41,
  SCHEMA_PUSH_REQ: 42,
  SCHEMA_VERSION_REQ: 43,
  SCHEMA_VERSION_RSP: 44,

  PAXOS_PREPARE_REQ: 50,
  PAXOS_PREPARE_RSP: 51,
  PAXOS_PROPOSE_REQ: 52,
  PAXOS_PROPOSE_RSP: 53,
  PAXOS_COMMIT_REQ: 54,
  PAXOS_COMMIT_RSP: 55,

  REPAIR_PREPARE_REQ: 60,
  REPAIR_PREPARE_RSP: 61,
  REPAIR_VALIDATION_REQ: 62,
  REPAIR_VALIDATION_RSP: 63,
  REPAIR_SYNC_REQ: 64,
  REPAIR_SYNC_RSP: 65,
  REPAIR_CLEANUP_REQ: 66,
  REPAIR_CLEANUP_RSP: 67,

  STREAM_INIT_REQ: 70,
  STREAM_INIT_RSP: 71,
  STREAM_CHUNK_REQ: 72,
  STREAM_CHUNK_RSP: 73,
  STREAM_COMPLETE_REQ: 74,
  STREAM_COMPLETE_RSP: 75,
  /** Asks a node to pull ranges it gains (decommission, removenode); answered at once. */
  STREAM_FETCH_REQ: 76,
  STREAM_FETCH_RSP: 77,
  /** The pull asked for by STREAM_FETCH_REQ is over (Cassandra's REPLICATION_DONE). */
  REPLICATION_DONE_REQ: 78,
  REPLICATION_DONE_RSP: 79,

  /** A coordinator writes a logged batch into the batchlog of another node (node/batchlog/). */
  BATCH_STORE_REQ: 80,
  BATCH_STORE_RSP: 81,
  /** The batch's mutations are acknowledged: its batchlog entry can go (sent one-way, as Cassandra). */
  BATCH_REMOVE_REQ: 82,
  BATCH_REMOVE_RSP: 83,
} as const;

export type VerbName = keyof typeof Verb;
export type VerbId = (typeof Verb)[VerbName];

/** Which configured timeout a verb's requests wait (and when a replica drops them as expired). */
export type TimeoutClass = 'write' | 'counter write' | 'read' | 'range' | 'truncate' | 'request' | 'gossip';

/** The work queue a verb belongs to (Cassandra's stages); for metrics and future scheduling. */
export type Stage =
  | 'internal'
  | 'response'
  | 'mutation'
  | 'read'
  | 'gossip'
  | 'schema'
  | 'paxos'
  | 'anti-entropy'
  | 'streaming';

/** urgent: liveness and membership; bulk: large transfers that must not delay the rest. */
export type Priority = 'urgent' | 'normal' | 'bulk';

export interface VerbSpec {
  readonly id: VerbId;
  readonly name: VerbName;
  /** The verb replies carry; absent for responses and one-way messages. */
  readonly response?: VerbId;
  /** True for responses (matched to a pending request by request id). */
  readonly isResponse: boolean;
  readonly timeout: TimeoutClass;
  readonly stage: Stage;
  readonly priority: Priority;
  /** A request older than its timeout when it arrives is dropped, not executed (nobody waits for it). */
  readonly droppable: boolean;
}

type Row = [VerbName, TimeoutClass, Stage, Priority, droppable: boolean, response?: VerbName];

// biome-ignore format: one aligned row per verb reads as a table
const ROWS: readonly Row[] = [
  // name                   timeout     stage           priority  droppable response
  ['HANDSHAKE',             'request',  'internal',     'urgent', false],
  ['FAILURE_RSP',           'request',  'response',     'normal', false],
  ['ECHO_REQ',              'request',  'gossip',       'urgent', false, 'ECHO_RSP'],
  ['ECHO_RSP',              'request',  'response',     'urgent', false],
  ['MUTATION_REQ',          'write',    'mutation',     'normal', true,  'MUTATION_RSP'],
  ['MUTATION_RSP',          'write',    'response',     'normal', false],
  ['HINT_REQ',              'write',    'mutation',     'normal', true,  'HINT_RSP'],
  ['HINT_RSP',              'write',    'response',     'normal', false],
  ['READ_REPAIR_REQ',       'write',    'mutation',     'normal', true,  'READ_REPAIR_RSP'],
  ['READ_REPAIR_RSP',       'write',    'response',     'normal', false],
  ['TRUNCATE_REQ',          'truncate', 'mutation',     'normal', false, 'TRUNCATE_RSP'],
  ['TRUNCATE_RSP',          'truncate', 'response',     'normal', false],
  ['COUNTER_MUTATION_REQ',  'counter write', 'mutation', 'normal', true,  'COUNTER_MUTATION_RSP'],
  ['COUNTER_MUTATION_RSP',  'counter write', 'response', 'normal', false],
  ['READ_REQ',              'read',     'read',         'normal', true,  'READ_RSP'],
  ['READ_RSP',              'read',     'response',     'normal', false],
  ['READ_DIGEST_REQ',       'read',     'read',         'normal', true,  'READ_DIGEST_RSP'],
  ['READ_DIGEST_RSP',       'read',     'response',     'normal', false],
  ['RANGE_REQ',             'range',    'read',         'normal', true,  'RANGE_RSP'],
  ['RANGE_RSP',             'range',    'response',     'normal', false],
  ['GOSSIP_DIGEST_SYN',     'gossip',   'gossip',       'urgent', false],
  ['GOSSIP_DIGEST_ACK',     'gossip',   'gossip',       'urgent', false],
  ['GOSSIP_DIGEST_ACK2',    'gossip',   'gossip',       'urgent', false],
  ['GOSSIP_SHUTDOWN',       'gossip',   'gossip',       'urgent', false],
  ['SCHEMA_PULL_REQ',       'request',  'schema',       'normal', false, 'SCHEMA_PULL_RSP'],
  ['SCHEMA_PULL_RSP',       'request',  'response',     'normal', false],
  ['SCHEMA_PUSH_REQ',       'request',  'schema',       'normal', false],
  ['SCHEMA_VERSION_REQ',    'request',  'schema',       'normal', false, 'SCHEMA_VERSION_RSP'],
  ['SCHEMA_VERSION_RSP',    'request',  'response',     'normal', false],
  ['PAXOS_PREPARE_REQ',     'write',    'paxos',        'normal', true,  'PAXOS_PREPARE_RSP'],
  ['PAXOS_PREPARE_RSP',     'write',    'response',     'normal', false],
  ['PAXOS_PROPOSE_REQ',     'write',    'paxos',        'normal', true,  'PAXOS_PROPOSE_RSP'],
  ['PAXOS_PROPOSE_RSP',     'write',    'response',     'normal', false],
  ['PAXOS_COMMIT_REQ',      'write',    'paxos',        'normal', true,  'PAXOS_COMMIT_RSP'],
  ['PAXOS_COMMIT_RSP',      'write',    'response',     'normal', false],
  ['REPAIR_PREPARE_REQ',    'request',  'anti-entropy', 'normal', false, 'REPAIR_PREPARE_RSP'],
  ['REPAIR_PREPARE_RSP',    'request',  'response',     'normal', false],
  ['REPAIR_VALIDATION_REQ', 'request',  'anti-entropy', 'normal', false, 'REPAIR_VALIDATION_RSP'],
  ['REPAIR_VALIDATION_RSP', 'request',  'response',     'bulk',   false],
  ['REPAIR_SYNC_REQ',       'request',  'anti-entropy', 'normal', false, 'REPAIR_SYNC_RSP'],
  ['REPAIR_SYNC_RSP',       'request',  'response',     'normal', false],
  ['REPAIR_CLEANUP_REQ',    'request',  'anti-entropy', 'normal', false, 'REPAIR_CLEANUP_RSP'],
  ['REPAIR_CLEANUP_RSP',    'request',  'response',     'normal', false],
  ['STREAM_INIT_REQ',       'request',  'streaming',    'bulk',   false, 'STREAM_INIT_RSP'],
  ['STREAM_INIT_RSP',       'request',  'response',     'bulk',   false],
  ['STREAM_CHUNK_REQ',      'request',  'streaming',    'bulk',   false, 'STREAM_CHUNK_RSP'],
  ['STREAM_CHUNK_RSP',      'request',  'response',     'bulk',   false],
  ['STREAM_COMPLETE_REQ',   'request',  'streaming',    'bulk',   false, 'STREAM_COMPLETE_RSP'],
  ['STREAM_COMPLETE_RSP',   'request',  'response',     'bulk',   false],
  ['STREAM_FETCH_REQ',      'request',  'streaming',    'normal', false, 'STREAM_FETCH_RSP'],
  ['STREAM_FETCH_RSP',      'request',  'response',     'normal', false],
  ['REPLICATION_DONE_REQ',  'request',  'streaming',    'normal', false, 'REPLICATION_DONE_RSP'],
  ['REPLICATION_DONE_RSP',  'request',  'response',     'normal', false],
  ['BATCH_STORE_REQ',       'write',    'mutation',     'normal', true,  'BATCH_STORE_RSP'],
  ['BATCH_STORE_RSP',       'write',    'response',     'normal', false],
  ['BATCH_REMOVE_REQ',      'write',    'mutation',     'normal', true,  'BATCH_REMOVE_RSP'],
  ['BATCH_REMOVE_RSP',      'write',    'response',     'normal', false],
];

/** Indexed by verb id (a dense array: ids are small). */
const SPECS: (VerbSpec | undefined)[] = [];
for (const [name, timeout, stage, priority, droppable, response] of ROWS) {
  const id = Verb[name];
  if (SPECS[id]) throw new Error(`verb id ${id} used twice`);
  SPECS[id] = {
    id,
    name,
    timeout,
    stage,
    priority,
    droppable,
    isResponse: stage === 'response',
    ...(response ? { response: Verb[response] } : {}),
  };
}
for (const name of Object.keys(Verb) as VerbName[]) {
  if (!SPECS[Verb[name]]) throw new Error(`verb ${name} missing from the verb table`);
}

/** The spec of a verb id, or undefined for an id this version does not know. */
export function verbSpec(id: number): VerbSpec | undefined {
  return SPECS[id];
}

/** The spec of a known verb (a bug if it is missing). */
export function specOf(id: VerbId): VerbSpec {
  const spec = SPECS[id];
  if (!spec) throw new Error(`assertion failed: verb ${id} has no spec`);
  return spec;
}

export function verbName(id: number): string {
  return SPECS[id]?.name ?? `UNKNOWN_VERB_${id}`;
}

/** Every verb spec, by id. */
export function allVerbs(): VerbSpec[] {
  return SPECS.filter((spec): spec is VerbSpec => spec !== undefined);
}

/** The configured timeout of a verb's class. */
export function timeoutMsOf(spec: VerbSpec, options: MessagingOptions): number {
  switch (spec.timeout) {
    case 'write':
      return options.writeRequestTimeoutMs;
    case 'counter write':
      return options.counterWriteRequestTimeoutMs;
    case 'read':
      return options.readRequestTimeoutMs;
    case 'range':
      return options.rangeRequestTimeoutMs;
    case 'truncate':
      return options.truncateRequestTimeoutMs;
    case 'gossip':
      return options.gossipTimeoutMs;
    case 'request':
      return options.requestTimeoutMs;
  }
}

/** Body of HANDSHAKE. */
export interface HandshakePayload {
  /** The messaging version the sender speaks (`MESSAGING_VERSION`). */
  readonly version: number;
  readonly hostId: HostId;
  /** Where the sender listens, `host:port`: the peer name its messages are attributed to. */
  readonly address: string;
}

/** Body of FAILURE_RSP. */
export interface FailurePayload {
  /** A stable code: the handler error's `code`, or UNKNOWN, NO_HANDLER, UNKNOWN_VERB. */
  readonly code: string;
  readonly message: string;
}

// ---- The coordinator's verbs (node/coordinator/replica-handlers.ts; docs/formats/internode.md) ----

/** A partition key on the wire: its token and its serialized bytes. */
export interface WireKey {
  readonly token: bigint;
  readonly key: Uint8Array;
}

/** One side of a clustering slice: a clustering prefix (empty: unbounded). */
export interface WireClusteringBound {
  readonly prefix: readonly Uint8Array[];
  readonly inclusive: boolean;
}

/** A key bound of a range read, in (token, key) order. */
export interface WireKeyBound extends WireKey {
  readonly inclusive: boolean;
}

/** Body of MUTATION_REQ and READ_REPAIR_REQ: one partition update in the partition codec's form. */
export interface MutationPayload {
  readonly tableId: string;
  /** `encodePartition` bytes (docs/formats/partition.md), applied as they are. */
  readonly partition: Uint8Array;
  /** False for keyspaces with durable_writes = false: the replica skips its commit log. */
  readonly durable: boolean;
}

/** Body of READ_REQ and READ_DIGEST_REQ: one partition, cut to a clustering slice (never reversed). */
export interface ReadPayload {
  readonly tableId: string;
  readonly key: WireKey;
  readonly start?: WireClusteringBound;
  readonly end?: WireClusteringBound;
}

/** Body of READ_RSP: the partition as the replica merged it (tombstones included), or null. */
export interface ReadResponsePayload {
  readonly partition: Uint8Array | null;
}

/** Body of READ_DIGEST_RSP: MD5 of the canonical encoding of the same result (16 bytes). */
export interface DigestResponsePayload {
  readonly digest: Uint8Array;
}

/** Body of RANGE_REQ: partitions of `[from, to]` in (token, key) order, at most `limit` of them. */
export interface RangePayload {
  readonly tableId: string;
  readonly from?: WireKeyBound;
  readonly to?: WireKeyBound;
  /** With `from` inclusive: the first partition, if it is `from`'s, starts after this clustering. */
  readonly afterClustering?: readonly Uint8Array[];
  readonly limit: number;
}

/** Body of RANGE_RSP: encoded partitions in order; `more` when the range holds partitions past the last. */
export interface RangeResponsePayload {
  readonly partitions: readonly Uint8Array[];
  readonly more: boolean;
}

/**
 * Body of COUNTER_MUTATION_REQ: a counter update (delta cells, docs/formats/partition.md) for the
 * leader replica, which applies it (`StorageEngine.applyCounterUpdate`) and replicates the shard
 * mutation it wrote to the other replicas at `consistency` before it answers.
 */
export interface CounterMutationPayload {
  readonly tableId: string;
  /** `encodePartition` bytes of the update: counter delta cells and deletions. */
  readonly partition: Uint8Array;
  readonly durable: boolean;
  /** The client's consistency level (never ANY or SERIAL for counters), e.g. 'QUORUM'. */
  readonly consistency: string;
}

/** Body of TRUNCATE_REQ. */
export interface TruncatePayload {
  readonly tableId: string;
}

/** Body of HINT_REQ: one hint replayed to its replica (node/hints/; docs/formats/internode.md "Hints"). */
export interface HintPayload {
  /** The replica the hint is for; a node that is not it keeps the hint to pass it on later. */
  readonly hostId: HostId;
  /** When the coordinator created the hint (ms): past its table's gc_grace_seconds it is dropped. */
  readonly creationMs: number;
  readonly tableId: string;
  /** `encodePartition` bytes (docs/formats/partition.md) with the write's original timestamps. */
  readonly partition: Uint8Array;
}

// ---- The batchlog's verbs (node/batchlog/; docs/formats/internode.md "Batchlog") ----

/** Body of BATCH_STORE_REQ: one logged batch to keep in `system.batches` until it is removed or replayed. */
export interface BatchStorePayload {
  /** The batch id: a timeuuid (text form) whose time is when the coordinator wrote the batch. */
  readonly id: string;
  /** Each mutation as the batchlog stores it (docs/formats/batchlog.md): table id + partition bytes. */
  readonly mutations: readonly Uint8Array[];
}

/** Body of BATCH_REMOVE_REQ: the batch whose mutations were all acknowledged. */
export interface BatchRemovePayload {
  readonly id: string;
}

/**
 * Payload types of verbs whose shape is settled at this layer; every other verb carries `unknown`
 * until its feature (coordinator, gossip, schema, repair, streaming) declares it here.
 */
export interface VerbPayloads {
  [Verb.HANDSHAKE]: HandshakePayload;
  [Verb.FAILURE_RSP]: FailurePayload;
  [Verb.ECHO_REQ]: null;
  [Verb.ECHO_RSP]: null;
  [Verb.GOSSIP_SHUTDOWN]: null;
  [Verb.MUTATION_REQ]: MutationPayload;
  [Verb.MUTATION_RSP]: null;
  [Verb.READ_REPAIR_REQ]: MutationPayload;
  [Verb.READ_REPAIR_RSP]: null;
  [Verb.TRUNCATE_REQ]: TruncatePayload;
  [Verb.TRUNCATE_RSP]: null;
  [Verb.COUNTER_MUTATION_REQ]: CounterMutationPayload;
  [Verb.COUNTER_MUTATION_RSP]: null;
  [Verb.READ_REQ]: ReadPayload;
  [Verb.READ_RSP]: ReadResponsePayload;
  [Verb.READ_DIGEST_REQ]: ReadPayload;
  [Verb.READ_DIGEST_RSP]: DigestResponsePayload;
  [Verb.RANGE_REQ]: RangePayload;
  [Verb.RANGE_RSP]: RangeResponsePayload;
  [Verb.HINT_REQ]: HintPayload;
  [Verb.HINT_RSP]: null;
  [Verb.BATCH_STORE_REQ]: BatchStorePayload;
  [Verb.BATCH_STORE_RSP]: null;
  [Verb.BATCH_REMOVE_REQ]: BatchRemovePayload;
  [Verb.BATCH_REMOVE_RSP]: null;
}

export type PayloadOf<V extends number> = V extends keyof VerbPayloads ? VerbPayloads[V] : unknown;

/** Verbs that have a response: what `request` accepts. */
export type RequestVerbId = {
  [N in VerbName]: N extends `${string}_REQ` ? (typeof Verb)[N] : never;
}[Exclude<VerbName, 'SCHEMA_PUSH_REQ'>];

/** Request verb → the payload of its response, where settled (the others answer `unknown`). */
interface ResponsePayloads {
  [Verb.ECHO_REQ]: null;
  [Verb.MUTATION_REQ]: null;
  [Verb.READ_REPAIR_REQ]: null;
  [Verb.TRUNCATE_REQ]: null;
  [Verb.COUNTER_MUTATION_REQ]: null;
  [Verb.READ_REQ]: ReadResponsePayload;
  [Verb.READ_DIGEST_REQ]: DigestResponsePayload;
  [Verb.RANGE_REQ]: RangeResponsePayload;
  [Verb.HINT_REQ]: null;
  [Verb.BATCH_STORE_REQ]: null;
  [Verb.BATCH_REMOVE_REQ]: null;
}

/** The response payload type of a request verb. */
export type ResponseOf<V extends VerbId> = V extends keyof ResponsePayloads ? ResponsePayloads[V] : unknown;
