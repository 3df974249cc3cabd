/** One running Sibyl node (see README.md): start it with `startNode`, stop it with `close()`. */

export type { ClusterView } from './cluster/cluster-service.js';
export type { NativeTransportOptions, NodeConfig, ResolvedNodeConfig } from './config.js';
export { loadConfigFile, NodeConfigError, parseConfigYaml, resolveConfig } from './config.js';
export {
  CQL_VERSION,
  NATIVE_PROTOCOL_VERSION,
  PARTITIONER,
  RELEASE_VERSION,
} from './local-info.js';
export type { NodeDeps, SibylNode } from './sibyl-node.js';
export { startNode } from './sibyl-node.js';
