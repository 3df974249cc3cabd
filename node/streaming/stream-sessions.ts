/**
 * What this node streams, in and out, as `nodetool netstats` shows it: sessions under way and the
 * last few finished, with their bytes, partitions and duration.
 */
import type { StreamReason } from './stream-messages.js';

export type StreamDirection = 'in' | 'out';
export type StreamSessionState = 'streaming' | 'complete' | 'failed';

export interface StreamSessionInfo {
  readonly id: string;
  readonly direction: StreamDirection;
  /** The other side: the source of an incoming session, the receiver of an outgoing one. */
  readonly peer: string;
  readonly reason: StreamReason;
  readonly keyspace: string;
  readonly ranges: number;
  readonly partitions: number;
  readonly bytes: number;
  readonly startedAtMs: number;
  readonly elapsedMs: number;
  readonly state: StreamSessionState;
  readonly error?: string;
}

/** Finished sessions kept for netstats. */
const RECENT_SESSIONS = 32;

/** One session's counters; the registry turns them into `StreamSessionInfo`. */
export class SessionProgress {
  partitions = 0;
  bytes = 0;
  state: StreamSessionState = 'streaming';
  error: string | undefined;
  private endedAtMs: number | undefined;

  constructor(
    readonly id: string,
    readonly direction: StreamDirection,
    readonly peer: string,
    readonly reason: StreamReason,
    readonly keyspace: string,
    readonly ranges: number,
    readonly startedAtMs: number,
  ) {}

  add(partitions: number, bytes: number): void {
    this.partitions += partitions;
    this.bytes += bytes;
  }

  end(state: 'complete' | 'failed', nowMs: number, error?: string): void {
    this.state = state;
    this.endedAtMs = nowMs;
    this.error = error;
  }

  elapsedMs(nowMs: number): number {
    return (this.endedAtMs ?? nowMs) - this.startedAtMs;
  }

  info(nowMs: number): StreamSessionInfo {
    return {
      id: this.id,
      direction: this.direction,
      peer: this.peer,
      reason: this.reason,
      keyspace: this.keyspace,
      ranges: this.ranges,
      partitions: this.partitions,
      bytes: this.bytes,
      startedAtMs: this.startedAtMs,
      elapsedMs: this.elapsedMs(nowMs),
      state: this.state,
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}

export class StreamSessions {
  private readonly active = new Map<string, SessionProgress>();
  private readonly recent: SessionProgress[] = [];

  constructor(private readonly nowMs: () => number) {}

  start(progress: SessionProgress): SessionProgress {
    this.active.set(`${progress.direction}:${progress.id}`, progress);
    return progress;
  }

  finish(progress: SessionProgress, state: 'complete' | 'failed', error?: string): void {
    if (!this.active.delete(`${progress.direction}:${progress.id}`)) return;
    progress.end(state, this.nowMs(), error);
    this.recent.push(progress);
    if (this.recent.length > RECENT_SESSIONS) this.recent.shift();
  }

  /** Sessions under way first, then the finished ones, newest last. */
  list(): StreamSessionInfo[] {
    const now = this.nowMs();
    return [...this.active.values(), ...this.recent].map((progress) => progress.info(now));
  }
}
