/**
 * Numbers of the native protocol v4 (doc/native_protocol_v4.spec in apache/cassandra): opcodes,
 * header flags, result kinds, consistency codes, error codes and the frame limits. These are wire
 * values: never renumber.
 */
import type { ConsistencyName } from '../errors.js';

export const PROTOCOL_VERSION = 4;
/** Set in the version byte of every frame the server sends (spec 2.1). */
export const RESPONSE_VERSION_BIT = 0x80;
/** v3+ headers: version, flags, stream (int16), opcode, length (int32). */
export const HEADER_LENGTH = 9;
/** v1 and v2 headers had a one-byte stream id; used only to answer such clients with an error. */
export const LEGACY_HEADER_LENGTH = 8;

/** Spec 2.5: "a frame is limited to 256MB in length"; a node may configure a lower limit. */
export const MAX_FRAME_BODY_BYTES = 256 * 1024 * 1024;

export const Opcode = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  OPTIONS: 0x05,
  SUPPORTED: 0x06,
  QUERY: 0x07,
  RESULT: 0x08,
  PREPARE: 0x09,
  EXECUTE: 0x0a,
  REGISTER: 0x0b,
  EVENT: 0x0c,
  BATCH: 0x0d,
  AUTH_CHALLENGE: 0x0e,
  AUTH_RESPONSE: 0x0f,
  AUTH_SUCCESS: 0x10,
} as const;
export type OpcodeName = keyof typeof Opcode;

const opcodeNames = new Map<number, OpcodeName>(
  Object.entries(Opcode).map(([name, code]) => [code, name as OpcodeName]),
);

export function opcodeName(opcode: number): OpcodeName | undefined {
  return opcodeNames.get(opcode);
}

/** Header flags (spec 2.2). */
export const FrameFlag = {
  COMPRESSION: 0x01,
  TRACING: 0x02,
  CUSTOM_PAYLOAD: 0x04,
  WARNING: 0x08,
  USE_BETA: 0x10,
} as const;

/** <flags> of QUERY / EXECUTE query parameters (spec 4.1.4). */
export const QueryFlag = {
  VALUES: 0x01,
  SKIP_METADATA: 0x02,
  PAGE_SIZE: 0x04,
  PAGING_STATE: 0x08,
  SERIAL_CONSISTENCY: 0x10,
  DEFAULT_TIMESTAMP: 0x20,
  NAMES_FOR_VALUES: 0x40,
} as const;

/** <flags> of BATCH (spec 4.1.7): the four low bits must be 0. */
export const BatchFlag = {
  SERIAL_CONSISTENCY: 0x10,
  DEFAULT_TIMESTAMP: 0x20,
  NAMES_FOR_VALUES: 0x40,
} as const;

export const BatchType = { LOGGED: 0, UNLOGGED: 1, COUNTER: 2 } as const;
export type BatchTypeName = keyof typeof BatchType;

/** RESULT kinds (spec 4.2.5). */
export const ResultKind = {
  VOID: 0x0001,
  ROWS: 0x0002,
  SET_KEYSPACE: 0x0003,
  PREPARED: 0x0004,
  SCHEMA_CHANGE: 0x0005,
} as const;

/** Rows metadata <flags> (spec 4.2.5.2). */
export const RowsFlag = {
  GLOBAL_TABLES_SPEC: 0x0001,
  HAS_MORE_PAGES: 0x0002,
  NO_METADATA: 0x0004,
} as const;

/** [consistency] codes (spec 3), indexed by code. */
export const CONSISTENCY_NAMES: readonly ConsistencyName[] = [
  'ANY',
  'ONE',
  'TWO',
  'THREE',
  'QUORUM',
  'ALL',
  'LOCAL_QUORUM',
  'EACH_QUORUM',
  'SERIAL',
  'LOCAL_SERIAL',
  'LOCAL_ONE',
];

export function consistencyCode(name: ConsistencyName): number {
  const code = CONSISTENCY_NAMES.indexOf(name);
  if (code < 0) throw new Error(`assertion failed: unknown consistency ${name}`);
  return code;
}

/** Error codes (spec 9). */
export const ErrorCode = {
  SERVER_ERROR: 0x0000,
  PROTOCOL_ERROR: 0x000a,
  AUTHENTICATION_ERROR: 0x0100,
  UNAVAILABLE: 0x1000,
  OVERLOADED: 0x1001,
  IS_BOOTSTRAPPING: 0x1002,
  TRUNCATE_ERROR: 0x1003,
  WRITE_TIMEOUT: 0x1100,
  READ_TIMEOUT: 0x1200,
  READ_FAILURE: 0x1300,
  FUNCTION_FAILURE: 0x1400,
  WRITE_FAILURE: 0x1500,
  SYNTAX_ERROR: 0x2000,
  UNAUTHORIZED: 0x2100,
  INVALID: 0x2200,
  CONFIG_ERROR: 0x2300,
  ALREADY_EXISTS: 0x2400,
  UNPREPARED: 0x2500,
} as const;

/** Event types a client can REGISTER for (spec 4.2.6). */
export const EVENT_TYPES = ['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The STARTUP option names of spec 4.1.1 (drivers send more, e.g. DRIVER_NAME). */
export const StartupOption = {
  CQL_VERSION: 'CQL_VERSION',
  COMPRESSION: 'COMPRESSION',
} as const;
