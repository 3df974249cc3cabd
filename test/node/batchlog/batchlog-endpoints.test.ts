/**
 * Which nodes keep a batch's batchlog (Cassandra's filterBatchlogEndpoints / forBatchlogWrite):
 * two live nodes of the coordinator's DC, on different racks when possible, never the coordinator
 * unless it is alone; none → Unavailable(TWO, 2, 0), or the coordinator itself at ANY.
 */
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../cql/errors.js';
import type { BatchlogCandidate, BatchlogTopology } from '../../../node/batchlog/index.js';
import {
  batchlogCandidates,
  chooseBatchlogEndpoints,
  planBatchlogWrite,
} from '../../../node/batchlog/index.js';
import { SeededRandom } from '../../../node/sim/random.js';
import type { HostId } from '../../../ring/endpoint.js';
import type { Token } from '../../../ring/token.js';
import { TokenMetadata } from '../../../ring/token-metadata.js';

function node(index: number, rack: string, dataCenter = 'dc1'): BatchlogCandidate {
  return { address: `10.0.0.${index}:7000`, dataCenter, rack };
}

function topology(
  local: BatchlogCandidate,
  endpoints: BatchlogCandidate[],
  dead: readonly BatchlogCandidate[] = [],
): BatchlogTopology {
  const down = new Set(dead.map((d) => d.address));
  return { local, endpoints, isAlive: (address) => !down.has(address) };
}

/** Every distinct choice over many seeds (the choice is random among the allowed ones). */
function choices(view: BatchlogTopology, seeds = 200): Set<string> {
  const seen = new Set<string>();
  for (let seed = 0; seed < seeds; seed++) {
    seen.add(chooseBatchlogEndpoints(view, new SeededRandom(seed)).slice().sort().join(' '));
  }
  return seen;
}

describe('batchlog endpoint choice', () => {
  it('a one-node data center keeps the batchlog on the coordinator itself', () => {
    const self = node(1, 'r1');
    const other = node(2, 'r1', 'dc2');
    expect(chooseBatchlogEndpoints(topology(self, [self, other]), new SeededRandom(1))).toEqual([
      self.address,
    ]);
    expect(planBatchlogWrite(topology(self, [self]), new SeededRandom(1), 'QUORUM')).toEqual({
      endpoints: [self.address],
      consistency: 'ONE',
    });
  });

  it('never picks the coordinator when other nodes live, nor dead nodes, nor other data centers', () => {
    const self = node(1, 'r1');
    const peers = [node(2, 'r1'), node(3, 'r1'), node(4, 'r1'), node(5, 'r1', 'dc2')];
    const view = topology(self, [self, ...peers], [peers[2]!]);
    expect(choices(view)).toEqual(new Set([`${peers[0]!.address} ${peers[1]!.address}`]));
    expect(planBatchlogWrite(view, new SeededRandom(3), 'ONE').consistency).toBe('TWO');
  });

  it('with one other live node, uses it alone (consistency ONE)', () => {
    const self = node(1, 'r1');
    const peer = node(2, 'r2');
    const view = topology(self, [self, peer, node(3, 'r3')], [node(3, 'r3')]);
    expect(planBatchlogWrite(view, new SeededRandom(1), 'ALL')).toEqual({
      endpoints: [peer.address],
      consistency: 'ONE',
    });
  });

  it("prefers two different racks, and racks other than the coordinator's when two nodes live there", () => {
    const self = node(1, 'r1');
    const sameRack = [node(2, 'r1'), node(3, 'r1')];
    const rack2 = [node(4, 'r2'), node(5, 'r2')];
    const rack3 = [node(6, 'r3')];
    const seen = choices(topology(self, [self, ...sameRack, ...rack2, ...rack3]));
    for (const choice of seen) {
      const [a, b] = choice.split(' ');
      const rackOf = (address: string | undefined) =>
        [...sameRack, ...rack2, ...rack3].find((n) => n.address === address)!.rack;
      expect(rackOf(a)).not.toBe(rackOf(b));
      expect([rackOf(a), rackOf(b)]).not.toContain('r1');
    }
    // Random among the allowed pairs: each node of rack 2 with the node of rack 3.
    expect(seen).toEqual(
      new Set([`${rack2[0]!.address} ${rack3[0]!.address}`, `${rack2[1]!.address} ${rack3[0]!.address}`]),
    );
  });

  it('takes two nodes of the one other rack when only that rack has enough', () => {
    const self = node(1, 'r1');
    const rack2 = [node(2, 'r2'), node(3, 'r2'), node(4, 'r2')];
    const seen = choices(topology(self, [self, node(5, 'r1'), ...rack2]));
    // Three live others; two of them outside the local rack, so the local rack is left out.
    for (const choice of seen)
      expect(choice.split(' ').every((a) => rack2.some((n) => n.address === a))).toBe(true);
    expect(seen.size).toBe(3); // any two of the three
  });

  it('falls back to the local rack when other racks hold fewer than two live nodes', () => {
    const self = node(1, 'r1');
    const local = [node(2, 'r1'), node(3, 'r1')];
    const remote = node(4, 'r2');
    const seen = choices(topology(self, [self, ...local, remote]));
    for (const choice of seen) {
      const [a, b] = choice.split(' ');
      // Two racks remain (r1 and r2): one node of each.
      expect(choice).toContain(remote.address);
      expect([a, b].filter((x) => local.some((n) => n.address === x))).toHaveLength(1);
    }
  });

  it('with nobody available, is Unavailable(TWO, required 2, alive 0); at ANY the coordinator keeps it', () => {
    const self = node(1, 'r1');
    const peers = [node(2, 'r1'), node(3, 'r2')];
    const view = topology(self, [self, ...peers], peers);
    expect(chooseBatchlogEndpoints(view, new SeededRandom(1))).toEqual([]);
    let error: unknown;
    try {
      planBatchlogWrite(view, new SeededRandom(1), 'QUORUM');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ consistency: 'TWO', required: 2, alive: 0, protocolCode: 0x1000 });
    expect((error as Error).message).toBe('Cannot achieve consistency level TWO');
    expect(planBatchlogWrite(view, new SeededRandom(1), 'ANY')).toEqual({
      endpoints: [self.address],
      consistency: 'ONE',
    });
  });

  it('reads candidates from the ring: members with their address, DC and rack', () => {
    const host = (n: number) => `00000000-0000-4000-8000-00000000000${n}` as HostId;
    let ring = TokenMetadata.empty();
    ring = ring.withEndpoint({ hostId: host(1), address: '10.0.0.1:7000', dataCenter: 'dc1', rack: 'r1' });
    ring = ring.withEndpoint({ hostId: host(2), address: '10.0.0.2:7000', dataCenter: 'dc1', rack: 'r2' });
    ring = ring.updateNormalTokens(host(1), [-100n as Token]).updateNormalTokens(host(2), [100n as Token]);
    expect(batchlogCandidates(ring).sort((a, b) => a.address.localeCompare(b.address))).toEqual([
      { address: '10.0.0.1:7000', dataCenter: 'dc1', rack: 'r1' },
      { address: '10.0.0.2:7000', dataCenter: 'dc1', rack: 'r2' },
    ]);
  });
});
