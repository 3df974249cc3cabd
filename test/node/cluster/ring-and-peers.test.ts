/**
 * The pure parts of the cluster wiring: gossip states folded into the ring, the system.peers rows
 * written for a peer (malformed values left out), client events de-duplicated, and the YAML's
 * phi_convict_threshold.
 */
import { describe, expect, it } from 'vitest';
import type { ProtocolEvent } from '../../../cql/protocol/index.js';
import { ClientEventNotifier } from '../../../node/cluster/client-events.js';
import { peerRows } from '../../../node/cluster/peers-table.js';
import { initialRing, ringWithEndpoint } from '../../../node/cluster/ring-state.js';
import type { ApplicationStateName } from '../../../node/gossip/endpoint-state.js';
import { NodeConfigError, parseConfigYaml, resolveConfig } from '../../../node/index.js';
import { parseHostId } from '../../../ring/endpoint.js';
import type { Token } from '../../../ring/token.js';
import { state } from '../gossip/gossip-fixtures.js';

const LOCAL = '11111111-1111-4111-8111-111111111111';
const PEER = '22222222-2222-4222-8222-222222222222';
const REPLACEMENT = '33333333-3333-4333-8333-333333333333';
const PEER_ID = parseHostId(PEER);
const location = { dataCenter: 'datacenter1', rack: 'rack1' };

function peerState(overrides: Partial<Record<ApplicationStateName, string>> = {}) {
  const values: Partial<Record<ApplicationStateName, string>> = {
    HOST_ID: PEER,
    DC: 'dc2',
    RACK: 'r7',
    STATUS: 'NORMAL,-5',
    TOKENS: '-5,100',
    SCHEMA: 'aaaaaaaa-aaaa-3aaa-8aaa-aaaaaaaaaaaa',
    RELEASE_VERSION: '4.1.0',
    NATIVE_ADDRESS_AND_PORT: '10.0.0.2:19042',
    ...overrides,
  };
  let version = 0;
  const entries = Object.entries(values).map(([name, value]) => [name, [value, ++version] as const]);
  return state(1_700_000_000, version, Object.fromEntries(entries));
}

describe('the ring from gossip', () => {
  const ring = initialRing(LOCAL, '10.0.0.1:7000', location, [0n as Token]);

  it('registers a NORMAL peer with its location and tokens', () => {
    const next = ringWithEndpoint(ring, '10.0.0.2:7000', peerState());
    expect(next.normalEndpoints().sort()).toEqual([LOCAL, PEER]);
    expect(next.tokensOf(PEER_ID)).toEqual([-5n, 100n]);
    expect(next.endpoint(PEER_ID)).toMatchObject({ dataCenter: 'dc2', rack: 'r7' });
  });

  it('keeps a cleanly shut down peer on the ring and removes one that left or was evicted', () => {
    const joined = ringWithEndpoint(ring, '10.0.0.2:7000', peerState());
    const shutdown = ringWithEndpoint(joined, '10.0.0.2:7000', peerState({ STATUS: 'shutdown,true' }));
    expect(shutdown.isMember(PEER_ID)).toBe(true);
    const left = ringWithEndpoint(joined, '10.0.0.2:7000', peerState({ STATUS: 'LEFT,-5,1700000000000' }));
    expect(left.endpoint(PEER_ID)).toBeUndefined();
    expect(ringWithEndpoint(joined, '10.0.0.2:7000', undefined).endpoint(PEER_ID)).toBeUndefined();
  });

  it('replaces the old host id when another node takes the address, and keeps bootstrap tokens apart', () => {
    const joined = ringWithEndpoint(ring, '10.0.0.2:7000', peerState());
    const replaced = ringWithEndpoint(joined, '10.0.0.2:7000', peerState({ HOST_ID: REPLACEMENT }));
    expect(replaced.normalEndpoints().sort()).toEqual([LOCAL, REPLACEMENT]);
    const booting = ringWithEndpoint(ring, '10.0.0.2:7000', peerState({ STATUS: 'BOOT,-5' }));
    expect(booting.isMember(PEER_ID)).toBe(false);
    expect(booting.bootstrappingEndpoints().get(PEER_ID)).toEqual([-5n, 100n]);
  });

  it('refuses malformed tokens with a code and leaves the ring to the caller', () => {
    expect(() => ringWithEndpoint(ring, '10.0.0.2:7000', peerState({ TOKENS: 'x,y' }))).toThrow(
      expect.objectContaining({ code: 'INVALID_GOSSIP_STATE' }),
    );
  });
});

describe('system.peers rows', () => {
  it('carry what drivers read: address, host id, location, tokens, versions, native address and port', () => {
    const rows = peerRows('10.0.0.2:7000', peerState(), 9042);
    expect(Object.fromEntries(rows!.peers)).toEqual({
      peer: "'10.0.0.2'",
      host_id: PEER,
      preferred_ip: "'10.0.0.2'",
      data_center: "'dc2'",
      rack: "'r7'",
      release_version: "'4.1.0'",
      schema_version: 'aaaaaaaa-aaaa-3aaa-8aaa-aaaaaaaaaaaa',
      tokens: "{'-5', '100'}",
      rpc_address: "'10.0.0.2'",
    });
    expect(Object.fromEntries(rows!.peersV2)).toMatchObject({
      peer_port: '7000',
      native_address: "'10.0.0.2'",
      native_port: '19042',
    });
  });

  it('leave out malformed values, quote text, and are absent without a host id or once gone', () => {
    const odd = peerRows('10.0.0.2:7000', peerState({ SCHEMA: 'not-a-uuid', DC: "o'dc", TOKENS: 'x' }), 9042);
    const columns = Object.fromEntries(odd!.peers);
    expect(columns.schema_version).toBeUndefined();
    expect(columns.tokens).toBeUndefined();
    expect(columns.data_center).toBe("'o''dc'");
    expect(peerRows('10.0.0.2:7000', peerState({ HOST_ID: 'nope' }), 9042)).toBeNull();
    expect(peerRows('10.0.0.2:7000', peerState({ STATUS: 'LEFT,-5,1' }), 9042)).toBeNull();
  });
});

describe('client events', () => {
  it('name the native address, send each status change once, and can name a removed peer', () => {
    const sent: ProtocolEvent[] = [];
    const notifier = new ClientEventNotifier((event) => sent.push(event));
    notifier.status('10.0.0.2:7000', 'UP'); // address unknown yet: nothing to name
    notifier.learnAddress('10.0.0.2:7000', { address: '10.0.0.2', port: 19042 });
    notifier.joined('10.0.0.2:7000');
    notifier.status('10.0.0.2:7000', 'UP');
    notifier.status('10.0.0.2:7000', 'UP');
    notifier.status('10.0.0.2:7000', 'DOWN');
    notifier.removed('10.0.0.2:7000');
    const address = { address: '10.0.0.2', port: 19042 };
    expect(sent).toEqual([
      { type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', address },
      { type: 'STATUS_CHANGE', change: 'UP', address },
      { type: 'STATUS_CHANGE', change: 'DOWN', address },
      { type: 'TOPOLOGY_CHANGE', change: 'REMOVED_NODE', address },
    ]);
  });
});

describe('cluster configuration', () => {
  it('reads phi_convict_threshold from the YAML and checks its range', () => {
    expect(parseConfigYaml('phi_convict_threshold: 3.5').phiConvictThreshold).toBe(3.5);
    expect(resolveConfig({ dataDir: '/d' }).phiConvictThreshold).toBe(8);
    expect(() => resolveConfig({ dataDir: '/d', phiConvictThreshold: 0 })).toThrow(NodeConfigError);
    expect(() => parseConfigYaml('phi_convict_threshold: high')).toThrow(NodeConfigError);
  });

  it('gives a node on a free native port a free storage port, and Cassandra defaults otherwise', () => {
    expect(resolveConfig({ dataDir: '/d', nativePort: 0 }).storagePort).toBe(0);
    expect(resolveConfig({ dataDir: '/d' }).storagePort).toBe(7000);
    expect(resolveConfig({ dataDir: '/d', nativePort: 0, storagePort: 7001 }).storagePort).toBe(7001);
  });
});
