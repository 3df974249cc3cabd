/**
 * What the node's admin routes read: the parts of a running node, handed over by `startNode`.
 * Routes only read these (and ask the storage engine to flush or compact); they own nothing.
 */
import type { Clock } from '../../common/clock.js';
import type { QueryProcessor } from '../../cql/query-processor.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { ClusterView } from '../cluster/cluster-service.js';
import type { ResolvedNodeConfig } from '../config.js';
import type { MessagingService } from '../messaging/index.js';

/** What the admin endpoint reads of the native server. */
export interface NativeServerView {
  readonly connectionCount: number;
  readonly requestCount: number;
  readonly active: boolean;
}

export interface AdminContext {
  readonly config: ResolvedNodeConfig;
  /** Read at each request: tokens change as the node joins or leaves the ring. */
  readonly identity: { readonly hostId: string; readonly tokens: readonly string[] };
  /** This start's gossip generation. */
  readonly generation: number;
  readonly startedAtMs: number;
  readonly clock: Clock;
  readonly processor: QueryProcessor;
  readonly engine: StorageEngine;
  readonly messaging: MessagingService;
  readonly cluster: ClusterView;
  readonly native: NativeServerView;
}
