/**
 * The seam between statement execution and the data: the executor reads and writes only through
 * `DataStore`. `LocalDataStore` serves one node's StorageEngine; the coordinator (replication,
 * consistency levels, read repair) will implement the same interface from node/ without any change
 * to cql/.
 */
import type { CounterId } from '../../storage/counter-context.js';
import { counterIdFromHostId } from '../../storage/counter-context.js';
import type { ClusteringSlice, DecoratedKey, Mutation, Partition } from '../../storage/model.js';
import type { StorageEngine } from '../../storage/storage-engine.js';
import type { ScanRange } from '../../storage/table-store.js';
import type { ConsistencyName } from '../errors.js';
import { InvalidRequestError } from '../errors.js';

/** Cassandra's consistency level names (the protocol's [consistency]); ignored by the local store. */
export type ConsistencyLevel = ConsistencyName;

export const DEFAULT_CONSISTENCY: ConsistencyLevel = 'ONE';

export interface WriteOptions {
  readonly consistency: ConsistencyLevel;
  /** False for keyspaces with durable_writes = false: the commit log is skipped. */
  readonly durable: boolean;
  /** Set when the mutations come from one BATCH statement. */
  readonly batchType?: 'logged' | 'unlogged' | 'counter';
  /**
   * True for writes to a counter table (Cassandra's CounterMutation): increments are delta cells,
   * applied by one leader replica (`StorageEngine.applyCounterUpdate` with the leader's host id),
   * whose resulting shard mutation is what the other replicas receive (docs/cql.md "Counters").
   */
  readonly counter?: boolean;
}

/** Consistency levels are a closed set: the cache below never holds more. */
const MAX_CACHED_LEVELS = 16;
const statementWriteOptions = new Map<ConsistencyLevel, readonly WriteOptions[]>();

/**
 * The write options of one statement (not a batch), made once per combination and frozen: every
 * write passes one, so none is built per write.
 */
export function writeOptionsFor(
  consistency: ConsistencyLevel,
  durable: boolean,
  counter: boolean,
): WriteOptions {
  let forLevel = statementWriteOptions.get(consistency);
  if (forLevel === undefined) {
    forLevel = [
      Object.freeze({ consistency, durable: false }),
      Object.freeze({ consistency, durable: true }),
      Object.freeze({ consistency, durable: false, counter: true }),
      Object.freeze({ consistency, durable: true, counter: true }),
    ];
    if (statementWriteOptions.size < MAX_CACHED_LEVELS) statementWriteOptions.set(consistency, forLevel);
  }
  return forLevel[(counter ? 2 : 0) + (durable ? 1 : 0)]!;
}

/** Cassandra's ConsistencyLevel.validateCounterForWrite. */
export function checkCounterConsistency(table: string, consistency: ConsistencyLevel): void {
  if (consistency === 'ANY') {
    throw new InvalidRequestError(`Consistency level ANY is not yet supported for counter table ${table}`);
  }
  if (consistency === 'SERIAL' || consistency === 'LOCAL_SERIAL') {
    throw new InvalidRequestError('Counter operations are inherently non-serializable');
  }
}

export interface ReadOptions {
  readonly consistency: ConsistencyLevel;
}

export interface DataStore {
  /** Applies every mutation; resolves when each is acknowledged at the consistency level. */
  apply(mutations: readonly Mutation[], options: WriteOptions): Promise<void>;
  /** One partition, merged, sliced, tombstones included (null when no replica has it). */
  read(
    tableId: string,
    key: DecoratedKey,
    slice: ClusteringSlice,
    options: ReadOptions,
  ): Promise<Partition | null>;
  /** Partitions in token order over `range`, tombstones included. */
  scan(tableId: string, range: ScanRange, options: ReadOptions): AsyncGenerator<Partition>;
  /**
   * TRUNCATE of a table already checked by the schema, on every node that holds it. A store without
   * it (a single node's) leaves TRUNCATE to the schema manager, which empties the local table.
   */
  truncate?(tableId: string): Promise<void>;
}

/** The counter id of a store without a host id (tests, tools): the nil uuid's 16 zero bytes. */
export const NIL_COUNTER_ID: CounterId = counterIdFromHostId('00000000-0000-0000-0000-000000000000');

/**
 * The store of a single node: mutations and reads go straight to the local StorageEngine. Counter
 * updates are applied with this node as their leader (the only replica), counting under
 * `counterId`, the node's host id.
 */
export class LocalDataStore implements DataStore {
  constructor(
    private readonly engine: StorageEngine,
    private readonly counterId: CounterId = NIL_COUNTER_ID,
  ) {}

  async apply(mutations: readonly Mutation[], options: WriteOptions): Promise<void> {
    if (options.counter) {
      await Promise.all(
        mutations.map((m) => this.engine.applyCounterUpdate(m, this.counterId, options.durable)),
      );
      return;
    }
    // The usual statement writes one partition: no array of promises to wait on.
    if (mutations.length === 1) return this.engine.apply(mutations[0]!, options.durable);
    // A logged batch is atomic in Cassandra through the batch log; locally each mutation is one
    // commit log record, applied in order, so a crash between two records can split the batch.
    await Promise.all(mutations.map((m) => this.engine.apply(m, options.durable)));
  }

  read(
    tableId: string,
    key: DecoratedKey,
    slice: ClusteringSlice,
    _options: ReadOptions,
  ): Promise<Partition | null> {
    return this.engine.read(tableId, key, slice);
  }

  scan(tableId: string, range: ScanRange, _options: ReadOptions): AsyncGenerator<Partition> {
    return this.engine.scan(tableId, range);
  }
}
