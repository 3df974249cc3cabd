import { SibylError } from '../common/errors.js';
import { nodeDefaults } from '../common/limits.js';
import type { EndpointLocation, HostId } from './endpoint.js';

/**
 * Where endpoints sit, as Cassandra's GossipingPropertyFileSnitch: this node's data center and rack
 * come from its configuration (cassandra-rackdc.properties, or `--dc/--rack`), the others' from what
 * they gossip (DC, RACK). Immutable: `withPeer` returns a new snitch. No file is read here; the
 * caller passes the text or the values.
 */
export interface SnitchConfig {
  readonly dataCenter: string;
  readonly rack: string;
  /** Appended to the data center name (GossipingPropertyFileSnitch's `dc_suffix`). */
  readonly dataCenterSuffix?: string;
  /** `prefer_local`: talk to peers in the same data center over their local address (kept for node/). */
  readonly preferLocal?: boolean;
}

/** The location a config gives, checked: names are trimmed and may not be empty. */
export function locationFromConfig(config: SnitchConfig): EndpointLocation {
  const dataCenter = `${config.dataCenter.trim()}${config.dataCenterSuffix?.trim() ?? ''}`;
  const rack = config.rack.trim();
  if (dataCenter === '') throw new SibylError('CONFIG_ERROR', 'The data center name (dc) may not be empty');
  if (rack === '') throw new SibylError('CONFIG_ERROR', 'The rack name (rack) may not be empty');
  return { dataCenter, rack };
}

/**
 * Reads cassandra-rackdc.properties text: `dc`, `rack`, `dc_suffix`, `prefer_local`; `#` and `!`
 * start comments; `=` or `:` separates. Missing names default to Sibyl's defaults (datacenter1,
 * rack1), as a node started without them.
 */
export function parseRackDcProperties(text: string): SnitchConfig {
  const values = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const separator = line.search(/[=:]/);
    if (separator < 0) throw new SibylError('CONFIG_ERROR', `Bad line in rack/dc properties: '${line}'`);
    values.set(line.slice(0, separator).trim(), line.slice(separator + 1).trim());
  }
  const suffix = values.get('dc_suffix');
  return {
    dataCenter: values.get('dc') ?? nodeDefaults.dataCenter,
    rack: values.get('rack') ?? nodeDefaults.rack,
    ...(suffix !== undefined ? { dataCenterSuffix: suffix } : {}),
    preferLocal: values.get('prefer_local')?.toLowerCase() === 'true',
  };
}

/** Proximity classes, nearest first. */
const SELF = 0;
const SAME_RACK = 1;
const SAME_DATA_CENTER = 2;
const OTHER_DATA_CENTER = 3;
const UNKNOWN = 4;

export class Snitch {
  readonly localLocation: EndpointLocation;
  readonly preferLocal: boolean;

  constructor(
    readonly localHostId: HostId,
    config: SnitchConfig,
    private readonly peers: ReadonlyMap<HostId, EndpointLocation> = new Map(),
  ) {
    this.localLocation = locationFromConfig(config);
    this.preferLocal = config.preferLocal ?? false;
  }

  get localDataCenter(): string {
    return this.localLocation.dataCenter;
  }

  get localRack(): string {
    return this.localLocation.rack;
  }

  /** Records what a peer gossiped (DC, RACK). */
  withPeer(hostId: HostId, location: EndpointLocation): Snitch {
    const peers = new Map(this.peers);
    peers.set(hostId, { dataCenter: location.dataCenter, rack: location.rack });
    return new Snitch(this.localHostId, { ...this.localLocation, preferLocal: this.preferLocal }, peers);
  }

  withoutPeer(hostId: HostId): Snitch {
    const peers = new Map(this.peers);
    peers.delete(hostId);
    return new Snitch(this.localHostId, { ...this.localLocation, preferLocal: this.preferLocal }, peers);
  }

  /** Undefined for a peer that has not gossiped its location yet. */
  locationOf(hostId: HostId): EndpointLocation | undefined {
    return hostId === this.localHostId ? this.localLocation : this.peers.get(hostId);
  }

  isInLocalDataCenter(hostId: HostId): boolean {
    return this.locationOf(hostId)?.dataCenter === this.localDataCenter;
  }

  /**
   * `endpoints` nearest first, for the coordinator choosing whom to read from: this node, then its
   * rack, then its data center, then other data centers, then endpoints of unknown location. Stable,
   * so endpoints equally near keep their order (replica order, primary first).
   */
  sortByProximity(endpoints: readonly HostId[]): HostId[] {
    return endpoints
      .map((endpoint, index) => ({ endpoint, index, rank: this.proximity(endpoint) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ endpoint }) => endpoint);
  }

  private proximity(endpoint: HostId): number {
    if (endpoint === this.localHostId) return SELF;
    const location = this.peers.get(endpoint);
    if (location === undefined) return UNKNOWN;
    if (location.dataCenter !== this.localDataCenter) return OTHER_DATA_CENTER;
    return location.rack === this.localRack ? SAME_RACK : SAME_DATA_CENTER;
  }
}
