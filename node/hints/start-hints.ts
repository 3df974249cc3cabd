/**
 * Hinted handoff for a running node: opens the hints store in `hints_directory`, creates the
 * `HintsService` (the coordinator's `HintSink`), delivers hints with HINT_REQ over messaging, and
 * registers the HINT_REQ handler that applies hints sent to this node. See node/hints/README.md for
 * who calls what.
 */
import type { Clock } from '../../common/clock.js';
import { SibylError } from '../../common/errors.js';
import { checkHintsLimits, KiB } from '../../common/limits.js';
import type { Logger } from '../../common/logger.js';
import type { HostId } from '../../ring/endpoint.js';
import { HintsStore } from '../../storage/hints/hints-store.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { ResolvedNodeConfig } from '../config.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import type { PeerAddress } from '../messaging/transport.js';
import { Verb } from '../messaging/verbs.js';
import type { Scheduler } from '../sim/scheduler.js';
import { systemScheduler } from '../sim/scheduler.js';
import { registerHintVerbHandler } from './hint-verb-handler.js';
import type { HintsLiveness } from './hints-service.js';
import { HintsService } from './hints-service.js';

/** What the cluster tells hinted handoff: liveness (HintsLiveness) and where a host listens. */
export interface HintsEndpoints extends HintsLiveness {
  /** The messaging address (`host:port`) of a host in the ring; undefined when it is not known. */
  addressOf(hostId: HostId): PeerAddress | undefined;
}

export interface StartHintsParams {
  readonly config: ResolvedNodeConfig;
  readonly engine: StorageEngine;
  readonly messaging: MessagingService;
  readonly endpoints: HintsEndpoints;
  readonly clock: Clock;
  readonly log: Logger;
  /** Timers; default: the OS's, with `clock` as its time. */
  readonly scheduler?: Scheduler;
  /** A table's gc_grace_seconds (undefined: no such table); default: the engine's table definition. */
  readonly gcGraceSeconds?: (tableId: string) => number | undefined;
}

/** Framing a hint record adds around a mutation of max_mutation_size (table id included). */
const RECORD_FRAMING_BYTES = 1 * KiB;

export async function startHints(params: StartHintsParams): Promise<HintsService> {
  const { config, engine, messaging, endpoints, clock, log } = params;
  const options = config.hints;
  const maxRecordSizeBytes = engine.options.maxMutationSizeBytes + RECORD_FRAMING_BYTES;
  // The buffer always holds one hint of max_mutation_size (which is configurable, the buffer not).
  const maxBufferedHintBytes = Math.max(options.maxBufferedHintBytes, maxRecordSizeBytes);
  checkHintsLimits({ ...options, maxBufferedHintBytes }, maxRecordSizeBytes);
  const store = await HintsStore.open(options.hintsDirectory, {
    maxFileSizeBytes: options.maxHintsFileSizeBytes,
    flushPeriodMs: options.hintsFlushPeriodMs,
    maxRecordSizeBytes,
    maxBufferedBytes: maxBufferedHintBytes,
    readChunkBytes: options.hintsReadChunkBytes,
    clock,
    log,
  });
  const gcGraceSeconds =
    params.gcGraceSeconds ??
    ((tableId: string) =>
      engine.hasTable(tableId) ? engine.table(tableId).definition.gcGraceSeconds : undefined);
  const service = new HintsService({
    store,
    options,
    scheduler: params.scheduler ?? { ...systemScheduler, nowMs: () => clock.nowMs() },
    liveness: endpoints,
    gcGraceSeconds,
    log,
    deliver: async (target, mutation, hint, via) => {
      // A transfer (`via`) hands the hint to another node, which keeps it for `target`.
      const address = via ?? endpoints.addressOf(target);
      if (address === undefined) {
        throw new SibylError('UNKNOWN_ENDPOINT', `no address is known for host ${target}`);
      }
      await messaging.request(address, Verb.HINT_REQ, {
        hostId: target,
        creationMs: hint.creationMs,
        tableId: mutation.tableId,
        partition: hint.partitionBytes,
      });
    },
  });
  registerHintVerbHandler(messaging, {
    localHostId: messaging.hostId,
    apply: (mutation) => engine.apply(mutation),
    gcGraceSeconds,
    storeHint: (target, mutation, creationMs) => service.storeHint(target, mutation, creationMs),
    clock,
    log,
  });
  const pending = service.listPendingHints();
  if (pending.length > 0) {
    log.info({ hosts: pending.length, directory: options.hintsDirectory }, 'found hints to replay');
  }
  return service;
}
