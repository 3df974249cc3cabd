/** Execution of DML and SELECT statements (see README.md). */

export type { PreparedBatch } from './batch.js';
export { prepareBatch } from './batch.js';
export type { ConsistencyLevel, DataStore, ReadOptions, WriteOptions } from './data-store.js';
export {
  checkCounterConsistency,
  DEFAULT_CONSISTENCY,
  LocalDataStore,
  NIL_COUNTER_ID,
} from './data-store.js';
export type { ExecutorEnvironment, RandomSource } from './environment.js';
export { executorEnvironment, TimestampSource, TimeuuidGenerator } from './environment.js';
export type { PrepareContext, PreparedModification } from './modification.js';
export { LWT_NOT_SUPPORTED, prepareModification } from './modification.js';
export type { PagingState } from './paging-state.js';
export { decodePagingState, encodePagingState } from './paging-state.js';
export type { ColumnSpec, ExecuteOptions, ResultSet } from './result.js';
export type { PreparedSelect } from './select.js';
export { prepareSelect, REQUIRES_ALLOW_FILTERING_MESSAGE } from './select.js';
export type { BindMarkerSpec, BindValues, BoundValue } from './values.js';
export { bindNamedValues, UNSET } from './values.js';
