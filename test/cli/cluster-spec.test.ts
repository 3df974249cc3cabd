/** The pure part of `sibyl cluster`: spreading nodes over data centers, seeds, node configs. */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ClusterSpec } from '../../cli/cluster/cluster-spec.js';
import {
  addNode,
  nodeConfig,
  nodesPerDcOf,
  planCluster,
  removeNode,
} from '../../cli/cluster/cluster-spec.js';
import { parseConfigYaml } from '../../node/config.js';

function plan(nodes: string, dcs?: string): ClusterSpec {
  return planCluster({ name: 'c', nodesPerDc: nodesPerDcOf(nodes, dcs), numTokens: 16, portOffset: 0 });
}

describe('cluster spec', () => {
  it('spreads -n over --dcs evenly, the first data centers taking the remainder', () => {
    expect(nodesPerDcOf('3', undefined)).toEqual([3]);
    expect(nodesPerDcOf('5', '2')).toEqual([3, 2]);
    expect(nodesPerDcOf('2:1', undefined)).toEqual([2, 1]);
    expect(() => nodesPerDcOf('2', '3')).toThrow('--dcs 3 needs at least 3 nodes');
    expect(() => nodesPerDcOf('2:2', '3')).toThrow('names 2 data centers');
    expect(() => nodesPerDcOf('zero', undefined)).toThrow('positive integer');
    expect(() => nodesPerDcOf('255', undefined)).toThrow('at most 254 nodes');
  });

  it('names one data center datacenter1 (drivers default to it) and several dc1, dc2; seeds are their first nodes', () => {
    expect(plan('2').nodes.map((n) => n.dc)).toEqual(['datacenter1', 'datacenter1']);
    const two = plan('5', '2');
    expect(two.nodes.map((n) => `${n.name}@${n.address}/${n.dc}`)).toEqual([
      'node1@127.0.0.1/dc1',
      'node2@127.0.0.2/dc1',
      'node3@127.0.0.3/dc1',
      'node4@127.0.0.4/dc2',
      'node5@127.0.0.5/dc2',
    ]);
    expect(two.seeds).toEqual(['127.0.0.1', '127.0.0.4']);
  });

  it('adds on the next free address and keeps a seed in every data center when nodes come and go', () => {
    const base = plan('3');
    const { spec: withNew, node } = addNode(base, { dc: 'dc9' });
    // Added to a running cluster, it bootstraps (ccm add -b).
    expect(node).toEqual({
      name: 'node4',
      address: '127.0.0.4',
      dc: 'dc9',
      rack: 'rack1',
      autoBootstrap: true,
    });
    expect(withNew.seeds).toEqual(['127.0.0.1', '127.0.0.4']);
    const withoutSeed = removeNode(withNew, 'node1');
    expect(withoutSeed.seeds).toEqual(['127.0.0.4', '127.0.0.2']);
    const refilled = addNode(withoutSeed, {});
    expect(refilled.node.address).toBe('127.0.0.1');
    expect(() => addNode(base, { name: 'node2' })).toThrow("already has a node 'node2'");
    expect(() => removeNode(base, 'node7')).toThrow("has no node 'node7'");
  });

  it('writes a node config the node reads back with every property set', () => {
    const spec = plan('4', '2');
    const config = parseConfigYaml(stringify(nodeConfig(spec, spec.nodes[2]!, '/data/node3')));
    expect(config).toMatchObject({
      clusterName: 'c',
      numTokens: 16,
      listenAddress: '127.0.0.3',
      rpcAddress: '127.0.0.3',
      nativePort: 9042,
      storagePort: 7000,
      adminPort: 7199,
      seeds: ['127.0.0.1', '127.0.0.3'],
      dc: 'dc2',
      rack: 'rack1',
      dataDir: '/data/node3',
      // The nodes a cluster is created with join without streaming; ring delay suits one machine.
      autoBootstrap: false,
      streaming: { ringDelayMs: 2000 },
    });
    const added = addNode(spec, {});
    expect(parseConfigYaml(stringify(nodeConfig(added.spec, added.node, '/data/node5'))).autoBootstrap).toBe(
      true,
    );
  });

  it('rejects names that are not plain folder names', () => {
    expect(() => plan('1').name).not.toThrow();
    expect(() => planCluster({ name: '../x', nodesPerDc: [1], numTokens: 16, portOffset: 0 })).toThrow(
      "'../x' is not a valid cluster name",
    );
    expect(() => planCluster({ name: 'CURRENT', nodesPerDc: [1], numTokens: 16, portOffset: 0 })).toThrow();
  });
});
