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
} as const;

export type VerbName = keyof typeof Verb;
export type VerbId = (typeof Verb)[VerbName];

/** Which configured timeout a verb's requests wait (and when a replica drops them as expired). */
export type TimeoutClass = 'write' | 'read' | 'range' | 'truncate' | 'request' | 'gossip';

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
}

export type PayloadOf<V extends number> = V extends keyof VerbPayloads ? VerbPayloads[V] : unknown;

/** Verbs that have a response: what `request` accepts. */
export type RequestVerbId = {
  [N in VerbName]: N extends `${string}_REQ` ? (typeof Verb)[N] : never;
}[Exclude<VerbName, 'SCHEMA_PUSH_REQ'>];

/** The response payload type of a request verb. */
export type ResponseOf<V extends VerbId> = V extends typeof Verb.ECHO_REQ ? null : unknown;
