/** What an SSTable directory holds: complete SSTables, and the garbage a crash can leave. */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../common/logger.js';
import { parseFileName } from './file-names.js';

const log = logger('sstable');

/** Generations of complete SSTables (those with a TOC), ascending. */
export async function listSSTables(dir: string): Promise<number[]> {
  const generations: number[] = [];
  for (const name of await readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed !== null && !parsed.temporary && parsed.component === 'TOC')
      generations.push(parsed.generation);
  }
  return generations.sort((a, b) => a - b);
}

/**
 * Removes what a crash can leave: temporary files, and components of generations without a TOC.
 * Returns the removed file names. Call at start-up only, never while a writer is running.
 */
export async function removeIncompleteSSTables(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  const complete = new Set(await listSSTables(dir));
  const removed: string[] = [];
  for (const name of names) {
    const parsed = parseFileName(name);
    if (parsed === null || (!parsed.temporary && complete.has(parsed.generation))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  if (removed.length > 0) log.warn({ dir, removed }, 'removed incomplete sstable files');
  return removed.sort();
}

/** The next free generation: one above any SSTable file present, complete or not. */
export async function nextGeneration(dir: string): Promise<number> {
  let highest = 0;
  for (const name of await readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed !== null) highest = Math.max(highest, parsed.generation);
  }
  return highest + 1;
}
