/**
 * The ring as gossip describes it: each endpoint's HOST_ID, DC, RACK, STATUS and TOKENS folded into
 * an immutable `TokenMetadata` (Cassandra's StorageService.onChange → handleState*). Pure: the
 * cluster service calls `ringWithEndpoint` on every relevant state change and swaps the result in.
 */
import { SibylError } from '../../common/errors.js';
import type { HostId } from '../../ring/endpoint.js';
import { parseHostId } from '../../ring/endpoint.js';
import type { Token } from '../../ring/token.js';
import { TokenMetadata } from '../../ring/token-metadata.js';
import { parseTokens, statusKind } from '../gossip/application-values.js';
import type { ApplicationStateName, EndpointState } from '../gossip/endpoint-state.js';

/** The application states that move an endpoint on the ring. */
export const RING_STATES: ReadonlySet<ApplicationStateName> = new Set([
  'HOST_ID',
  'DC',
  'RACK',
  'STATUS',
  'TOKENS',
]);

/**
 * Statuses whose endpoint owns its tokens: a node shut down cleanly still owns its ranges; one
 * leaving (decommission) or being removed (removenode, `removing`) owns them until it is gone, as a
 * leaving endpoint whose ranges are pending for their next owners (Cassandra's handleStateLeaving
 * and handleStateRemoving).
 */
const OWNING: ReadonlySet<string> = new Set(['NORMAL', 'shutdown', 'LEAVING', 'removing']);
const LEAVING: ReadonlySet<string> = new Set(['LEAVING', 'removing']);
/** Statuses after which an endpoint is no longer on the ring. */
const GONE: ReadonlySet<string> = new Set(['LEFT', 'removed', 'hibernate']);

export function initialRing(
  hostId: string,
  address: string,
  location: { readonly dataCenter: string; readonly rack: string },
  tokens: readonly Token[],
): TokenMetadata {
  const id = parseHostId(hostId);
  const registered = TokenMetadata.empty().withEndpoint({ hostId: id, address, ...location });
  // A node that has not joined yet is registered without tokens; it gets them when it joins.
  return tokens.length === 0 ? registered : registered.updateNormalTokens(id, tokens);
}

/**
 * The ring after what gossip says of `address`: registered once its HOST_ID is known, given its
 * tokens when NORMAL (or bootstrap tokens when BOOT; leaving when LEAVING or removing), removed
 * when gone (LEFT, removed). An endpoint that came back
 * with another host id at the same address (a replaced node) replaces the old entry. A malformed
 * value from a peer leaves the ring as it was and is reported as a SibylError.
 */
export function ringWithEndpoint(
  ring: TokenMetadata,
  address: string,
  state: EndpointState | undefined,
): TokenMetadata {
  const hostText = state?.states.HOST_ID?.value;
  const previous = ring.endpointByAddress(address);
  if (state === undefined || hostText === undefined) {
    return previous && state === undefined ? ring.removeEndpoint(previous.hostId) : ring;
  }
  const hostId = parseHostId(hostText);
  let next = previous && previous.hostId !== hostId ? ring.removeEndpoint(previous.hostId) : ring;
  const status = statusKind(state);
  if (status !== undefined && GONE.has(status)) {
    return next.endpoint(hostId) ? next.removeEndpoint(hostId) : next;
  }
  next = next.withEndpoint({
    hostId,
    address,
    dataCenter: state.states.DC?.value ?? 'unknown',
    rack: state.states.RACK?.value ?? 'unknown',
  });
  const tokens = tokensOf(state);
  if (tokens.length === 0 || status === undefined) return next;
  if (OWNING.has(status)) {
    next = next.updateNormalTokens(hostId, tokens);
    if (LEAVING.has(status) && !next.isLeaving(hostId)) next = next.addLeavingEndpoint(hostId);
    return next;
  }
  if (status === 'BOOT') return next.addBootstrapTokens(hostId, tokens);
  return next;
}

function tokensOf(state: EndpointState): Token[] {
  const value = state.states.TOKENS?.value;
  if (value === undefined) return [];
  try {
    return parseTokens(value);
  } catch (error) {
    throw new SibylError('INVALID_GOSSIP_STATE', `invalid TOKENS '${value.slice(0, 80)}'`, { cause: error });
  }
}

/** Host ids owning tokens: a change in this set is a topology change for clients. */
export function members(ring: TokenMetadata): Set<HostId> {
  return new Set(ring.normalEndpoints());
}
