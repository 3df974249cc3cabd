/**
 * Blocking read repair between real node processes, with hinted handoff off so that only a read can
 * heal: rows written while node3 was down reach node3 when a read at ALL finds the difference —
 * unless the table says read_repair = 'NONE'. Read from node3 alone afterwards.
 */
import { afterEach, expect, it } from 'vitest';
import { PinnedClient } from './pinned-client.js';
import { ProcessCluster } from './process-cluster.js';

let cluster: ProcessCluster | undefined;
const clients: PinnedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  await cluster?.close();
  cluster = undefined;
});

const KEYS = Array.from({ length: 40 }, (_, k) => k);

it("repairs a stale replica on a read at ALL, and not with read_repair = 'NONE'", async () => {
  cluster = await ProcessCluster.start({ nodes: 3, yaml: { hinted_handoff_enabled: false } });
  const running = cluster;
  const node1 = new PinnedClient(running.hosts[0]!, running.nativePort);
  clients.push(node1);
  await node1.execute(
    "CREATE KEYSPACE rr WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
  );
  await node1.execute('CREATE TABLE rr.blocking (k int PRIMARY KEY, v text)');
  await node1.execute("CREATE TABLE rr.none (k int PRIMARY KEY, v text) WITH read_repair = 'NONE'");

  await running.stop(2);
  await running.waitUntilSeen(2, 'DOWN');
  for (const k of KEYS) {
    for (const table of ['blocking', 'none'])
      await node1.execute(`INSERT INTO rr.${table} (k, v) VALUES (?, ?)`, [k, `v${k}`], 'QUORUM');
  }
  await running.startNode(2);
  await running.waitUntilSeen(2, 'UP');
  for (const k of KEYS) {
    for (const table of ['blocking', 'none']) {
      const rows = await node1.execute(`SELECT v FROM rr.${table} WHERE k = ?`, [k], 'ALL');
      expect(rows[0]?.get('v')).toBe(`v${k}`);
    }
  }

  await running.kill(0);
  await running.kill(1);
  const node3 = new PinnedClient(running.hosts[2]!, running.nativePort);
  clients.push(node3);
  const present = async (table: string) => {
    let count = 0;
    for (const k of KEYS)
      if ((await node3.execute(`SELECT v FROM rr.${table} WHERE k = ?`, [k])).length > 0) count++;
    return count;
  };
  expect(await present('blocking')).toBe(KEYS.length);
  expect(await present('none')).toBe(0);
}, 180_000);
