/**
 * Stream ids of one connection (protocol v4: 0..32767; negative ids are the server's events).
 * Ids are handed out lowest-first from a counter, and freed ids are reused before the counter
 * grows, so a connection with few requests in flight keeps using a few small ids. Pure: no IO.
 */
import { assert } from '../common/errors.js';

export class StreamIds {
  private next = 0;
  private readonly freed: number[] = [];
  private inUse = 0;

  constructor(private readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity > 0 && capacity <= 32768, 'stream ids fit in int16');
  }

  /** Ids currently lent out. */
  get inFlight(): number {
    return this.inUse;
  }

  /** A free id, or undefined when all `capacity` ids are in use. */
  acquire(): number | undefined {
    let id = this.freed.pop();
    if (id === undefined) {
      if (this.next >= this.capacity) return undefined;
      id = this.next++;
    }
    this.inUse++;
    return id;
  }

  release(id: number): void {
    assert(id >= 0 && id < this.next, `stream id ${id} was lent out`);
    assert(this.inUse > 0, 'releasing more ids than were acquired');
    this.inUse--;
    this.freed.push(id);
  }
}
