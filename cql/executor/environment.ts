/**
 * What a prepared statement needs from outside to execute: the store, the clock, a random source,
 * the monotonic write-timestamp source and the timeuuid generator. Nothing in cql/executor reads the
 * OS clock or Math.random (STYLE.md §3); a node builds one environment, tests build their own.
 */
import type { Clock } from '../../common/clock.js';
import { timeuuidFromMs, uuidToBytes } from '../types/index.js';
import type { DataStore } from './data-store.js';

/** `length` random bytes. */
export type RandomSource = (length: number) => Uint8Array;

/** Write timestamps in microseconds, strictly increasing per source (Cassandra's ClientState). */
export class TimestampSource {
  private last = 0;
  constructor(private readonly clock: Clock) {}

  next(): number {
    const now = this.clock.nowMs() * 1000;
    this.last = now > this.last ? now : this.last + 1;
    return this.last;
  }
}

/**
 * Version 1 UUIDs, strictly increasing in time order: `now()`, and list element paths (whose order
 * is the list's order). The node part is random, chosen once.
 */
export class TimeuuidGenerator {
  private lastMs = 0;
  private lastTicks = 0;
  private readonly node: Uint8Array;

  constructor(random: RandomSource) {
    this.node = random(8);
  }

  /** The next timeuuid at or after `ms`. */
  next(ms: number): Uint8Array {
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.lastTicks = 0;
    } else if (this.lastTicks < 9999) {
      this.lastTicks++;
    } else {
      this.lastMs++;
      this.lastTicks = 0;
    }
    return uuidToBytes(timeuuidFromMs(this.lastMs, this.node, this.lastTicks));
  }

  private prependMs = Number.POSITIVE_INFINITY;
  private prependTicks = 0;

  /**
   * `count` list positions for a prepend at `ms` (a time counted backwards, see operations.ts), each
   * before every position handed out by earlier prepends, returned in list order.
   */
  prepend(ms: number, count: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (ms < this.prependMs) {
        this.prependMs = ms;
        this.prependTicks = 9999;
      } else if (this.prependTicks > 0) {
        this.prependTicks--;
      } else {
        this.prependMs--;
        this.prependTicks = 9999;
      }
      out.push(uuidToBytes(timeuuidFromMs(this.prependMs, this.node, this.prependTicks)));
    }
    return out.reverse();
  }
}

export interface ExecutorEnvironment {
  readonly store: DataStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly timestamps: TimestampSource;
  readonly timeuuids: TimeuuidGenerator;
}

export function executorEnvironment(
  store: DataStore,
  clock: Clock,
  random: RandomSource,
): ExecutorEnvironment {
  return {
    store,
    clock,
    random,
    timestamps: new TimestampSource(clock),
    timeuuids: new TimeuuidGenerator(random),
  };
}
