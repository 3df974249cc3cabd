import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicationValue,
  formatTokens,
  isDeadState,
  isShutdown,
  isSilentShutdownState,
  parseStatus,
  parseTokens,
  statusExpiryMs,
  statusValue,
} from '../../../node/gossip/application-values.js';
import {
  APPLICATION_STATE_NAMES,
  type ApplicationStateName,
  type EndpointState,
  maxVersion,
  mergeEndpointState,
  stateNewerThan,
  VersionGenerator,
} from '../../../node/gossip/endpoint-state.js';
import type { HostId } from '../../../ring/endpoint.js';
import type { Token } from '../../../ring/token.js';
import { state } from './gossip-fixtures.js';

const token = (value: bigint): Token => value as Token;
const HOST = '00000000-0000-4000-8000-000000000001' as HostId;

describe('application state values (Cassandra encodings)', () => {
  it('writes STATUS as Cassandra does, with the first token only', () => {
    const tokens = [token(-42n), token(7n)];
    expect(statusValue.bootstrapping(tokens)).toBe('BOOT,-42');
    expect(statusValue.normal(tokens)).toBe('NORMAL,-42');
    expect(statusValue.leaving(tokens)).toBe('LEAVING,-42');
    expect(statusValue.left(tokens, 1_700_000_000_000)).toBe('LEFT,-42,1700000000000');
    expect(statusValue.shutdown()).toBe('shutdown,true');
    expect(statusValue.hibernate()).toBe('hibernate,true');
    expect(statusValue.removing(HOST)).toBe(`removing,${HOST}`);
    expect(statusValue.removed(HOST, 5)).toBe(`removed,${HOST},5`);
  });

  it('parses what it writes', () => {
    expect(parseStatus('NORMAL,-9223372036854775808')).toEqual({ kind: 'NORMAL', token: -(2n ** 63n) });
    expect(parseStatus('LEFT,12,99')).toEqual({ kind: 'LEFT', token: 12n, expiresAtMs: 99 });
    expect(parseStatus('shutdown,true')).toEqual({ kind: 'shutdown' });
    expect(parseStatus(`removed,${HOST},5`)).toEqual({ kind: 'removed', hostId: HOST, expiresAtMs: 5 });
  });

  it('rejects a malformed STATUS with a stable code', () => {
    for (const bad of ['', 'NORMAL', 'NORMAL,abc', 'LEFT,1', 'JOINING,1', 'removing,not-a-uuid']) {
      expect(() => parseStatus(bad), bad).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^INVALID_/) }),
      );
    }
  });

  it('classifies dead, silent and shutdown states from the first piece of STATUS', () => {
    const withStatus = (value: string): EndpointState => state(1, 1, { STATUS: [value, 1] });
    expect(isDeadState(withStatus('LEFT,1,2'))).toBe(true);
    expect(isDeadState(withStatus('hibernate,true'))).toBe(true);
    expect(isDeadState(withStatus('NORMAL,1'))).toBe(false);
    expect(isDeadState(state(1, 1))).toBe(false);
    expect(isSilentShutdownState(withStatus('BOOT,1'))).toBe(true);
    expect(isShutdown(withStatus('shutdown,true'))).toBe(true);
    expect(statusExpiryMs(withStatus('LEFT,1,2000'))).toBe(2000);
    expect(statusExpiryMs(withStatus('NORMAL,1'))).toBeUndefined();
  });

  it('TOKENS round-trips as signed decimals; LOAD prints as a Java double', () => {
    const tokens = [token(-(2n ** 63n)), token(0n), token(2n ** 63n - 1n)];
    expect(parseTokens(formatTokens(tokens))).toEqual(tokens);
    expect(parseTokens('')).toEqual([]);
    expect(applicationValue.load(1024)).toBe('1024.0');
    expect(applicationValue.nativeAddressAndPort('127.0.0.1', 9042)).toBe('127.0.0.1:9042');
  });
});

describe('VersionGenerator', () => {
  it('is monotonic from 1', () => {
    const versions = new VersionGenerator();
    expect([versions.next(), versions.next(), versions.next()]).toEqual([1, 2, 3]);
  });
});

describe('stateNewerThan (getStateForVersionBiggerThan)', () => {
  const full = state(100, 9, { STATUS: ['NORMAL,1', 2], SCHEMA: ['a', 7], DC: ['dc1', 3] });

  it('keeps only values above the version, and always the heartbeat', () => {
    expect(stateNewerThan(full, 5)).toEqual(state(100, 9, { SCHEMA: ['a', 7] }));
    expect(stateNewerThan(full, 0)).toEqual(full);
    expect(stateNewerThan(full, 9)).toBeUndefined();
  });

  it('sends an older heartbeat along when only an application state is newer', () => {
    const schemaAhead = state(100, 4, { SCHEMA: ['b', 8] });
    expect(stateNewerThan(schemaAhead, 6)).toEqual(schemaAhead);
    expect(maxVersion(schemaAhead)).toBe(8);
  });
});

describe('mergeEndpointState', () => {
  const local = state(100, 5, { STATUS: ['NORMAL,1', 2], SCHEMA: ['a', 3] });

  it('takes the whole remote state on first sight', () => {
    expect(mergeEndpointState(undefined, local)).toEqual({ kind: 'new', state: local });
  });

  it('replaces everything on a higher generation (a restart), even with lower versions', () => {
    const restarted = state(200, 1, { STATUS: ['BOOT,1', 1] });
    expect(mergeEndpointState(local, restarted)).toEqual({
      kind: 'restarted',
      state: restarted,
      previous: local,
    });
  });

  it('ignores a lower generation whatever its versions', () => {
    const stale = state(50, 999, { SCHEMA: ['z', 999] });
    expect(mergeEndpointState(local, stale)).toEqual({ kind: 'unchanged', state: local });
  });

  it('within a generation keeps each value at its highest version and names what changed', () => {
    const remote = state(100, 4, { SCHEMA: ['b', 6], DC: ['dc1', 1], STATUS: ['stale', 1] });
    expect(mergeEndpointState(local, remote)).toEqual({
      kind: 'updated',
      state: state(100, 5, { STATUS: ['NORMAL,1', 2], SCHEMA: ['b', 6], DC: ['dc1', 1] }),
      changed: ['SCHEMA', 'DC'],
    });
  });

  it('a newer heartbeat alone is an update with no changed states', () => {
    expect(mergeEndpointState(local, state(100, 9))).toEqual({
      kind: 'updated',
      state: state(100, 9, { STATUS: ['NORMAL,1', 2], SCHEMA: ['a', 3] }),
      changed: [],
    });
  });
});

/**
 * Histories as a real endpoint produces them: generations rise, and within each a single version
 * generator numbers the heartbeat and every state change. Snapshots of such a history, and their
 * partial views (stateNewerThan), are what peers hold and send.
 */
const historyArbitrary = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant('restart' as const) }),
      fc.record({ kind: fc.constant('heartbeat' as const) }),
      fc.record({
        kind: fc.constant('set' as const),
        name: fc.constantFrom(...APPLICATION_STATE_NAMES),
        value: fc.string({ maxLength: 4 }),
      }),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((steps) => {
    const snapshots: EndpointState[] = [];
    let generation = 1000;
    let version = 0;
    let current = state(generation, 0);
    for (const step of steps) {
      if (step.kind === 'restart') {
        generation += 1;
        version = 0;
        current = state(generation, 0);
      } else if (step.kind === 'heartbeat') {
        current = { heartbeat: { ...current.heartbeat, version: ++version }, states: current.states };
      } else {
        current = {
          heartbeat: current.heartbeat,
          states: { ...current.states, [step.name]: { value: step.value, version: ++version } },
        };
      }
      snapshots.push(current);
    }
    return snapshots;
  });

/** A view a peer may hold: a snapshot, possibly only its part above some version. */
const viewsArbitrary = historyArbitrary.chain((snapshots) =>
  fc.array(
    fc.tuple(fc.nat(snapshots.length - 1), fc.nat(40)).map(([index, above]) => {
      const snapshot = snapshots[index]!;
      return stateNewerThan(snapshot, Math.min(above, maxVersion(snapshot) - 1)) ?? snapshot;
    }),
    { minLength: 1, maxLength: 6 },
  ),
);

function mergeAll(views: readonly EndpointState[]): EndpointState | undefined {
  let merged: EndpointState | undefined;
  for (const view of views) merged = mergeEndpointState(merged, view).state ?? merged;
  return merged;
}

const canonical = (value: EndpointState | undefined): string =>
  JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );

describe('merge properties (fast-check)', () => {
  it('is idempotent: merging the same view again changes nothing', () => {
    fc.assert(
      fc.property(viewsArbitrary, (views) => {
        const merged = mergeAll(views)!;
        for (const view of views) {
          const again = mergeEndpointState(merged, view);
          expect(again.kind).toBe('unchanged');
        }
      }),
    );
  });

  it('is order-independent: any order of the same views gives the same state', () => {
    const viewsInTwoOrders = viewsArbitrary.chain((views) =>
      fc.tuple(
        fc.constant(views),
        fc.shuffledSubarray(views, { minLength: views.length, maxLength: views.length }),
      ),
    );
    fc.assert(
      fc.property(viewsInTwoOrders, ([views, shuffled]) => {
        expect(canonical(mergeAll(shuffled))).toBe(canonical(mergeAll(views)));
      }),
    );
  });

  it('is monotonic: generation never falls, and within it no version falls', () => {
    fc.assert(
      fc.property(viewsArbitrary, (views) => {
        let merged: EndpointState | undefined;
        for (const view of views) {
          const next = mergeEndpointState(merged, view).state!;
          if (merged !== undefined) {
            expect(next.heartbeat.generation).toBeGreaterThanOrEqual(merged.heartbeat.generation);
            if (next.heartbeat.generation === merged.heartbeat.generation) {
              expect(next.heartbeat.version).toBeGreaterThanOrEqual(merged.heartbeat.version);
              for (const name of Object.keys(merged.states) as ApplicationStateName[]) {
                expect(next.states[name]!.version).toBeGreaterThanOrEqual(merged.states[name]!.version);
              }
            }
          }
          merged = next;
        }
      }),
    );
  });

  it('is commutative across independent endpoints: applying two endpoints in either order gives the same map', () => {
    fc.assert(
      fc.property(viewsArbitrary, viewsArbitrary, (viewsA, viewsB) => {
        const apply = (order: readonly ['a' | 'b', EndpointState][]): Map<string, EndpointState> => {
          const map = new Map<string, EndpointState>();
          for (const [endpoint, view] of order) {
            const outcome = mergeEndpointState(map.get(endpoint), view);
            if (outcome.state !== undefined) map.set(endpoint, outcome.state);
          }
          return map;
        };
        const tagged = [
          ...viewsA.map((view) => ['a', view] as ['a', EndpointState]),
          ...viewsB.map((view) => ['b', view] as ['b', EndpointState]),
        ];
        const interleaved = [...tagged].sort(([a], [b]) => (a === b ? 0 : a === 'b' ? -1 : 1));
        const one = apply(tagged);
        const other = apply(interleaved);
        expect(canonical(one.get('a'))).toBe(canonical(other.get('a')));
        expect(canonical(one.get('b'))).toBe(canonical(other.get('b')));
      }),
    );
  });
});
