/**
 * Consistency-level arithmetic in one place (STYLE.md §8), as Cassandra's ConsistencyLevel: how many
 * replicas a request blocks for, whether enough are alive to try, which ones a read contacts, and
 * when the answers received satisfy the level. Pure: replicas are described by their data centers,
 * nothing here knows a ring, a clock or a socket.
 */

import { assert } from '../../common/errors.js';
import type { ConsistencyName } from '../../cql/errors.js';
import { InvalidRequestError, UnavailableError } from '../../cql/errors.js';
import type { ReplicationStrategy } from '../../ring/replication-strategy.js';
import { NetworkTopologyStrategy } from '../../ring/replication-strategy.js';

export type ConsistencyLevel = ConsistencyName;

/** How a keyspace replicates, as far as consistency arithmetic is concerned. */
export interface ReplicationFactors {
  /** Replicas in the whole cluster (the sum over data centers). */
  readonly total: number;
  /**
   * Replicas per data center for NetworkTopologyStrategy; null for strategies without data centers
   * (SimpleStrategy), where LOCAL_QUORUM and EACH_QUORUM fall back to a quorum of the whole factor
   * as Cassandra's `localQuorumFor` does.
   */
  readonly byDataCenter: ReadonlyMap<string, number> | null;
}

export function replicationFactorsOf(strategy: ReplicationStrategy): ReplicationFactors {
  if (strategy instanceof NetworkTopologyStrategy) {
    return { total: strategy.replicationFactor(), byDataCenter: strategy.factors };
  }
  return { total: strategy.replicationFactor(), byDataCenter: null };
}

const DC_LOCAL: ReadonlySet<ConsistencyLevel> = new Set(['LOCAL_ONE', 'LOCAL_QUORUM', 'LOCAL_SERIAL']);

/** LOCAL_ONE, LOCAL_QUORUM and LOCAL_SERIAL count only replicas of the coordinator's data center. */
export function isDataCenterLocal(level: ConsistencyLevel): boolean {
  return DC_LOCAL.has(level);
}

export function isSerial(level: ConsistencyLevel): boolean {
  return level === 'SERIAL' || level === 'LOCAL_SERIAL';
}

export function quorumFor(factors: ReplicationFactors): number {
  return Math.floor(factors.total / 2) + 1;
}

/** A quorum of one data center (of the whole factor for strategies without data centers). */
export function localQuorumFor(factors: ReplicationFactors, dataCenter: string): number {
  if (factors.byDataCenter === null) return quorumFor(factors);
  return Math.floor((factors.byDataCenter.get(dataCenter) ?? 0) / 2) + 1;
}

/** Data centers EACH_QUORUM needs a quorum in: those with replicas. */
function replicatedDataCenters(factors: ReplicationFactors): string[] {
  if (factors.byDataCenter === null) return [];
  return [...factors.byDataCenter].filter(([, factor]) => factor > 0).map(([dc]) => dc);
}

/** Answers a request at `level` waits for (Cassandra's `blockFor`), pending replicas aside. */
export function blockFor(
  level: ConsistencyLevel,
  factors: ReplicationFactors,
  localDataCenter: string,
): number {
  switch (level) {
    case 'ANY':
    case 'ONE':
    case 'LOCAL_ONE':
      return 1;
    case 'TWO':
      return 2;
    case 'THREE':
      return 3;
    case 'QUORUM':
    case 'SERIAL':
      return quorumFor(factors);
    case 'ALL':
      return factors.total;
    case 'LOCAL_QUORUM':
    case 'LOCAL_SERIAL':
      return localQuorumFor(factors, localDataCenter);
    case 'EACH_QUORUM': {
      if (factors.byDataCenter === null) return quorumFor(factors);
      let sum = 0;
      for (const dc of replicatedDataCenters(factors)) sum += localQuorumFor(factors, dc);
      return sum;
    }
  }
}

/**
 * Acknowledgements a write waits for: `blockFor` plus one per pending replica (a node joining or
 * taking over a range must also have the write, or it could be lost when the move completes). The
 * DC-local levels add only the pending replicas of the local data center; ANY adds none.
 */
export function blockForWrite(
  level: ConsistencyLevel,
  factors: ReplicationFactors,
  localDataCenter: string,
  pendingDataCenters: readonly string[],
): number {
  const base = blockFor(level, factors, localDataCenter);
  if (level === 'ANY') return base;
  if (isDataCenterLocal(level))
    return base + pendingDataCenters.filter((dc) => dc === localDataCenter).length;
  return base + pendingDataCenters.length;
}

/** Cassandra's ConsistencyLevel.validateForWrite. */
export function validateForWrite(level: ConsistencyLevel): void {
  if (isSerial(level))
    throw new InvalidRequestError('You must use conditional updates for serializable writes');
}

/**
 * Cassandra's ConsistencyLevel.validateForRead, plus what needs lightweight transactions: a SERIAL
 * read of one partition is a Paxos read in Cassandra, which Sibyl does not have yet; over a range
 * Cassandra itself refuses it with the message used here.
 */
export function validateForRead(level: ConsistencyLevel, kind: 'partition' | 'range'): void {
  if (level === 'ANY') throw new InvalidRequestError('ANY ConsistencyLevel is only supported for writes');
  if (!isSerial(level)) return;
  if (kind === 'range') {
    throw new InvalidRequestError(
      'SERIAL/LOCAL_SERIAL consistency may only be requested for one partition at a time',
    );
  }
  throw new InvalidRequestError(
    `${level} reads need lightweight transactions (Paxos), which this node does not support yet`,
  );
}

/**
 * Throws Unavailable (before any replica is contacted) when the live replicas, given by their data
 * centers, cannot satisfy `level` waiting for `required` answers: Cassandra's
 * `assureSufficientLiveNodes`. ANY never is: a hint stored on the coordinator satisfies it.
 */
export function assureSufficientLive(
  level: ConsistencyLevel,
  factors: ReplicationFactors,
  localDataCenter: string,
  liveDataCenters: readonly string[],
  required: number,
): void {
  if (level === 'ANY') return;
  // A keyspace replicated nowhere (factors of 0) blocks for nothing, yet has nobody to answer.
  if (liveDataCenters.length === 0) throw new UnavailableError(level, Math.max(1, required), 0);
  if (isDataCenterLocal(level)) {
    const local = liveDataCenters.filter((dc) => dc === localDataCenter).length;
    if (local < required) throw new UnavailableError(level, required, local);
    return;
  }
  if (level === 'EACH_QUORUM' && factors.byDataCenter !== null) {
    for (const dc of replicatedDataCenters(factors)) {
      const needed = localQuorumFor(factors, dc);
      const alive = liveDataCenters.filter((d) => d === dc).length;
      if (alive < needed) {
        throw new UnavailableError(
          level,
          needed,
          alive,
          `Cannot achieve consistency level ${level} in DC ${dc}`,
        );
      }
    }
    return;
  }
  if (liveDataCenters.length < required) throw new UnavailableError(level, required, liveDataCenters.length);
}

/**
 * The replicas a read contacts, from the live ones sorted nearest first: the first `blockFor`
 * (plus `extra` for speculative retry ALWAYS), the local data center first for DC-local levels,
 * and a quorum from each data center for EACH_QUORUM (Cassandra's `filterForQuery`).
 */
export function filterForQuery<T>(
  level: ConsistencyLevel,
  factors: ReplicationFactors,
  localDataCenter: string,
  liveSorted: readonly T[],
  dataCenterOf: (replica: T) => string,
  extra = 0,
): T[] {
  if (level === 'EACH_QUORUM' && factors.byDataCenter !== null) {
    const left = new Map(replicatedDataCenters(factors).map((dc) => [dc, localQuorumFor(factors, dc)]));
    return liveSorted.filter((replica) => {
      const dc = dataCenterOf(replica);
      const wanted = left.get(dc) ?? 0;
      if (wanted <= 0) return false;
      left.set(dc, wanted - 1);
      return true;
    });
  }
  let candidates = liveSorted;
  if (isDataCenterLocal(level)) {
    const local = liveSorted.filter((replica) => dataCenterOf(replica) === localDataCenter);
    const remote = liveSorted.filter((replica) => dataCenterOf(replica) !== localDataCenter);
    candidates = [...local, ...remote];
  }
  return candidates.slice(0, Math.min(candidates.length, blockFor(level, factors, localDataCenter) + extra));
}

/**
 * Counts answers toward a level (pure). DC-local levels count only the local data center; EACH_QUORUM
 * needs its quorum (plus that data center's pending replicas, for writes) in every data center; the
 * others count every answer. `received` is what a timeout reports: answers that counted, as
 * Cassandra's response handlers report them.
 */
export class ResponseCounter {
  private counted = 0;
  private readonly perDataCenter: Map<string, number> | null;

  constructor(
    readonly level: ConsistencyLevel,
    readonly localDataCenter: string,
    readonly blockFor: number,
    eachQuorumRequired: ReadonlyMap<string, number> | null,
  ) {
    assert(blockFor >= 0, `blockFor ${blockFor} must not be negative`);
    this.perDataCenter = eachQuorumRequired ? new Map(eachQuorumRequired) : null;
  }

  /** Records one answer from a replica of `dataCenter`; true when it counted. */
  record(dataCenter: string): boolean {
    if (this.perDataCenter !== null) {
      const left = this.perDataCenter.get(dataCenter) ?? 0;
      if (left <= 0) return false;
      this.perDataCenter.set(dataCenter, left - 1);
      this.counted++;
      return true;
    }
    if (isDataCenterLocal(this.level) && dataCenter !== this.localDataCenter) return false;
    this.counted++;
    return true;
  }

  /** A hint stored for a down or silent replica: an acknowledgement only at ANY. */
  recordHint(): void {
    if (this.level === 'ANY') this.counted++;
  }

  get received(): number {
    return this.counted;
  }

  get satisfied(): boolean {
    if (this.perDataCenter !== null) {
      for (const left of this.perDataCenter.values()) if (left > 0) return false;
      return true;
    }
    return this.counted >= this.blockFor;
  }
}

/**
 * A counter for a request at `level`: per data center for EACH_QUORUM over data centers (a quorum
 * of each, plus its pending replicas for a write), a plain count otherwise.
 */
export function responseCounter(
  level: ConsistencyLevel,
  factors: ReplicationFactors,
  localDataCenter: string,
  required: number,
  pendingDataCenters: readonly string[] = [],
): ResponseCounter {
  if (level !== 'EACH_QUORUM' || factors.byDataCenter === null) {
    return new ResponseCounter(level, localDataCenter, required, null);
  }
  const perDataCenter = new Map<string, number>();
  for (const dc of replicatedDataCenters(factors)) perDataCenter.set(dc, localQuorumFor(factors, dc));
  for (const dc of pendingDataCenters) perDataCenter.set(dc, (perDataCenter.get(dc) ?? 0) + 1);
  return new ResponseCounter(level, localDataCenter, required, perDataCenter);
}
