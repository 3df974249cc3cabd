/**
 * The admin routes of joining and leaving (nodetool decommission, removenode, netstats), registered
 * on the node's admin endpoint by `startNode`. Refusals (Cassandra's UnsupportedOperationException
 * and the like) answer 409 with their code and message; decommission and removenode answer when
 * the operation is over, as nodetool waits for them.
 */
import { SibylError } from '../../common/errors.js';
import { AdminError, type AdminRoute, badRequest } from '../admin/index.js';
import type { DecommissionOptions } from './decommission.js';
import type { OperationMode } from './membership-context.js';
import type { StreamSessionInfo } from './stream-sessions.js';

/** GET /netstats. */
export interface NetstatsResponse {
  readonly mode: OperationMode;
  readonly sessions: readonly StreamSessionInfo[];
}

/** GET /removenode/status. */
export interface RemovalStatusResponse {
  readonly status: string;
}

/** What the routes drive: the running node's operations. */
export interface StreamingOperations {
  readonly operationMode: OperationMode;
  decommission(options?: DecommissionOptions): Promise<void>;
  removeNode(hostId: string): Promise<void>;
  removalStatus(): string;
  streams(): StreamSessionInfo[];
}

/** Operating errors that mean "not now / not this" rather than a failure of the node. */
const REFUSALS: ReadonlySet<string> = new Set(['UNSUPPORTED_OPERATION', 'ILLEGAL_STATE', 'INVALID_ARGUMENT']);

async function refusalsAs409(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof SibylError && REFUSALS.has(error.code))
      throw new AdminError(409, error.code, error.message);
    throw error;
  }
}

export function streamingRoutes(node: StreamingOperations): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/decommission',
      summary:
        'stream this node\'s ranges to their next owners and leave the ring (body {"force": true} to ignore RF)',
      handle: async ({ body }) => {
        const force = (body as { force?: unknown } | undefined)?.force;
        if (force !== undefined && typeof force !== 'boolean')
          throw badRequest('force must be true or false');
        await refusalsAs409(node.decommission({ force: force === true }));
        return { mode: node.operationMode };
      },
    },
    {
      method: 'GET',
      path: '/removenode/status',
      summary: 'the removal this node coordinates, if any',
      handle: (): RemovalStatusResponse => ({ status: node.removalStatus() }),
    },
    {
      method: 'POST',
      path: '/removenode/:hostId',
      summary: 'remove a dead node: re-replicate its ranges from the survivors, then drop it',
      handle: async ({ params }) => {
        await refusalsAs409(node.removeNode(params.hostId ?? ''));
        return {};
      },
    },
    {
      method: 'GET',
      path: '/netstats',
      summary: 'operation mode and stream sessions (under way and recent)',
      handle: (): NetstatsResponse => ({ mode: node.operationMode, sessions: node.streams() }),
    },
  ];
}
