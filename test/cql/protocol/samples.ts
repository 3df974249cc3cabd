/** One or more examples of every request, response and error body, shared by the protocol tests. */
import {
  type ColumnSpec,
  type ErrorBody,
  ErrorCode,
  NOT_SET,
  type RequestMessage,
  type ResponseMessage,
  startupOptions,
} from '../../../cql/protocol/index.js';
import { CqlTypes, listOf, mapOf, NATIVE_TYPE_NAMES, setOf, tupleOf, udt } from '../../../cql/types/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new Uint8Array(Buffer.from(value, 'utf8'));

export const sampleRequests: readonly RequestMessage[] = [
  { type: 'STARTUP', options: startupOptions() },
  { type: 'STARTUP', options: startupOptions('lz4', { DRIVER_NAME: 'sibyl', DRIVER_VERSION: '0.1.0' }) },
  { type: 'AUTH_RESPONSE', token: text('\0cassandra\0cassandra') },
  { type: 'AUTH_RESPONSE', token: null },
  { type: 'OPTIONS' },
  {
    type: 'QUERY',
    query: 'SELECT * FROM system.local',
    parameters: { consistency: 'ONE', skipMetadata: false },
  },
  {
    type: 'QUERY',
    query: 'INSERT INTO ks.t (k, v, w) VALUES (?, ?, ?)',
    parameters: {
      consistency: 'LOCAL_QUORUM',
      values: [bytes(0, 0, 0, 1), null, NOT_SET],
      skipMetadata: true,
      pageSize: 5000,
      pagingState: bytes(1, 2, 3),
      serialConsistency: 'LOCAL_SERIAL',
      defaultTimestamp: 1_700_000_000_000_000n,
    },
  },
  {
    type: 'QUERY',
    query: 'SELECT * FROM ks.t WHERE k = :k',
    parameters: { consistency: 'QUORUM', values: [bytes(7)], valueNames: ['k'], skipMetadata: false },
  },
  {
    type: 'QUERY',
    query: 'SELECT ü FROM t',
    parameters: { consistency: 'ALL', values: [], skipMetadata: false },
  },
  { type: 'PREPARE', query: 'SELECT * FROM ks.t WHERE k = ?' },
  {
    type: 'EXECUTE',
    id: bytes(0xde, 0xad, 0xbe, 0xef),
    parameters: { consistency: 'ONE', values: [bytes(0, 0, 0, 42)], skipMetadata: true, pageSize: 100 },
  },
  {
    type: 'BATCH',
    batchType: 'LOGGED',
    statements: [
      { kind: 'query', query: 'INSERT INTO ks.t (k) VALUES (1)', values: [] },
      { kind: 'prepared', id: bytes(1, 2), values: [bytes(1), null, NOT_SET] },
    ],
    consistency: 'QUORUM',
  },
  {
    type: 'BATCH',
    batchType: 'COUNTER',
    statements: [
      {
        kind: 'query',
        query: 'UPDATE ks.c SET n = n + ? WHERE k = 1',
        values: [bytes(0, 0, 0, 0, 0, 0, 0, 1)],
      },
    ],
    consistency: 'ONE',
    serialConsistency: 'SERIAL',
    defaultTimestamp: -1n,
  },
  { type: 'BATCH', batchType: 'UNLOGGED', statements: [], consistency: 'ANY' },
  { type: 'REGISTER', events: ['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE'] },
];

export const sampleErrors: readonly ErrorBody[] = [
  { code: ErrorCode.SERVER_ERROR, message: 'java.lang.NullPointerException' },
  { code: ErrorCode.PROTOCOL_ERROR, message: 'Invalid or unsupported protocol version (5)' },
  {
    code: ErrorCode.AUTHENTICATION_ERROR,
    message: 'Provided username cassandra and/or password are incorrect',
  },
  {
    code: ErrorCode.UNAVAILABLE,
    message: 'Cannot achieve consistency level QUORUM',
    consistency: 'QUORUM',
    required: 2,
    alive: 1,
  },
  { code: ErrorCode.OVERLOADED, message: 'overloaded' },
  { code: ErrorCode.IS_BOOTSTRAPPING, message: 'bootstrapping' },
  { code: ErrorCode.TRUNCATE_ERROR, message: 'truncate failed' },
  {
    code: ErrorCode.WRITE_TIMEOUT,
    message: 'Operation timed out - received only 1 responses.',
    consistency: 'QUORUM',
    received: 1,
    blockFor: 2,
    writeType: 'SIMPLE',
  },
  {
    code: ErrorCode.READ_TIMEOUT,
    message: 'Operation timed out - received only 0 responses.',
    consistency: 'ALL',
    received: 0,
    blockFor: 3,
    dataPresent: false,
  },
  {
    code: ErrorCode.READ_FAILURE,
    message: 'Operation failed - received 1 responses and 1 failures',
    consistency: 'LOCAL_QUORUM',
    received: 1,
    blockFor: 2,
    numFailures: 1,
    dataPresent: true,
  },
  {
    code: ErrorCode.FUNCTION_FAILURE,
    message: 'execution of ks.f[int] failed',
    keyspace: 'ks',
    functionName: 'f',
    argumentTypes: ['int', 'frozen<list<text>>'],
  },
  {
    code: ErrorCode.WRITE_FAILURE,
    message: 'Operation failed - received 0 responses and 2 failures',
    consistency: 'TWO',
    received: 0,
    blockFor: 2,
    numFailures: 2,
    writeType: 'BATCH_LOG',
  },
  { code: ErrorCode.SYNTAX_ERROR, message: "line 1:0 no viable alternative at input 'SELEC' ([SELEC]...)" },
  { code: ErrorCode.UNAUTHORIZED, message: 'User x has no SELECT permission' },
  { code: ErrorCode.INVALID, message: 'Keyspace ks does not exist' },
  { code: ErrorCode.CONFIG_ERROR, message: 'Unable to find replication strategy class' },
  { code: ErrorCode.ALREADY_EXISTS, message: 'Cannot add existing keyspace "ks"', keyspace: 'ks', table: '' },
  {
    code: ErrorCode.ALREADY_EXISTS,
    message: 'Cannot add already existing table "t"',
    keyspace: 'ks',
    table: 't',
  },
  { code: ErrorCode.UNPREPARED, message: 'Prepared query with ID 0a0b not found', id: bytes(0x0a, 0x0b) },
];

const address = udt('ks', 'address', [
  { name: 'street', type: CqlTypes.text },
  { name: 'zip', type: CqlTypes.int },
  { name: 'tags', type: setOf(CqlTypes.text, true) },
]);

/** A column of each type as a RESULT describes it (top level non-frozen, as the decoder returns). */
export const everyTypeColumns: readonly ColumnSpec[] = [
  ...NATIVE_TYPE_NAMES.map((name) => ({
    keyspace: 'ks',
    table: 't',
    name: `c_${name}`,
    type: CqlTypes[name],
  })),
  { keyspace: 'ks', table: 't', name: 'c_list', type: listOf(CqlTypes.int) },
  { keyspace: 'ks', table: 't', name: 'c_set', type: setOf(CqlTypes.text) },
  { keyspace: 'ks', table: 't', name: 'c_map', type: mapOf(CqlTypes.text, listOf(CqlTypes.bigint, true)) },
  { keyspace: 'ks', table: 't', name: 'c_udt', type: address },
  { keyspace: 'ks', table: 't', name: 'c_tuple', type: tupleOf([CqlTypes.int, CqlTypes.text, address]) },
  {
    keyspace: 'ks',
    table: 't',
    name: 'c_nested',
    type: listOf(mapOf(CqlTypes.duration, CqlTypes.uuid, true)),
  },
  { keyspace: 'ks', table: 't', name: 'c_custom', type: { kind: 'custom', className: 'org.example.MyType' } },
];

export const sampleResponses: readonly ResponseMessage[] = [
  ...sampleErrors.map((error): ResponseMessage => ({ type: 'ERROR', error })),
  { type: 'READY' },
  { type: 'AUTHENTICATE', authenticator: 'org.apache.cassandra.auth.PasswordAuthenticator' },
  {
    type: 'SUPPORTED',
    options: new Map([
      ['CQL_VERSION', ['3.4.5']],
      ['COMPRESSION', ['snappy', 'lz4']],
      ['PROTOCOL_VERSIONS', ['3/v3', '4/v4', '5/v5-beta']],
    ]),
  },
  { type: 'RESULT', result: { kind: 'void' } },
  {
    type: 'RESULT',
    result: {
      kind: 'rows',
      metadata: { columnCount: everyTypeColumns.length, columns: everyTypeColumns, pagingState: bytes(9, 9) },
      rows: [everyTypeColumns.map((_, i) => (i % 3 === 0 ? null : bytes(i)))],
    },
  },
  {
    type: 'RESULT',
    result: {
      kind: 'rows',
      metadata: {
        columnCount: 2,
        columns: [
          { keyspace: 'system', table: 'local', name: 'key', type: CqlTypes.text },
          { keyspace: 'system', table: 'peers', name: 'peer', type: CqlTypes.inet },
        ],
      },
      rows: [
        [text('local'), bytes(127, 0, 0, 1)],
        [text(''), null],
      ],
    },
  },
  {
    type: 'RESULT',
    result: { kind: 'rows', metadata: { columnCount: 3 }, rows: [[null, bytes(), bytes(1)]] },
  },
  { type: 'RESULT', result: { kind: 'rows', metadata: { columnCount: 0, columns: [] }, rows: [] } },
  { type: 'RESULT', result: { kind: 'set_keyspace', keyspace: 'ks' } },
  {
    type: 'RESULT',
    result: {
      kind: 'prepared',
      id: bytes(0xca, 0xfe),
      variables: [
        { keyspace: 'ks', table: 't', name: 'k2', type: CqlTypes.int },
        { keyspace: 'ks', table: 't', name: 'k1', type: CqlTypes.text },
        { keyspace: 'ks', table: 't', name: 'v', type: listOf(CqlTypes.text) },
      ],
      partitionKeyIndexes: [1, 0],
      resultMetadata: { columnCount: 0 },
    },
  },
  {
    type: 'RESULT',
    result: {
      kind: 'prepared',
      id: bytes(1),
      variables: [],
      partitionKeyIndexes: [],
      resultMetadata: {
        columnCount: 1,
        columns: [{ keyspace: 'ks', table: 't', name: 'v', type: CqlTypes.blob }],
      },
    },
  },
  {
    type: 'RESULT',
    result: { kind: 'schema_change', change: { change: 'CREATED', target: 'KEYSPACE', keyspace: 'ks' } },
  },
  {
    type: 'RESULT',
    result: {
      kind: 'schema_change',
      change: { change: 'UPDATED', target: 'TABLE', keyspace: 'ks', name: 't' },
    },
  },
  {
    type: 'RESULT',
    result: {
      kind: 'schema_change',
      change: { change: 'DROPPED', target: 'TYPE', keyspace: 'ks', name: 'address' },
    },
  },
  {
    type: 'RESULT',
    result: {
      kind: 'schema_change',
      change: {
        change: 'CREATED',
        target: 'FUNCTION',
        keyspace: 'ks',
        name: 'f',
        argumentTypes: ['int', 'text'],
      },
    },
  },
  {
    type: 'EVENT',
    event: { type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', address: { address: '127.0.0.2', port: 9042 } },
  },
  {
    type: 'EVENT',
    event: { type: 'STATUS_CHANGE', change: 'DOWN', address: { address: '::1', port: 9042 } },
  },
  { type: 'EVENT', event: { type: 'SCHEMA_CHANGE', change: 'CREATED', target: 'KEYSPACE', keyspace: 'ks' } },
  {
    type: 'EVENT',
    event: {
      type: 'SCHEMA_CHANGE',
      change: 'DROPPED',
      target: 'AGGREGATE',
      keyspace: 'ks',
      name: 'a',
      argumentTypes: [],
    },
  },
  { type: 'AUTH_CHALLENGE', token: text('challenge') },
  { type: 'AUTH_SUCCESS', token: null },
];
