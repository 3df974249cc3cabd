/**
 * Cross-check against the DataStax Node.js driver (cassandra-driver, a devDependency): frames Sibyl
 * encodes are parsed by the driver's own stream parser, and requests the driver's writers produce are
 * decoded by Sibyl's codecs. The driver's internals are CommonJS modules reached by path.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  NOT_SET,
  type ResponseMessage,
  unsupportedVersionResponse,
} from '../../../cql/protocol/index.js';
import {
  CqlDuration,
  CqlTypes,
  listOf,
  mapOf,
  serialize,
  setOf,
  tupleOf,
  udt,
} from '../../../cql/types/index.js';
import { sampleErrors } from './samples.js';

const require = createRequire(import.meta.url);
const driverTypes = require('cassandra-driver/lib/types');
const Encoder = require('cassandra-driver/lib/encoder');
const { Protocol, Parser } = require('cassandra-driver/lib/streams');
const requests = require('cassandra-driver/lib/requests');
const { ExecutionOptions } = require('cassandra-driver/lib/execution-options');

// biome-ignore lint/suspicious/noExplicitAny: the driver's parser items are untyped JavaScript objects
type DriverItem = any;

/** Feeds frames through the driver's Protocol → Parser pipeline and collects what it emits. */
async function driverParse(...frames: Uint8Array[]): Promise<DriverItem[]> {
  const protocol = new Protocol({ objectMode: true });
  const parser = new Parser({ objectMode: true }, new Encoder(4, {}));
  const items: DriverItem[] = [];
  parser.on('data', (item: DriverItem) => items.push(item));
  protocol.pipe(parser);
  for (const frame of frames) protocol.write(Buffer.from(frame));
  await new Promise((resolve) => setImmediate(resolve));
  return items.filter((item) => !item.frameEnded);
}

/** Execution options as the driver's client would build them (only what requests read). */
class Options extends ExecutionOptions {
  constructor(private readonly values: Record<string, unknown>) {
    super();
  }
  getConsistency() {
    return this.values.consistency;
  }
  getSerialConsistency() {
    return this.values.serialConsistency;
  }
  getFetchSize() {
    return this.values.fetchSize;
  }
  getPageState() {
    return this.values.pageState;
  }
  getOrGenerateTimestamp() {
    return this.values.timestamp ?? null;
  }
  isQueryTracing() {
    return this.values.tracing === true;
  }
  getCustomPayload() {
    return this.values.customPayload;
  }
  getHints() {
    return this.values.hints;
  }
  isBatchLogged() {
    return this.values.logged !== false;
  }
  isBatchCounter() {
    return false;
  }
  getKeyspace() {
    return undefined;
  }
}

const driverEncoder = new Encoder(4, {});
const decodeDriverRequest = (
  request: { write(encoder: unknown, streamId: number): Buffer },
  streamId = 3,
) => {
  const [item] = new FrameDecoder().push(request.write(driverEncoder, streamId));
  if (item?.kind !== 'frame') throw new Error('expected a frame');
  return decodeRequest(item.frame);
};

const address = udt('ks', 'address', [
  { name: 'street', type: CqlTypes.text },
  { name: 'zip', type: CqlTypes.int },
]);

describe('the driver parses what Sibyl sends', () => {
  it('reads a RESULT Rows frame: metadata, types and values', async () => {
    const columns = [
      { name: 'id', type: CqlTypes.uuid, value: '6f9619ff-8b86-d011-b42d-00c04fc964ff' },
      { name: 'n', type: CqlTypes.int, value: -7 },
      { name: 'name', type: CqlTypes.text, value: 'Ада' },
      { name: 'tags', type: setOf(CqlTypes.text), value: ['a', 'b'] },
      { name: 'scores', type: mapOf(CqlTypes.text, CqlTypes.bigint), value: new Map([['x', 5n]]) },
      { name: 'home', type: address, value: { street: 'Main', zip: 12345 } },
      { name: 'pair', type: tupleOf([CqlTypes.int, CqlTypes.text]), value: [1, 'one'] },
      { name: 'nums', type: listOf(CqlTypes.int), value: [3, 1, 2] },
      { name: 'span', type: CqlTypes.duration, value: new CqlDuration(1, 2, 3n) },
    ];
    const message: ResponseMessage = {
      type: 'RESULT',
      result: {
        kind: 'rows',
        metadata: {
          columnCount: columns.length,
          columns: columns.map((c) => ({ keyspace: 'ks', table: 't', name: c.name, type: c.type })),
          pagingState: Uint8Array.of(0xaa, 0xbb),
        },
        rows: [columns.map((c) => serialize(c.type, c.value)), columns.map(() => null)],
      },
    };
    const items = await driverParse(encodeResponse(message, { streamId: 9, warnings: ['careful'] }));
    expect(items.map((i) => i.error)).toEqual([undefined, undefined]);
    const [first, second] = items;
    expect(first.header.streamId).toBe(9);
    expect(first.flags.warnings).toEqual(['careful']);
    expect(first.meta.pageState).toEqual(Buffer.from([0xaa, 0xbb]));
    expect(first.meta).toMatchObject({ global_tables_spec: true, keyspace: 'ks', table: 't' });
    const types = first.meta.columns.map((c: DriverItem) => c.type);
    expect(types[3]).toMatchObject({
      code: driverTypes.dataTypes.set,
      info: { code: driverTypes.dataTypes.varchar },
    });
    expect(types[5].info).toMatchObject({ keyspace: 'ks', name: 'address' });
    expect(types[8]).toEqual({ code: 0, type: null, info: 'org.apache.cassandra.db.marshal.DurationType' });
    const row = first.row;
    expect(row.id.toString()).toBe('6f9619ff-8b86-d011-b42d-00c04fc964ff');
    expect(row.n).toBe(-7);
    expect(row.name).toBe('Ада');
    expect(row.tags).toEqual(['a', 'b']);
    expect(row.scores.x.toString()).toBe('5');
    expect(row.home).toEqual({ street: 'Main', zip: 12345 });
    expect(row.pair.elements).toEqual([1, 'one']);
    expect(row.nums).toEqual([3, 1, 2]);
    expect(row.span.toString()).toBe(new driverTypes.Duration(1, 2, driverTypes.Long.fromInt(3)).toString());
    expect(Object.values(second.row)).toEqual(columns.map(() => null));
  });

  it('reads a PREPARED frame with its partition-key indexes and result metadata', async () => {
    const message: ResponseMessage = {
      type: 'RESULT',
      result: {
        kind: 'prepared',
        id: Uint8Array.of(1, 2, 3, 4),
        variables: [
          { keyspace: 'ks', table: 't', name: 'b', type: CqlTypes.int },
          { keyspace: 'ks', table: 't', name: 'a', type: CqlTypes.text },
        ],
        partitionKeyIndexes: [1, 0],
        resultMetadata: {
          columnCount: 1,
          columns: [{ keyspace: 'ks', table: 't', name: 'v', type: CqlTypes.blob }],
        },
      },
    };
    const [item] = await driverParse(encodeResponse(message, { streamId: 2 }));
    expect(item.id).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(item.meta.partitionKeys).toEqual([1, 0]);
    expect(item.meta.columns.map((c: DriverItem) => [c.name, c.type.code])).toEqual([
      ['b', driverTypes.dataTypes.int],
      ['a', driverTypes.dataTypes.varchar],
    ]);
    expect(item.meta.columnsByName).toEqual({ b: 0, a: 1 });
  });

  it('reads every ERROR code with its fields', async () => {
    const frames = sampleErrors.map((error) => encodeResponse({ type: 'ERROR', error }, { streamId: 1 }));
    const items = await driverParse(...frames);
    expect(items).toHaveLength(sampleErrors.length);
    items.forEach((item, i) => {
      const sent = sampleErrors[i]!;
      expect(item.error.code).toBe(sent.code);
      if ('required' in sent)
        expect(item.error).toMatchObject({ required: sent.required, alive: sent.alive });
      if ('blockFor' in sent)
        expect(item.error).toMatchObject({ received: sent.received, blockFor: sent.blockFor });
      if ('writeType' in sent) expect(item.error.writeType).toBe(sent.writeType);
      if ('numFailures' in sent) expect(item.error.failures).toBe(sent.numFailures);
      if ('dataPresent' in sent) expect(Boolean(item.error.isDataPresent)).toBe(sent.dataPresent);
      if ('id' in sent) expect(item.error.queryId).toEqual(Buffer.from(sent.id));
      if ('functionName' in sent) expect(item.error.argTypes).toEqual(sent.argumentTypes);
      if (sent.code === 0x2400) expect(item.error.keyspace).toBe(sent.keyspace);
    });
  });

  it('reads EVENTs, SUPPORTED, AUTHENTICATE and a Schema_change result', async () => {
    const items = await driverParse(
      encodeResponse(
        {
          type: 'EVENT',
          event: { type: 'STATUS_CHANGE', change: 'UP', address: { address: '127.0.0.2', port: 9042 } },
        },
        { streamId: -1 },
      ),
      encodeResponse(
        {
          type: 'EVENT',
          event: {
            type: 'SCHEMA_CHANGE',
            change: 'UPDATED',
            target: 'FUNCTION',
            keyspace: 'ks',
            name: 'f',
            argumentTypes: ['int'],
          },
        },
        { streamId: -1 },
      ),
      encodeResponse(
        { type: 'SUPPORTED', options: new Map([['COMPRESSION', ['snappy', 'lz4']]]) },
        { streamId: 1 },
      ),
      encodeResponse(
        { type: 'AUTHENTICATE', authenticator: 'org.apache.cassandra.auth.PasswordAuthenticator' },
        { streamId: 1 },
      ),
      encodeResponse(
        {
          type: 'RESULT',
          result: {
            kind: 'schema_change',
            change: { change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' },
          },
        },
        { streamId: 1 },
      ),
    );
    expect(items[0].event).toMatchObject({ eventType: 'STATUS_CHANGE', up: true, inet: { port: 9042 } });
    expect(items[0].event.inet.address.toString()).toBe('127.0.0.2');
    expect(items[1].event).toMatchObject({
      target: 'FUNCTION',
      keyspace: 'ks',
      functionName: 'f',
      signature: ['int'],
    });
    expect(items[2].supported).toEqual({ COMPRESSION: ['snappy', 'lz4'] });
    expect(items[3]).toMatchObject({ mustAuthenticate: true });
    expect(items[4].schemaChange).toMatchObject({ schemaChangeType: 'CREATED', target: 'TABLE', table: 't' });
  });

  it('reads the unsupported-version answer to its v5 and DSE openings as a ProtocolError', async () => {
    for (const version of [5, 0x42]) {
      const [item] = await driverParse(unsupportedVersionResponse({ version, streamId: 0 }));
      expect(item.error.code).toBe(0x000a);
      expect(item.error.message).toContain('Invalid or unsupported protocol version');
    }
  });
});

describe('Sibyl decodes what the driver sends', () => {
  it('STARTUP with the driver name and version', () => {
    const { message } = decodeDriverRequest(new requests.StartupRequest({}));
    if (message.type !== 'STARTUP') throw new Error('expected STARTUP');
    expect(message.options.get('CQL_VERSION')).toBe('3.0.0');
    expect(message.options.get('DRIVER_NAME')).toBe(require('cassandra-driver/package.json').description);
  });

  it('QUERY with values, page size, paging state, serial consistency, timestamp, tracing and payload', () => {
    const options = new Options({
      consistency: driverTypes.consistencies.localQuorum,
      serialConsistency: driverTypes.consistencies.localSerial,
      fetchSize: 500,
      pageState: Buffer.from([7, 7]),
      timestamp: driverTypes.Long.fromString('1700000000000000'),
      tracing: true,
      customPayload: { k: Buffer.from([1]) },
      hints: ['int', 'text'],
    });
    const decoded = decodeDriverRequest(
      new requests.QueryRequest('SELECT * FROM t WHERE a = ? AND b = ?', [5, null], options),
    );
    expect(decoded.tracing).toBe(true);
    expect(decoded.customPayload).toEqual(new Map([['k', Uint8Array.of(1)]]));
    expect(decoded.header.streamId).toBe(3);
    expect(decoded.message).toEqual({
      type: 'QUERY',
      query: 'SELECT * FROM t WHERE a = ? AND b = ?',
      parameters: {
        consistency: 'LOCAL_QUORUM',
        values: [Uint8Array.of(0, 0, 0, 5), null],
        skipMetadata: false,
        pageSize: 500,
        pagingState: Uint8Array.of(7, 7),
        serialConsistency: 'LOCAL_SERIAL',
        defaultTimestamp: 1_700_000_000_000_000n,
      },
    });
  });

  it('QUERY with named values, and an unset value', () => {
    const options = new Options({ consistency: driverTypes.consistencies.one });
    const params = [
      { name: 'a', value: 1 },
      { name: 'b', value: driverTypes.unset },
    ];
    const { message } = decodeDriverRequest(
      new requests.QueryRequest('SELECT * FROM t WHERE a = :a', params, options, true),
    );
    if (message.type !== 'QUERY') throw new Error('expected QUERY');
    expect(message.parameters.valueNames).toEqual(['a', 'b']);
    expect(message.parameters.values![1]).toBe(NOT_SET);
  });

  it('EXECUTE, PREPARE, REGISTER, AUTH_RESPONSE and OPTIONS', () => {
    const meta = { columns: [{ type: { code: driverTypes.dataTypes.int } }] };
    const options = new Options({ consistency: driverTypes.consistencies.quorum, fetchSize: 100 });
    const execute = decodeDriverRequest(
      new requests.ExecuteRequest('q', Buffer.from([9, 8]), [42], options, meta),
    );
    expect(execute.message).toEqual({
      type: 'EXECUTE',
      id: Uint8Array.of(9, 8),
      parameters: {
        consistency: 'QUORUM',
        values: [Uint8Array.of(0, 0, 0, 42)],
        skipMetadata: false,
        pageSize: 100,
      },
    });
    expect(decodeDriverRequest(new requests.PrepareRequest('SELECT 1')).message).toEqual({
      type: 'PREPARE',
      query: 'SELECT 1',
    });
    expect(decodeDriverRequest(new requests.RegisterRequest(['SCHEMA_CHANGE'])).message).toEqual({
      type: 'REGISTER',
      events: ['SCHEMA_CHANGE'],
    });
    expect(decodeDriverRequest(new requests.AuthResponseRequest(Buffer.from('tok'))).message).toEqual({
      type: 'AUTH_RESPONSE',
      token: new Uint8Array(Buffer.from('tok')),
    });
    expect(decodeDriverRequest(requests.options).message).toEqual({ type: 'OPTIONS' });
  });

  it('BATCH of a query and a prepared statement', () => {
    const options = new Options({
      consistency: driverTypes.consistencies.two,
      timestamp: driverTypes.Long.fromNumber(123),
      logged: false,
      hints: [['int']],
    });
    const queries = [
      { query: 'INSERT INTO t (a) VALUES (?)', params: [1] },
      {
        query: 'x',
        queryId: Buffer.from([5]),
        params: [2],
        meta: { columns: [{ type: { code: driverTypes.dataTypes.int } }] },
      },
    ];
    const { message } = decodeDriverRequest(new requests.BatchRequest(queries, options));
    expect(message).toEqual({
      type: 'BATCH',
      batchType: 'UNLOGGED',
      statements: [
        { kind: 'query', query: 'INSERT INTO t (a) VALUES (?)', values: [Uint8Array.of(0, 0, 0, 1)] },
        { kind: 'prepared', id: Uint8Array.of(5), values: [Uint8Array.of(0, 0, 0, 2)] },
      ],
      consistency: 'TWO',
      defaultTimestamp: 123n,
    });
  });
});
