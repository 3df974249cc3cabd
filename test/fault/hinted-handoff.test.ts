/**
 * Hinted handoff between real node processes: writes at ONE while a replica is down leave hints on
 * the coordinator, which delivers them once gossip sees the replica back; read from that replica
 * alone afterwards, the data is there. A replica down longer than max_hint_window gets no hints.
 */
import { describe, expect, it } from 'vitest';
import type { PendingHintsLine } from '../../node/data-services.js';
import { until } from '../node/cluster/cluster-helpers.js';
import type { PinnedClient } from './pinned-client.js';
import { clusterPerTest, type ProcessCluster } from './process-cluster.js';

const startCluster = clusterPerTest();

async function pendingHints(running: ProcessCluster, index: number): Promise<PendingHintsLine[]> {
  return (await running.admin<{ hints: PendingHintsLine[] }>(index, '/hints')).hints;
}

async function createTable(client: PinnedClient): Promise<void> {
  await client.execute(
    "CREATE KEYSPACE hh WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
  );
  await client.execute('CREATE TABLE hh.kv (k int PRIMARY KEY, v text)');
}

describe('hinted handoff', () => {
  it('delivers the writes a replica missed once it is back', async () => {
    const running = await startCluster({ nodes: 3 });
    const node1 = running.client(0);
    await createTable(node1);
    const node3HostId = (await running.admin<{ hostId: string }>(2, '/info')).hostId;

    await running.stop(2);
    await running.waitUntilSeen(2, 'DOWN');
    for (let k = 0; k < 100; k++) {
      await node1.execute('INSERT INTO hh.kv (k, v) VALUES (?, ?)', [k, `v${k}`], 'ONE');
    }
    const stored = await pendingHints(running, 0);
    expect(stored.map((line) => line.hostId)).toEqual([node3HostId]);

    await running.startNode(2);
    await until(
      'node1 delivered its hints to node3',
      async () => (await pendingHints(running, 0)).length === 0,
    );

    // node3 alone: what it has, it got from the hints.
    await running.kill(0);
    await running.kill(1);
    const node3 = running.client(2);
    const missing: number[] = [];
    await running.explainFailure(2, async () => {
      for (let k = 0; k < 100; k++) {
        const rows = await node3.execute('SELECT v FROM hh.kv WHERE k = ?', [k], 'ONE');
        if (rows[0]?.get('v') !== `v${k}`) missing.push(k);
      }
    });
    expect(missing).toEqual([]);
  }, 180_000);

  it('keeps no hints for a replica down longer than max_hint_window', async () => {
    const running = await startCluster({ nodes: 3, yaml: { max_hint_window_in_ms: 3000 } });
    const node1 = running.client(0);
    await createTable(node1);

    await running.stop(2);
    await running.waitUntilSeen(2, 'DOWN');
    await node1.execute("INSERT INTO hh.kv (k, v) VALUES (0, 'within the window')", [], 'ONE');
    const dropped = async () => {
      const response = await fetch(`http://${running.hosts[0]}:${running.adminPort}/metrics`);
      const line = (await response.text())
        .split('\n')
        .find((l) => l.startsWith('sibyl_hints_dropped_by_reason_total{reason="window_expired"}'));
      return Number(line?.split(' ')[1] ?? 0);
    };
    // Written until one write's hint is refused: node3 has then been down past the window.
    let last = 0;
    await until('a hint past max_hint_window is dropped', async () => {
      last++;
      await node1.execute('INSERT INTO hh.kv (k, v) VALUES (?, ?)', [last, 'past the window'], 'ONE');
      return (await dropped()) > 0;
    });

    await running.startNode(2);
    await until('node1 delivered what it kept', async () => (await pendingHints(running, 0)).length === 0);
    await running.kill(0);
    await running.kill(1);
    const node3 = running.client(2);
    const [kept, refused] = await running.explainFailure(2, async () => [
      await node3.execute('SELECT v FROM hh.kv WHERE k = 0', [], 'ONE'),
      await node3.execute('SELECT v FROM hh.kv WHERE k = ?', [last], 'ONE'),
    ]);
    expect(kept![0]?.get('v')).toBe('within the window');
    expect(refused).toEqual([]);
  }, 180_000);
});
