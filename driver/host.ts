/** A node the driver knows of, from system.local / system.peers, and whether it is usable. */
import type { Token } from '../ring/token.js';
import { type Endpoint, endpointKey } from './connection.js';

export interface HostInfo {
  readonly dataCenter: string;
  readonly rack: string;
  readonly tokens: readonly Token[];
  readonly hostId: string | undefined;
  readonly releaseVersion: string | undefined;
}

export class Host {
  readonly key: string;
  /** False after its connections failed (until a reconnection succeeds) or a DOWN event. */
  up = true;

  constructor(
    readonly endpoint: Endpoint,
    public info: HostInfo,
  ) {
    this.key = endpointKey(endpoint);
  }

  get dataCenter(): string {
    return this.info.dataCenter;
  }
}
