/**
 * `writeLoggedBatch` performs Cassandra's order — availability, batchlog endpoints, store, each
 * mutation at writeType BATCH, remove — and stops at the first failure, leaving the batchlog in place
 * whenever any mutation may have been written.
 */
import { describe, expect, it } from 'vitest';
import type { ConsistencyName, WriteType } from '../../../cql/errors.js';
import { UnavailableError, WriteTimeoutError } from '../../../cql/errors.js';
import type { BatchlogTopology, LoggedBatchLog } from '../../../node/batchlog/index.js';
import { planBatchlogWrite, writeLoggedBatch } from '../../../node/batchlog/index.js';
import { SeededRandom } from '../../../node/sim/random.js';
import type { Mutation } from '../../../storage/model.js';
import { userMutation } from './helpers.js';

const self = { address: '10.0.0.1:7000', dataCenter: 'dc1', rack: 'r1' };
const peers = [
  { address: '10.0.0.2:7000', dataCenter: 'dc1', rack: 'r1' },
  { address: '10.0.0.3:7000', dataCenter: 'dc1', rack: 'r1' },
];
const topology: BatchlogTopology = { local: self, endpoints: [self, ...peers], isAlive: () => true };
const ID = '9b5c8f00-8a3b-11ee-8000-010203040506';

/** A batchlog and a write path that record what is done to them, in order. */
function recorder(failures: { store?: Error; write?: Error; available?: Error } = {}) {
  const events: string[] = [];
  const batchlog: LoggedBatchLog = {
    newBatchId: () => ID,
    planWrite: (view, consistency) => {
      events.push(`plan ${consistency}`);
      return planBatchlogWrite(view, new SeededRandom(1), consistency);
    },
    store: async (id, mutations, endpoints) => {
      events.push(`store ${id} ${mutations.length} on ${[...endpoints].sort().join(',')}`);
      if (failures.store) throw failures.store;
    },
    remove: (id, endpoints) => {
      events.push(`remove ${id} from ${[...endpoints].sort().join(',')}`);
    },
  };
  const writeEach = async (
    mutations: readonly Mutation[],
    consistency: ConsistencyName,
    writeType: WriteType,
  ) => {
    events.push(`write ${mutations.length} at ${consistency} as ${writeType}`);
    if (failures.write) throw failures.write;
  };
  const checkAvailable = (mutations: readonly Mutation[], consistency: ConsistencyName) => {
    events.push(`check ${mutations.length} at ${consistency}`);
    if (failures.available) throw failures.available;
  };
  return { events, steps: { batchlog, topology, writeEach, checkAvailable } };
}

const batch = [userMutation(1, 'a'), userMutation(2, 'b'), userMutation(3, 'c')];

describe('writeLoggedBatch', () => {
  it('checks availability, stores in the batchlog, writes each mutation as BATCH, then removes', async () => {
    const { events, steps } = recorder();
    await writeLoggedBatch(batch, 'QUORUM', steps);
    expect(events).toEqual([
      'check 3 at QUORUM',
      'plan QUORUM',
      `store ${ID} 3 on 10.0.0.2:7000,10.0.0.3:7000`,
      'write 3 at QUORUM as BATCH',
      `remove ${ID} from 10.0.0.2:7000,10.0.0.3:7000`,
    ]);
  });

  it('writes nothing when the batchlog write times out (WriteTimeout BATCH_LOG reaches the client)', async () => {
    const timeout = new WriteTimeoutError('TWO', 1, 2, 'BATCH_LOG');
    const { events, steps } = recorder({ store: timeout });
    await expect(writeLoggedBatch(batch, 'ONE', steps)).rejects.toBe(timeout);
    expect(events.some((e) => e.startsWith('write') || e.startsWith('remove'))).toBe(false);
  });

  it('keeps the batchlog when a mutation times out (WriteTimeout BATCH: the batch will be replayed)', async () => {
    const timeout = new WriteTimeoutError('ONE', 0, 1, 'BATCH');
    const { events, steps } = recorder({ write: timeout });
    await expect(writeLoggedBatch(batch, 'ONE', steps)).rejects.toBe(timeout);
    expect(events.at(-1)).toBe('write 3 at ONE as BATCH');
    expect(events.some((e) => e.startsWith('remove'))).toBe(false);
  });

  it('is Unavailable before anything is stored when replicas or batchlog endpoints are missing', async () => {
    const unavailable = new UnavailableError('QUORUM', 2, 1);
    const first = recorder({ available: unavailable });
    await expect(writeLoggedBatch(batch, 'QUORUM', first.steps)).rejects.toBe(unavailable);
    expect(first.events).toEqual(['check 3 at QUORUM']);

    const lonely = recorder();
    const allDown: BatchlogTopology = { ...topology, isAlive: (a) => a === self.address };
    await expect(
      writeLoggedBatch(batch, 'ONE', { ...lonely.steps, topology: allDown }),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      consistency: 'TWO',
      required: 2,
      alive: 0,
    });
    expect(lonely.events.some((e) => e.startsWith('store') || e.startsWith('write'))).toBe(false);
  });

  it('writes a batch of one partition as a simple write, without the batchlog (as Cassandra)', async () => {
    const { events, steps } = recorder();
    await writeLoggedBatch([batch[0]!], 'ONE', steps);
    expect(events).toEqual(['check 1 at ONE', 'write 1 at ONE as SIMPLE']);
    await writeLoggedBatch([], 'ONE', steps);
    expect(events).toHaveLength(2);
  });
});
