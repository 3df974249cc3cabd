/**
 * The tokens of a node joining the ring for the first time (Cassandra's
 * BootStrapper.getBootstrapTokens): initial_token when set, else `num_tokens` tokens from the
 * balanced allocator (ring/token-allocation.ts) for `allocate_tokens_for_local_replication_factor`
 * replicas in the node's data center; the first node of a data center gets evenly spaced tokens.
 * Pure: the ring and the random source are given.
 */
import { SibylError } from '../../common/errors.js';
import type { EndpointInfo } from '../../ring/endpoint.js';
import { NetworkTopologyStrategy } from '../../ring/replication-strategy.js';
import type { Token } from '../../ring/token.js';
import { allocateTokens, type TokenRandomSource } from '../../ring/token-allocation.js';
import type { TokenMetadata } from '../../ring/token-metadata.js';

export interface TokenChoice {
  readonly ring: TokenMetadata;
  readonly endpoint: EndpointInfo;
  readonly numTokens: number;
  /** initial_token, parsed; empty to allocate. */
  readonly initialTokens: readonly Token[];
  readonly localReplicationFactor: number;
  readonly random: TokenRandomSource;
}

export function chooseTokens(choice: TokenChoice): { tokens: Token[]; how: 'initial_token' | 'allocated' } {
  const { ring, endpoint } = choice;
  if (choice.initialTokens.length > 0) {
    for (const token of choice.initialTokens) {
      const owner = ring.ownerOf(token) ?? ring.bootstrapTokens.get(token);
      if (owner !== undefined && owner !== endpoint.hostId)
        throw new SibylError(
          'TOKEN_COLLISION',
          `Bootstrapping to existing token ${token} is not allowed (decommission/removenode the old node first).`,
        );
    }
    return { tokens: [...choice.initialTokens], how: 'initial_token' };
  }
  const strategy = new NetworkTopologyStrategy(
    'system',
    new Map([[endpoint.dataCenter, choice.localReplicationFactor]]),
  );
  const tokens = allocateTokens({
    metadata: ring.onlyTokenMap(),
    endpoint,
    numTokens: choice.numTokens,
    random: choice.random,
    strategy,
  });
  return { tokens, how: 'allocated' };
}
