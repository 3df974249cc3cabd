/** EVENT bodies (spec 4.2.6): pushed by the server on stream -1 to connections that REGISTERed. */
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { ProtocolError } from './protocol-error.js';
import { readSchemaChange, type SchemaChange, writeSchemaChange } from './schema-change.js';
import type { InetSocketAddress } from './values.js';

/** MOVED_NODE is not in the v4 text, but Cassandra sends it and drivers accept it. */
export type TopologyChangeType = 'NEW_NODE' | 'REMOVED_NODE' | 'MOVED_NODE';
export type StatusChangeType = 'UP' | 'DOWN';

export type ProtocolEvent =
  | {
      readonly type: 'TOPOLOGY_CHANGE';
      readonly change: TopologyChangeType;
      readonly address: InetSocketAddress;
    }
  | { readonly type: 'STATUS_CHANGE'; readonly change: StatusChangeType; readonly address: InetSocketAddress }
  | ({ readonly type: 'SCHEMA_CHANGE' } & SchemaChange);

const TOPOLOGY_CHANGES: readonly TopologyChangeType[] = ['NEW_NODE', 'REMOVED_NODE', 'MOVED_NODE'];
const STATUS_CHANGES: readonly StatusChangeType[] = ['UP', 'DOWN'];

export function writeEvent(writer: BodyWriter, event: ProtocolEvent): void {
  writer.string(event.type);
  if (event.type === 'SCHEMA_CHANGE') {
    writeSchemaChange(writer, event);
    return;
  }
  writer.string(event.change).inet(event.address);
}

export function readEvent(reader: BodyReader): ProtocolEvent {
  const type = reader.string();
  switch (type) {
    case 'TOPOLOGY_CHANGE': {
      const change = oneOf(TOPOLOGY_CHANGES, reader.string(), 'topology change');
      return { type, change, address: reader.inet() };
    }
    case 'STATUS_CHANGE': {
      const change = oneOf(STATUS_CHANGES, reader.string(), 'status change');
      return { type, change, address: reader.inet() };
    }
    case 'SCHEMA_CHANGE':
      return { type, ...readSchemaChange(reader) };
    default:
      throw new ProtocolError(`Unknown event type ${type}`);
  }
}

function oneOf<T extends string>(known: readonly T[], value: string, what: string): T {
  const found = known.find((k) => k === value);
  if (found === undefined) throw new ProtocolError(`Unknown ${what} ${value}`);
  return found;
}
