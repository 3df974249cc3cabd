/**
 * Cassandra's native scalar functions usable in terms and selectors (the `system` keyspace): time
 * functions, uuid generators and the blob conversions. A function takes and returns serialized
 * values; time and randomness come from the execution context, never from the OS.
 */
import type { CqlType, NativeTypeName } from '../types/index.js';
import {
  CqlTypes,
  cqlTypeName,
  maxTimeuuid as maxTimeuuidText,
  minTimeuuid as minTimeuuidText,
  NATIVE_TYPE_NAMES,
  timeuuidToMs,
  uuidToBytes,
  validate,
} from '../types/index.js';
import { int64Bytes, readInt64 } from './collection-bytes.js';
import type { TermContext } from './values.js';
import { invalidRequest } from './values.js';

export interface FunctionOverload {
  readonly args: readonly CqlType[];
  readonly returns: CqlType;
  /** Null arguments give null, except where a function says otherwise. */
  readonly apply: (args: readonly Uint8Array[], ctx: TermContext) => Uint8Array | null;
  /** Different on each call (now(), uuid()): never folded at prepare time. */
  readonly nondeterministic?: boolean;
}

const MS_PER_DAY = 86_400_000;
const DATE_EPOCH = 2 ** 31;

function msOfTimestamp(bytes: Uint8Array): number {
  return Number(readInt64(bytes));
}

function msOfDate(bytes: Uint8Array): number {
  return (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) - DATE_EPOCH) * MS_PER_DAY;
}

function dateOfMs(ms: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Math.floor(ms / MS_PER_DAY) + DATE_EPOCH);
  return out;
}

const timestampOfMs = (ms: number) => int64Bytes(BigInt(ms));

function randomUuid(ctx: TermContext): Uint8Array {
  const bytes = Uint8Array.from(ctx.env.random(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}

const { timeuuid, timestamp, date, bigint, uuid, time, blob } = CqlTypes;

function nowNanosOfDay(ms: number): Uint8Array {
  const dayMs = ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  return int64Bytes(BigInt(dayMs) * 1_000_000n);
}

const timeuuidMs = (b: Uint8Array) => timeuuidToMs(b);

const TABLE: Record<string, readonly FunctionOverload[]> = {
  now: [
    { args: [], returns: timeuuid, nondeterministic: true, apply: (_a, c) => c.env.timeuuids.next(c.nowMs) },
  ],
  currenttimeuuid: [
    { args: [], returns: timeuuid, nondeterministic: true, apply: (_a, c) => c.env.timeuuids.next(c.nowMs) },
  ],
  uuid: [{ args: [], returns: uuid, nondeterministic: true, apply: (_a, c) => randomUuid(c) }],
  currenttimestamp: [
    { args: [], returns: timestamp, nondeterministic: true, apply: (_a, c) => timestampOfMs(c.nowMs) },
  ],
  currentdate: [{ args: [], returns: date, nondeterministic: true, apply: (_a, c) => dateOfMs(c.nowMs) }],
  currenttime: [
    { args: [], returns: time, nondeterministic: true, apply: (_a, c) => nowNanosOfDay(c.nowMs) },
  ],
  totimestamp: [
    { args: [timeuuid], returns: timestamp, apply: ([a]) => timestampOfMs(timeuuidMs(a!)) },
    { args: [date], returns: timestamp, apply: ([a]) => timestampOfMs(msOfDate(a!)) },
  ],
  todate: [
    { args: [timeuuid], returns: date, apply: ([a]) => dateOfMs(timeuuidMs(a!)) },
    { args: [timestamp], returns: date, apply: ([a]) => dateOfMs(msOfTimestamp(a!)) },
  ],
  tounixtimestamp: [
    { args: [timeuuid], returns: bigint, apply: ([a]) => int64Bytes(BigInt(timeuuidMs(a!))) },
    { args: [timestamp], returns: bigint, apply: ([a]) => a! },
    { args: [date], returns: bigint, apply: ([a]) => int64Bytes(BigInt(msOfDate(a!))) },
  ],
  dateof: [{ args: [timeuuid], returns: timestamp, apply: ([a]) => timestampOfMs(timeuuidMs(a!)) }],
  unixtimestampof: [
    { args: [timeuuid], returns: bigint, apply: ([a]) => int64Bytes(BigInt(timeuuidMs(a!))) },
  ],
  mintimeuuid: [
    { args: [timestamp], returns: timeuuid, apply: ([a]) => uuidToBytes(minTimeuuidText(msOfTimestamp(a!))) },
  ],
  maxtimeuuid: [
    { args: [timestamp], returns: timeuuid, apply: ([a]) => uuidToBytes(maxTimeuuidText(msOfTimestamp(a!))) },
  ],
};

/** `intasblob`, `blobasint`, ... for every native type, as Cassandra's BytesConversionFcts. */
function conversionOverloads(name: string): readonly FunctionOverload[] | undefined {
  const toBlob = /^(\w+)asblob$/.exec(name);
  const fromBlob = /^blobas(\w+)$/.exec(name);
  const typeName = toBlob?.[1] ?? fromBlob?.[1];
  const resolved = typeName === 'varchar' ? 'text' : typeName;
  if (!resolved || !(NATIVE_TYPE_NAMES as readonly string[]).includes(resolved) || resolved === 'blob') {
    return undefined;
  }
  const type = CqlTypes[resolved as NativeTypeName];
  if (toBlob) return [{ args: [type], returns: blob, apply: ([a]) => a! }];
  return [
    {
      args: [blob],
      returns: type,
      apply: ([a]) => {
        validate(type, a!);
        return a!;
      },
    },
  ];
}

/** The overloads of a native function, or undefined when there is no such function. */
export function functionOverloads(
  keyspace: string | undefined,
  name: string,
): readonly FunctionOverload[] | undefined {
  if (keyspace !== undefined && keyspace !== 'system') return undefined;
  return TABLE[name] ?? conversionOverloads(name);
}

export function unknownFunction(keyspace: string | undefined, name: string): Error {
  return invalidRequest(`Unknown function ${keyspace ? `${keyspace}.` : ''}${name}`);
}

/** Picks an overload by argument count and, where known, argument types. */
export function pickOverload(
  name: string,
  overloads: readonly FunctionOverload[],
  argTypes: readonly (CqlType | undefined)[],
): FunctionOverload {
  const candidates = overloads.filter(
    (o) =>
      o.args.length === argTypes.length &&
      o.args.every((t, i) => argTypes[i] === undefined || cqlTypeName(argTypes[i]!) === cqlTypeName(t)),
  );
  const chosen = candidates[0];
  if (!chosen) {
    const shown = argTypes.map((t) => (t ? cqlTypeName(t) : '?')).join(', ');
    throw invalidRequest(
      `Invalid call to function ${name}, none of its type signatures match (arguments: ${shown})`,
    );
  }
  return chosen;
}
