/**
 * A real StorageEngine in a temp dir, tables built from column lists, and one-line helpers to
 * prepare and execute statements the way the query processor will.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../common/clock.js';
import type { DataStore, ReadOptions, WriteOptions } from '../../../cql/executor/data-store.js';
import type { ExecuteOptions, ExecutorEnvironment, ResultSet } from '../../../cql/executor/index.js';
import {
  executorEnvironment,
  LocalDataStore,
  prepareBatch,
  prepareModification,
  prepareSelect,
} from '../../../cql/executor/index.js';
import type { BoundValue } from '../../../cql/executor/values.js';
import type { BatchStatement, ModificationStatement, SelectStatement } from '../../../cql/parser/index.js';
import { parseStatement } from '../../../cql/parser/index.js';
import type { ColumnMetadata, TableMetadata, TableParams } from '../../../cql/schema/metadata.js';
import { defaultTableParams, storageDefinition, tableMetadata } from '../../../cql/schema/metadata.js';
import type { CqlType, CqlValue } from '../../../cql/types/index.js';
import { deserialize, parseCqlType, serialize } from '../../../cql/types/index.js';
import type { ClusteringSlice, DecoratedKey, Mutation } from '../../../storage/model.js';
import { StorageEngine } from '../../../storage/storage-engine.js';
import type { ScanRange } from '../../../storage/table-store.js';

/** `columns`: [name, type text, kind?, order?]; kinds: 'pk', 'ck', 'static', 'regular' (default). */
export type ColumnDef = readonly [name: string, type: string, kind?: 'pk' | 'ck' | 'static', order?: 'desc'];

let tableCounter = 0;

export function makeTable(
  name: string,
  columns: readonly ColumnDef[],
  params: Partial<TableParams> = {},
): TableMetadata {
  let pk = 0;
  let ck = 0;
  const metas: ColumnMetadata[] = columns.map(([n, t, kind, order]) => ({
    name: n,
    type: parseCqlType(t),
    kind:
      kind === 'pk'
        ? 'partition_key'
        : kind === 'ck'
          ? 'clustering'
          : kind === 'static'
            ? 'static'
            : 'regular',
    position: kind === 'pk' ? pk++ : kind === 'ck' ? ck++ : -1,
    clusteringOrder: kind === 'ck' ? (order ?? 'asc') : 'none',
  }));
  tableCounter++;
  const id = `00000000-0000-4000-8000-${String(tableCounter).padStart(12, '0')}`;
  return tableMetadata(
    { keyspace: 'ks', name, id, params: { ...defaultTableParams, ...params }, droppedColumns: new Map() },
    metas,
  );
}

/** A deterministic random source (xorshift), so tests replay. */
export function seededRandom(seed = 42): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

export class Harness {
  readonly tables = new Map<string, TableMetadata>();

  private constructor(
    readonly engine: StorageEngine,
    readonly env: ExecutorEnvironment,
    readonly clock: ManualClock,
    private readonly dir: string,
  ) {}

  static async open(): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-executor-'));
    const clock = new ManualClock();
    const engine = await StorageEngine.open({ dataDir: dir, clock, options: { flushInWorkerThread: false } });
    const env = executorEnvironment(new LocalDataStore(engine), clock, seededRandom());
    return new Harness(engine, env, clock, dir);
  }

  async create(
    name: string,
    columns: readonly ColumnDef[],
    params: Partial<TableParams> = {},
  ): Promise<TableMetadata> {
    const table = makeTable(name, columns, params);
    await this.engine.addTable(storageDefinition(table));
    this.tables.set(name, table);
    return table;
  }

  table(name: string): TableMetadata {
    const t = this.tables.get(name);
    if (!t) throw new Error(`no table ${name}`);
    return t;
  }

  /** Prepares and executes one statement; returns the result set of a SELECT. */
  async run(
    cql: string,
    values: readonly BoundValue[] = [],
    options: ExecuteOptions = {},
  ): Promise<ResultSet | undefined> {
    const parsed = parseStatement(cql);
    const s = parsed.statement;
    const count = parsed.bindMarkers.length;
    if (s.kind === 'select') {
      return prepareSelect(s as SelectStatement, this.table(s.table.name), {
        env: this.env,
        markerCount: count,
      }).execute(values, options);
    }
    if (s.kind === 'batch') {
      await prepareBatch(s as BatchStatement, (n) => this.table(n.name), {
        env: this.env,
        markerCount: count,
      }).execute(values, options);
      return undefined;
    }
    if (s.kind === 'insert' || s.kind === 'update' || s.kind === 'delete' || s.kind === 'insertJson') {
      await prepareModification(s as ModificationStatement, this.table(s.table.name), {
        env: this.env,
        markerCount: count,
      }).execute(values, options);
      return undefined;
    }
    throw new Error(`unsupported statement ${s.kind}`);
  }

  async select(
    cql: string,
    values: readonly BoundValue[] = [],
    options: ExecuteOptions = {},
  ): Promise<ResultSet> {
    const rs = await this.run(cql, values, options);
    if (!rs) throw new Error('no result set');
    return rs;
  }

  /** Rows decoded to JS values by their column types. */
  async rows(
    cql: string,
    values: readonly BoundValue[] = [],
    options: ExecuteOptions = {},
  ): Promise<CqlValue[][]> {
    return decodeRows(await this.select(cql, values, options));
  }

  async flush(): Promise<void> {
    await this.engine.flush();
  }

  async close(): Promise<void> {
    await this.engine.close({ flush: false });
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function decodeRows(rs: ResultSet): CqlValue[][] {
  return rs.rows.map((row) => row.map((v, i) => (v === null ? null : deserialize(rs.columns[i]!.type, v))));
}

export function bytes(type: string | CqlType, value: unknown): Uint8Array {
  return serialize(typeof type === 'string' ? parseCqlType(type) : type, value);
}

/** A store that passes everything to `inner`, recording the writes it is handed and counting reads. */
export class RecordingStore implements DataStore {
  reads = 0;
  readonly writes: { mutations: readonly Mutation[]; options: WriteOptions }[] = [];
  constructor(private readonly inner: DataStore) {}
  apply(mutations: readonly Mutation[], options: WriteOptions): Promise<void> {
    this.writes.push({ mutations, options });
    return this.inner.apply(mutations, options);
  }
  read(tableId: string, key: DecoratedKey, slice: ClusteringSlice, options: ReadOptions) {
    this.reads++;
    return this.inner.read(tableId, key, slice, options);
  }
  scan(tableId: string, range: ScanRange, options: ReadOptions) {
    return this.inner.scan(tableId, range, options);
  }
  /** The last write. */
  last(): { mutations: readonly Mutation[]; options: WriteOptions } {
    const write = this.writes[this.writes.length - 1];
    if (!write) throw new Error('nothing written');
    return write;
  }
}
