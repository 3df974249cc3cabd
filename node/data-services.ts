/**
 * The services that keep replicas whole around the coordinator, started once the node has joined
 * gossip and wired to it: hinted handoff (node/hints/), the batchlog of LOGGED batches
 * (node/batchlog/) and the counter leader (node/counters/). `startNode` starts them after the
 * cluster service and closes them after the native server has drained, before messaging closes.
 */
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { QueryProcessor } from '../cql/query-processor.js';
import type { HostId } from '../ring/endpoint.js';
import type { StorageEngine } from '../storage/storage-engine.js';
import type { AdminRoute } from './admin/index.js';
import { badRequest } from './admin/index.js';
import {
  BatchlogService,
  batchlogCandidates,
  tableInfoFromSchema,
  writeLoggedBatch,
} from './batchlog/index.js';
import type { ClusterService } from './cluster/cluster-service.js';
import type { ResolvedNodeConfig } from './config.js';
import type { Coordinator } from './coordinator/coordinator.js';
import { CounterLeader } from './counters/counter-leader.js';
import type { HintsService, PendingHints } from './hints/hints-service.js';
import { startHints } from './hints/start-hints.js';
import type { MessagingService } from './messaging/index.js';
import { toPeerAddress } from './messaging/index.js';

export interface DataServicesDeps {
  readonly config: ResolvedNodeConfig;
  readonly engine: StorageEngine;
  readonly processor: QueryProcessor;
  readonly messaging: MessagingService;
  readonly cluster: ClusterService;
  readonly coordinator: Coordinator;
  readonly hostId: HostId;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface DataServices {
  readonly hints: HintsService;
  /** Decommission's hint transfer: every hint to the nearest live member (same DC first). */
  transferHints(): Promise<void>;
  readonly batchlog: BatchlogService;
  /** nodetool listpendinghints, truncatehints, pausehandoff, resumehandoff, enable/disablehandoff. */
  routes(): AdminRoute[];
  close(): Promise<void>;
}

export async function startDataServices(deps: DataServicesDeps): Promise<DataServices> {
  const { config, engine, processor, messaging, cluster, coordinator, hostId, clock, log } = deps;
  const addressOf = (target: HostId) => cluster.ring.endpoint(target)?.address;
  const hints = await startHints({
    config,
    engine,
    messaging,
    clock,
    log: log.child({ component: 'hints' }),
    endpoints: {
      isAlive: (target) => {
        if (target === hostId) return true;
        const address = addressOf(target);
        return address !== undefined && cluster.isAlive(address);
      },
      downSinceMs: (target) => {
        const address = addressOf(target);
        return address === undefined ? undefined : cluster.downSinceMs(address);
      },
      endpointCount: () => cluster.ring.allEndpoints().length,
      addressOf: (target) => {
        const address = addressOf(target);
        return address === undefined ? undefined : toPeerAddress(address, config.storagePort);
      },
    },
  });
  coordinator.attachHints(hints);
  const stopWatching = [
    cluster.onEndpointUp((endpoint) => {
      const info = cluster.ring.endpointByAddress(endpoint);
      if (info !== undefined) hints.onEndpointUp(info.hostId);
    }),
    // Cassandra's excise: the hints of a node that left the ring have nobody to go to.
    cluster.onEndpointRemoved((gone) => void hints.truncateHints(gone)),
  ];

  const batchlog = new BatchlogService({
    messaging,
    engine,
    // Cassandra replays a batch's mutations to every replica, hinting those that do not answer.
    replay: (mutations) =>
      coordinator.apply(mutations, { consistency: 'ONE', durable: true, batchType: 'unlogged' }),
    tableInfo: tableInfoFromSchema(() => processor.schema.schema),
    endpointCount: () => cluster.ring.normalEndpoints().length,
    localAddress: cluster.endpoint,
    // The first replay waits one ring delay (Cassandra: RING_DELAY), to know the ring first.
    options: { ...config.batchlog, batchlogReplayInitialDelayMs: config.streaming.ringDelayMs },
    log: log.child({ component: 'batchlog' }),
  });
  batchlog.start();
  coordinator.attachBatchlog({
    writeLogged: (mutations, consistency, writes) =>
      writeLoggedBatch(mutations, consistency, {
        batchlog,
        topology: {
          local: { address: cluster.endpoint, dataCenter: config.dc, rack: config.rack },
          endpoints: batchlogCandidates(cluster.ring),
          isAlive: (address) => address === cluster.endpoint || cluster.isAlive(address),
        },
        checkAvailable: (batch, level) => writes.checkAvailable(batch, level),
        writeEach: (batch, level, writeType) => writes.writeEach(batch, level, writeType),
      }),
  });

  const counterLeader = new CounterLeader({
    engine,
    hostId,
    replicate: (shards, consistency, durable) =>
      coordinator.replicateCounterShard(shards, consistency, durable),
  });
  counterLeader.register(messaging);

  return {
    hints,
    batchlog,
    transferHints: async () => {
      const ring = cluster.ring;
      const candidates = ring
        .normalEndpoints()
        .filter((member) => member !== hostId && cluster.isAlive(ring.endpoint(member)!.address))
        .map((member) => ring.endpoint(member)!);
      const target = candidates.find((info) => info.dataCenter === config.dc) ?? candidates[0];
      if (target === undefined) {
        if (hints.listPendingHints().length > 0)
          log.warn('no live node to transfer hints to; they stay on this decommissioned node');
        return;
      }
      await hints.transferTo(toPeerAddress(target.address, config.storagePort));
    },
    routes: () => [...hintRoutes(hints, cluster), batchlogRoute(batchlog)],
    close: async () => {
      for (const stop of stopWatching) stop();
      counterLeader.unregister(messaging);
      await batchlog.close();
      await hints.close();
    },
  };
}

/** nodetool replaybatchlog: a replay round now (after any round under way), answered when it is over. */
function batchlogRoute(batchlog: BatchlogService): AdminRoute {
  return {
    method: 'POST',
    path: '/batchlog/replay',
    summary: "replay the batches in this node's batchlog that are past the batchlog timeout",
    handle: () => batchlog.replayFailedBatches(),
  };
}

/** One line of `GET /hints`, as nodetool listpendinghints prints it. */
export interface PendingHintsLine extends PendingHints {
  /** The target's address, when the ring still knows it. */
  readonly address: string | null;
}

function hintRoutes(hints: HintsService, cluster: ClusterService): AdminRoute[] {
  /** A host id, or an address of a ring member, as nodetool truncatehints takes it. */
  const hostIdOf = (text: string): HostId => {
    const byId = cluster.ring.endpoint(text as HostId);
    if (byId !== undefined) return byId.hostId;
    const byAddress =
      cluster.ring.endpointByAddress(text) ??
      cluster.ring.allEndpoints().find((info) => info.address.split(':')[0] === text);
    if (byAddress !== undefined) return byAddress.hostId;
    throw badRequest(`Unknown endpoint ${text}`);
  };
  return [
    {
      method: 'GET',
      path: '/hints',
      summary: 'hints waiting for each target host (nodetool listpendinghints)',
      handle: (): { hints: PendingHintsLine[]; paused: boolean } => ({
        hints: hints.listPendingHints().map((line) => ({
          ...line,
          address: cluster.ring.endpoint(line.hostId)?.address ?? null,
        })),
        paused: hints.isHandoffPaused,
      }),
    },
    {
      method: 'POST',
      path: '/hints/truncate',
      summary: 'delete every hint, or those of one host (body {"host": "<host id or address>"})',
      handle: async ({ body }) => {
        const host = (body as { host?: unknown } | undefined)?.host;
        if (host !== undefined && typeof host !== 'string') throw badRequest('host must be a string');
        await hints.truncateHints(host === undefined ? undefined : hostIdOf(host));
        return {};
      },
    },
    {
      method: 'POST',
      path: '/hints/pause',
      summary: 'stop delivering hints (nodetool pausehandoff)',
      handle: () => {
        hints.pauseHandoff();
        return { paused: true };
      },
    },
    {
      method: 'POST',
      path: '/hints/resume',
      summary: 'deliver hints again (nodetool resumehandoff)',
      handle: () => {
        hints.resumeHandoff();
        return { paused: false };
      },
    },
    {
      method: 'POST',
      path: '/hints/enabled',
      summary: 'store hints or not (nodetool enablehandoff / disablehandoff; body {"enabled": bool})',
      handle: ({ body }) => {
        const enabled = (body as { enabled?: unknown } | undefined)?.enabled;
        if (typeof enabled !== 'boolean') throw badRequest('enabled must be true or false');
        hints.setHintedHandoffEnabled(enabled);
        return { enabled };
      },
    },
  ];
}
