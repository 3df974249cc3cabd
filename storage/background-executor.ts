/**
 * Where flush and compaction tasks run: in a worker thread (the default: the event loop stays free) or on the
 * calling thread (for deterministic tests and environments without worker threads). One seam, two
 * implementations, the same task code.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SibylError } from '../common/errors.js';
import type { CompactionResult, CompactionTask } from './compaction/compaction-task.js';
import { runCompactionTask } from './compaction/compaction-task.js';
import type { FlushResult, FlushTask } from './flush-task.js';
import { backgroundCache, runFlushTask } from './flush-task.js';
import type { ClusteringComparator } from './model.js';

export interface BackgroundExecutor {
  flush(task: FlushTask): Promise<FlushResult>;
  /** `compare` is used when the task carries no comparator spec a worker could rebuild it from. */
  compact(task: CompactionTask, compare: ClusteringComparator): Promise<CompactionResult>;
  close(): Promise<void>;
}

export class InProcessExecutor implements BackgroundExecutor {
  private readonly cache = backgroundCache();
  flush(task: FlushTask): Promise<FlushResult> {
    return runFlushTask(task, this.cache);
  }
  compact(task: CompactionTask, compare: ClusteringComparator): Promise<CompactionResult> {
    return runCompactionTask(task, this.cache, compare);
  }
  async close(): Promise<void> {}
}

interface Pending {
  resolve: (result: never) => void;
  reject: (error: Error) => void;
}

/**
 * A worker thread running background-worker.ts. The project runs TypeScript through tsx, so the
 * worker registers tsx's loader before importing its module.
 */
export class WorkerExecutor implements BackgroundExecutor {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  /** Compactions of tables whose comparator cannot cross to the worker run here. */
  private readonly local = new InProcessExecutor();

  constructor() {
    // The ESM entry of tsx's API (its CommonJS twin cannot be imported from an eval worker).
    const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
    const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
    const entry = new URL('./background-worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    this.worker = new Worker(bootstrap, { eval: true, name: 'sibyl-storage' });
    this.worker.unref();
    this.worker.on(
      'message',
      (message: { id: number; result?: never; error?: { message: string; code: string } }) => {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        if (message.error) waiting.reject(new SibylError(message.error.code, message.error.message));
        else waiting.resolve(message.result!);
      },
    );
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`storage worker exited with code ${code}`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  flush(task: FlushTask): Promise<FlushResult> {
    return this.post<FlushResult>('flush', task);
  }

  compact(task: CompactionTask, compare: ClusteringComparator): Promise<CompactionResult> {
    if (!task.comparator) return this.local.compact(task, compare);
    return this.post<CompactionResult>('compact', task);
  }

  private post<T>(kind: 'flush' | 'compact', task: FlushTask | CompactionTask): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: never) => void, reject });
      this.worker.ref(); // keep the process alive while work is outstanding
      this.worker.postMessage({ id, kind, task });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('storage worker closed');
    await this.worker.terminate();
  }
}
