/**
 * The text of application state values, as Cassandra's `VersionedValueFactory` writes them
 * (`NORMAL,<token>`, `LEFT,<token>,<expiry ms>`, `shutdown,true`, ...), and their parsing.
 * Values arrive from peers, so a malformed one is an operating error (`INVALID_GOSSIP_STATE`).
 */
import { SibylError } from '../../common/errors.js';
import { type HostId, parseHostId } from '../../ring/endpoint.js';
import { formatToken, parseToken, type Token } from '../../ring/token.js';
import type { EndpointState } from './endpoint-state.js';

const DELIMITER = ',';

export type Status =
  | { readonly kind: 'BOOT'; readonly token: Token }
  | { readonly kind: 'NORMAL'; readonly token: Token }
  | { readonly kind: 'LEAVING'; readonly token: Token }
  | { readonly kind: 'LEFT'; readonly token: Token; readonly expiresAtMs: number }
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'hibernate' }
  | { readonly kind: 'removing'; readonly hostId: HostId }
  | { readonly kind: 'removed'; readonly hostId: HostId; readonly expiresAtMs: number };

export type StatusKind = Status['kind'];

/** States after which an endpoint is not expected back (Cassandra's `DEAD_STATES`). */
const DEAD_STATES: ReadonlySet<string> = new Set(['removing', 'removed', 'LEFT', 'hibernate']);
/** States in which a node leaves without announcing its shutdown (`SILENT_SHUTDOWN_STATES`). */
const SILENT_SHUTDOWN_STATES: ReadonlySet<string> = new Set([...DEAD_STATES, 'BOOT']);

/**
 * Cassandra puts only the first of a node's tokens in STATUS (`makeTokenString`); the full list
 * travels in TOKENS.
 */
function firstToken(tokens: readonly Token[]): string {
  const first = tokens[0];
  if (first === undefined) throw new SibylError('INVALID_GOSSIP_STATE', 'a status needs at least one token');
  return formatToken(first);
}

export const statusValue = {
  bootstrapping: (tokens: readonly Token[]): string => `BOOT${DELIMITER}${firstToken(tokens)}`,
  normal: (tokens: readonly Token[]): string => `NORMAL${DELIMITER}${firstToken(tokens)}`,
  leaving: (tokens: readonly Token[]): string => `LEAVING${DELIMITER}${firstToken(tokens)}`,
  left: (tokens: readonly Token[], expiresAtMs: number): string =>
    `LEFT${DELIMITER}${firstToken(tokens)}${DELIMITER}${expiresAtMs}`,
  shutdown: (): string => `shutdown${DELIMITER}true`,
  hibernate: (): string => `hibernate${DELIMITER}true`,
  removing: (hostId: HostId): string => `removing${DELIMITER}${hostId}`,
  removed: (hostId: HostId, expiresAtMs: number): string =>
    `removed${DELIMITER}${hostId}${DELIMITER}${expiresAtMs}`,
} as const;

function invalid(value: string, why: string): SibylError {
  return new SibylError('INVALID_GOSSIP_STATE', `invalid STATUS '${value}': ${why}`);
}

function expiry(value: string, text: string | undefined): number {
  const ms = Number(text);
  if (text === undefined || !Number.isSafeInteger(ms)) throw invalid(value, 'expected an expiry time in ms');
  return ms;
}

function tokenPiece(value: string, text: string | undefined): Token {
  if (text === undefined) throw invalid(value, 'expected a token');
  return parseToken(text);
}

export function parseStatus(value: string): Status {
  const pieces = value.split(DELIMITER);
  const kind = pieces[0];
  switch (kind) {
    case 'BOOT':
    case 'NORMAL':
    case 'LEAVING':
      return { kind, token: tokenPiece(value, pieces[1]) };
    case 'LEFT':
      return { kind, token: tokenPiece(value, pieces[1]), expiresAtMs: expiry(value, pieces[2]) };
    case 'shutdown':
    case 'hibernate':
      return { kind };
    case 'removing':
      return { kind, hostId: parseHostId(pieces[1] ?? '') };
    case 'removed':
      return { kind, hostId: parseHostId(pieces[1] ?? ''), expiresAtMs: expiry(value, pieces[2]) };
    default:
      throw invalid(value, 'unknown status');
  }
}

/** The first piece of STATUS, as Cassandra reads it (`getGossipStatus`): tolerant of what follows. */
export function statusKind(state: EndpointState | undefined): string | undefined {
  const value = state?.states.STATUS?.value;
  return value === undefined ? undefined : value.split(DELIMITER)[0];
}

export function isDeadState(state: EndpointState | undefined): boolean {
  const kind = statusKind(state);
  return kind !== undefined && DEAD_STATES.has(kind);
}

export function isSilentShutdownState(state: EndpointState | undefined): boolean {
  const kind = statusKind(state);
  return kind !== undefined && SILENT_SHUTDOWN_STATES.has(kind);
}

export function isShutdown(state: EndpointState | undefined): boolean {
  return statusKind(state) === 'shutdown';
}

/** When a LEFT or removed endpoint may be forgotten, if its status says so. */
export function statusExpiryMs(state: EndpointState | undefined): number | undefined {
  const kind = statusKind(state);
  if (kind !== 'LEFT' && kind !== 'removed') return undefined;
  const status = parseStatus(state?.states.STATUS?.value ?? '');
  return status.kind === 'LEFT' || status.kind === 'removed' ? status.expiresAtMs : undefined;
}

/**
 * TOKENS: Cassandra sends the token set binary-serialized; Sibyl sends signed decimals separated by
 * ',' (messages are msgpack, so text costs little and stays readable in `gossipinfo`).
 */
export function formatTokens(tokens: readonly Token[]): string {
  return tokens.map(formatToken).join(DELIMITER);
}

export function parseTokens(value: string): Token[] {
  return value === '' ? [] : value.split(DELIMITER).map(parseToken);
}

export const applicationValue = {
  hostId: (hostId: HostId): string => hostId,
  /** LOAD: bytes on disk, as Java's `String.valueOf(double)` prints it (nodetool reads it back). */
  load: (bytes: number): string => (Number.isInteger(bytes) ? `${bytes}.0` : String(bytes)),
  rpcReady: (ready: boolean): string => String(ready),
  nativeAddressAndPort: (address: string, port: number): string => `${address}:${port}`,
} as const;
