/**
 * The JSON the admin endpoint answers with (docs/admin.md), one interface per route. `sibyl tool`
 * imports these types (types only) so the two sides cannot drift apart. Numbers that can exceed
 * 2^53 (tokens) travel as decimal strings; sizes are bytes, ownership a fraction in [0, 1].
 */

/** Whether gossip sees the endpoint: nodetool's U / D, and `?` before the first echo answers. */
export type EndpointStatus = 'UP' | 'DOWN' | 'UNKNOWN';

/** Where the endpoint stands on the ring: nodetool's N / J / L / M. */
export type EndpointRingState = 'NORMAL' | 'JOINING' | 'LEAVING' | 'MOVING';

/** An error answer (4xx / 5xx). `error` is a stable code; `message` says what to fix. */
export interface AdminErrorBody {
  readonly error: string;
  readonly message: string;
}

export interface OwnershipInfo {
  /** `owns` is effective ownership: the keyspace asked for, or every user keyspace replicated alike. */
  readonly effective: boolean;
  /** The keyspace whose replication the ownership follows, when effective. */
  readonly keyspace: string | null;
  /** nodetool's "Note: …" line when ownership is not effective. */
  readonly note: string | null;
}

export interface StatusEndpoint {
  /** The gossip endpoint, `ip:storage_port`. */
  readonly endpoint: string;
  /** The IP alone, as nodetool prints it without `--print-port`. */
  readonly address: string;
  readonly dataCenter: string;
  readonly rack: string;
  readonly hostId: string;
  readonly status: EndpointStatus;
  readonly state: EndpointRingState;
  /** Bytes on disk: this node's measured now, peers' as gossip LOAD; null when not known yet. */
  readonly loadBytes: number | null;
  readonly tokenCount: number;
  /** Effective ownership when `ownership.effective`, else primary ownership (nodetool prints "?"). */
  readonly owns: number | null;
}

export interface StatusResponse {
  readonly ownership: OwnershipInfo;
  /** Ring members (NORMAL, LEAVING) and joining endpoints, by data center then address. */
  readonly endpoints: readonly StatusEndpoint[];
}

export interface RingToken {
  readonly token: string;
  readonly endpoint: string;
}

export interface RingResponse extends StatusResponse {
  /** Every ring token (joining endpoints' bootstrap tokens included), ascending. */
  readonly tokens: readonly RingToken[];
}

export interface InfoResponse {
  readonly hostId: string;
  readonly endpoint: string;
  readonly gossipActive: boolean;
  readonly nativeTransportActive: boolean;
  readonly loadBytes: number;
  /** This start's gossip generation (seconds). */
  readonly generation: number;
  readonly uptimeSeconds: number;
  readonly heapUsedBytes: number;
  /** The V8 heap limit (nodetool's second heap figure, the JVM's max heap). */
  readonly heapMaxBytes: number;
  /** Memory outside the V8 heap: array buffers (memtable slabs, chunk cache). */
  readonly offHeapBytes: number;
  readonly dataCenter: string;
  readonly rack: string;
  readonly releaseVersion: string;
  readonly tokens: readonly string[];
}

export interface EndpointDetails {
  readonly host: string;
  readonly datacenter: string;
  readonly rack: string;
}

export interface DescribedRange {
  readonly startToken: string;
  readonly endToken: string;
  /** Replica IPs, primary first. */
  readonly endpoints: readonly string[];
  /** Their native (CQL) addresses. */
  readonly rpcEndpoints: readonly string[];
  readonly endpointDetails: readonly EndpointDetails[];
}

export interface DescribeRingResponse {
  readonly keyspace: string;
  readonly schemaVersion: string;
  /** One per ring token, ascending by end token. */
  readonly ranges: readonly DescribedRange[];
}

export interface Replica {
  readonly endpoint: string;
  readonly address: string;
  readonly hostId: string;
}

export interface GetEndpointsResponse {
  readonly keyspace: string;
  readonly table: string;
  readonly key: string;
  readonly token: string;
  /** Natural replicas of the key's token, primary first. */
  readonly endpoints: readonly Replica[];
}

export interface DescribeClusterResponse {
  readonly name: string;
  readonly snitch: string;
  readonly dynamicSnitch: boolean;
  readonly partitioner: string;
  /** Schema version → gossip endpoints (`ip:port`) holding it; UNREACHABLE → those gossip sees down. */
  readonly schemaVersions: Readonly<Record<string, readonly string[]>>;
  readonly stats: {
    readonly live: number;
    readonly joining: number;
    readonly moving: number;
    readonly leaving: number;
    readonly unreachable: number;
  };
  readonly dataCenters: readonly { readonly name: string; readonly nodes: number; readonly down: number }[];
  /** Release version → gossip endpoints (`ip:port`). */
  readonly releaseVersions: Readonly<Record<string, readonly string[]>>;
  readonly keyspaces: readonly {
    readonly name: string;
    readonly replication: Readonly<Record<string, string>>;
  }[];
}

export interface GossipStateEntry {
  readonly name: string;
  readonly version: number;
  readonly value: string;
}

export interface GossipEndpoint {
  readonly endpoint: string;
  readonly address: string;
  readonly generation: number;
  readonly heartbeat: number;
  readonly alive: boolean;
  /** In Cassandra's ApplicationState order. */
  readonly states: readonly GossipStateEntry[];
}

export interface GossipInfoResponse {
  readonly endpoints: readonly GossipEndpoint[];
}

/** Which tables a flush, compact or tablestats acts on (`keyspace` absent: every table). */
export interface TableSelection {
  readonly keyspace?: string;
  readonly tables?: readonly string[];
}

export interface TableOperationResponse {
  /** `keyspace.table` of every table acted on. */
  readonly tables: readonly string[];
}

export interface TableStats {
  readonly name: string;
  readonly sstableCount: number;
  readonly spaceUsedLiveBytes: number;
  readonly spaceUsedTotalBytes: number;
  readonly memtableDataBytes: number;
  /** Partitions in SSTables (a partition in several SSTables counts once per SSTable). */
  readonly partitionsEstimate: number;
}

export interface KeyspaceStats {
  readonly name: string;
  readonly tables: readonly TableStats[];
}

export interface TableStatsResponse {
  readonly totalTables: number;
  readonly keyspaces: readonly KeyspaceStats[];
}

export interface VersionResponse {
  readonly releaseVersion: string;
}

/** A fault rule as node/messaging/fault-filter.ts takes it (verbs by name, peers as `ip:port`). */
export interface FaultRuleBody {
  readonly verbs?: readonly string[];
  readonly peers?: readonly string[];
  readonly direction?: 'outbound' | 'inbound' | 'both';
  readonly action: 'drop' | 'delay';
  readonly delayMs?: number;
  readonly probability?: number;
}

export interface FaultsResponse {
  readonly rules: readonly { readonly id: number; readonly rule: FaultRuleBody }[];
}

export interface RouteListResponse {
  readonly routes: readonly { readonly method: string; readonly path: string; readonly summary: string }[];
}
