/**
 * Operating errors of `sibyl cluster` (STYLE.md §7): a stable code to classify by, a message that
 * names the cluster, node, address or log file the user has to look at.
 */
import { SibylError } from '../../common/errors.js';

export type ClusterErrorCode =
  | 'BAD_ARGUMENT'
  | 'NO_CURRENT_CLUSTER'
  | 'UNKNOWN_CLUSTER'
  | 'CLUSTER_EXISTS'
  | 'UNKNOWN_NODE'
  | 'NODE_EXISTS'
  | 'PORT_IN_USE'
  | 'ADDRESS_UNAVAILABLE'
  | 'START_FAILED'
  | 'START_TIMEOUT'
  | 'STOP_TIMEOUT'
  | 'NOT_RUNNING'
  | 'DECOMMISSION_FAILED';

export class ClusterError extends SibylError {
  constructor(
    override readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ClusterError';
  }
}
