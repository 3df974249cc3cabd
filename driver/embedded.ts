/**
 * A Sibyl node inside this process, and clients connected to it: how an application embeds Sibyl
 * and how tests get a node cheaply. The node is the same code `sibyl node start` runs; clients
 * reach it over real TCP on its native port. The only file of driver/ that imports node/.
 */
import type { NodeConfig, NodeDeps, SibylNode } from '../node/index.js';
import { startNode as startSibylNode } from '../node/index.js';
import { Client } from './client.js';
import type { ClientOptions } from './client-options.js';

export type { NodeConfig } from '../node/index.js';

/** Client options for an embedded node: contact point and data center default to the node's. */
export type EmbeddedClientOptions = Partial<ClientOptions>;

export interface EmbeddedNode {
  /** The node itself (config, host id, tokens, query processor). */
  readonly node: SibylNode;
  readonly address: string;
  readonly port: number;
  /** `address:port`, ready for `contactPoints`. */
  readonly contactPoint: string;
  /** A connected client to this node (closed by `close()` if still open). */
  client(options?: EmbeddedClientOptions): Promise<Client>;
  /** Shuts down the clients made by `client()`, then drains and stops the node. */
  close(): Promise<void>;
}

/** Starts a node in this process; `nativePort: 0` picks a free port (see `port`). */
export async function startNode(config: NodeConfig, deps?: NodeDeps): Promise<EmbeddedNode> {
  const node = await startSibylNode(config, deps);
  const clients = new Set<Client>();
  const contactPoint = node.address.includes(':')
    ? `[${node.address}]:${node.port}`
    : `${node.address}:${node.port}`;
  return {
    node,
    address: node.address,
    port: node.port,
    contactPoint,
    async client(options = {}) {
      const client = new Client({
        contactPoints: [contactPoint],
        localDataCenter: node.config.dc,
        ...options,
      });
      clients.add(client);
      try {
        await client.connect();
      } catch (error) {
        clients.delete(client);
        await client.shutdown();
        throw error;
      }
      return client;
    },
    async close() {
      await Promise.all([...clients].map((c) => c.shutdown()));
      clients.clear();
      await node.close();
    },
  };
}
