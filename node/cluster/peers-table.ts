/**
 * `system.peers` and `system.peers_v2`: one row per other member of the cluster, rewritten from its
 * gossip state as it appears and changes, deleted when it leaves. Drivers read these rows to find
 * hosts (rpc_address / native_address + native_port), their DC and rack, their tokens (token-aware
 * routing) and their schema versions (schema agreement).
 *
 * Writes are batched per event-loop turn (a joining endpoint's dozen state changes make one write)
 * and chained, so rows land in order; client notifications queued with `afterWrite` go out once the
 * rows written before them are readable, since a driver answers NEW_NODE by reading system.peers.
 */
import { isIP } from 'node:net';
import type { Logger } from '../../common/logger.js';
import type { QueryProcessor } from '../../cql/query-processor.js';
import { inetFromBytes } from '../../cql/types/index.js';
import { isDeadState, parseTokens, statusKind } from '../gossip/application-values.js';
import type { EndpointState } from '../gossip/endpoint-state.js';
import { splitHostPort } from '../messaging/transport.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Columns = [name: string, literal: string][];

export interface PeerRows {
  readonly peers: Columns;
  readonly peersV2: Columns;
}

function text(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Where clients reach a peer: NATIVE_ADDRESS_AND_PORT, else NATIVE_ADDRESS and our native port. */
export function nativeAddressOf(
  state: EndpointState,
  defaultPort: number,
): { address: string; port: number } | undefined {
  const both = state.states.NATIVE_ADDRESS_AND_PORT?.value;
  if (both !== undefined) {
    const colon = both.lastIndexOf(':');
    const address = both.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = Number(both.slice(colon + 1));
    if (colon > 0 && isIP(address) !== 0 && Number.isInteger(port)) return { address, port };
  }
  const address = state.states.NATIVE_ADDRESS?.value;
  return address !== undefined && isIP(address) !== 0 ? { address, port: defaultPort } : undefined;
}

/**
 * Statuses of a ring member, the only endpoints with rows: as Cassandra, a node that is joining
 * (no status yet, or BOOT) gets its row when it becomes NORMAL, so drivers never route to it early.
 */
const MEMBER_STATUSES: ReadonlySet<string> = new Set(['NORMAL', 'shutdown', 'LEAVING']);

/**
 * The two rows of `endpoint` (`ip:port`), or null when it has no host id yet, is not a ring member
 * yet or is gone. Values come from a peer, so each is checked and left out when malformed rather
 * than written as garbage.
 */
export function peerRows(endpoint: string, state: EndpointState, defaultNativePort: number): PeerRows | null {
  const hostId = state.states.HOST_ID?.value;
  if (hostId === undefined || !UUID.test(hostId) || isDeadState(state)) return null;
  const status = statusKind(state);
  if (status === undefined || !MEMBER_STATUSES.has(status)) return null;
  const { host, port } = splitHostPort(endpoint, 0);
  if (isIP(host) === 0) return null;
  const common: Columns = [
    ['peer', text(host)],
    ['host_id', hostId],
    ['preferred_ip', text(host)],
  ];
  const optional = (name: string, value: string | undefined, valid: (v: string) => boolean) => {
    if (value !== undefined && valid(value)) common.push([name, value]);
  };
  const any = () => true;
  optional('data_center', maybeText(state.states.DC?.value), any);
  optional('rack', maybeText(state.states.RACK?.value), any);
  optional('release_version', maybeText(state.states.RELEASE_VERSION?.value), any);
  optional('schema_version', state.states.SCHEMA?.value, (v) => UUID.test(v));
  const tokens = tokenSet(state.states.TOKENS?.value);
  if (tokens !== undefined) common.push(['tokens', tokens]);
  const native = nativeAddressOf(state, defaultNativePort);
  const peers: Columns = [...common];
  const peersV2: Columns = [...common, ['peer_port', String(port)], ['preferred_port', String(port)]];
  if (native) {
    peers.push(['rpc_address', text(native.address)]);
    peersV2.push(['native_address', text(native.address)], ['native_port', String(native.port)]);
  }
  return { peers, peersV2 };
}

function maybeText(value: string | undefined): string | undefined {
  return value === undefined ? undefined : text(value);
}

function tokenSet(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return `{${parseTokens(value)
      .map((token) => text(String(token)))
      .join(', ')}}`;
  } catch {
    return undefined;
  }
}

export class PeersTable {
  private chain: Promise<void> = Promise.resolve();
  private readonly dirty = new Set<string>();
  private notifications: (() => void)[] = [];
  private scheduled = false;
  private lastTimestampMicros = 0;

  constructor(
    private readonly processor: QueryProcessor,
    /** The current gossip state of an endpoint, read when its rows are written. */
    private readonly stateOf: (endpoint: string) => EndpointState | undefined,
    private readonly nativePort: number,
    private readonly nowMs: () => number,
    private readonly log: Logger,
  ) {}

  /**
   * Empties both tables at start: rows left by the previous run may name nodes that left meanwhile;
   * gossip refills them within a round or two.
   */
  async clear(): Promise<void> {
    const result = await this.processor.execute('SELECT peer FROM system.peers', {});
    const resultV2 = await this.processor.execute('SELECT peer FROM system.peers_v2', {});
    const peers = new Set<string>();
    for (const r of [result, resultV2]) {
      if (r.kind !== 'rows') continue;
      for (const row of r.result.rows) if (row[0]) peers.add(inetFromBytes(row[0]));
    }
    for (const peer of peers) await this.deleteRows(peer);
  }

  /** The endpoint's rows are rewritten from its state at the end of this turn. */
  touch(endpoint: string): void {
    this.dirty.add(endpoint);
    this.schedule();
  }

  /** Runs `notify` once every write queued so far has landed. */
  afterWrite(notify: () => void): void {
    this.notifications.push(notify);
    this.schedule();
  }

  /** Resolves when every queued write has landed. */
  drain(): Promise<void> {
    return this.chain;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const endpoints = [...this.dirty];
      const notifications = this.notifications;
      this.dirty.clear();
      this.notifications = [];
      this.chain = this.chain
        .then(() => this.write(endpoints))
        .catch((error: unknown) => this.log.error({ err: error }, 'could not update system.peers'))
        .then(() => {
          for (const notify of notifications) notify();
        });
    });
  }

  private async write(endpoints: readonly string[]): Promise<void> {
    for (const endpoint of endpoints) {
      const state = this.stateOf(endpoint);
      const rows = state ? peerRows(endpoint, state, this.nativePort) : null;
      if (rows === null) {
        await this.deleteRows(splitHostPort(endpoint, 0).host);
        continue;
      }
      await this.insert('system.peers', rows.peers);
      await this.insert('system.peers_v2', rows.peersV2);
    }
  }

  private async insert(table: string, columns: Columns): Promise<void> {
    const names = columns.map(([name]) => name).join(', ');
    const values = columns.map(([, value]) => value).join(', ');
    await this.processor.execute(
      `INSERT INTO ${table} (${names}) VALUES (${values}) USING TIMESTAMP ${this.timestamp()}`,
      {},
    );
  }

  private async deleteRows(peer: string): Promise<void> {
    if (isIP(peer) === 0) return;
    const timestamp = this.timestamp();
    for (const table of ['system.peers', 'system.peers_v2']) {
      await this.processor.execute(
        `DELETE FROM ${table} USING TIMESTAMP ${timestamp} WHERE peer = ${text(peer)}`,
        {},
      );
    }
  }

  /**
   * Strictly increasing write timestamps: a peer deleted and back within one millisecond must not
   * have its new row shadowed by the deletion (a tie goes to the deletion).
   */
  private timestamp(): number {
    this.lastTimestampMicros = Math.max(this.nowMs() * 1000, this.lastTimestampMicros + 1);
    return this.lastTimestampMicros;
  }
}
