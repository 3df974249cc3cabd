/**
 * `/metrics` in Prometheus text format (prom-client): one registry per node, so several nodes in one
 * process (tests, the embedded driver) never mix their figures. Every value is read when scraped
 * from the part that owns it (messaging counters, the native server, the storage engine, gossip);
 * the event-loop delay (DESIGN.md: "measured and exported") comes from `monitorEventLoopDelay`,
 * reported per completed window of `EVENT_LOOP_WINDOW_MS` so a spike is not averaged away.
 */
import type { IntervalHistogram } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Registry } from 'prom-client';
import type { MessagingMetrics } from '../messaging/metrics.js';
import type { AdminContext } from './admin-context.js';
import type { AdminRoute } from './admin-router.js';
import { TextReply } from './admin-router.js';

/** Event-loop delay percentiles are those of the last complete window of this length. */
export const EVENT_LOOP_WINDOW_MS = 10_000;

const NS_PER_SECOND = 1e9;

/**
 * The histogram's sampling interval. It records the time between samples, this interval included,
 * so the interval is subtracted: an idle loop reports a delay near 0, not near 10 ms.
 */
const RESOLUTION_MS = 10;

/** Messaging counters → metric name and help (all cumulative since the node started). */
const MESSAGING_COUNTERS: readonly [keyof MessagingMetrics, string, string][] = [
  ['messagesSent', 'sibyl_messaging_messages_sent_total', 'Internode frames handed to transports'],
  ['bytesSent', 'sibyl_messaging_bytes_sent_total', 'Internode bytes handed to transports'],
  [
    'transportWrites',
    'sibyl_messaging_transport_writes_total',
    'Transport writes (frames / writes = coalescing)',
  ],
  ['messagesReceived', 'sibyl_messaging_messages_received_total', 'Internode frames received'],
  ['bytesReceived', 'sibyl_messaging_bytes_received_total', 'Internode bytes received'],
  ['delayedByFilter', 'sibyl_messaging_delayed_by_filter_total', 'Messages delayed by the fault filter'],
  [
    'requestTimeouts',
    'sibyl_messaging_request_timeouts_total',
    'Requests of this node that got no response in time',
  ],
  [
    'lateResponses',
    'sibyl_messaging_late_responses_total',
    'Responses that came after their request timed out',
  ],
  ['failureResponsesSent', 'sibyl_messaging_failure_responses_sent_total', 'FAILURE_RSP sent by handlers'],
  ['connectionAttempts', 'sibyl_messaging_connection_attempts_total', 'Outbound connection attempts'],
  [
    'connectionFailures',
    'sibyl_messaging_connection_failures_total',
    'Outbound connection attempts that failed',
  ],
  [
    'malformedFrames',
    'sibyl_messaging_malformed_frames_total',
    'Connections closed for a malformed or oversized frame',
  ],
];

/** Dropped messages by cause (one counter, label `cause`). */
const DROP_CAUSES: readonly [keyof MessagingMetrics, string][] = [
  ['droppedQueueFull', 'queue_full'],
  ['droppedByFilter', 'fault_filter'],
  ['droppedExpired', 'expired'],
];

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly eventLoop: IntervalHistogram;
  private readonly windowTimer: NodeJS.Timeout;
  private lastWindow: { p50: number; p99: number; max: number } | undefined;

  constructor(private readonly ctx: AdminContext) {
    this.eventLoop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.eventLoop.enable();
    this.windowTimer = setInterval(() => this.rollWindow(), EVENT_LOOP_WINDOW_MS);
    this.windowTimer.unref();
    this.registerMessaging();
    this.registerNative();
    this.registerEventLoop();
    this.registerStorage();
    this.registerCluster();
    this.registerProcess();
  }

  /** GET /metrics. */
  route(): AdminRoute {
    return {
      method: 'GET',
      path: '/metrics',
      summary: 'Prometheus text format: messaging, native, event loop, storage, gossip',
      handle: async () => new TextReply(this.registry.contentType, await this.registry.metrics()),
    };
  }

  /**
   * Exports the counters of a part that keeps them as a plain object (the coordinator, hints, the
   * batchlog), read at each scrape: each numeric field becomes `sibyl_<subsystem>_<field>_total`
   * (field in snake case), each record of numbers one such counter with a `reason` label.
   */
  exportCounters(subsystem: string, source: object): void {
    for (const [field, value] of Object.entries(source)) {
      const name = `sibyl_${subsystem}_${snakeCase(field)}_total`;
      const help = `${subsystem} ${field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} since start`;
      const read = () => (source as Record<string, unknown>)[field];
      if (typeof value === 'number') {
        counter(this.registry, name, help, (set) => set(read() as number));
      } else if (typeof value === 'object' && value !== null) {
        new Counter({
          name,
          help,
          labelNames: ['reason'],
          registers: [this.registry],
          collect() {
            this.reset();
            for (const [reason, n] of Object.entries(read() as Record<string, number>))
              this.labels(snakeCase(reason)).inc(n);
          },
        });
      }
    }
  }

  close(): void {
    clearInterval(this.windowTimer);
    this.eventLoop.disable();
  }

  private rollWindow(): void {
    if (this.eventLoop.count > 0) this.lastWindow = percentilesOf(this.eventLoop);
    this.eventLoop.reset();
  }

  private registerMessaging(): void {
    const metrics = this.ctx.messaging.metrics;
    for (const [field, name, help] of MESSAGING_COUNTERS) {
      counter(this.registry, name, help, (set) => set(metrics[field]));
    }
    new Counter({
      name: 'sibyl_messaging_dropped_total',
      help: 'Internode messages dropped, by cause',
      labelNames: ['cause'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [field, cause] of DROP_CAUSES) this.labels(cause).inc(metrics[field]);
      },
    });
    gauge(
      this.registry,
      'sibyl_messaging_pending_requests',
      'Requests awaiting a response',
      () => this.ctx.messaging.pendingRequests,
    );
    gauge(
      this.registry,
      'sibyl_messaging_fault_rules',
      'Fault filter rules in force (test only)',
      () => this.ctx.messaging.faultFilter.list().length,
    );
  }

  private registerNative(): void {
    const native = this.ctx.native;
    gauge(
      this.registry,
      'sibyl_native_connections',
      'Open CQL native protocol connections',
      () => native.connectionCount,
    );
    counter(this.registry, 'sibyl_native_requests_total', 'CQL native protocol requests received', (set) =>
      set(native.requestCount),
    );
  }

  private registerEventLoop(): void {
    const self = this;
    new Gauge({
      name: 'sibyl_event_loop_delay_seconds',
      help: `Event-loop delay percentiles over the last complete ${EVENT_LOOP_WINDOW_MS / 1000} s window (monitorEventLoopDelay)`,
      labelNames: ['quantile'],
      registers: [this.registry],
      collect() {
        const window = self.lastWindow ?? percentilesOf(self.eventLoop);
        this.labels('0.5').set(window.p50);
        this.labels('0.99').set(window.p99);
        this.labels('1').set(window.max);
      },
    });
  }

  private registerStorage(): void {
    const tables = () => {
      const result: { keyspace: string; table: string; id: string }[] = [];
      for (const keyspace of this.ctx.processor.schema.schema.keyspaces())
        for (const table of keyspace.tables.values())
          if (this.ctx.engine.hasTable(table.id))
            result.push({ keyspace: keyspace.name, table: table.name, id: table.id });
      return result;
    };
    const perTable = (name: string, help: string, value: (id: string) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['keyspace', 'table'],
        registers: [this.registry],
        collect: function (this: Gauge<'keyspace' | 'table'>) {
          this.reset();
          for (const t of tables()) this.labels(t.keyspace, t.table).set(value(t.id));
        },
      });
    const engine = this.ctx.engine;
    perTable(
      'sibyl_table_memtable_bytes',
      'Bytes held by the table memtable',
      (id) => engine.table(id).memtableSizeBytes,
    );
    perTable(
      'sibyl_table_sstables',
      'Live SSTables of the table',
      (id) => engine.table(id).liveSSTables.length,
    );
    perTable('sibyl_table_disk_bytes', 'Bytes on disk of the table live SSTables', (id) =>
      engine.table(id).liveSSTables.reduce((sum, s) => sum + s.onDiskSizeBytes, 0),
    );
    gauge(
      this.registry,
      'sibyl_commitlog_segments',
      'Commit log segment files on disk',
      () => engine.commitLogSegments().length,
    );
  }

  private registerCluster(): void {
    const cluster = this.ctx.cluster;
    gauge(
      this.registry,
      'sibyl_gossip_live_endpoints',
      'Peers gossip sees alive (this node excluded)',
      () => cluster.liveEndpoints().length,
    );
    gauge(
      this.registry,
      'sibyl_gossip_unreachable_endpoints',
      'Peers gossip sees down',
      () => cluster.unreachableEndpoints().length,
    );
    gauge(
      this.registry,
      'sibyl_ring_members',
      'Endpoints owning tokens on the ring',
      () => cluster.ring.normalEndpoints().length,
    );
  }

  private registerProcess(): void {
    gauge(this.registry, 'sibyl_heap_used_bytes', 'V8 heap in use', () => process.memoryUsage().heapUsed);
    gauge(
      this.registry,
      'sibyl_heap_limit_bytes',
      'V8 heap size limit',
      () => getHeapStatistics().heap_size_limit,
    );
    gauge(this.registry, 'sibyl_uptime_seconds', 'Seconds since the node started', () =>
      Math.max(0, (this.ctx.clock.nowMs() - this.ctx.startedAtMs) / 1000),
    );
  }
}

function percentilesOf(histogram: IntervalHistogram): { p50: number; p99: number; max: number } {
  if (histogram.count === 0) return { p50: 0, p99: 0, max: 0 };
  const delay = (ns: number) => Math.max(0, ns - RESOLUTION_MS * 1e6) / NS_PER_SECOND;
  return {
    p50: delay(histogram.percentile(50)),
    p99: delay(histogram.percentile(99)),
    max: delay(histogram.max),
  };
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/[^a-z0-9_]/g, '_');
}

function gauge(registry: Registry, name: string, help: string, value: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(value());
    },
  });
}

/** A counter whose running total is kept elsewhere: set to that total at each scrape. */
function counter(
  registry: Registry,
  name: string,
  help: string,
  read: (set: (total: number) => void) => void,
): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      read((total) => this.inc(total));
    },
  });
}
