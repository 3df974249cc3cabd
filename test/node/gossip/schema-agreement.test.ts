import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointState } from '../../../node/gossip/endpoint-state.js';
import {
  describeSchemaVersions,
  inSchemaAgreement,
  schemaPulls,
  schemaVersions,
} from '../../../node/gossip/schema-agreement.js';
import { address, state } from './gossip-fixtures.js';

const V1 = '11111111-1111-1111-1111-111111111111';
const V2 = '22222222-2222-2222-2222-222222222222';
const node = (schema: string | undefined, release = '4.1.0', status = 'NORMAL,1'): EndpointState =>
  state(1, 5, {
    STATUS: [status, 1],
    RELEASE_VERSION: [release, 2],
    ...(schema === undefined ? {} : { SCHEMA: [schema, 3] as const }),
  });

function cluster(entries: [number, EndpointState][]): Map<EndpointAddress, EndpointState> {
  return new Map(entries.map(([n, endpointState]) => [address(n), endpointState]));
}

describe('schemaVersions', () => {
  const states = cluster([
    [1, node(V1)],
    [2, node(V2)],
    [3, node(V1)],
    [4, node(V2)],
    [5, node(undefined)],
    [6, node(V1, '4.1.0', 'LEFT,1,99')],
  ]);
  const down = new Set([address(4)]);
  const isAlive = (endpoint: EndpointAddress): boolean => !down.has(endpoint);

  it('groups live endpoints by version; down ones are UNREACHABLE; left ones are gone', () => {
    const versions = schemaVersions(states, isAlive);
    expect(versions.versions).toEqual(
      new Map([
        [V1, [address(1), address(3)]],
        [V2, [address(2)]],
      ]),
    );
    expect(versions.unreachable).toEqual([address(4)]);
    expect(versions.unknown).toEqual([address(5)]);
    expect(inSchemaAgreement(versions)).toBe(false);
    expect(describeSchemaVersions(versions)).toEqual({
      [V1]: [address(1), address(3)],
      [V2]: [address(2)],
      UNREACHABLE: [address(4)],
    });
  });

  it('agrees when every live endpoint with a version has the same one (down ones do not count)', () => {
    const agreeing = cluster([
      [1, node(V1)],
      [2, node(V1)],
      [3, node(V2)],
    ]);
    expect(inSchemaAgreement(schemaVersions(agreeing, (endpoint) => endpoint !== address(3)))).toBe(true);
  });
});

describe('schemaPulls', () => {
  const states = cluster([
    [1, node(V1)],
    [2, node(V2)],
    [3, node(V2)],
    [4, node('33333333-3333-3333-3333-333333333333', '5.0.0')],
    [5, node(V2, '4.1.0', 'shutdown,true')],
    [6, node('44444444-4444-4444-4444-444444444444')],
  ]);
  const request = {
    local: address(1),
    localSchemaVersion: V1,
    localReleaseVersion: '4.1.2',
    states,
    isAlive: (endpoint: EndpointAddress) => endpoint !== address(6),
  };

  it('one live peer per differing version, on our major release, the most common version first', () => {
    expect(schemaPulls(request)).toEqual([{ endpoint: address(2), schemaVersion: V2 }]);
  });

  it('prefers a peer not asked yet', () => {
    expect(schemaPulls({ ...request, exclude: new Set([address(2)]) })).toEqual([
      { endpoint: address(3), schemaVersion: V2 },
    ]);
  });

  it('pulls nothing in agreement, and everything differing when ours is unknown', () => {
    expect(schemaPulls({ ...request, localSchemaVersion: V2 })).toEqual([]);
    const fresh = schemaPulls({ ...request, local: address(9), localSchemaVersion: undefined });
    expect(fresh.map((pull) => pull.schemaVersion)).toEqual([V2, V1]);
  });
});
