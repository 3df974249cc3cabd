/**
 * One native-protocol request in, one response out (Cassandra's Message.Request.execute): STARTUP,
 * OPTIONS and REGISTER change the connection's state; QUERY, PREPARE, EXECUTE and BATCH go to the
 * query processor, and its results become RESULT messages. Errors are left to the caller, which
 * turns them into ERROR frames; this file performs no IO of its own.
 */
import type { ExecuteOptions } from '../cql/executor/index.js';
import { UNSET } from '../cql/executor/index.js';
import type {
  BatchMessage,
  EventType,
  FrameCompressor,
  ProtocolValue,
  QueryParameters,
  RequestMessage,
  ResponseMessage,
  Result,
  RowsMetadata,
  SchemaChange,
  StartupMessage,
} from '../cql/protocol/index.js';
import {
  NOT_SET,
  negotiateCompression,
  ProtocolError,
  StartupOption,
  SUPPORTED_COMPRESSIONS,
} from '../cql/protocol/index.js';
import type {
  BatchEntry,
  PreparedInfo,
  QueryProcessor,
  QueryResult,
  QueryValues,
  Session,
} from '../cql/query-processor.js';
import type { SchemaChangeEvent } from '../cql/schema/index.js';
import { CQL_VERSION } from './local-info.js';

/** What a connection remembers between requests. */
export interface ConnectionState {
  /** Set by STARTUP; requests other than STARTUP and OPTIONS are refused before it. */
  ready: boolean;
  /** The keyspace of `USE`, per connection (Cassandra's ClientState). */
  readonly session: Session;
  compressor: FrameCompressor | undefined;
  readonly events: Set<EventType>;
}

export interface Reply {
  readonly message: ResponseMessage;
  readonly warnings?: readonly string[];
}

/** Everything this server speaks; SUPPORTED lists exactly this (v4 only, see docs/protocol.md). */
const SUPPORTED_OPTIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['CQL_VERSION', [CQL_VERSION]],
  ['COMPRESSION', [...SUPPORTED_COMPRESSIONS]],
  ['PROTOCOL_VERSIONS', ['4/v4']],
]);

export function newConnectionState(): ConnectionState {
  return { ready: false, session: {}, compressor: undefined, events: new Set() };
}

export class RequestHandler {
  /** Requests handled since start (the admin endpoint's sibyl_native_requests_total). */
  requestCount = 0;

  constructor(private readonly processor: QueryProcessor) {}

  /**
   * Handles one request. STARTUP changes `state` synchronously (before the first await), so the
   * frames that follow it in the same chunk are already decoded with the negotiated compression.
   */
  async handle(message: RequestMessage, state: ConnectionState): Promise<Reply> {
    this.requestCount++;
    if (message.type === 'OPTIONS') return { message: { type: 'SUPPORTED', options: SUPPORTED_OPTIONS } };
    if (message.type === 'STARTUP') return startup(message, state);
    if (!state.ready)
      throw new ProtocolError(`Unexpected message ${message.type}, expecting STARTUP or OPTIONS`);
    switch (message.type) {
      case 'REGISTER':
        for (const event of message.events) state.events.add(event);
        return { message: { type: 'READY' } };
      case 'QUERY': {
        const { parameters } = message;
        const result = await this.processor.execute(
          message.query,
          state.session,
          queryValues(parameters),
          executeOptions(parameters),
        );
        return resultReply(result, parameters.skipMetadata);
      }
      case 'PREPARE':
        return preparedReply(this.processor.prepare(message.query, state.session));
      case 'EXECUTE': {
        const { parameters } = message;
        const options = executeOptions(parameters);
        const result = await this.processor.executePrepared(message.id, queryValues(parameters), options);
        return resultReply(result, parameters.skipMetadata);
      }
      case 'BATCH':
        return this.batch(message, state);
      case 'AUTH_RESPONSE':
        throw new ProtocolError('Unexpected message AUTH_RESPONSE: authentication is not enabled');
    }
  }

  private async batch(message: BatchMessage, state: ConnectionState): Promise<Reply> {
    const entries = message.statements.map(
      (s): BatchEntry =>
        s.kind === 'query'
          ? { kind: 'query', query: s.query, values: s.values.map(boundValue) }
          : { kind: 'prepared', id: s.id, values: s.values.map(boundValue) },
    );
    const options: ExecuteOptions = {
      consistency: message.consistency,
      ...(message.serialConsistency ? { serialConsistency: message.serialConsistency } : {}),
      ...(message.defaultTimestamp !== undefined ? { timestamp: Number(message.defaultTimestamp) } : {}),
    };
    const batchType = message.batchType.toLowerCase() as 'logged' | 'unlogged' | 'counter';
    const result = await this.processor.executeBatch(entries, batchType, state.session, options);
    return resultReply(result, false);
  }
}

function startup(message: StartupMessage, state: ConnectionState): Reply {
  if (state.ready)
    throw new ProtocolError('Unexpected message STARTUP, the connection is already initialized');
  const cqlVersion = message.options.get(StartupOption.CQL_VERSION);
  if (cqlVersion === undefined) throw new ProtocolError('CQL_VERSION is mandatory');
  if (!/^3(\.\d+){0,2}$/.test(cqlVersion))
    throw new ProtocolError(`Invalid or unsupported CQL version ${cqlVersion} (supported: ${CQL_VERSION})`);
  state.compressor = negotiateCompression(message);
  state.ready = true;
  return { message: { type: 'READY' } };
}

function boundValue(value: ProtocolValue): Uint8Array | null | typeof UNSET {
  return value === NOT_SET ? UNSET : value;
}

function queryValues(parameters: QueryParameters): QueryValues {
  const bound = parameters.values;
  const values: (Uint8Array | null | typeof UNSET)[] = [];
  if (bound !== undefined) for (const value of bound) values.push(boundValue(value));
  const names = parameters.valueNames;
  if (names === undefined) return values;
  return new Map(names.map((name, i) => [name, values[i]!]));
}

/** Built field by field (no spreads): it is made for every request. */
function executeOptions(parameters: QueryParameters): ExecuteOptions {
  const options: { -readonly [K in keyof ExecuteOptions]: ExecuteOptions[K] } = {
    consistency: parameters.consistency,
  };
  if (parameters.serialConsistency) options.serialConsistency = parameters.serialConsistency;
  if (parameters.pageSize !== undefined) options.pageSize = parameters.pageSize;
  if (parameters.pagingState !== undefined) options.pagingState = parameters.pagingState;
  if (parameters.defaultTimestamp !== undefined) options.timestamp = Number(parameters.defaultTimestamp);
  return options;
}

function resultReply(result: QueryResult, skipMetadata: boolean): Reply {
  switch (result.kind) {
    case 'void':
      return withWarnings({ kind: 'void' }, result.warnings);
    case 'set_keyspace':
      return withWarnings({ kind: 'set_keyspace', keyspace: result.keyspace }, []);
    case 'schema_change':
      return withWarnings({ kind: 'schema_change', change: schemaChange(result.change) }, []);
    case 'rows': {
      const rows = result.result;
      const metadata: RowsMetadata = {
        columnCount: rows.columns.length,
        ...(skipMetadata ? {} : { columns: rows.columns }),
        ...(rows.pagingState !== undefined ? { pagingState: rows.pagingState } : {}),
      };
      return withWarnings({ kind: 'rows', metadata, rows: rows.rows }, rows.warnings);
    }
  }
}

function withWarnings(result: Result, warnings: readonly string[]): Reply {
  const message: ResponseMessage = { type: 'RESULT', result };
  return warnings.length > 0 ? { message, warnings } : { message };
}

export function schemaChange(event: SchemaChangeEvent): SchemaChange {
  if (event.target === 'KEYSPACE')
    return { change: event.change, target: 'KEYSPACE', keyspace: event.keyspace };
  return { change: event.change, target: event.target, keyspace: event.keyspace, name: event.name ?? '' };
}

function preparedReply(info: PreparedInfo): Reply {
  const variables = info.bindMarkers.map((m) => ({
    keyspace: m.keyspace,
    table: m.table,
    // A named marker (:name) is described by its own name, as Cassandra does.
    name: m.markerName ?? m.name,
    type: m.type,
  }));
  const resultMetadata: RowsMetadata =
    info.resultColumns.length > 0
      ? { columnCount: info.resultColumns.length, columns: info.resultColumns }
      : { columnCount: 0 };
  const result: Result = {
    kind: 'prepared',
    id: info.id,
    variables,
    partitionKeyIndexes: info.partitionKeyBindIndexes ?? [],
    resultMetadata,
  };
  return { message: { type: 'RESULT', result } };
}
