/**
 * The prepared write path as the store receives it: the mutations and write options of INSERT,
 * UPDATE and DELETE (one partition and one row by EQ, several by IN give the same cells), cells in
 * storage order whatever order the statement lists its columns in, Cassandra's messages for bad key
 * values on every write form, and errors as rejected promises. Below it, the row builder's in-place
 * sort and reconciliation against a reference (sort a copy, reduce).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/clock.js';
import { LocalDataStore, writeOptionsFor } from '../../../cql/executor/data-store.js';
import { executorEnvironment } from '../../../cql/executor/environment.js';
import type { PreparedModification } from '../../../cql/executor/modification.js';
import { prepareModification } from '../../../cql/executor/modification.js';
import { PartitionBuilder, RowBuilder } from '../../../cql/executor/mutation-builder.js';
import { prepareSelect } from '../../../cql/executor/select.js';
import type { BoundValue } from '../../../cql/executor/values.js';
import { UNSET } from '../../../cql/executor/values.js';
import type { ModificationStatement } from '../../../cql/parser/index.js';
import { parseStatement } from '../../../cql/parser/index.js';
import type { TableMetadata } from '../../../cql/schema/metadata.js';
import { storageDefinition } from '../../../cql/schema/metadata.js';
import { getToken } from '../../../ring/murmur3-partitioner.js';
import type { Cell, Mutation } from '../../../storage/model.js';
import { liveCell, tombstoneCell } from '../../../storage/model.js';
import { compareCellPosition, reconcileCells } from '../../../storage/reconcile.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import { tempDir } from '../../storage/helpers.js';
import type { ColumnDef } from './fixture.js';
import { bytes, decodeRows, makeTable, RecordingStore, seededRandom } from './fixture.js';

let engine: StorageEngine;
let store: RecordingStore;
let cleanup: () => Promise<void>;
const clock = new ManualClock();
const env = () => executorEnvironment(store, clock, seededRandom());

beforeEach(async () => {
  const dir = await tempDir('sibyl-write-path-');
  cleanup = dir.cleanup;
  engine = await StorageEngine.open({ dataDir: dir.dir, clock, options: { flushInWorkerThread: false } });
  store = new RecordingStore(new LocalDataStore(engine));
});
afterEach(async () => {
  await engine.close({ flush: false });
  await cleanup();
});

async function table(name: string, columns: readonly ColumnDef[]): Promise<TableMetadata> {
  const t = makeTable(name, columns);
  await engine.addTable(storageDefinition(t));
  return t;
}

function prepare(t: TableMetadata, cql: string): PreparedModification {
  const parsed = parseStatement(cql);
  return prepareModification(parsed.statement as ModificationStatement, t, {
    env: env(),
    markerCount: parsed.bindMarkers.length,
  });
}

async function write(t: TableMetadata, cql: string, values: readonly BoundValue[] = []): Promise<Mutation[]> {
  await prepare(t, cql).execute(values, { consistency: 'QUORUM', timestamp: 1000 });
  return [...store.last().mutations];
}

async function rows(t: TableMetadata, cql: string): Promise<unknown[][]> {
  const parsed = parseStatement(cql);
  if (parsed.statement.kind !== 'select') throw new Error('not a SELECT');
  return decodeRows(await prepareSelect(parsed.statement, t, { env: env(), markerCount: 0 }).execute([]));
}

const blob = (...content: number[]) => Uint8Array.from(content);

describe('the mutation a prepared write hands the store', () => {
  it('INSERT: one partition, one row, cells in storage order whatever the statement order', async () => {
    const t = await table('standard1', [
      ['key', 'blob', 'pk'],
      ['C0', 'blob'],
      ['C1', 'blob'],
      ['C2', 'blob'],
      ['C3', 'blob'],
      ['C4', 'blob'],
    ]);
    const key = blob(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    const values = [key, blob(3), blob(0), blob(4), blob(1), blob(2)];
    const [mutation, ...others] = await write(
      t,
      'INSERT INTO standard1 (key, "C3", "C0", "C4", "C1", "C2") VALUES (?, ?, ?, ?, ?, ?)',
      values,
    );
    expect(others).toEqual([]);
    expect(store.last().options).toEqual({ consistency: 'QUORUM', durable: true });
    const nowSeconds = Math.floor(clock.nowMs() / 1000);
    expect(mutation).toEqual({
      tableId: t.id,
      partition: {
        key: { token: getToken(key), key },
        deletion: null,
        staticRow: null,
        rangeTombstones: [],
        rows: [
          {
            clustering: [],
            liveness: { timestamp: 1000, ttl: 0, localExpirationTime: 0x7fffffff },
            deletion: null,
            columnDeletions: [],
            cells: [0, 1, 2, 3, 4].map((i) => liveCell(`C${i}`, blob(i), 1000, 0, nowSeconds)),
          },
        ],
      },
    });
  });

  it('more columns than the insertion sort takes (20, listed in reverse): stored and read back sorted', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const t = await table('wide', [['k', 'int', 'pk'], ...names.map((n): ColumnDef => [n, 'int'])]);
    const reversed = [...names].reverse();
    const [mutation] = await write(
      t,
      `INSERT INTO wide (k, ${reversed.join(', ')}) VALUES (1, ${reversed.map((_, i) => 100 + i).join(', ')})`,
    );
    expect(mutation!.partition.rows[0]!.cells.map((c) => c.column)).toEqual(names);
    expect(await rows(t, `SELECT ${names.join(', ')} FROM wide WHERE k = 1`)).toEqual([
      names.map((_, i) => 100 + 19 - i),
    ]);
  });

  it('UPDATE and DELETE by EQ write the same mutations as by IN of one value', async () => {
    const t = await table('t', [
      ['a', 'int', 'pk'],
      ['b', 'text', 'pk'],
      ['c', 'int', 'ck'],
      ['d', 'int', 'ck', 'desc'],
      ['s', 'int', 'static'],
      ['v', 'int'],
      ['m', 'map<int, int>'],
    ]);
    const pairs: [string, string][] = [
      [
        "UPDATE t SET v = 1, m = m + {2: 3} WHERE a = 1 AND b = 'x' AND c = 2 AND d = 3",
        "UPDATE t SET v = 1, m = m + {2: 3} WHERE a IN (1) AND b IN ('x') AND c IN (2) AND d IN (3)",
      ],
      ["UPDATE t SET s = 5 WHERE a = 1 AND b = 'x'", "UPDATE t SET s = 5 WHERE a IN (1) AND b IN ('x')"],
      [
        "DELETE FROM t WHERE a = 1 AND b = 'x' AND c = 2 AND d = 3",
        "DELETE FROM t WHERE a IN (1) AND b IN ('x') AND c IN (2) AND d IN (3)",
      ],
      [
        "DELETE v, m FROM t WHERE a = 1 AND b = 'x' AND c = 2 AND d = 3",
        "DELETE v, m FROM t WHERE a IN (1) AND b IN ('x') AND c IN (2) AND d IN (3)",
      ],
      [
        "DELETE FROM t WHERE a = 1 AND b = 'x' AND c = 2",
        "DELETE FROM t WHERE a IN (1) AND b IN ('x') AND c = 2",
      ],
      ["DELETE FROM t WHERE a = 1 AND b = 'x'", "DELETE FROM t WHERE a IN (1) AND b IN ('x')"],
    ];
    for (const [byEq, byIn] of pairs) {
      const eq = await write(t, byEq);
      expect(eq, byEq).toHaveLength(1);
      expect(eq, byEq).toEqual(await write(t, byIn));
    }
  });

  it('IN on the key and the clustering: one mutation per key in key order, rows in clustering order', async () => {
    const t = await table('t', [
      ['k', 'int', 'pk'],
      ['c', 'int', 'ck', 'desc'],
      ['v', 'int'],
    ]);
    const mutations = await write(t, 'UPDATE t SET v = 7 WHERE k IN (3, 1, 3) AND c IN (1, 2, 1)');
    const ints = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getInt32(0);
    expect(mutations.map((m) => ints(m.partition.key.key))).toEqual([1, 3]);
    for (const m of mutations) expect(m.partition.rows.map((r) => ints(r.clustering[0]!))).toEqual([2, 1]);
  });

  it('a batch writing one cell twice reconciles it as storage does: the greater value wins a tie', async () => {
    const t = await table('t', [
      ['k', 'int', 'pk'],
      ['v', 'text'],
      ['w', 'text'],
    ]);
    const parsed = parseStatement(
      "BEGIN BATCH UPDATE t SET w = 'b', v = 'z' WHERE k = 1; INSERT INTO t (k, w, v) VALUES (1, 'c', 'y') APPLY BATCH",
    );
    const { prepareBatch } = await import('../../../cql/executor/batch.js');
    if (parsed.statement.kind !== 'batch') throw new Error('not a batch');
    await prepareBatch(parsed.statement, () => t, { env: env(), markerCount: 0 }).execute([]);
    const [mutation] = store.last().mutations;
    const cells = mutation!.partition.rows[0]!.cells;
    expect(cells.map((c) => [c.column, Buffer.from(c.value!).toString()])).toEqual([
      ['v', 'z'],
      ['w', 'c'],
    ]);
    expect(await rows(t, 'SELECT v, w FROM t WHERE k = 1')).toEqual([['z', 'c']]);
  });

  it('write options: one frozen object per combination, the counter flag only for counter tables', () => {
    expect(writeOptionsFor('QUORUM', true, false)).toEqual({ consistency: 'QUORUM', durable: true });
    expect(writeOptionsFor('ONE', false, true)).toEqual({
      consistency: 'ONE',
      durable: false,
      counter: true,
    });
    expect(writeOptionsFor('QUORUM', true, false)).toBe(writeOptionsFor('QUORUM', true, false));
    expect(Object.isFrozen(writeOptionsFor('ALL', true, true))).toBe(true);
  });
});

describe('bad values on the write path', () => {
  const tooLong = new Uint8Array(0x10000);

  it("a one-column key: null, unset, empty and too long are refused with Cassandra's messages", async () => {
    const t = await table('t', [
      ['k', 'blob', 'pk'],
      ['v', 'int'],
    ]);
    const forms = [
      'INSERT INTO t (k, v) VALUES (?, 1)',
      'UPDATE t SET v = 1 WHERE k = ?',
      'DELETE FROM t WHERE k = ?',
      'DELETE v FROM t WHERE k = ?',
      'UPDATE t SET v = 1 WHERE k IN (?)',
    ];
    const cases: [BoundValue, string][] = [
      [null, 'Invalid null value in condition for column k'],
      [UNSET, 'Invalid unset value for column k'],
      [blob(), 'Key may not be empty'],
      [tooLong, 'Key length of 65536 is longer than maximum of 65535'],
    ];
    for (const form of forms) {
      for (const [value, message] of cases) {
        await expect(prepare(t, form).execute([value]), `${form} with ${String(value)}`).rejects.toThrow(
          message,
        );
      }
    }
    expect(store.writes).toEqual([]);
  });

  it('a composite key and a clustering: each column named in its message', async () => {
    const t = await table('t', [
      ['a', 'blob', 'pk'],
      ['b', 'blob', 'pk'],
      ['c', 'int', 'ck'],
      ['v', 'int'],
    ]);
    const insert = 'INSERT INTO t (a, b, c, v) VALUES (?, ?, ?, 1)';
    const update = 'UPDATE t SET v = 1 WHERE a = ? AND b = ? AND c = ?';
    const one = bytes('int', 1);
    for (const form of [insert, update]) {
      await expect(prepare(t, form).execute([blob(1), null, one])).rejects.toThrow(
        'Invalid null value in condition for column b',
      );
      await expect(prepare(t, form).execute([tooLong, blob(1), one])).rejects.toThrow(
        'Key length of 65536 is longer than maximum of 65535',
      );
      await expect(prepare(t, form).execute([blob(1), blob(2), null])).rejects.toThrow(
        'Invalid null value in condition for column c',
      );
      await expect(prepare(t, form).execute([blob(1), blob(2), UNSET])).rejects.toThrow(
        'Invalid unset value for column c',
      );
    }
    // Empty components of a composite key make a non-empty key (as Cassandra).
    await prepare(t, insert).execute([blob(), blob(), one]);
    expect(store.writes).toHaveLength(1);
  });

  it('errors reject the returned promise; nothing is thrown synchronously', async () => {
    const t = await table('t', [
      ['k', 'int', 'pk'],
      ['v', 'int'],
    ]);
    const insert = prepare(t, 'INSERT INTO t (k, v) VALUES (?, ?)');
    let pending: Promise<void> | undefined;
    expect(() => {
      pending = insert.execute([bytes('int', 1)]);
    }).not.toThrow();
    await expect(pending).rejects.toThrow('There were 2 markers(?) in CQL but 1 bound variables');
    expect(() => {
      pending = insert.execute([bytes('int', 1), blob(1, 2)]);
    }).not.toThrow();
    await expect(pending).rejects.toThrow('Expected 4 or 0 byte int (2)');
    const counters = await table('n', [
      ['k', 'int', 'pk'],
      ['n', 'counter'],
    ]);
    const increment = prepare(counters, 'UPDATE n SET n = n + 1 WHERE k = 1');
    expect(() => {
      pending = increment.execute([], { consistency: 'SERIAL' });
    }).not.toThrow();
    await expect(pending).rejects.toThrow('Counter operations are inherently non-serializable');
  });
});

describe('RowBuilder', () => {
  const columns = ['a', 'b', 'c'];

  /** What the builder must give: a sorted copy (stable), equal positions reduced with reconcileCells. */
  function reference(cells: readonly Cell[]): Cell[] {
    const out: Cell[] = [];
    for (const cell of [...cells].sort(compareCellPosition)) {
      const last = out[out.length - 1];
      if (last && compareCellPosition(last, cell) === 0) out[out.length - 1] = reconcileCells(last, cell);
      else out.push(cell);
    }
    return out;
  }

  it('sorts cells written in any order and reconciles two writes of one cell, as sorting a copy would', () => {
    const random = seededRandom(7);
    const pick = (n: number) => random(1)[0]! % n;
    for (let round = 0; round < 300; round++) {
      const count = pick(40);
      const cells: Cell[] = [];
      for (let i = 0; i < count; i++) {
        const column = columns[pick(columns.length)]!;
        const path = pick(3) === 0 ? null : blob(pick(4));
        const timestamp = 10 + pick(3);
        cells.push(
          pick(4) === 0
            ? tombstoneCell(column, timestamp, 100, path)
            : liveCell(column, blob(pick(5)), timestamp, 0, 100, path),
        );
      }
      const builder = new RowBuilder([], pick(2) === 0 ? 0 : columns.length);
      for (const cell of cells) builder.addCell(cell);
      expect(builder.build().cells).toEqual(reference(cells));
    }
  });

  it('a built row takes no more cells', () => {
    const builder = new RowBuilder([]);
    builder.addCell(liveCell('a', blob(1), 1));
    builder.build();
    expect(() => builder.addCell(liveCell('b', blob(1), 1))).toThrow(/assertion failed/);
  });

  it('a partition finds its row by an equal clustering, not only by the same array', async () => {
    const t = makeTable('t', [
      ['k', 'int', 'pk'],
      ['c', 'int', 'ck'],
      ['v', 'int'],
    ]);
    const partition = new PartitionBuilder(t, { token: 0n, key: blob(1) });
    const row = partition.row([bytes('int', 1)]);
    expect(partition.row([bytes('int', 1)])).toBe(row);
    expect(partition.row([bytes('int', 2)])).not.toBe(row);
    expect(partition.build().partition.rows).toHaveLength(2);
  });
});
