/**
 * Schema propagation (Cassandra's MigrationManager / MigrationCoordinator, simplified): the schema
 * version travels in gossip (SCHEMA); a node that sees a live peer on another version pulls that
 * peer's system_schema rows (SCHEMA_PULL_REQ → SCHEMA_PULL_RSP) and merges them; a node whose schema
 * changed pushes its rows to the live peers still on another version (SCHEMA_PUSH_REQ), so DDL is
 * visible elsewhere within a round trip rather than a gossip round. Merging is last-write-wins by the
 * rows' timestamps (SchemaManager.applyRemoteSchema), so pulls and pushes in any order converge.
 */
import { SibylError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { SchemaManager, SchemaPartition } from '../../cql/schema/index.js';
import type { EndpointAddress } from '../gossip/endpoint-state.js';
import type { Gossiper } from '../gossip/gossiper.js';
import { schemaPulls } from '../gossip/schema-agreement.js';
import { RELEASE_VERSION } from '../local-info.js';
import type { IncomingMessage, MessagingService, PeerAddress } from '../messaging/index.js';
import { Verb } from '../messaging/index.js';

/** Body of SCHEMA_PULL_RSP and SCHEMA_PUSH_REQ. */
export interface SchemaPayload {
  readonly partitions: readonly SchemaPartition[];
}

function payloadOf(value: unknown): SchemaPayload {
  const partitions = (value as Partial<SchemaPayload> | null)?.partitions;
  if (!Array.isArray(partitions))
    throw new SibylError('INVALID_SCHEMA_PAYLOAD', 'expected { partitions: [...] }');
  return { partitions };
}

export class SchemaSync {
  private readonly pulling = new Set<EndpointAddress>();
  private pushScheduled = false;
  private closed = false;
  /** Merges under way: close waits for them, as the storage engine closes next. */
  private readonly merging = new Set<Promise<void>>();

  constructor(
    private readonly schema: SchemaManager,
    private readonly messaging: MessagingService,
    private readonly gossiper: Gossiper,
    private readonly log: Logger,
  ) {
    messaging.registerHandler(Verb.SCHEMA_PULL_REQ, async () => {
      const payload: SchemaPayload = { partitions: await schema.schemaPartitions() };
      return payload;
    });
    messaging.registerHandler(Verb.SCHEMA_PUSH_REQ, (message: IncomingMessage<unknown>) => {
      void this.merge(message.from, message.payload);
    });
  }

  /** Pulls from one live peer per schema version that differs from ours (each tick and on SCHEMA news). */
  maybePull(): void {
    if (this.closed || this.gossiper.phase !== 'running') return;
    const pulls = schemaPulls({
      local: this.gossiper.address,
      localSchemaVersion: this.schema.schema.version,
      localReleaseVersion: RELEASE_VERSION,
      states: this.gossiper.endpointStates(),
      isAlive: (endpoint) => this.gossiper.isAlive(endpoint),
      exclude: this.pulling,
    });
    for (const { endpoint } of pulls) {
      if (this.pulling.has(endpoint)) continue;
      this.pulling.add(endpoint);
      this.messaging
        .request(endpoint as string as PeerAddress, Verb.SCHEMA_PULL_REQ, null)
        .then((response) => this.merge(endpoint, response))
        .catch((error: unknown) => this.log.debug({ err: error, endpoint }, 'schema pull failed'))
        .finally(() => this.pulling.delete(endpoint));
    }
  }

  /** After a schema change: our rows to every live peer on another version, once per turn. */
  pushSoon(): void {
    if (this.pushScheduled || this.closed) return;
    this.pushScheduled = true;
    setImmediate(() => {
      this.pushScheduled = false;
      void this.push();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.messaging.unregisterHandler(Verb.SCHEMA_PULL_REQ);
    this.messaging.unregisterHandler(Verb.SCHEMA_PUSH_REQ);
    await Promise.all(this.merging);
  }

  private async push(): Promise<void> {
    const ours = this.schema.schema.version;
    const targets = this.gossiper
      .liveEndpoints()
      .filter((endpoint) => this.gossiper.endpointState(endpoint)?.states.SCHEMA?.value !== ours);
    if (targets.length === 0 || this.closed) return;
    try {
      const payload: SchemaPayload = { partitions: await this.schema.schemaPartitions() };
      for (const target of targets) {
        if (!this.closed) this.messaging.send(target as string as PeerAddress, Verb.SCHEMA_PUSH_REQ, payload);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'schema push failed');
    }
  }

  private merge(from: string, value: unknown): Promise<void> {
    if (this.closed) return Promise.resolve();
    const run = this.mergeNow(from, value).finally(() => this.merging.delete(run));
    this.merging.add(run);
    return run;
  }

  private async mergeNow(from: string, value: unknown): Promise<void> {
    try {
      const events = await this.schema.applyRemoteSchema(payloadOf(value).partitions);
      if (events.length > 0) this.log.info({ from, changes: events }, 'schema merged');
    } catch (error) {
      this.log.warn({ err: error, from }, 'could not merge schema from a peer');
    }
  }
}
