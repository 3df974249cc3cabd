/**
 * The test-only fault filter (DESIGN.md, Messaging): rules that drop or delay messages by verb,
 * peer and direction, so tests (in process, or through the admin endpoint's /faults) can partition
 * or slow a live cluster without touching the network. Rules are plain data; the first rule that
 * matches a message decides its fate.
 */
import { SibylError } from '../../common/errors.js';
import type { RandomSource } from '../sim/random.js';
import type { PeerAddress } from './transport.js';
import type { VerbName } from './verbs.js';
import { Verb, verbSpec } from './verbs.js';

export type FaultDirection = 'outbound' | 'inbound' | 'both';

export interface FaultRule {
  /** Verbs affected, by id or name; absent: every verb. */
  readonly verbs?: readonly (number | VerbName)[];
  /** Peers affected (the other end of the message); absent: every peer. */
  readonly peers?: readonly string[];
  /** Default 'both'. Outbound rules act before a message is queued, inbound ones before its handler. */
  readonly direction?: FaultDirection;
  readonly action: 'drop' | 'delay';
  /** For 'delay'. */
  readonly delayMs?: number;
  /** Chance in [0, 1] that a matching message is affected (the injected random source draws); default 1. */
  readonly probability?: number;
}

export type FaultDecision =
  | { readonly action: 'pass' }
  | { readonly action: 'drop' }
  | { readonly action: 'delay'; readonly delayMs: number };

const PASS: FaultDecision = { action: 'pass' };
const DROP: FaultDecision = { action: 'drop' };

interface CompiledRule {
  readonly id: number;
  readonly rule: FaultRule;
  readonly verbs: ReadonlySet<number> | undefined;
  readonly peers: ReadonlySet<string> | undefined;
  readonly decision: FaultDecision;
}

export class FaultFilter {
  private rules: CompiledRule[] = [];
  private nextId = 1;

  constructor(private readonly random: RandomSource) {}

  /** Adds a rule after the existing ones; returns its id for `remove`. */
  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules = [...this.rules, compile(id, rule)];
    return id;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((compiled) => compiled.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): { id: number; rule: FaultRule }[] {
    return this.rules.map(({ id, rule }) => ({ id, rule }));
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** What to do with a message of `verb` exchanged with `peer` in `direction`. */
  decide(direction: 'outbound' | 'inbound', verb: number, peer: PeerAddress): FaultDecision {
    for (const compiled of this.rules) {
      const wanted = compiled.rule.direction ?? 'both';
      if (wanted !== 'both' && wanted !== direction) continue;
      if (compiled.verbs && !compiled.verbs.has(verb)) continue;
      if (compiled.peers && !compiled.peers.has(peer)) continue;
      const probability = compiled.rule.probability ?? 1;
      if (probability < 1 && this.random.next() >= probability) continue;
      return compiled.decision;
    }
    return PASS;
  }
}

function compile(id: number, rule: FaultRule): CompiledRule {
  const verbs = rule.verbs?.map((verb) => {
    const verbId = typeof verb === 'number' ? verb : Verb[verb];
    if (verbId === undefined || !verbSpec(verbId)) throw invalid(`unknown verb ${String(verb)}`);
    return verbId;
  });
  if (rule.action !== 'drop' && rule.action !== 'delay')
    throw invalid(`unknown action ${String(rule.action)}`);
  const delayMs = rule.delayMs ?? 0;
  if (rule.action === 'delay' && !(delayMs >= 0 && Number.isFinite(delayMs)))
    throw invalid('delayMs must be >= 0');
  const probability = rule.probability ?? 1;
  if (!(probability >= 0 && probability <= 1)) throw invalid('probability must be within [0, 1]');
  return {
    id,
    rule,
    verbs: verbs ? new Set(verbs) : undefined,
    peers: rule.peers ? new Set(rule.peers) : undefined,
    decision: rule.action === 'drop' ? DROP : { action: 'delay', delayMs },
  };
}

function invalid(detail: string): SibylError {
  return new SibylError('INVALID_FAULT_RULE', `invalid fault rule: ${detail}`);
}
