/**
 * The coordinator's side of one replica request: the local node is served by its own engine through
 * the same functions the verb handlers use (no messaging, no encoding), a peer through messaging with
 * the coordinator's timeout in the frame (so the peer drops it once nobody waits). Every answer's
 * response time feeds the endpoint's latency score.
 */
import { SibylError } from '../../common/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { Mutation, Partition } from '../../storage/model.js';
import { decodePartition, encodePartition } from '../../storage/partition-codec.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { MessagingService, PeerAddress } from '../messaging/index.js';
import { Verb } from '../messaging/index.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { EndpointScores } from './latency.js';
import { partitionDigest } from './partition-digest.js';
import { readLocally, scanLocally } from './replica-handlers.js';
import type { RangeCommand, ReadCommand } from './replica-messages.js';
import { MalformedPayloadError, rangePayload, readPayload } from './replica-messages.js';

export interface RangeAnswer {
  readonly partitions: readonly Partition[];
  readonly more: boolean;
}

export interface ReplicaClientDeps {
  readonly engine: StorageEngine;
  readonly localHostId: () => HostId;
  readonly scheduler: Scheduler;
  readonly scores: EndpointScores;
  readonly messaging: () => MessagingService | undefined;
  readonly ring: () => TokenMetadata;
}

/** Encodes a mutation once, on first use, for every peer it goes to. */
export class EncodedMutation {
  private bytes: Uint8Array | undefined;

  constructor(
    readonly mutation: Mutation,
    private readonly encode: (mutation: Mutation) => Uint8Array,
  ) {}

  get encoded(): Uint8Array {
    this.bytes ??= this.encode(this.mutation);
    return this.bytes;
  }
}

export class ReplicaClient {
  constructor(private readonly deps: ReplicaClientDeps) {}

  isLocal(target: HostId): boolean {
    return target === this.deps.localHostId();
  }

  /** MUTATION_REQ (or READ_REPAIR_REQ): resolves once the replica applied it. */
  async apply(
    target: HostId,
    update: EncodedMutation,
    durable: boolean,
    timeoutMs: number,
    verb: typeof Verb.MUTATION_REQ | typeof Verb.READ_REPAIR_REQ = Verb.MUTATION_REQ,
  ): Promise<void> {
    if (this.isLocal(target)) {
      // The wire encoding (made once for every remote replica) is what the local engine stores too.
      await this.deps.engine.apply(update.mutation, durable, update.encoded);
      return;
    }
    const payload = { tableId: update.mutation.tableId, partition: update.encoded, durable };
    await this.timed(target, (messaging, peer) => messaging.request(peer, verb, payload, { timeoutMs }));
  }

  /** READ_REQ: the replica's partition (null when it has none). */
  async readData(target: HostId, command: ReadCommand, timeoutMs: number): Promise<Partition | null> {
    if (this.isLocal(target)) return this.timedLocal(() => readLocally(this.deps.engine, command));
    const response = await this.timed(target, (messaging, peer) =>
      messaging.request(peer, Verb.READ_REQ, readPayload(command), { timeoutMs }),
    );
    const bytes = (response as { partition?: unknown } | null)?.partition;
    if (bytes === null) return null;
    if (!(bytes instanceof Uint8Array))
      throw new MalformedPayloadError('READ_RSP', 'partition is not binary');
    return decodePartition(bytes, `READ_RSP from ${this.addressOf(target)}`);
  }

  /** READ_DIGEST_REQ: the digest of the replica's answer. */
  async readDigest(target: HostId, command: ReadCommand, timeoutMs: number): Promise<Uint8Array> {
    if (this.isLocal(target)) {
      return partitionDigest(await this.timedLocal(() => readLocally(this.deps.engine, command)));
    }
    const response = await this.timed(target, (messaging, peer) =>
      messaging.request(peer, Verb.READ_DIGEST_REQ, readPayload(command), { timeoutMs }),
    );
    const digest = (response as { digest?: unknown } | null)?.digest;
    if (!(digest instanceof Uint8Array))
      throw new MalformedPayloadError('READ_DIGEST_RSP', 'digest is not binary');
    return digest;
  }

  /** RANGE_REQ: one batch of the range's partitions, in order. */
  async range(target: HostId, command: RangeCommand, timeoutMs: number): Promise<RangeAnswer> {
    if (this.isLocal(target)) {
      return this.timedLocal(() => scanLocally(this.deps.engine, command, (partition) => partition));
    }
    const response = await this.timed(target, (messaging, peer) =>
      messaging.request(peer, Verb.RANGE_REQ, rangePayload(command), { timeoutMs }),
    );
    const { partitions, more } = (response ?? {}) as { partitions?: unknown; more?: unknown };
    if (!Array.isArray(partitions) || typeof more !== 'boolean')
      throw new MalformedPayloadError('RANGE_RSP', 'expected partitions and more');
    const source = `RANGE_RSP from ${this.addressOf(target)}`;
    return {
      partitions: partitions.map((bytes: unknown) => {
        if (!(bytes instanceof Uint8Array))
          throw new MalformedPayloadError('RANGE_RSP', 'partition is not binary');
        return decodePartition(bytes, source);
      }),
      more,
    };
  }

  /** COUNTER_MUTATION_REQ: the leader applies the update and replicates it at `level` before answering. */
  async counterMutation(
    leader: HostId,
    update: Mutation,
    durable: boolean,
    level: string,
    timeoutMs: number,
  ): Promise<void> {
    const payload = {
      tableId: update.tableId,
      partition: encodePartition(update.partition),
      durable,
      consistency: level,
    };
    await this.timed(leader, (messaging, peer) =>
      messaging.request(peer, Verb.COUNTER_MUTATION_REQ, payload, { timeoutMs }),
    );
  }

  /** TRUNCATE_REQ. */
  async truncate(target: HostId, tableId: string, timeoutMs: number): Promise<void> {
    if (this.isLocal(target)) {
      await this.deps.engine.truncate(tableId);
      return;
    }
    await this.timed(target, (messaging, peer) =>
      messaging.request(peer, Verb.TRUNCATE_REQ, { tableId }, { timeoutMs }),
    );
  }

  /** The messaging address of a peer, from the ring. */
  addressOf(target: HostId): PeerAddress {
    const info = this.deps.ring().endpoint(target);
    if (info === undefined) throw new SibylError('UNKNOWN_ENDPOINT', `endpoint ${target} is not in the ring`);
    return info.address as PeerAddress;
  }

  private async timed<T>(
    target: HostId,
    send: (messaging: MessagingService, peer: PeerAddress) => Promise<T>,
  ): Promise<T> {
    const messaging = this.deps.messaging();
    if (messaging === undefined)
      throw new SibylError('NOT_JOINED', 'internode messaging is not started: peers cannot be reached yet');
    const peer = this.addressOf(target);
    const started = this.deps.scheduler.nowMs();
    try {
      return await send(messaging, peer);
    } finally {
      // A timeout or failure counts as slow too: the score keeps away from a struggling replica.
      this.deps.scores.record(target, this.deps.scheduler.nowMs() - started);
    }
  }

  private async timedLocal<T>(work: () => Promise<T>): Promise<T> {
    const started = this.deps.scheduler.nowMs();
    try {
      return await work();
    } finally {
      this.deps.scores.record(this.deps.localHostId(), this.deps.scheduler.nowMs() - started);
    }
  }
}
