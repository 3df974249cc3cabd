/**
 * The test-only fault filter of internode messaging over HTTP (DESIGN.md: "reachable through the
 * admin endpoint, so tests can partition a live cluster"): list, add a drop or delay rule by verb,
 * peer and direction, remove one, clear all. Rules act on this node's messaging only; partitioning
 * two nodes takes a rule on each side (or `direction: both` on one, which drops both ways there).
 */
import { SibylError } from '../../common/errors.js';
import type { FaultFilter, FaultRule } from '../messaging/fault-filter.js';
import { toPeerAddress } from '../messaging/transport.js';
import type { AdminRoute } from './admin-router.js';
import { badRequest, notFound } from './admin-router.js';
import type { FaultRuleBody, FaultsResponse } from './admin-types.js';

const RULE_FIELDS = new Set(['verbs', 'peers', 'direction', 'action', 'delayMs', 'probability']);

/** `defaultPeerPort`: the storage port a peer written without one is taken to use (ours). */
export function faultRoutes(filter: FaultFilter, defaultPeerPort: number): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/faults',
      summary: 'the fault filter rules of internode messaging (test only)',
      handle: (): FaultsResponse => ({ rules: filter.list() as FaultsResponse['rules'] }),
    },
    {
      method: 'POST',
      path: '/faults',
      summary: 'add a rule: body {action: drop|delay, verbs?, peers?, direction?, delayMs?, probability?}',
      handle: ({ body }) => {
        const rule = parseFaultRule(body, defaultPeerPort);
        try {
          return { id: filter.add(rule), rule };
        } catch (error) {
          if (error instanceof SibylError && error.code === 'INVALID_FAULT_RULE')
            throw badRequest(error.message, error.code);
          throw error;
        }
      },
    },
    {
      method: 'DELETE',
      path: '/faults',
      summary: 'remove every rule',
      handle: () => {
        const cleared = filter.list().length;
        filter.clear();
        return { cleared };
      },
    },
    {
      method: 'DELETE',
      path: '/faults/:id',
      summary: 'remove one rule by id',
      handle: ({ params }) => {
        const id = Number(params.id);
        if (!Number.isSafeInteger(id)) throw badRequest(`rule id must be an integer, not '${params.id}'`);
        if (!filter.remove(id)) throw notFound(`no fault rule ${id}`, 'UNKNOWN_FAULT_RULE');
        return { removed: id };
      },
    },
  ];
}

/** Checks the shape of a rule (values are checked by the filter); peers without a port get ours. */
export function parseFaultRule(body: unknown, defaultPeerPort: number): FaultRule {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('expected a JSON fault rule such as {"action": "drop", "verbs": ["MUTATION_REQ"]}');
  const rule = body as Record<string, unknown>;
  const unknown = Object.keys(rule).filter((key) => !RULE_FIELDS.has(key));
  if (unknown.length > 0)
    throw badRequest(`unknown field(s) ${unknown.join(', ')} in fault rule`, 'INVALID_FAULT_RULE');
  const { verbs, peers, direction, action, delayMs, probability } = rule as Partial<
    Record<keyof FaultRuleBody, unknown>
  >;
  if (action !== 'drop' && action !== 'delay')
    throw badRequest(
      `invalid fault rule: action must be drop or delay, not ${JSON.stringify(action)}`,
      'INVALID_FAULT_RULE',
    );
  if (verbs !== undefined && !isListOf(verbs, (v) => typeof v === 'string' || typeof v === 'number'))
    throw badRequest('invalid fault rule: verbs must be an array of verb names', 'INVALID_FAULT_RULE');
  if (peers !== undefined && !isListOf(peers, (p) => typeof p === 'string'))
    throw badRequest(
      'invalid fault rule: peers must be an array of addresses (ip or ip:port)',
      'INVALID_FAULT_RULE',
    );
  if (direction !== undefined && direction !== 'outbound' && direction !== 'inbound' && direction !== 'both')
    throw badRequest('invalid fault rule: direction must be outbound, inbound or both', 'INVALID_FAULT_RULE');
  for (const [name, value] of [
    ['delayMs', delayMs],
    ['probability', probability],
  ] as const) {
    if (value !== undefined && typeof value !== 'number')
      throw badRequest(`invalid fault rule: ${name} must be a number`, 'INVALID_FAULT_RULE');
  }
  return {
    action,
    ...(verbs === undefined ? {} : { verbs: verbs as FaultRule['verbs'] }),
    ...(peers === undefined
      ? {}
      : { peers: (peers as string[]).map((p) => peerAddress(p, defaultPeerPort)) }),
    ...(direction === undefined ? {} : { direction }),
    ...(delayMs === undefined ? {} : { delayMs: delayMs as number }),
    ...(probability === undefined ? {} : { probability: probability as number }),
  };
}

function isListOf(value: unknown, check: (item: unknown) => boolean): boolean {
  return Array.isArray(value) && value.every(check);
}

function peerAddress(text: string, defaultPort: number): string {
  try {
    return toPeerAddress(text, defaultPort);
  } catch (error) {
    if (error instanceof SibylError)
      throw badRequest(`invalid fault rule: ${error.message}`, 'INVALID_FAULT_RULE');
    throw error;
  }
}
