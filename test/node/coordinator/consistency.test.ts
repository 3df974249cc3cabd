/**
 * Consistency arithmetic, pure: block-for of every level for SimpleStrategy and a two-DC
 * NetworkTopologyStrategy, pending replicas, Unavailable with Cassandra's fields and messages,
 * the replicas a read contacts, answer counting per data center, and SERIAL/ANY validation.
 */
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../cql/errors.js';
import type { ConsistencyLevel, ReplicationFactors } from '../../../node/coordinator/consistency.js';
import {
  assureSufficientLive,
  blockFor,
  blockForWrite,
  filterForQuery,
  replicationFactorsOf,
  responseCounter,
  validateForRead,
  validateForWrite,
} from '../../../node/coordinator/consistency.js';
import { createReplicationStrategy } from '../../../ring/replication-strategy.js';

const simple3: ReplicationFactors = replicationFactorsOf(
  createReplicationStrategy('ks', { class: 'SimpleStrategy', replication_factor: '3' }),
);
/** dc1: 3 replicas, dc2: 2 replicas (5 in all). */
const twoDcs: ReplicationFactors = replicationFactorsOf(
  createReplicationStrategy('ks', { class: 'NetworkTopologyStrategy', dc1: '3', dc2: '2' }),
);

describe('blockFor', () => {
  it.each([
    ['ANY', 1, 1],
    ['ONE', 1, 1],
    ['LOCAL_ONE', 1, 1],
    ['TWO', 2, 2],
    ['THREE', 3, 3],
    // QUORUM: sum of every data center's factor / 2 + 1.
    ['QUORUM', 2, 3],
    ['SERIAL', 2, 3],
    ['ALL', 3, 5],
    // LOCAL_QUORUM: the coordinator's data center only (dc1: 3 → 2); SimpleStrategy: its whole factor.
    ['LOCAL_QUORUM', 2, 2],
    ['LOCAL_SERIAL', 2, 2],
    // EACH_QUORUM: a quorum in every data center (2 + 2); SimpleStrategy falls back to QUORUM.
    ['EACH_QUORUM', 2, 4],
  ] as const)('%s: %i with SimpleStrategy RF 3, %i with dc1:3 dc2:2', (level, simple, network) => {
    expect(blockFor(level, simple3, 'dc1')).toBe(simple);
    expect(blockFor(level, twoDcs, 'dc1')).toBe(network);
  });

  it('LOCAL_QUORUM counts the data center the coordinator is in', () => {
    expect(blockFor('LOCAL_QUORUM', twoDcs, 'dc2')).toBe(2); // 2 / 2 + 1
    expect(blockFor('LOCAL_QUORUM', twoDcs, 'dc9')).toBe(1); // no replicas there: 0 / 2 + 1
  });

  it('adds pending replicas for writes: all of them, the local ones for DC-local levels, none for ANY', () => {
    expect(blockForWrite('QUORUM', twoDcs, 'dc1', ['dc1', 'dc2'])).toBe(5);
    expect(blockForWrite('ALL', simple3, 'dc1', ['dc1'])).toBe(4);
    expect(blockForWrite('LOCAL_QUORUM', twoDcs, 'dc1', ['dc1', 'dc2'])).toBe(3);
    expect(blockForWrite('LOCAL_ONE', twoDcs, 'dc1', ['dc2'])).toBe(1);
    expect(blockForWrite('EACH_QUORUM', twoDcs, 'dc1', ['dc2'])).toBe(5);
    expect(blockForWrite('ANY', simple3, 'dc1', ['dc1', 'dc1'])).toBe(1);
  });
});

describe('Unavailable before anything is sent', () => {
  const unavailable = (
    level: ConsistencyLevel,
    factors: ReplicationFactors,
    live: readonly string[],
  ): UnavailableError | undefined => {
    try {
      assureSufficientLive(level, factors, 'dc1', live, blockFor(level, factors, 'dc1'));
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(UnavailableError);
      return error as UnavailableError;
    }
  };

  it('reports the level, the replicas required and those alive, with Cassandra message', () => {
    const error = unavailable('QUORUM', simple3, ['dc1']);
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      protocolCode: 0x1000,
      consistency: 'QUORUM',
      required: 2,
      alive: 1,
      message: 'Cannot achieve consistency level QUORUM',
    });
    expect(unavailable('ALL', twoDcs, ['dc1', 'dc1', 'dc1', 'dc2'])).toMatchObject({ required: 5, alive: 4 });
    expect(unavailable('QUORUM', simple3, ['dc1', 'dc1'])).toBeUndefined();
  });

  it('counts only the local data center for LOCAL_QUORUM and LOCAL_ONE', () => {
    expect(unavailable('LOCAL_QUORUM', twoDcs, ['dc1', 'dc2', 'dc2'])).toMatchObject({
      consistency: 'LOCAL_QUORUM',
      required: 2,
      alive: 1,
    });
    expect(unavailable('LOCAL_ONE', twoDcs, ['dc2', 'dc2'])).toMatchObject({ required: 1, alive: 0 });
    expect(unavailable('LOCAL_QUORUM', twoDcs, ['dc1', 'dc1'])).toBeUndefined();
  });

  it('needs a quorum in every data center for EACH_QUORUM, naming the one that lacks it', () => {
    expect(unavailable('EACH_QUORUM', twoDcs, ['dc1', 'dc1', 'dc1', 'dc2'])).toMatchObject({
      consistency: 'EACH_QUORUM',
      required: 2,
      alive: 1,
      message: 'Cannot achieve consistency level EACH_QUORUM in DC dc2',
    });
    expect(unavailable('EACH_QUORUM', twoDcs, ['dc1', 'dc1', 'dc2', 'dc2'])).toBeUndefined();
  });

  it('never refuses ANY: a hint on the coordinator satisfies it', () => {
    expect(unavailable('ANY', simple3, [])).toBeUndefined();
  });
});

describe('the replicas a read contacts', () => {
  const dc = (replica: string) => replica.split('/')[0]!;

  it('takes the first blockFor of the nearest-first list, plus one for speculative retry ALWAYS', () => {
    const live = ['dc1/a', 'dc1/b', 'dc1/c'];
    expect(filterForQuery('ONE', simple3, 'dc1', live, dc)).toEqual(['dc1/a']);
    expect(filterForQuery('QUORUM', simple3, 'dc1', live, dc)).toEqual(['dc1/a', 'dc1/b']);
    expect(filterForQuery('QUORUM', simple3, 'dc1', live, dc, 1)).toEqual(live);
    expect(filterForQuery('ALL', simple3, 'dc1', live.slice(0, 2), dc)).toEqual(['dc1/a', 'dc1/b']);
  });

  it('puts the local data center first for DC-local levels, and a quorum of each for EACH_QUORUM', () => {
    const live = ['dc2/x', 'dc1/a', 'dc2/y', 'dc1/b', 'dc1/c'];
    expect(filterForQuery('LOCAL_QUORUM', twoDcs, 'dc1', live, dc)).toEqual(['dc1/a', 'dc1/b']);
    expect(filterForQuery('EACH_QUORUM', twoDcs, 'dc1', live, dc)).toEqual([
      'dc2/x',
      'dc1/a',
      'dc2/y',
      'dc1/b',
    ]);
  });
});

describe('counting answers', () => {
  it('counts every answer for QUORUM, only local ones for LOCAL_QUORUM', () => {
    const quorum = responseCounter('QUORUM', twoDcs, 'dc1', 3);
    for (const dc of ['dc2', 'dc2']) quorum.record(dc);
    expect(quorum.satisfied).toBe(false);
    quorum.record('dc1');
    expect(quorum).toMatchObject({ satisfied: true, received: 3 });

    const local = responseCounter('LOCAL_QUORUM', twoDcs, 'dc1', 2);
    for (const dc of ['dc2', 'dc2', 'dc1']) local.record(dc);
    expect(local).toMatchObject({ satisfied: false, received: 1 });
    local.record('dc1');
    expect(local.satisfied).toBe(true);
  });

  it('needs each data center quorum (plus its pending replicas) for EACH_QUORUM', () => {
    const each = responseCounter('EACH_QUORUM', twoDcs, 'dc1', 5, ['dc2']);
    for (const dc of ['dc1', 'dc1', 'dc1', 'dc2', 'dc2']) each.record(dc);
    expect(each).toMatchObject({ satisfied: false, received: 4 }); // dc1's third answer is not needed
    each.record('dc2');
    expect(each).toMatchObject({ satisfied: true, received: 5 });
  });

  it('counts a stored hint only at ANY', () => {
    const any = responseCounter('ANY', simple3, 'dc1', 1);
    any.recordHint();
    expect(any.satisfied).toBe(true);
    const one = responseCounter('ONE', simple3, 'dc1', 1);
    one.recordHint();
    expect(one.satisfied).toBe(false);
  });
});

describe('validation', () => {
  it('refuses SERIAL and LOCAL_SERIAL writes with Cassandra message', () => {
    for (const level of ['SERIAL', 'LOCAL_SERIAL'] as const) {
      expect(() => validateForWrite(level)).toThrow(
        'You must use conditional updates for serializable writes',
      );
    }
    expect(() => validateForWrite('ANY')).not.toThrow();
  });

  it('refuses ANY reads, and SERIAL over a range, with Cassandra messages', () => {
    expect(() => validateForRead('ANY', 'partition')).toThrow(
      'ANY ConsistencyLevel is only supported for writes',
    );
    expect(() => validateForRead('SERIAL', 'range')).toThrow(
      'SERIAL/LOCAL_SERIAL consistency may only be requested for one partition at a time',
    );
    expect(() => validateForRead('LOCAL_SERIAL', 'partition')).toThrow(/lightweight transactions/);
    expect(() => validateForRead('EACH_QUORUM', 'range')).not.toThrow();
  });
});
