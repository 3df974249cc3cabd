/**
 * The Sibyl client: `connect`, `execute`, `eachRow`, `stream`, `batch`, `shutdown`. It owns the
 * control connection, the cluster view (hosts, pools, ring) and the prepared-statement cache, and
 * runs each request along a token-aware query plan with the default retry policy.
 */

import { logger } from '../common/logger.js';
import type {
  DecodedResponse,
  ProtocolValue,
  QueryParameters,
  RequestMessage,
  Result,
} from '../cql/protocol/index.js';
import { ErrorCode } from '../cql/protocol/index.js';
import type { Token } from '../ring/token.js';
import { type BatchQuery, buildBatch } from './batch.js';
import {
  type BatchOptions,
  type ClientOptions,
  checkConsistency,
  type NormalizedOptions,
  normalizeOptions,
  pageStateBytes,
  type QueryOptions,
  timestampMicros,
} from './client-options.js';
import { Cluster } from './cluster.js';
import type { Connection, ConnectionOptions } from './connection.js';
import { ControlConnection } from './control-connection.js';
import { DriverError, ResponseError } from './errors.js';
import { PreparedCache, type PreparedStatement } from './prepared-cache.js';
import { executeOnPlan, type Outcome } from './request-execution.js';
import { type ResultSet, type Row, resultSetOf } from './result-set.js';
import { explicitRoutingKey, routingKeyOf, tokenOfRoutingKey } from './routing-key.js';
import { encodeForMarkers, encodeInferred, type Params } from './value-encoding.js';

const log = logger('driver');

export interface EachRowResult {
  readonly rowLength: number;
  readonly pageState: string | undefined;
  /** Present when more pages remain (and `autoPage` was off): fetches the next page the same way. */
  readonly nextPage?: () => void;
}

export interface HostState {
  readonly endpoint: string;
  readonly dataCenter: string;
  readonly up: boolean;
  readonly tokens: number;
}

export class Client {
  private readonly options: NormalizedOptions;
  private readonly prepared: PreparedCache;
  private readonly cluster: Cluster;
  private readonly control: ControlConnection;
  private currentKeyspace: string | undefined;
  private connecting: Promise<void> | undefined;
  /** Set once connect() succeeded: requests then skip awaiting it. */
  private connected = false;
  private closed = false;

  constructor(options: ClientOptions) {
    this.options = normalizeOptions(options);
    const { limits } = this.options;
    this.currentKeyspace = this.options.keyspace;
    this.prepared = new PreparedCache(limits.maxPreparedStatements);
    const connection: ConnectionOptions = {
      connectTimeoutMs: limits.connectTimeoutMs,
      readTimeoutMs: limits.readTimeoutMs,
      heartbeatIntervalMs: limits.heartbeatIntervalMs,
      maxRequestsPerConnection: limits.maxRequestsPerConnection,
      ...(this.options.compression !== undefined && { compression: this.options.compression }),
      ...(this.options.credentials !== undefined && { credentials: this.options.credentials }),
    };
    const backoff = { baseDelayMs: limits.reconnectBaseDelayMs, maxDelayMs: limits.reconnectMaxDelayMs };
    this.cluster = new Cluster({
      localDataCenter: this.options.localDataCenter,
      connection,
      connectionsPerHost: limits.connectionsPerHost,
      backoff,
      keyspace: () => this.currentKeyspace,
      prepared: this.prepared,
    });
    const schemaAgreement = {
      maxWaitMs: limits.maxSchemaAgreementWaitMs,
      intervalMs: limits.schemaAgreementIntervalMs,
    };
    this.control = new ControlConnection(
      { contactPoints: this.options.contactPoints, connection, backoff, schemaAgreement },
      this.cluster,
    );
  }

  /** The keyspace requests run in (the option, or the last `USE`). */
  get keyspace(): string | undefined {
    return this.currentKeyspace;
  }

  /** The hosts the client knows and their state. */
  get hosts(): readonly HostState[] {
    return this.cluster.hosts.map((h) => ({
      endpoint: h.key,
      dataCenter: h.dataCenter,
      up: h.up,
      tokens: h.info.tokens.length,
    }));
  }

  /** The endpoints holding a partition key (serialized, or its components), primary first. */
  getReplicas(keyspace: string, routingKey: Uint8Array | readonly Uint8Array[]): string[] {
    const key = explicitRoutingKey(routingKey);
    return key === undefined ? [] : [...this.cluster.replicas(tokenOfRoutingKey(key), keyspace)];
  }

  /** Connects (once; later calls share the first): control connection, metadata, pools, keyspace. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new DriverError('The client was shut down'));
    if (this.connecting === undefined) {
      this.connecting = this.doConnect().then(
        () => {
          this.connected = true;
        },
        (error: unknown) => {
          this.connecting = undefined;
          this.control.shutdown();
          this.cluster.shutdown();
          throw error;
        },
      );
    }
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    await this.control.connect();
    const found = this.cluster.controlDataCenter;
    if (found !== this.options.localDataCenter) {
      throw new DriverError(
        `localDataCenter is '${this.options.localDataCenter}' but the contact point ${this.control.host} ` +
          `is in data center '${found}' (system.local.data_center); set localDataCenter to '${found}'`,
      );
    }
    await this.cluster.warmUp();
    const keyspace = this.currentKeyspace;
    if (keyspace !== undefined) {
      // Borrowing runs USE: a keyspace that does not exist fails connect(), as it should.
      const [first] = this.cluster.queryPlan(undefined, keyspace);
      if (first !== undefined) await this.cluster.borrow(first);
    }
    log.debug({ hosts: this.cluster.hosts.length, controlHost: this.control.host }, 'connected');
  }

  /** Runs one statement; the result holds one page (`pageState` says where the next one starts). */
  async execute(cql: string, params?: Params, options: QueryOptions = {}): Promise<ResultSet> {
    if (!this.connected) await this.connect();
    const prepare = options.prepare ?? this.options.defaults.prepare;
    if (prepare) return this.executePrepared(cql, params, options);
    const { values, names } = encodeInferred(params, options.hints);
    const routingKey = options.routingKey === undefined ? undefined : explicitRoutingKey(options.routingKey);
    const token = routingKey === undefined ? undefined : tokenOfRoutingKey(routingKey);
    const parameters = this.parametersOf(options, values, names);
    const build = (): RequestMessage => ({ type: 'QUERY', query: cql, parameters });
    const outcome = await this.run(build, [], token, this.currentKeyspace, options);
    return this.finish(outcome);
  }

  private async executePrepared(
    cql: string,
    params: Params | undefined,
    options: QueryOptions,
  ): Promise<ResultSet> {
    // A cached statement is used without a promise of its own: this is every request but the first.
    const statement = this.prepared.get(this.currentKeyspace, cql) ?? (await this.prepare(cql));
    const values = encodeForMarkers(params, statement.variables);
    const token = this.tokenOf(values, statement, options);
    const keyspace = statement.variables[0]?.keyspace ?? this.currentKeyspace;
    // The statement's result columns are known: the server need not send them with every page
    // (as the DataStax driver does; a schema change of the table forgets the statement).
    const skipMetadata = statement.resultColumns !== undefined && statement.resultColumns.length > 0;
    const parameters = this.parametersOf(options, values, undefined, skipMetadata);
    const statements = [statement];
    const outcome = await this.run(
      () => ({ type: 'EXECUTE', id: statements[0]!.id, parameters }),
      statements,
      token,
      keyspace,
      options,
    );
    return this.finish(outcome, statements[0]!.resultColumns);
  }

  /** The token a prepared request is routed by; none when routing cannot matter (one live host). */
  private tokenOf(
    values: readonly ProtocolValue[],
    statement: PreparedStatement,
    options: QueryOptions,
  ): Token | undefined {
    const explicit = options.routingKey === undefined ? undefined : explicitRoutingKey(options.routingKey);
    if (!this.cluster.routesByToken()) return undefined;
    const routingKey = explicit ?? routingKeyOf(values, statement.partitionKeyIndexes);
    return routingKey === undefined ? undefined : tokenOfRoutingKey(routingKey);
  }

  /** Prepares (or finds in the cache) a statement in the current keyspace. */
  async prepare(cql: string): Promise<PreparedStatement> {
    await this.connect();
    const keyspace = this.currentKeyspace;
    return this.prepared.getOrPrepare(keyspace, cql, async () => {
      const plan = this.cluster.queryPlan(undefined, keyspace);
      const outcome = await executeOnPlan(
        plan,
        this.cluster,
        (c) => c.request({ type: 'PREPARE', query: cql }),
        true,
      );
      return preparedFrom(cql, keyspace, outcome.response);
    });
  }

  /** Runs statements as one BATCH (logged unless `logged: false`; `counter` for counter updates). */
  async batch(queries: readonly BatchQuery[], options: BatchOptions = {}): Promise<ResultSet> {
    await this.connect();
    const prepare = options.prepare ?? this.options.defaults.prepare;
    const statements: PreparedStatement[] = [];
    const entries = await Promise.all(
      queries.map(async (q) => {
        const query = typeof q === 'string' ? q : q.query;
        return prepare ? { query: q, statement: await this.prepare(query) } : { query: q };
      }),
    );
    for (const entry of entries) if (entry.statement !== undefined) statements.push(entry.statement);
    const { build, token, keyspace } = buildBatch(entries, statements, {
      ...options,
      consistency: checkConsistency(options.consistency ?? this.options.defaults.consistency),
      timestamp: timestampMicros(options.timestamp),
      keyspace: this.currentKeyspace,
    });
    const outcome = await this.run(build, statements, token, keyspace, options);
    return this.finish(outcome);
  }

  /**
   * Calls `rowCallback` for each row, then `endCallback`. Without `autoPage` only the first page
   * is fetched and `nextPage` fetches the next one; with it, every page.
   */
  eachRow(
    cql: string,
    params: Params | undefined,
    options: QueryOptions | undefined,
    rowCallback: (index: number, row: Row) => void,
    endCallback?: (error: Error | null, result?: EachRowResult) => void,
  ): void {
    const opts = options ?? {};
    const end = endCallback ?? ((error) => error && log.warn({ error: error.message }, 'eachRow failed'));
    void this.eachRowPages(cql, params, opts, rowCallback).then(
      ({ rowLength, pageState }) => {
        const more = pageState !== undefined && !opts.autoPage;
        const nextPage = () => this.eachRow(cql, params, { ...opts, pageState }, rowCallback, endCallback);
        end(null, more ? { rowLength, pageState, nextPage } : { rowLength, pageState });
      },
      (error: Error) => end(error),
    );
  }

  private async eachRowPages(
    cql: string,
    params: Params | undefined,
    options: QueryOptions,
    rowCallback: (index: number, row: Row) => void,
  ): Promise<{ rowLength: number; pageState: string | undefined }> {
    let index = 0;
    let pageState = options.pageState;
    do {
      const page = await this.execute(cql, params, { ...options, pageState });
      for (const row of page.rows) rowCallback(index++, row);
      pageState = page.rawPageState;
      if (!options.autoPage) return { rowLength: index, pageState: page.pageState };
    } while (pageState !== undefined);
    return { rowLength: index, pageState: undefined };
  }

  /** Every row of every page, fetching the next page only when the consumer reaches it. */
  async *stream(
    cql: string,
    params?: Params,
    options: QueryOptions = {},
  ): AsyncGenerator<Row, void, undefined> {
    let pageState = options.pageState;
    do {
      const page = await this.execute(cql, params, { ...options, pageState });
      yield* page.rows;
      pageState = page.rawPageState;
    } while (pageState !== undefined);
  }

  /** Closes every connection; later calls fail. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    this.control.shutdown();
    this.cluster.shutdown();
  }

  /** Built field by field (no spreads): it is made for every request. */
  private parametersOf(
    options: QueryOptions,
    values: QueryParameters['values'],
    names?: string[],
    skipMetadata = false,
  ): QueryParameters {
    const serial = options.serialConsistency ?? this.options.defaults.serialConsistency;
    const pagingState = pageStateBytes(options.pageState);
    const timestamp = timestampMicros(options.timestamp);
    const parameters: { -readonly [K in keyof QueryParameters]: QueryParameters[K] } = {
      consistency: checkConsistency(options.consistency ?? this.options.defaults.consistency),
      skipMetadata,
      pageSize: options.fetchSize ?? this.options.limits.fetchSize,
    };
    if (values !== undefined && values.length > 0) parameters.values = values;
    if (names !== undefined && names.length > 0) parameters.valueNames = names;
    if (pagingState !== undefined) parameters.pagingState = pagingState;
    if (serial !== undefined) parameters.serialConsistency = checkConsistency(serial);
    if (timestamp !== undefined) parameters.defaultTimestamp = timestamp;
    return parameters;
  }

  /**
   * Runs a request along the plan. An UNPREPARED answer (the host forgot the statement: restart,
   * schema change) re-prepares that statement on the same connection and sends the request again.
   */
  private async run(
    build: () => RequestMessage,
    statements: PreparedStatement[],
    token: Token | undefined,
    keyspace: string | undefined,
    options: { readonly isIdempotent?: boolean; readonly readTimeoutMs?: number },
  ): Promise<Outcome> {
    if (this.closed) throw new DriverError('The client was shut down');
    const timeoutMs = options.readTimeoutMs ?? this.options.limits.readTimeoutMs;
    const plan = this.cluster.queryPlan(token, keyspace);
    return executeOnPlan(
      plan,
      this.cluster,
      (connection) => this.send(connection, build, statements, timeoutMs),
      options.isIdempotent ?? false,
    );
  }

  /** Sends on one connection; UNPREPARED re-prepares there and sends once more. */
  private send(
    connection: Connection,
    build: () => RequestMessage,
    statements: PreparedStatement[],
    timeoutMs: number,
  ): Promise<DecodedResponse> {
    // A plain promise, not an async function: the common case is the request's own promise.
    return connection.request(build(), timeoutMs).catch(async (error: unknown) => {
      if (!(error instanceof ResponseError) || error.code !== ErrorCode.UNPREPARED) throw error;
      await this.reprepare(connection, statements, error);
      return connection.request(build(), timeoutMs);
    });
  }

  private async reprepare(
    connection: Connection,
    statements: PreparedStatement[],
    error: ResponseError,
  ): Promise<void> {
    // The id names the statement the host forgot; a lone statement is the one in any case.
    const id = error.id;
    const named = id === undefined ? undefined : statements.find((s) => Buffer.compare(s.id, id) === 0);
    const stale = named ?? (statements.length === 1 ? statements[0] : undefined);
    if (stale === undefined) throw error;
    log.debug(
      { host: connection.key, query: stale.query },
      'statement unknown to the host; preparing it again',
    );
    const response = await connection.request({ type: 'PREPARE', query: stale.query });
    const fresh = preparedFrom(stale.query, stale.keyspace, response);
    this.prepared.replace(fresh);
    statements[statements.indexOf(stale)] = fresh;
  }

  /** The result set; only a schema change makes the caller wait (for schema agreement). */
  private finish(
    outcome: Outcome,
    knownColumns?: PreparedStatement['resultColumns'],
  ): ResultSet | Promise<ResultSet> {
    const result = resultOf(outcome.response);
    if (result.kind === 'set_keyspace') this.currentKeyspace = result.keyspace;
    if (result.kind === 'schema_change') {
      return this.afterSchemaChange(result.change, outcome.host).then(() =>
        this.resultSet(outcome, result, knownColumns),
      );
    }
    return this.resultSet(outcome, result, knownColumns);
  }

  private resultSet(
    outcome: Outcome,
    result: Result,
    knownColumns: PreparedStatement['resultColumns'],
  ): ResultSet {
    const info = {
      warnings: outcome.response.warnings ?? [],
      queriedHost: outcome.host,
      triedHosts: outcome.tried,
    };
    return resultSetOf(result, info, knownColumns);
  }

  private async afterSchemaChange(
    change: Extract<Result, { kind: 'schema_change' }>['change'],
    host: string,
  ): Promise<void> {
    // The event will say the same, but it may come after the caller's next statement.
    this.cluster.schemaChange(change);
    try {
      if (change.target === 'KEYSPACE') await this.control.refreshKeyspaces();
      // Asked of the host that made the change (it has the new version); the control host if it is gone.
      const over = await this.cluster.borrow(host).catch(() => undefined);
      const agreed = await this.control.waitForSchemaAgreement(over);
      if (!agreed) log.warn({ change }, 'schema versions still differ after waiting');
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'could not check schema agreement');
    }
  }
}

function resultOf(response: DecodedResponse): Result {
  if (response.message.type !== 'RESULT') {
    throw new DriverError(`Unexpected ${response.message.type} answer to a request`);
  }
  return response.message.result;
}

function preparedFrom(
  query: string,
  keyspace: string | undefined,
  response: DecodedResponse,
): PreparedStatement {
  const result = resultOf(response);
  if (result.kind !== 'prepared') throw new DriverError(`PREPARE answered with a ${result.kind} result`);
  return {
    id: new Uint8Array(result.id),
    query,
    keyspace,
    variables: result.variables,
    partitionKeyIndexes: result.partitionKeyIndexes,
    resultColumns: result.resultMetadata.columns,
  };
}
