import { assert } from '../../common/errors.js';
import type { CommitLogPosition } from './position.js';
import type { Segment } from './segment.js';

/**
 * Encoded records waiting for one write: a run of bytes of one segment starting at `fileOffset`, and
 * the appends to settle once those bytes are durable. Waiters are kept in parallel arrays so an
 * append costs no object beyond its promise and its position.
 */
export class WriteBatch {
  length = 0;
  readonly positions: CommitLogPosition[] = [];
  private readonly resolves: Array<(position: CommitLogPosition) => void> = [];
  private readonly rejects: Array<(error: Error) => void> = [];

  constructor(
    readonly segment: Segment,
    readonly fileOffset: number,
    public buffer: Buffer,
  ) {}

  room(): number {
    return this.buffer.length - this.length;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  waitFor(position: CommitLogPosition): Promise<CommitLogPosition> {
    this.positions.push(position);
    return new Promise((resolve, reject) => {
      this.resolves.push(resolve);
      this.rejects.push(reject);
    });
  }

  resolveAll(): void {
    const { positions, resolves } = this;
    for (let i = 0; i < resolves.length; i++) resolves[i]!(positions[i]!);
  }

  rejectAll(error: Error): void {
    for (const reject of this.rejects) reject(error);
  }
}

/** Free buffers kept for reuse; more than this are left to the garbage collector. */
const MAX_POOLED_BUFFERS = 8;

/**
 * The encode side of the write pipeline: appends encode into the open batch (a large reused buffer)
 * until the writer takes every batch at once, so all appends between two writes share one write call.
 */
export class WriteQueue {
  private open: WriteBatch | null = null;
  private sealed: WriteBatch[] = [];
  private readonly pool: Buffer[] = [];

  constructor(private readonly bufferBytes: number) {
    assert(bufferBytes > 0, 'write buffer size must be positive');
  }

  /** The batch to encode `bytes` bytes of `segment` into, starting at file offset `fileOffset`. */
  batchFor(segment: Segment, fileOffset: number, bytes: number): WriteBatch {
    const open = this.open;
    if (open !== null && open.segment === segment && open.room() >= bytes) {
      assert(open.fileOffset + open.length === fileOffset, 'batch bytes are not contiguous');
      return open;
    }
    if (open !== null) this.sealed.push(open);
    const batch = new WriteBatch(segment, fileOffset, this.acquire(bytes));
    this.open = batch;
    return batch;
  }

  isEmpty(): boolean {
    return this.open === null && this.sealed.length === 0;
  }

  /** Hands every encoded batch to the writer, in order; later appends start new batches. */
  takeAll(): WriteBatch[] {
    const taken = this.sealed;
    if (this.open !== null) taken.push(this.open);
    this.sealed = [];
    this.open = null;
    return taken;
  }

  /** Returns a written batch's buffer for reuse. */
  release(batch: WriteBatch): void {
    if (batch.buffer.length === this.bufferBytes && this.pool.length < MAX_POOLED_BUFFERS) {
      this.pool.push(batch.buffer);
    }
    batch.buffer = EMPTY;
  }

  rejectAll(error: Error): void {
    for (const batch of this.takeAll()) batch.rejectAll(error);
  }

  private acquire(bytes: number): Buffer {
    if (bytes > this.bufferBytes) return Buffer.allocUnsafe(bytes);
    return this.pool.pop() ?? Buffer.allocUnsafe(this.bufferBytes);
  }
}

const EMPTY = Buffer.alloc(0);
