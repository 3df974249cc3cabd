import { maybeQuoteIdentifier } from './identifier.js';

/**
 * The CQL data types (Cassandra's CQL3Type). A type is a plain immutable value: compare with
 * `typeEquals`, print with `cqlTypeName`. Codecs, comparators and literal parsers are functions of
 * the type (codec.ts, comparator.ts, literal.ts), so the representation stays data.
 */

export const NATIVE_TYPE_NAMES = [
  'ascii',
  'bigint',
  'blob',
  'boolean',
  'counter',
  'date',
  'decimal',
  'double',
  'duration',
  'float',
  'inet',
  'int',
  'smallint',
  'text',
  'time',
  'timestamp',
  'timeuuid',
  'tinyint',
  'uuid',
  'varint',
] as const;

export type NativeTypeName = (typeof NATIVE_TYPE_NAMES)[number];

export interface NativeType {
  readonly kind: 'native';
  readonly name: NativeTypeName;
}

export interface ListType {
  readonly kind: 'list';
  readonly element: CqlType;
  readonly frozen: boolean;
}

export interface SetType {
  readonly kind: 'set';
  readonly element: CqlType;
  readonly frozen: boolean;
}

export interface MapType {
  readonly kind: 'map';
  readonly key: CqlType;
  readonly value: CqlType;
  readonly frozen: boolean;
}

/** Tuples are always frozen in CQL (a tuple value is one cell). */
export interface TupleType {
  readonly kind: 'tuple';
  readonly elements: readonly CqlType[];
}

export interface UdtField {
  readonly name: string;
  readonly type: CqlType;
}

export interface UdtType {
  readonly kind: 'udt';
  readonly keyspace: string;
  readonly name: string;
  readonly fields: readonly UdtField[];
  readonly frozen: boolean;
}

export type CollectionType = ListType | SetType | MapType;
export type CqlType = NativeType | ListType | SetType | MapType | TupleType | UdtType;

const natives = new Map<NativeTypeName, NativeType>(
  NATIVE_TYPE_NAMES.map((name) => [name, Object.freeze({ kind: 'native', name })]),
);

export function nativeType(name: NativeTypeName): NativeType {
  return natives.get(name)!;
}

/** The native types by name; `varchar` is an alias of `text`, as in CQL. */
export const CqlTypes = {
  ascii: nativeType('ascii'),
  bigint: nativeType('bigint'),
  blob: nativeType('blob'),
  boolean: nativeType('boolean'),
  counter: nativeType('counter'),
  date: nativeType('date'),
  decimal: nativeType('decimal'),
  double: nativeType('double'),
  duration: nativeType('duration'),
  float: nativeType('float'),
  inet: nativeType('inet'),
  int: nativeType('int'),
  smallint: nativeType('smallint'),
  text: nativeType('text'),
  varchar: nativeType('text'),
  time: nativeType('time'),
  timestamp: nativeType('timestamp'),
  timeuuid: nativeType('timeuuid'),
  tinyint: nativeType('tinyint'),
  uuid: nativeType('uuid'),
  varint: nativeType('varint'),
} as const;

export function listOf(element: CqlType, frozen = false): ListType {
  return { kind: 'list', element: frozen ? freeze(element) : element, frozen };
}

export function setOf(element: CqlType, frozen = false): SetType {
  return { kind: 'set', element: frozen ? freeze(element) : element, frozen };
}

export function mapOf(key: CqlType, value: CqlType, frozen = false): MapType {
  return frozen
    ? { kind: 'map', key: freeze(key), value: freeze(value), frozen }
    : { kind: 'map', key, value, frozen };
}

/** Components of a tuple are frozen: a tuple is stored as one value. */
export function tupleOf(elements: readonly CqlType[]): TupleType {
  return { kind: 'tuple', elements: elements.map(freeze) };
}

export function udt(keyspace: string, name: string, fields: readonly UdtField[], frozen = false): UdtType {
  const frozenFields = frozen ? fields.map((f) => ({ name: f.name, type: freeze(f.type) })) : fields;
  return { kind: 'udt', keyspace, name, fields: frozenFields, frozen };
}

/** The frozen form of a type, with every nested collection and UDT frozen as Cassandra does. */
export function freeze(type: CqlType): CqlType {
  switch (type.kind) {
    case 'native':
    case 'tuple':
      return type;
    case 'list':
      return type.frozen ? type : listOf(type.element, true);
    case 'set':
      return type.frozen ? type : setOf(type.element, true);
    case 'map':
      return type.frozen ? type : mapOf(type.key, type.value, true);
    case 'udt':
      return type.frozen ? type : udt(type.keyspace, type.name, type.fields, true);
  }
}

/** Non-frozen collections and UDTs are stored as one cell per element / field. */
export function isMultiCell(type: CqlType): boolean {
  return (
    (type.kind === 'list' || type.kind === 'set' || type.kind === 'map' || type.kind === 'udt') &&
    !type.frozen
  );
}

export function isCollection(type: CqlType): type is CollectionType {
  return type.kind === 'list' || type.kind === 'set' || type.kind === 'map';
}

export function isCounter(type: CqlType): boolean {
  return type.kind === 'native' && type.name === 'counter';
}

/** The type as CQL prints it (Cassandra's CQL3Type.toString), e.g. `map<text, frozen<list<int>>>`. */
export function cqlTypeName(type: CqlType): string {
  switch (type.kind) {
    case 'native':
      return type.name;
    case 'list':
      return wrapFrozen(type.frozen, `list<${cqlTypeName(type.element)}>`);
    case 'set':
      return wrapFrozen(type.frozen, `set<${cqlTypeName(type.element)}>`);
    case 'map':
      return wrapFrozen(type.frozen, `map<${cqlTypeName(type.key)}, ${cqlTypeName(type.value)}>`);
    case 'tuple':
      return `frozen<tuple<${type.elements.map(cqlTypeName).join(', ')}>>`;
    case 'udt':
      return wrapFrozen(type.frozen, maybeQuoteIdentifier(type.name));
  }
}

function wrapFrozen(frozen: boolean, name: string): string {
  return frozen ? `frozen<${name}>` : name;
}

export function typeEquals(a: CqlType, b: CqlType): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'native':
      return b.kind === 'native' && a.name === b.name;
    case 'list':
    case 'set':
      return b.kind === a.kind && a.frozen === b.frozen && typeEquals(a.element, b.element);
    case 'map':
      return (
        b.kind === 'map' && a.frozen === b.frozen && typeEquals(a.key, b.key) && typeEquals(a.value, b.value)
      );
    case 'tuple':
      return b.kind === 'tuple' && listEquals(a.elements, b.elements);
    case 'udt':
      return (
        b.kind === 'udt' &&
        a.frozen === b.frozen &&
        a.keyspace === b.keyspace &&
        a.name === b.name &&
        a.fields.length === b.fields.length &&
        a.fields.every((f, i) => f.name === b.fields[i]!.name && typeEquals(f.type, b.fields[i]!.type))
      );
  }
}

function listEquals(a: readonly CqlType[], b: readonly CqlType[]): boolean {
  return a.length === b.length && a.every((t, i) => typeEquals(t, b[i]!));
}

/**
 * Native protocol v4 [option] ids (spec 4.2.5.2). `duration` has no id in v4: it is sent as the
 * custom type named by `customClassName` (v5 gives it 0x0015).
 */
export const PROTOCOL_TYPE_IDS = {
  custom: 0x0000,
  ascii: 0x0001,
  bigint: 0x0002,
  blob: 0x0003,
  boolean: 0x0004,
  counter: 0x0005,
  decimal: 0x0006,
  double: 0x0007,
  float: 0x0008,
  int: 0x0009,
  timestamp: 0x000b,
  uuid: 0x000c,
  text: 0x000d,
  varint: 0x000e,
  timeuuid: 0x000f,
  inet: 0x0010,
  date: 0x0011,
  time: 0x0012,
  smallint: 0x0013,
  tinyint: 0x0014,
  list: 0x0020,
  map: 0x0021,
  set: 0x0022,
  udt: 0x0030,
  tuple: 0x0031,
} as const;

export interface ProtocolOption {
  readonly id: number;
  /** For id 0x0000 (custom): the Java class name a driver expects. */
  readonly customClassName?: string;
}

export const DURATION_CLASS_NAME = 'org.apache.cassandra.db.marshal.DurationType';

/** The protocol v4 [option] of a type, without its nested options (the protocol layer recurses). */
export function protocolOption(type: CqlType): ProtocolOption {
  if (type.kind !== 'native') return { id: PROTOCOL_TYPE_IDS[type.kind] };
  if (type.name === 'duration') return { id: PROTOCOL_TYPE_IDS.custom, customClassName: DURATION_CLASS_NAME };
  return { id: PROTOCOL_TYPE_IDS[type.name] };
}
