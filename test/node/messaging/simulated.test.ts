/**
 * MessagingService on the SimulatedNetwork with a SimulatedScheduler: timeouts on virtual time,
 * the fault filter (drop and delay by verb, peer and direction), expired requests not executed,
 * bounded queues against a dead peer and against a peer that stops reading, partitions and heal,
 * and determinism: the same seed replays the same deliveries in the same order.
 */
import { describe, expect, it } from 'vitest';
import type { MutationPayload, ReadPayload } from '../../../node/messaging/index.js';
import {
  MessageTimeoutError,
  MessagingClosedError,
  MessagingQueueFullError,
  uniformLatency,
  Verb,
} from '../../../node/messaging/index.js';
import { hostIdFor, outcome, simulatedCluster } from './helpers.js';

/** Payloads of the right shape; messaging carries them without looking inside. */
const mutation = (bytes = 0): MutationPayload => ({
  tableId: 't',
  partition: new Uint8Array(bytes),
  durable: true,
});
const readPayload: ReadPayload = { tableId: 't', key: { token: 0n, key: new Uint8Array(0) } };

describe('timeouts on the simulated clock', () => {
  it('rejects a request after its verb timeout, not a millisecond before', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 1);
    const [a, b] = [nodes[0]!, nodes[1]!];
    b.registerHandler(Verb.MUTATION_REQ, () => new Promise(() => {})); // never answers
    const write = outcome(a.request(addresses[1]!, Verb.MUTATION_REQ, mutation()));
    const read = outcome(a.request(addresses[1]!, Verb.READ_REQ, readPayload, { timeoutMs: 300 }));
    b.registerHandler(Verb.READ_REQ, () => new Promise(() => {}));
    await scheduler.advance(299);
    expect(read.done).toBe(false);
    await scheduler.advance(1);
    expect(read.error).toBeInstanceOf(MessageTimeoutError);
    await scheduler.advance(1_699);
    expect(write.done).toBe(false);
    await scheduler.advance(1);
    expect(write.error).toMatchObject({ code: 'MESSAGE_TIMEOUT', verb: Verb.MUTATION_REQ, timeoutMs: 2_000 });
    expect(a.metrics.requestTimeouts).toBe(2);
    expect(a.pendingRequests).toBe(0);
  });

  it('answers in simulated time, with the sender identity attached', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 2, { latency: uniformLatency(3, 3) });
    const seen: unknown[] = [];
    nodes[1]!.registerHandler(Verb.GOSSIP_DIGEST_SYN, (message) => {
      seen.push([message.from, message.fromHostId, message.payload, message.expectsResponse]);
    });
    const start = scheduler.nowMs();
    const echo = outcome(nodes[0]!.request(addresses[1]!, Verb.ECHO_REQ, null));
    nodes[0]!.send(addresses[1]!, Verb.GOSSIP_DIGEST_SYN, { digests: [[hostIdFor(1), 5n, 7]] });
    await scheduler.runUntilIdle();
    expect(echo).toMatchObject({ done: true, result: null });
    expect(seen).toEqual([[addresses[0], hostIdFor(1), { digests: [[hostIdFor(1), 5n, 7]] }, false]]);
    // connect (3 ms) + request (3 ms) + response (3 ms)
    expect(scheduler.nowMs() - start).toBe(9);
  });

  it('lets a handler answer early with respond; the value it returns later is ignored', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 12);
    const [a, b] = [nodes[0]!, nodes[1]!];
    b.registerHandler(Verb.PAXOS_PREPARE_REQ, async (message) => {
      b.respond(message, 'promised');
      await new Promise((resolve) => scheduler.setTimeout(() => resolve(null), 50));
      return 'late';
    });
    const prepare = outcome(a.request(addresses[1]!, Verb.PAXOS_PREPARE_REQ, { ballot: 1n }));
    await scheduler.advance(100);
    expect(prepare.result).toBe('promised');
    expect(a.metrics.lateResponses).toBe(0);
  });

  it('fails pending requests with MESSAGING_CLOSED when the service closes', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 3);
    nodes[1]!.registerHandler(Verb.READ_REQ, () => new Promise(() => {}));
    const read = outcome(nodes[0]!.request(addresses[1]!, Verb.READ_REQ, readPayload));
    await scheduler.advance(50);
    await nodes[0]!.close();
    await scheduler.advance(1);
    expect(read.error).toBeInstanceOf(MessagingClosedError);
    expect(() => nodes[0]!.send(addresses[1]!, Verb.GOSSIP_SHUTDOWN, null)).toThrow(MessagingClosedError);
  });
});

describe('fault filter', () => {
  it('drops by verb and peer, outbound and inbound, until the rule is removed', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(3, 4);
    const [n1, n2, n3] = [nodes[0]!, nodes[1]!, nodes[2]!];
    for (const node of [n2, n3]) {
      node.registerHandler(Verb.MUTATION_REQ, () => 'applied');
      node.registerHandler(Verb.READ_REQ, () => 'row');
    }
    const outboundRule = n1.faultFilter.add({
      verbs: ['MUTATION_REQ'],
      peers: [addresses[1]!],
      direction: 'outbound',
      action: 'drop',
    });
    n3.faultFilter.add({
      verbs: [Verb.READ_REQ],
      peers: [addresses[0]!],
      direction: 'inbound',
      action: 'drop',
    });
    const results = {
      mutationTo2: outcome(n1.request(addresses[1]!, Verb.MUTATION_REQ, mutation())),
      mutationTo3: outcome(n1.request(addresses[2]!, Verb.MUTATION_REQ, mutation())),
      readTo2: outcome(n1.request(addresses[1]!, Verb.READ_REQ, readPayload)),
      readTo3: outcome(n1.request(addresses[2]!, Verb.READ_REQ, readPayload)),
      readFrom2To3: outcome(n2.request(addresses[2]!, Verb.READ_REQ, readPayload)),
    };
    await scheduler.advance(10_000);
    expect(results.mutationTo2.error).toBeInstanceOf(MessageTimeoutError);
    expect(results.mutationTo3.result).toBe('applied');
    expect(results.readTo2.result).toBe('row');
    expect(results.readTo3.error).toBeInstanceOf(MessageTimeoutError);
    expect(results.readFrom2To3.result).toBe('row');
    expect(n1.metrics.droppedByFilter).toBe(1);
    expect(n3.metrics.droppedByFilter).toBe(1);

    expect(n1.faultFilter.remove(outboundRule)).toBe(true);
    const healed = outcome(n1.request(addresses[1]!, Verb.MUTATION_REQ, mutation()));
    await scheduler.advance(100);
    expect(healed.result).toBe('applied');
  });

  it('drops responses too: the handler runs, the requester times out', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 5);
    let executed = 0;
    nodes[1]!.registerHandler(Verb.MUTATION_REQ, () => {
      executed++;
      return 'ok';
    });
    nodes[1]!.faultFilter.add({ verbs: ['MUTATION_RSP'], action: 'drop' });
    const write = outcome(nodes[0]!.request(addresses[1]!, Verb.MUTATION_REQ, mutation()));
    await scheduler.advance(2_000);
    expect(executed).toBe(1);
    expect(write.error).toBeInstanceOf(MessageTimeoutError);
  });

  it('delays by verb in either direction, by exactly the rule delay', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 6, { latency: uniformLatency(1, 1) });
    const [a, b] = [nodes[0]!, nodes[1]!];
    b.registerHandler(Verb.READ_REQ, () => 'row');
    await scheduler.runUntilIdle(); // nothing yet; connect on first use below
    const first = outcome(a.request(addresses[1]!, Verb.READ_REQ, readPayload));
    await scheduler.advance(10);
    expect(first.result).toBe('row');

    a.faultFilter.add({ verbs: ['READ_REQ'], direction: 'outbound', action: 'delay', delayMs: 300 });
    b.faultFilter.add({ verbs: ['READ_REQ'], direction: 'inbound', action: 'delay', delayMs: 200 });
    const start = scheduler.nowMs();
    const delayed = outcome(a.request(addresses[1]!, Verb.READ_REQ, readPayload));
    await scheduler.advance(501);
    expect(delayed.done).toBe(false);
    await scheduler.advance(1);
    expect(delayed.result).toBe('row');
    expect(scheduler.nowMs() - start).toBe(502); // 300 + 1 ms on the wire + 200 + 1 ms back
    expect(a.metrics.delayedByFilter + b.metrics.delayedByFilter).toBe(2);
  });

  it('does not execute a droppable request that arrives after its timeout', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(2, 7);
    let executed = 0;
    nodes[1]!.registerHandler(Verb.MUTATION_REQ, () => {
      executed++;
    });
    nodes[1]!.registerHandler(Verb.SCHEMA_PUSH_REQ, () => {
      executed++;
    });
    nodes[1]!.faultFilter.add({ direction: 'inbound', action: 'delay', delayMs: 12_000 });
    const write = outcome(nodes[0]!.request(addresses[1]!, Verb.MUTATION_REQ, mutation()));
    nodes[0]!.send(addresses[1]!, Verb.SCHEMA_PUSH_REQ, {});
    await scheduler.advance(20_000);
    expect(write.error).toBeInstanceOf(MessageTimeoutError);
    expect(nodes[1]!.metrics.droppedExpired).toBe(1);
    expect(executed).toBe(1); // the schema push is not droppable
  });
});

describe('bounded queues', () => {
  const limits = { maxFrameBytes: 8 * 1024, maxQueuedBytesPerPeer: 64 * 1024 };

  it('refuses messages for an unreachable peer past the queue limit, with a metric', async () => {
    const { scheduler, network, nodes, addresses } = await simulatedCluster(2, 8, {}, limits);
    network.crash(addresses[1]!);
    const payload = new Uint8Array(1_000);
    let accepted = 0;
    let refused: unknown;
    for (let index = 0; index < 1_000 && !refused; index++) {
      try {
        nodes[0]!.send(addresses[1]!, Verb.GOSSIP_DIGEST_SYN, payload);
        accepted++;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(MessagingQueueFullError);
    expect(refused).toMatchObject({ code: 'MESSAGING_QUEUE_FULL', limitBytes: 64 * 1024 });
    expect(accepted).toBeGreaterThan(50);
    expect(nodes[0]!.peerStatus(addresses[1]!).queuedBytes).toBeLessThanOrEqual(64 * 1024);
    await expect(
      nodes[0]!.request(addresses[1]!, Verb.READ_REQ, { ...readPayload, key: { token: 0n, key: payload } }),
    ).rejects.toMatchObject({
      code: 'MESSAGING_QUEUE_FULL',
    });
    expect(nodes[0]!.metrics.droppedQueueFull).toBe(2);
    await scheduler.advance(5_000);
    expect(nodes[0]!.metrics.connectionFailures).toBeGreaterThan(2); // backing off, not spinning
    expect(nodes[0]!.metrics.connectionFailures).toBeLessThan(20);
  });

  it('makes room by dropping queued messages that expired', async () => {
    const { scheduler, network, nodes, addresses } = await simulatedCluster(2, 9, {}, limits);
    network.crash(addresses[1]!);
    const payload = new Uint8Array(1_000);
    const fill = () => {
      for (;;) nodes[0]!.send(addresses[1]!, Verb.GOSSIP_DIGEST_SYN, payload);
    };
    expect(fill).toThrow(MessagingQueueFullError);
    await scheduler.advance(1_001); // gossip messages expire after 1 s
    expect(() => nodes[0]!.send(addresses[1]!, Verb.GOSSIP_DIGEST_SYN, payload)).not.toThrow();
    expect(nodes[0]!.metrics.droppedExpired).toBeGreaterThan(50);
  });

  it('holds a slow reader back: the responder stops reading, the sender queue fills and refuses', async () => {
    const { scheduler, nodes, addresses } = await simulatedCluster(
      2,
      10,
      { highWaterMarkBytes: 16 * 1024 },
      { ...limits, maxInFlightRequestsPerConnection: 4 },
    );
    let started = 0;
    nodes[1]!.registerHandler(Verb.MUTATION_REQ, () => {
      started++;
      return new Promise(() => {}); // a stuck replica
    });
    let refused: unknown;
    for (let tick = 0; tick < 200 && !refused; tick++) {
      try {
        for (let index = 0; index < 4; index++) {
          nodes[0]!
            .request(addresses[1]!, Verb.MUTATION_REQ, mutation(1_000), { timeoutMs: 60_000 })
            .catch(() => {});
        }
      } catch (error) {
        refused = error;
      }
      await scheduler.advance(5);
    }
    const status = nodes[0]!.peerStatus(addresses[1]!);
    expect(status.queuedBytes).toBeGreaterThan(32 * 1024);
    expect(status.queuedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(nodes[0]!.metrics.droppedQueueFull).toBeGreaterThan(0);
    expect(started).toBeLessThan(40); // a few chunks' worth reached handlers; the rest waits
  });
});

describe('simulated network', () => {
  it('partitions and heals: requests across the cut time out, then flow again', async () => {
    const { scheduler, network, nodes, addresses } = await simulatedCluster(
      4,
      11,
      {},
      {
        reconnectBaseDelayMs: 50,
        reconnectMaxDelayMs: 400,
      },
    );
    const [n1, n2, n3, n4] = addresses as [never, never, never, never];
    for (const node of nodes) node.registerHandler(Verb.READ_REQ, () => node.hostId);
    // n1 has a live connection to n3 before the cut, and none to n4.
    const warm = outcome(nodes[0]!.request(n3, Verb.READ_REQ, readPayload));
    await scheduler.advance(50);
    expect(warm.result).toBe(hostIdFor(3));

    network.partition([n1, n2], [n3, n4]);
    const across = outcome(nodes[0]!.request(n3, Verb.READ_REQ, readPayload));
    const acrossNew = outcome(nodes[0]!.request(n4, Verb.READ_REQ, readPayload, { timeoutMs: 20_000 }));
    const sameSide = outcome(nodes[0]!.request(n2, Verb.READ_REQ, readPayload));
    await scheduler.advance(5_000);
    expect(across.error).toBeInstanceOf(MessageTimeoutError);
    expect(sameSide.result).toBe(hostIdFor(2));
    expect(acrossNew.done).toBe(false);
    expect(nodes[0]!.metrics.connectionFailures).toBeGreaterThan(0);

    network.heal();
    const afterHeal = outcome(nodes[0]!.request(n3, Verb.READ_REQ, readPayload));
    await scheduler.advance(5_000);
    expect(afterHeal.result).toBe(hostIdFor(3));
    expect(acrossNew.result).toBe(hostIdFor(4)); // queued during the partition, sent on reconnect
  });

  it('replays identically for the same seed (delivery order, times, handler order)', async () => {
    const first = await chatter(42);
    const again = await chatter(42);
    const other = await chatter(43);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.received.length).toBeGreaterThan(100);
  });

  it('reorders messages when asked, and keeps each connection FIFO otherwise', async () => {
    const fifo = await chatter(7, false);
    const reordered = await chatter(7, true);
    const inversions = (run: { received: string[] }) =>
      run.received.filter((entry, index) => {
        const previous = run.received[index - 1];
        if (!previous) return false;
        const [from, to, sequence] = entry.split(' ');
        const [pFrom, pTo, pSequence] = previous.split(' ');
        return from === pFrom && to === pTo && Number(sequence) < Number(pSequence);
      }).length;
    expect(inversions(fifo)).toBe(0);
    expect(inversions(reordered)).toBeGreaterThan(0);
  });
});

/** Five nodes exchanging numbered one-way messages over a lossy, jittery network. */
async function chatter(seed: number, reorder = true): Promise<{ deliveries: unknown[]; received: string[] }> {
  const { scheduler, network, nodes, addresses } = await simulatedCluster(5, seed, {
    latency: uniformLatency(1, 30),
    dropProbability: 0.05,
    reorder,
    record: true,
  });
  const received: string[] = [];
  nodes.forEach((node, index) => {
    node.registerHandler(Verb.GOSSIP_DIGEST_SYN, (message) => {
      received.push(`${message.from} ${addresses[index]} ${message.payload as number} ${scheduler.nowMs()}`);
    });
  });
  const sequence = new Map<string, number>();
  for (let round = 0; round < 40; round++) {
    for (const [index, node] of nodes.entries()) {
      const target = addresses[(index + 1 + ((round * 7 + index) % 4)) % 5]!;
      const key = `${index}>${target}`;
      const next = (sequence.get(key) ?? 0) + 1;
      sequence.set(key, next);
      node.send(target, Verb.GOSSIP_DIGEST_SYN, next);
    }
    await scheduler.advance(3);
  }
  await scheduler.advance(5_000);
  for (const node of nodes) await node.close();
  return {
    deliveries: network.deliveries,
    received: received.map((line) => line.split(' ').slice(0, 3).join(' ')),
  };
}
