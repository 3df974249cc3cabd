/**
 * The pure parts of a stress run: key populations, the mixed operation choice, the standard1 CQL
 * and row generation, and the progress/summary lines.
 */
import { describe, expect, it } from 'vitest';
import { sampler, seededRandom } from '../../cli/stress/distribution.js';
import { kindsOf, operationMix } from '../../cli/stress/operation-mix.js';
import { seedSource } from '../../cli/stress/population.js';
import {
  formatElapsed,
  progressHeader,
  progressLine,
  StressMetrics,
  summaryLines,
} from '../../cli/stress/stress-metrics.js';
import {
  createKeyspaceCql,
  createTableCql,
  keyOf,
  readCql,
  ValueSource,
  writeCql,
} from '../../cli/stress/stress-schema.js';

describe('populations', () => {
  it('a sequence hands out min..max in order and wraps', () => {
    const seeds = seedSource({ kind: 'sequence', min: 5, max: 7, wrap: true }, seededRandom(1));
    expect(Array.from({ length: 7 }, () => seeds.next())).toEqual([5, 6, 7, 5, 6, 7, 5]);
  });

  it('no-wrap ends the sequence once every seed was visited', () => {
    const seeds = seedSource({ kind: 'sequence', min: 1, max: 3, wrap: false }, seededRandom(1));
    expect(Array.from({ length: 5 }, () => seeds.next())).toEqual([1, 2, 3, undefined, undefined]);
  });

  it('uniform and gaussian draws stay within [min, max]; gaussian gathers around the mean', () => {
    const uniform = sampler({ kind: 'uniform', min: 10, max: 20 }, seededRandom(7));
    const gaussian = sampler(
      { kind: 'gaussian', min: 1, max: 1000, mean: 500.5, stdev: 166.5 },
      seededRandom(7),
    );
    const u = Array.from({ length: 5000 }, uniform);
    const g = Array.from({ length: 5000 }, gaussian);
    expect(Math.min(...u)).toBe(10);
    expect(Math.max(...u)).toBe(20);
    expect(g.every((v) => Number.isInteger(v) && v >= 1 && v <= 1000)).toBe(true);
    // About 68% within one deviation of the mean.
    const within = g.filter((v) => Math.abs(v - 500.5) <= 166.5).length / g.length;
    expect(within).toBeGreaterThan(0.6);
    expect(within).toBeLessThan(0.76);
  });

  it('the same seed replays the same draws', () => {
    const a = sampler({ kind: 'uniform', min: 1, max: 1e9 }, seededRandom(42));
    const b = sampler({ kind: 'uniform', min: 1, max: 1e9 }, seededRandom(42));
    expect(Array.from({ length: 10 }, a)).toEqual(Array.from({ length: 10 }, b));
  });
});

describe('mixed operations', () => {
  it('follows ratio(write=1,read=3) in runs of the clustering length', () => {
    const next = operationMix({ write: 1, read: 3 }, { kind: 'fixed', value: 4 }, seededRandom(3));
    const kinds = Array.from({ length: 40_000 }, next);
    const writes = kinds.filter((k) => k === 'write').length / kinds.length;
    expect(writes).toBeGreaterThan(0.22);
    expect(writes).toBeLessThan(0.28);
    // Runs of 4: every block of four aligned operations is of one kind.
    for (let i = 0; i < 400; i += 4) expect(new Set(kinds.slice(i, i + 4)).size).toBe(1);
  });

  it('a single kind needs no draw; a run is never empty', () => {
    expect(operationMix({ write: 1, read: 0 }, { kind: 'fixed', value: 1 }, seededRandom(1))()).toBe('write');
    const next = operationMix({ write: 1, read: 1 }, { kind: 'fixed', value: 0 }, seededRandom(1));
    expect(['write', 'read']).toContain(next());
    expect(kindsOf({ write: 1, read: 3 })).toEqual(['read', 'write']);
  });
});

describe('the standard1 table', () => {
  const settings = {
    keyspace: 'keyspace1',
    columnCount: 5,
    replication: { class: 'SimpleStrategy', replication_factor: '3' },
  };

  it('CQL as cassandra-stress uses it', () => {
    expect(createKeyspaceCql(settings)).toBe(
      "CREATE KEYSPACE IF NOT EXISTS keyspace1 WITH replication = {'class': 'SimpleStrategy', " +
        "'replication_factor': '3'} AND durable_writes = true",
    );
    expect(createTableCql(settings)).toBe(
      'CREATE TABLE IF NOT EXISTS keyspace1.standard1 (key blob PRIMARY KEY, "C0" blob, "C1" blob, ' +
        '"C2" blob, "C3" blob, "C4" blob)',
    );
    expect(writeCql(settings)).toBe(
      'UPDATE keyspace1.standard1 SET "C0" = ?, "C1" = ?, "C2" = ?, "C3" = ?, "C4" = ? WHERE key = ?',
    );
    expect(readCql(settings)).toBe(
      'SELECT "C0", "C1", "C2", "C3", "C4" FROM keyspace1.standard1 WHERE key = ?',
    );
  });

  it('a seed is always the same 10-byte key and the same values', () => {
    expect(keyOf(42).toString('latin1')).toBe('0000000042');
    const values = new ValueSource(5, 34);
    const first = values.writeValues(12345, keyOf(12345));
    const again = new ValueSource(5, 34).writeValues(12345, keyOf(12345));
    expect(first).toHaveLength(6);
    expect(first.slice(0, 5).every((v) => v.length === 34)).toBe(true);
    expect(first.map((v) => v.toString('hex'))).toEqual(again.map((v) => v.toString('hex')));
    expect(first[0]!.equals(first[1]!)).toBe(false);
    expect(first[5]!.toString('latin1')).toBe('0000012345');
  });
});

describe('progress and summary lines', () => {
  it('counts per kind and in total, intervals restart, latencies in ms', () => {
    const metrics = new StressMetrics(['read', 'write']);
    metrics.record('write', 1000, true);
    metrics.record('write', 3000, true);
    metrics.record('read', 2000, false);
    const first = metrics.interval();
    expect(first.totalOperations).toBe(3);
    expect(first.rows.map((r) => [r.name, r.operations, r.errors])).toEqual([
      ['READ', 1, 1],
      ['WRITE', 2, 0],
      ['total', 3, 1],
    ]);
    expect(first.rows[1]!.latency.meanMs).toBeCloseTo(2, 2);
    expect(first.rows[1]!.latency.maxMs).toBeCloseTo(3, 2);
    metrics.record('read', 500, true);
    expect(metrics.interval().rows.map((r) => r.operations)).toEqual([1, 0, 1]);
    const totals = metrics.totals();
    expect(totals.kinds.map((k) => [k.name, k.operations, k.partitions])).toEqual([
      ['READ', 2, 1],
      ['WRITE', 2, 2],
    ]);
    expect(totals.total).toMatchObject({ name: 'total', operations: 4, errors: 1, partitions: 3 });
  });

  it('prints cassandra-stress-like columns and the Results block', () => {
    const metrics = new StressMetrics(['write']);
    for (let i = 0; i < 100; i++) metrics.record('write', 1000 + i * 10, true);
    const { rows, totalOperations } = metrics.interval();
    expect(progressHeader()).toBe(
      'type  ,  total ops,     op/s,     mean,      med,      .95,      .99,     .999,      max,     time,   errors',
    );
    expect(progressLine(rows[0]!, totalOperations, 0.5, 1.5)).toMatch(
      /^WRITE ,\s+100,\s+200,\s+1\.5,\s+1\.5,\s+1\.9,\s+2\.0,\s+2\.0,\s+2\.0,\s+1\.5,\s+0$/,
    );
    const { kinds, total } = metrics.totals();
    const summary = summaryLines(kinds, total, 2000);
    expect(summary[0]).toBe('Results:');
    expect(summary).toContain('Op rate                   :       50 op/s [WRITE: 50 op/s]');
    expect(summary).toContain('Total errors              :        0 [WRITE: 0]');
    expect(summary.at(-1)).toBe('Total operation time      : 00:00:02');
    expect(summary.some((l) => /^Latency 99\.9th percentile :\s+2\.0 ms/.test(l))).toBe(true);
    expect(formatElapsed(3_725_000)).toBe('01:02:05');
  });
});
