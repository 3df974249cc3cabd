/**
 * Blocking read repair, the IO half (the decision is `partitionDiff`, pure): each replica whose
 * answer misses part of the reconciled result is sent exactly that part (READ_REPAIR_REQ; the local
 * node applies it directly), and the read waits for every acknowledgement, at most the write timeout,
 * before answering — so a client that read a value at QUORUM reads it again at QUORUM.
 */

import { ReadTimeoutError } from '../../cql/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import type { Partition } from '../../storage/model.js';
import { encodePartition } from '../../storage/partition-codec.js';
import { Verb } from '../messaging/index.js';
import type { ConsistencyLevel } from './consistency.js';
import type { CoordinatorContext } from './context.js';
import { partitionDiff } from './read-repair.js';
import { EncodedMutation } from './replica-client.js';
import type { TableContext } from './table-catalog.js';

/** One partition's reconciled result and each replica's answer (null: it had nothing). */
export interface RepairItem {
  readonly merged: Partition;
  readonly versions: ReadonlyMap<HostId, Partition | null>;
}

export async function repairReplicas(
  ctx: CoordinatorContext,
  context: TableContext,
  level: ConsistencyLevel,
  blockFor: number,
  items: readonly RepairItem[],
): Promise<void> {
  const repairs: Promise<void>[] = [];
  const stale = new Set<HostId>();
  const durable = context.keyspace.durableWrites;
  const timeoutMs = ctx.options.writeRequestTimeoutMs;
  for (const { merged, versions } of items) {
    for (const [replica, version] of versions) {
      const missing = partitionDiff(merged, version, context.comparator);
      if (missing === null) continue;
      stale.add(replica);
      ctx.metrics.readRepairsSent++;
      const update = new EncodedMutation({ tableId: context.table.id, partition: missing }, (m) =>
        encodePartition(m.partition),
      );
      repairs.push(ctx.client.apply(replica, update, durable, timeoutMs, Verb.READ_REPAIR_REQ));
    }
  }
  if (repairs.length === 0) return;
  ctx.log.debug({ table: context.table.name, replicas: [...stale] }, 'blocking read repair');
  let settled = 0;
  let acknowledged = 0;
  const all = Promise.all(
    repairs.map((repair) =>
      repair.then(
        () => {
          settled++;
          acknowledged++;
        },
        (error: unknown) => {
          settled++;
          ctx.log.debug({ err: error }, 'read repair not applied');
        },
      ),
    ),
  );
  let timer: ReturnType<typeof ctx.scheduler.setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = ctx.scheduler.setTimeout(resolve, timeoutMs);
  });
  await Promise.race([all, deadline]);
  if (timer) ctx.scheduler.clearTimeout(timer);
  if (acknowledged === repairs.length) return;
  // A repair that did not land leaves the replicas inconsistent: Cassandra answers ReadTimeout too.
  ctx.metrics.readTimeouts++;
  const missing = repairs.length - acknowledged;
  const received = Math.max(0, blockFor - Math.min(blockFor, missing));
  ctx.log.debug({ settled, missing }, 'read repair incomplete');
  throw new ReadTimeoutError(level, received, blockFor, true);
}
