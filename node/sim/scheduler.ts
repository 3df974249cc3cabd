/**
 * Time and timers, injected (STYLE.md §3). Node code asks a `Scheduler` for the time and for
 * timers; in production that is the OS (`systemScheduler`), in simulation a `SimulatedScheduler`
 * whose time moves only when a test advances it, so a run is a pure function of its seed.
 */
import type { Clock } from '../../common/clock.js';
import { assert } from '../../common/errors.js';

/** An opaque timer; only the scheduler that made it can cancel it. */
export interface TimerHandle {
  readonly __timer: true;
}

export interface Scheduler extends Clock {
  /** Calls `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Calls `callback` once the work of the current tick is done (after pending I/O callbacks and
   * promise continuations): the point at which messaging coalesces a tick's frames into one write.
   */
  defer(callback: () => void): void;
}

/** The OS clock and Node's timers; `setImmediate` ends a tick. */
export const systemScheduler: Scheduler = {
  nowMs: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
  defer: (callback) => {
    setImmediate(callback);
  },
};

interface SimulatedTask {
  readonly dueMs: number;
  /** Insertion order: tasks due at the same time run first-in, first-out. */
  readonly sequence: number;
  callback: (() => void) | undefined;
}

/**
 * Virtual time for tests. Nothing runs until the test calls `advance` or `runUntilIdle`; tasks run
 * in (due time, insertion) order, and all promise continuations a task starts are settled before
 * the next task runs, so the same calls give the same interleaving every time.
 */
export class SimulatedScheduler implements Scheduler {
  private readonly heap: SimulatedTask[] = [];
  private sequence = 0;
  private now: number;
  /** Tasks run so far (a cheap progress and determinism probe). */
  tasksRun = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    assert(Number.isFinite(delayMs), 'timer delay must be finite');
    const task: SimulatedTask = {
      dueMs: this.now + Math.max(0, delayMs),
      sequence: this.sequence++,
      callback,
    };
    this.push(task);
    return task as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    // Lazy deletion: the task stays in the heap with no callback and is skipped when due.
    (handle as unknown as SimulatedTask).callback = undefined;
  }

  defer(callback: () => void): void {
    this.setTimeout(callback, 0);
  }

  /** Tasks scheduled and not yet run or cancelled. */
  get pendingTasks(): number {
    return this.heap.filter((task) => task.callback !== undefined).length;
  }

  /** Runs every task due within the next `ms` milliseconds, then leaves the clock at now + ms. */
  async advance(ms: number): Promise<void> {
    assert(ms >= 0, 'time only moves forward');
    const until = this.now + ms;
    await this.runWhile((task) => task.dueMs <= until);
    this.now = until;
  }

  /** Runs tasks until none is left (or `maxTasks` ran, a guard against self-rescheduling loops). */
  async runUntilIdle(maxTasks = 1_000_000): Promise<void> {
    let budget = maxTasks;
    await this.runWhile(() => budget-- > 0);
    assert(budget >= 0, `scheduler still busy after ${maxTasks} tasks`);
  }

  private async runWhile(condition: (task: SimulatedTask) => boolean): Promise<void> {
    await settle();
    for (;;) {
      const next = this.heap[0];
      if (!next || !condition(next)) return;
      this.pop();
      const callback = next.callback;
      if (!callback) continue;
      next.callback = undefined;
      assert(next.dueMs >= this.now, 'simulated time never goes back');
      this.now = next.dueMs;
      this.tasksRun++;
      callback();
      await settle();
    }
  }

  private push(task: SimulatedTask): void {
    const heap = this.heap;
    heap.push(task);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(task, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = task;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
  }
}

function earlier(a: SimulatedTask, b: SimulatedTask): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence);
}

/**
 * Lets every promise continuation already queued run to completion: `setImmediate` fires only after
 * the microtask queue is empty. This is the test driver's own yield, not a timer node code sees.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
