/** Gossip and failure detection, the pure core (see README.md). The node drives it over messaging. */
export * from './application-values.js';
export * from './digest-exchange.js';
export * from './endpoint-state.js';
export * from './failure-detector.js';
export * from './gossip-defaults.js';
export type * from './gossip-events.js';
export * from './gossip-messages.js';
export * from './gossip-targets.js';
export * from './gossiper.js';
export * from './schema-agreement.js';
