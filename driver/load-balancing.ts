/**
 * Query plans: which hosts a request tries, in order. Token-aware over DC-aware round-robin, as
 * the DataStax drivers' default: the live replicas of the statement's token in the local data
 * center first (rotated so one replica does not take all the load), then the other live hosts of
 * the local data center, round-robin. Hosts of other data centers are never used (as the DataStax
 * default, `usedHostsPerRemoteDc` = 0): a local-DC client must not silently cross a WAN.
 * Pure: the counter that rotates plans is passed in.
 */

export interface PlanHost {
  /** `address:port`. */
  readonly key: string;
  readonly dataCenter: string;
  readonly up: boolean;
}

/** The live hosts of `localDataCenter`, starting at position `counter` (mod their count). */
export function roundRobinPlan(
  hosts: readonly PlanHost[],
  localDataCenter: string,
  counter: number,
): string[] {
  const local = hosts.filter((h) => h.up && h.dataCenter === localDataCenter).map((h) => h.key);
  return rotate(local, counter);
}

/**
 * `replicas` (primary first, from the token ring) that are in the child plan go first, rotated by
 * `counter`; then the child plan without them. A replica outside the child plan (down, remote) is
 * skipped: the child plan decides who may be used at all.
 */
export function tokenAwarePlan(
  childPlan: readonly string[],
  replicas: readonly string[],
  counter: number,
): string[] {
  // Arrays, not sets: plans and replica lists are short, and this runs for every request.
  const local: string[] = [];
  for (const endpoint of replicas) if (childPlan.includes(endpoint)) local.push(endpoint);
  if (local.length === 0) return [...childPlan];
  const plan = rotate(local, counter);
  for (const endpoint of childPlan) if (!local.includes(endpoint)) plan.push(endpoint);
  return plan;
}

function rotate<T>(items: readonly T[], counter: number): T[] {
  if (items.length <= 1) return [...items];
  const start = ((counter % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
