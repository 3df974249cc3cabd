/**
 * A node's admin endpoint: the HTTP server with the node's routes (cluster, tables, faults,
 * metrics, and `GET /` listing them). `startNode` starts it once the cluster service runs and closes
 * it first on shutdown. Features that come later add their routes with `endpoint.router.register`.
 */
import type { Logger } from '../../common/logger.js';
import { splitHostPort } from '../messaging/transport.js';
import type { AdminContext } from './admin-context.js';
import { AdminRouter } from './admin-router.js';
import { AdminServer } from './admin-server.js';
import type { RouteListResponse } from './admin-types.js';
import { clusterRoutes } from './cluster-routes.js';
import { faultRoutes } from './fault-routes.js';
import { NodeMetrics } from './node-metrics.js';
import { tableRoutes } from './table-routes.js';

export interface AdminEndpoint {
  readonly router: AdminRouter;
  /** `/metrics`: other parts export their counters through it (`exportCounters`). */
  readonly metrics: NodeMetrics;
  /** The port bound (the configured one, or a free one: `admin_port: 0`, or 7199 taken). */
  readonly port: number;
  close(): Promise<void>;
}

export interface AdminEndpointOptions {
  /** Listen on a free port if the configured one is taken (the node was not told a port). */
  readonly freePortIfBusy: boolean;
  readonly log: Logger;
}

export async function startAdminEndpoint(
  ctx: AdminContext,
  options: AdminEndpointOptions,
): Promise<AdminEndpoint> {
  const router = new AdminRouter();
  const metrics = new NodeMetrics(ctx);
  const peerPort = splitHostPort(ctx.messaging.address, ctx.config.storagePort).port;
  router.register(
    {
      method: 'GET',
      path: '/',
      summary: 'this list of routes',
      handle: (): RouteListResponse => ({
        routes: router.routes().map(({ method, path, summary }) => ({ method, path, summary })),
      }),
    },
    ...clusterRoutes(ctx),
    ...tableRoutes(ctx),
    ...faultRoutes(ctx.messaging.faultFilter, peerPort),
    metrics.route(),
  );
  let server: AdminServer;
  try {
    server = await AdminServer.start({
      host: ctx.config.listenAddress,
      port: ctx.config.adminPort,
      freePortIfBusy: options.freePortIfBusy,
      router,
      log: options.log,
    });
  } catch (error) {
    metrics.close();
    throw error;
  }
  options.log.info({ address: ctx.config.listenAddress, port: server.port }, 'admin endpoint listening');
  return {
    router,
    metrics,
    port: server.port,
    close: async () => {
      metrics.close();
      await server.close();
    },
  };
}
