/** Sibyl's TypeScript driver (see README.md). `embedded.ts` (a node in this process) is separate. */

export { ErrorCode as errorCodes } from '../cql/protocol/index.js';
export type { BatchQuery } from './batch.js';
export { Client, type EachRowResult, type HostState } from './client.js';
export type { BatchOptions, ClientOptions, Consistency, QueryOptions } from './client-options.js';
export type { Credentials } from './connection.js';
export {
  ArgumentError,
  BusyConnectionError,
  ConnectionError,
  DriverError,
  errorCodeName,
  NoHostAvailableError,
  OperationTimedOutError,
  ResponseError,
} from './errors.js';
export type { PreparedStatement } from './prepared-cache.js';
export { type ColumnInfo, type ExecutionInfo, ResultSet, type Row } from './result-set.js';
export { type Hints, type Params, type TypeHint, unset } from './value-encoding.js';
