/** The verb table (STYLE.md §5): complete, consistent, and its persisted ids pinned. */
import { describe, expect, it } from 'vitest';
import { messagingOptions } from '../../../common/limits.js';
import { allVerbs, specOf, timeoutMsOf, Verb, verbName } from '../../../node/messaging/index.js';

describe('verb table', () => {
  it('pins the wire ids (never renumber)', () => {
    expect(Verb).toMatchObject({
      HANDSHAKE: 1,
      FAILURE_RSP: 2,
      ECHO_REQ: 3,
      MUTATION_REQ: 10,
      MUTATION_RSP: 11,
      HINT_REQ: 12,
      READ_REQ: 20,
      READ_DIGEST_REQ: 22,
      RANGE_REQ: 24,
      GOSSIP_DIGEST_SYN: 30,
      GOSSIP_SHUTDOWN: 33,
      SCHEMA_PULL_REQ: 40,
      SCHEMA_PUSH_REQ: 42,
      PAXOS_PREPARE_REQ: 50,
      REPAIR_PREPARE_REQ: 60,
      STREAM_INIT_REQ: 70,
    });
    expect(new Set(Object.values(Verb)).size).toBe(Object.keys(Verb).length);
    expect(Math.max(...Object.values(Verb))).toBeLessThan(0x10000); // u16 on the wire
  });

  it('gives every request a response verb, named after it, and responses none', () => {
    for (const spec of allVerbs()) {
      if (spec.response !== undefined) {
        expect(spec.name.endsWith('_REQ')).toBe(true);
        expect(verbName(spec.response)).toBe(spec.name.replace(/_REQ$/, '_RSP'));
        expect(specOf(spec.response).isResponse).toBe(true);
      }
      if (spec.isResponse) expect(spec.response).toBeUndefined();
    }
    expect(specOf(Verb.SCHEMA_PUSH_REQ).response).toBeUndefined();
    expect(specOf(Verb.GOSSIP_DIGEST_SYN).response).toBeUndefined();
  });

  it("uses Cassandra's default timeouts per class", () => {
    const options = messagingOptions();
    const timeout = (verb: keyof typeof Verb) => timeoutMsOf(specOf(Verb[verb]), options);
    expect(timeout('MUTATION_REQ')).toBe(2_000);
    expect(timeout('READ_REQ')).toBe(5_000);
    expect(timeout('READ_DIGEST_REQ')).toBe(5_000);
    expect(timeout('RANGE_REQ')).toBe(10_000);
    expect(timeout('GOSSIP_DIGEST_SYN')).toBe(1_000);
    expect(timeout('TRUNCATE_REQ')).toBe(60_000);
    expect(timeout('SCHEMA_PULL_REQ')).toBe(10_000);
    expect(timeoutMsOf(specOf(Verb.READ_REQ), messagingOptions({ readRequestTimeoutMs: 50 }))).toBe(50);
  });

  it('checks the relations between messaging limits', () => {
    expect(() => messagingOptions({ maxQueuedBytesPerPeer: 1024, maxFrameBytes: 4096 })).toThrow(
      /at least one frame/,
    );
    expect(() => messagingOptions({ reconnectMaxDelayMs: 1, reconnectBaseDelayMs: 10 })).toThrow(/reconnect/);
  });
});
