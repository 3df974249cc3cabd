/**
 * What this node tells the cluster about itself: its application states at gossip start (STATUS
 * NORMAL with its tokens and TOKENS for a node that has joined — none yet for one about to
 * bootstrap —, HOST_ID, DC, RACK, SCHEMA, RELEASE_VERSION, the native address and port clients
 * use, RPC_READY, LOAD) and the LOAD figure (bytes in the data directory, as Cassandra's
 * LoadBroadcaster reports them).
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHostId } from '../../ring/endpoint.js';
import { parseToken } from '../../ring/token.js';
import type { ResolvedNodeConfig } from '../config.js';
import { applicationValue, formatTokens, statusValue } from '../gossip/application-values.js';
import type { ApplicationStateName } from '../gossip/endpoint-state.js';
import type { NodeIdentity } from '../local-info.js';
import { RELEASE_VERSION } from '../local-info.js';

export interface LocalStateInput {
  readonly config: ResolvedNodeConfig;
  readonly identity: NodeIdentity;
  readonly schemaVersion: string;
  /** The native server's bound port (the configured one may be 0). */
  readonly nativePort: number;
  readonly loadBytes: number;
  /** NORMAL with the identity's tokens; false while the node joins (bootstrap announces BOOT later). */
  readonly joined: boolean;
  /** Whether the native server serves clients yet (it starts once the node has joined). */
  readonly rpcReady: boolean;
}

export type ApplicationStates = Partial<Record<ApplicationStateName, string>>;

/** A node that has joined before holds its tokens: it is NORMAL at once. */
export function localApplicationStates(input: LocalStateInput): ApplicationStates {
  const { config, identity } = input;
  const tokens = identity.tokens.map(parseToken);
  const nativeAddress = config.broadcastRpcAddress;
  const membership: ApplicationStates =
    input.joined && tokens.length > 0
      ? { STATUS: statusValue.normal(tokens), TOKENS: formatTokens(tokens) }
      : {};
  return {
    ...membership,
    HOST_ID: applicationValue.hostId(parseHostId(identity.hostId)),
    DC: config.dc,
    RACK: config.rack,
    SCHEMA: input.schemaVersion,
    RELEASE_VERSION,
    NATIVE_ADDRESS: nativeAddress,
    NATIVE_ADDRESS_AND_PORT: applicationValue.nativeAddressAndPort(nativeAddress, input.nativePort),
    RPC_READY: applicationValue.rpcReady(input.rpcReady),
    LOAD: applicationValue.load(input.loadBytes),
  };
}

/** Bytes of the files under `dir` (depth-bounded: the data directory is a few levels deep). */
export async function directoryBytes(dir: string, depth = 6): Promise<number> {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // a directory removed meanwhile (a dropped table) holds nothing
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth > 0) total += await directoryBytes(path, depth - 1);
    } else if (entry.isFile()) {
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
    }
  }
  return total;
}
