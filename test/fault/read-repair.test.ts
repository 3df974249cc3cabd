/**
 * Blocking read repair between real node processes, with hinted handoff off so that only a read can
 * heal: rows written while node3 was down reach node3 when a read at ALL finds the difference —
 * unless the table says read_repair = 'NONE'. Read from node3 alone afterwards.
 */
import { expect, it } from 'vitest';
import { clusterPerTest } from './process-cluster.js';

const startCluster = clusterPerTest();

const KEYS = Array.from({ length: 40 }, (_, k) => k);

it("repairs a stale replica on a read at ALL, and not with read_repair = 'NONE'", async () => {
  const running = await startCluster({ nodes: 3, yaml: { hinted_handoff_enabled: false } });
  const node1 = running.client(0);
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
  const node3 = running.client(2);
  const present = async (table: string) => {
    let count = 0;
    for (const k of KEYS)
      if ((await node3.execute(`SELECT v FROM rr.${table} WHERE k = ?`, [k])).length > 0) count++;
    return count;
  };
  expect(await present('blocking')).toBe(KEYS.length);
  expect(await present('none')).toBe(0);
}, 180_000);
