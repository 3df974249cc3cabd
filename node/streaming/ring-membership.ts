/**
 * This node's membership of the ring over its life: how it enters gossip and bootstraps at start,
 * `decommission`, `removeNode` for a dead peer, and the operation mode they move through
 * (STARTING → JOINING → NORMAL → LEAVING → DECOMMISSIONED). One operation at a time, as Cassandra.
 */
import { SibylError } from '../../common/errors.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';
import type { ClusterService, GossipEntry } from '../cluster/cluster-service.js';
import { bootstrap, joinWithoutBootstrap, prepareJoin, shouldBootstrap } from './bootstrap.js';
import type { DecommissionOptions } from './decommission.js';
import { decommission } from './decommission.js';
import type { MembershipContext, MembershipDeps, OperationMode } from './membership-context.js';
import { localHostId, unsupported } from './membership-context.js';
import type { RemovalProgress } from './remove-node.js';
import { removeNode } from './remove-node.js';

export class RingMembership {
  private currentMode: OperationMode = 'STARTING';
  private context: MembershipContext | undefined;
  private decommissioning = false;
  private removal: RemovalProgress | undefined;
  private entry: GossipEntry = 'normal';
  private localEndpoint = '';
  private readonly closing = new AbortController();
  private hintTransfer: (() => Promise<void>) | undefined;

  constructor(
    private readonly deps: MembershipDeps,
    private readonly stopServing: () => Promise<void>,
  ) {}

  /** What decommission runs, once its data is streamed, to hand this node's hints on (node/hints). */
  setHintTransfer(transfer: () => Promise<void>): void {
    this.hintTransfer = transfer;
  }

  get mode(): OperationMode {
    return this.currentMode;
  }

  /** For ClusterService.start: how to enter gossip, given the ring the seeds described. */
  async prepareJoin(seedRing: TokenMetadata, localEndpoint: string): Promise<GossipEntry> {
    this.localEndpoint = localEndpoint;
    this.entry = await prepareJoin(this.deps, seedRing, localEndpoint);
    return this.entry;
  }

  /** Once gossip runs: bootstraps when it entered as `joining`; NORMAL otherwise. */
  async join(cluster: ClusterService): Promise<void> {
    const ctx = this.contextFor(cluster);
    if (this.entry === 'normal') ctx.mode = 'NORMAL';
    else if (shouldBootstrap(this.deps, this.localEndpoint)) await bootstrap(ctx);
    else await joinWithoutBootstrap(ctx);
  }

  async decommission(options: DecommissionOptions = {}): Promise<void> {
    const ctx = this.requireContext('decommission');
    if (this.decommissioning)
      throw new SibylError('ILLEGAL_STATE', 'Node is still decommissioning. Check nodetool netstats.');
    if (ctx.mode === 'DECOMMISSIONED')
      throw unsupported('Node in DECOMMISSIONED state; wait for status to become normal or restart');
    this.decommissioning = true;
    try {
      await decommission(ctx, options);
    } finally {
      this.decommissioning = false;
    }
  }

  async removeNode(hostId: string): Promise<void> {
    const ctx = this.requireContext('removenode');
    if (this.removal !== undefined)
      throw unsupported(
        "This node is already processing a removal. Wait for it to complete, or use 'removenode force' if this has failed.",
      );
    if (ctx.mode !== 'NORMAL') throw unsupported(`Node in ${ctx.mode} state; cannot coordinate a removal`);
    await removeNode(ctx, hostId, (progress) => {
      this.removal = progress;
    });
  }

  /** nodetool removenode status. */
  removalStatus(): string {
    const removal = this.removal;
    if (removal === undefined) return 'RemovalStatus: No removals in process.';
    const waiting = [...removal.waitingFor].join(', ');
    return `RemovalStatus: Removing token (${removal.hostId}). Waiting for replication confirmation from [${waiting}].`;
  }

  /** Aborts a wait under way (the node closes). */
  close(): void {
    this.closing.abort();
  }

  private requireContext(operation: string): MembershipContext {
    if (this.context === undefined)
      throw unsupported(`${operation}: the node has not joined the cluster yet`);
    return this.context;
  }

  private contextFor(cluster: ClusterService): MembershipContext {
    const membership = this;
    const signal = this.closing.signal;
    this.context = {
      ...this.deps,
      cluster,
      hostId: localHostId(this.deps.identity),
      get mode() {
        return membership.currentMode;
      },
      set mode(mode: OperationMode) {
        membership.currentMode = mode;
      },
      sleep: (ms) => sleep(ms, signal),
      stopServing: this.stopServing,
      transferHints: () => this.hintTransfer?.() ?? Promise.resolve(),
    };
    return this.context;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const closed = () => new SibylError('NODE_CLOSED', 'node closed while joining or leaving the ring');
    if (signal.aborted) {
      reject(closed());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(closed());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
