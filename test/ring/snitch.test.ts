import { describe, expect, it } from 'vitest';
import { locationFromConfig, parseRackDcProperties, Snitch } from '../../ring/snitch.js';
import { hostId } from './ring-fixtures.js';

describe('Snitch', () => {
  const snitch = new Snitch(hostId(1), { dataCenter: 'dc1', rack: 'r1' })
    .withPeer(hostId(2), { dataCenter: 'dc2', rack: 'r1' })
    .withPeer(hostId(3), { dataCenter: 'dc1', rack: 'r2' })
    .withPeer(hostId(4), { dataCenter: 'dc1', rack: 'r1' });

  it('knows its own location from config and the peers’ from gossip', () => {
    expect(snitch.localDataCenter).toBe('dc1');
    expect(snitch.locationOf(hostId(1))).toEqual({ dataCenter: 'dc1', rack: 'r1' });
    expect(snitch.locationOf(hostId(2))).toEqual({ dataCenter: 'dc2', rack: 'r1' });
    expect(snitch.locationOf(hostId(9))).toBeUndefined();
    expect(snitch.isInLocalDataCenter(hostId(3))).toBe(true);
    expect(snitch.isInLocalDataCenter(hostId(2))).toBe(false);
  });

  it('sorts this node first, then its rack, its data center, other data centers, unknown last', () => {
    const order = snitch.sortByProximity([hostId(9), hostId(2), hostId(3), hostId(4), hostId(1)]);
    expect(order).toEqual([hostId(1), hostId(4), hostId(3), hostId(2), hostId(9)]);
  });

  it('keeps the given order among equally near endpoints (replica order)', () => {
    const peers = new Snitch(hostId(1), { dataCenter: 'dc1', rack: 'r1' })
      .withPeer(hostId(5), { dataCenter: 'dc2', rack: 'a' })
      .withPeer(hostId(6), { dataCenter: 'dc3', rack: 'a' });
    expect(peers.sortByProximity([hostId(6), hostId(5)])).toEqual([hostId(6), hostId(5)]);
  });

  it('is immutable: withPeer and withoutPeer return new snitches', () => {
    const fewer = snitch.withoutPeer(hostId(2));
    expect(fewer.locationOf(hostId(2))).toBeUndefined();
    expect(snitch.locationOf(hostId(2))).toBeDefined();
  });

  it('appends dc_suffix and refuses empty names', () => {
    expect(locationFromConfig({ dataCenter: ' dc1 ', rack: ' r1 ', dataCenterSuffix: '_analytics' })).toEqual(
      {
        dataCenter: 'dc1_analytics',
        rack: 'r1',
      },
    );
    expect(() => locationFromConfig({ dataCenter: ' ', rack: 'r1' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
    expect(() => locationFromConfig({ dataCenter: 'dc1', rack: '' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR' }),
    );
  });
});

describe('parseRackDcProperties', () => {
  it('reads dc, rack, dc_suffix and prefer_local, skipping comments', () => {
    const text =
      '# cassandra-rackdc.properties\n! old comment\ndc=east\nrack = r7\ndc_suffix=_x\nprefer_local=true\n';
    expect(parseRackDcProperties(text)).toEqual({
      dataCenter: 'east',
      rack: 'r7',
      dataCenterSuffix: '_x',
      preferLocal: true,
    });
  });

  it('defaults to datacenter1 and rack1', () => {
    expect(parseRackDcProperties('')).toEqual({
      dataCenter: 'datacenter1',
      rack: 'rack1',
      preferLocal: false,
    });
  });

  it('refuses a line without a separator', () => {
    expect(() => parseRackDcProperties('dc east')).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR' }));
  });
});
