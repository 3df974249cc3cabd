/**
 * CQL types as the protocol's [option] (spec 4.2.5.2): a [short] id, then for collections, UDTs
 * and tuples the nested options, for custom types a class name. `duration` has no id in v4 and
 * travels as the custom type DurationType, as Cassandra 4 sends it to v4 clients.
 *
 * The protocol does not carry frozenness. Decoded types are non-frozen at the top and frozen below
 * it (CQL only allows frozen types nested), so a decoded type compares equal to the column's type
 * up to the top-level `frozen` flag.
 */
import { cqlLimits } from '../../common/limits.js';
import {
  type CqlType,
  CqlTypes,
  DURATION_CLASS_NAME,
  listOf,
  mapOf,
  NATIVE_TYPE_NAMES,
  type NativeTypeName,
  nativeType,
  PROTOCOL_TYPE_IDS,
  protocolOption,
  setOf,
  tupleOf,
  udt,
} from '../types/index.js';
import type { BodyReader } from './body-reader.js';
import type { BodyWriter } from './body-writer.js';
import { ProtocolError } from './protocol-error.js';

/** A custom type other than DurationType: kept by class name so a client can still read results. */
export interface CustomType {
  readonly kind: 'custom';
  readonly className: string;
}

/** A type as a RESULT or PREPARED column spec carries it. */
export type ProtocolType = CqlType | CustomType;

const nativeById = new Map<number, NativeTypeName>(
  NATIVE_TYPE_NAMES.filter((name) => name !== 'duration').map((name) => [PROTOCOL_TYPE_IDS[name], name]),
);

export function writeTypeOption(writer: BodyWriter, type: ProtocolType): void {
  if (type.kind === 'custom') {
    writer.short(PROTOCOL_TYPE_IDS.custom).string(type.className);
    return;
  }
  const option = protocolOption(type);
  writer.short(option.id);
  switch (type.kind) {
    case 'native':
      if (option.customClassName !== undefined) writer.string(option.customClassName);
      return;
    case 'list':
    case 'set':
      writeTypeOption(writer, type.element);
      return;
    case 'map':
      writeTypeOption(writer, type.key);
      writeTypeOption(writer, type.value);
      return;
    case 'udt':
      writer.string(type.keyspace).string(type.name).short(type.fields.length);
      for (const field of type.fields) {
        writer.string(field.name);
        writeTypeOption(writer, field.type);
      }
      return;
    case 'tuple':
      writer.short(type.elements.length);
      for (const element of type.elements) writeTypeOption(writer, element);
      return;
  }
}

export function readTypeOption(reader: BodyReader): ProtocolType {
  return readOption(reader, 0);
}

function readOption(reader: BodyReader, depth: number): ProtocolType {
  // Nesting is bounded like the parser's: a body of 0x0020 0x0020 ... must not exhaust the stack.
  if (depth > cqlLimits.maxNestingDepth) {
    throw new ProtocolError(`Type option nested deeper than ${cqlLimits.maxNestingDepth} levels`);
  }
  const id = reader.short();
  const native = nativeById.get(id);
  if (native !== undefined) return nativeType(native);
  switch (id) {
    case PROTOCOL_TYPE_IDS.custom:
      return customType(reader.string());
    case PROTOCOL_TYPE_IDS.list:
      return listOf(nested(reader, depth), depth > 0);
    case PROTOCOL_TYPE_IDS.set:
      return setOf(nested(reader, depth), depth > 0);
    case PROTOCOL_TYPE_IDS.map: {
      const key = nested(reader, depth);
      return mapOf(key, nested(reader, depth), depth > 0);
    }
    case PROTOCOL_TYPE_IDS.udt:
      return readUdt(reader, depth);
    case PROTOCOL_TYPE_IDS.tuple: {
      const count = reader.short();
      reader.checkCount(count, 2, 'tuple component');
      const elements: CqlType[] = [];
      for (let i = 0; i < count; i++) elements.push(nested(reader, depth));
      return tupleOf(elements);
    }
    default:
      throw new ProtocolError(`Unknown type option id 0x${id.toString(16).padStart(4, '0')}`);
  }
}

function readUdt(reader: BodyReader, depth: number): CqlType {
  const keyspace = reader.string();
  const name = reader.string();
  const count = reader.short();
  reader.checkCount(count, 4, 'UDT field');
  const fields: { name: string; type: CqlType }[] = [];
  for (let i = 0; i < count; i++) {
    const fieldName = reader.string();
    fields.push({ name: fieldName, type: nested(reader, depth) });
  }
  return udt(keyspace, name, fields, depth > 0);
}

/** Inside a collection, UDT or tuple only CQL types can appear (no unknown custom class). */
function nested(reader: BodyReader, depth: number): CqlType {
  const type = readOption(reader, depth + 1);
  if (type.kind === 'custom') {
    throw new ProtocolError(`Unsupported custom type ${type.className} inside a collection, UDT or tuple`);
  }
  return type;
}

function customType(className: string): ProtocolType {
  return className === DURATION_CLASS_NAME ? CqlTypes.duration : { kind: 'custom', className };
}
