/**
 * The storage engine's worker thread: it runs flushes (flush-task.ts) and compactions
 * (compaction/compaction-task.ts), so that sorting, merging, compressing and checksumming happen on
 * the other core, never in a long stretch on the event loop (DESIGN.md "One event loop").
 *
 * Protocol: the engine posts `{ id, kind, task }`; the worker answers `{ id, result }` or
 * `{ id, error: { message, code } }`.
 */
import { parentPort } from 'node:worker_threads';
import type { CompactionTask, ComparatorSpec } from './compaction/compaction-task.js';
import { resolveComparator, runCompactionTask } from './compaction/compaction-task.js';
import type { FlushTask } from './flush-task.js';
import { backgroundCache, runFlushTask } from './flush-task.js';
import type { ClusteringComparator } from './model.js';

const port = parentPort;
if (port === null) throw new Error('background-worker.ts must run in a worker thread');
const cache = backgroundCache();
const comparators = new Map<string, Promise<ClusteringComparator>>();

function comparator(spec: ComparatorSpec): Promise<ClusteringComparator> {
  const key = JSON.stringify(spec);
  let found = comparators.get(key);
  if (!found) comparators.set(key, (found = resolveComparator(spec)));
  return found;
}

type Message =
  | { id: number; kind: 'flush'; task: FlushTask }
  | { id: number; kind: 'compact'; task: CompactionTask };

async function run(message: Message): Promise<unknown> {
  if (message.kind === 'flush') return runFlushTask(message.task, cache);
  return runCompactionTask(message.task, cache, await comparator(message.task.comparator!));
}

port.on('message', (message: Message) => {
  run(message).then(
    (result) => port.postMessage({ id: message.id, result }),
    (error: unknown) => {
      const { message: text, code } = error as { message?: string; code?: string };
      port.postMessage({
        id: message.id,
        error: { message: text ?? String(error), code: code ?? 'FLUSH_FAILED' },
      });
    },
  );
});
