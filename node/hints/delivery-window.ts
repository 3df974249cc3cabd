/**
 * The hints of one file that are on their way to the replica: sent in file order, at most `limit` at
 * a time, acknowledged in any order. The replay position only moves past a hint once it and every
 * hint before it are settled (delivered or dropped), so a replay that stops resumes at the first
 * unacknowledged hint: none is lost, and only those sent after a failed one may be sent again.
 */
import { assert } from '../../common/errors.js';

interface Entry {
  readonly endOffset: number;
  state: 'pending' | 'done' | 'failed';
}

export class DeliveryWindow {
  /** The first failure; the window takes nothing more once set. */
  failure: unknown = null;
  private readonly entries: Entry[] = [];
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    /** Called with each new acknowledged position, in increasing order. */
    private readonly onAcknowledged: (endOffset: number) => void,
  ) {
    assert(limit >= 1, 'a delivery window holds at least one hint');
  }

  /** A hint that needs no delivery (dropped at replay): acknowledged in its turn. */
  skip(endOffset: number): void {
    this.entries.push({ endOffset, state: 'done' });
    this.advance();
  }

  /** A hint whose delivery has started. */
  start(endOffset: number, delivery: Promise<void>): void {
    assert(this.failure === null, 'starting a delivery after a failure');
    const entry: Entry = { endOffset, state: 'pending' };
    this.entries.push(entry);
    this.inFlight++;
    delivery.then(
      () => this.settle(entry, 'done'),
      (error: unknown) => {
        this.failure ??= error;
        this.settle(entry, 'failed');
      },
    );
  }

  /** Resolves once another delivery may start. */
  async room(): Promise<void> {
    while (this.inFlight >= this.limit) await this.nextSettlement();
  }

  /** Resolves once every started delivery has settled. */
  async drain(): Promise<void> {
    while (this.inFlight > 0) await this.nextSettlement();
  }

  private nextSettlement(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private settle(entry: Entry, state: 'done' | 'failed'): void {
    entry.state = state;
    this.inFlight--;
    this.advance();
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private advance(): void {
    let acknowledged: number | undefined;
    while (this.entries.length > 0 && this.entries[0]!.state === 'done') {
      acknowledged = this.entries.shift()!.endOffset;
    }
    if (acknowledged !== undefined) this.onAcknowledged(acknowledged);
  }
}
