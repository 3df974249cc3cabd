/**
 * TRUNCATE must stay done across a restart: the commit log still holds the truncated writes, and a
 * truncated table may have no SSTable to say how far it was flushed. So truncation writes the commit
 * log position it covers to `truncated.json` in the table directory (temporary name, fsync, atomic
 * rename); replay starts after the later of it and the newest SSTable's position.
 *
 * Format (version 1): JSON `{"version":1,"segmentId":N,"offset":N,"crc32c":N}`, the checksum taken
 * over the decimal text `segmentId:offset`.
 */

import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { CorruptionError } from '../common/errors.js';
import type { CommitLogPosition } from './commitlog/commit-log.js';

const FILE = 'truncated.json';
const VERSION = 1;

function checksum(position: CommitLogPosition): number {
  return crc32c(Buffer.from(`${position.segmentId}:${position.offset}`));
}

export async function writeTruncationRecord(tableDir: string, position: CommitLogPosition): Promise<void> {
  const path = join(tableDir, FILE);
  const temporary = `${path}.tmp`;
  const body = JSON.stringify({ version: VERSION, ...position, crc32c: checksum(position) });
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(body);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const dir = await open(tableDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** The recorded truncation position, or null when the table was never truncated. */
export async function readTruncationRecord(tableDir: string): Promise<CommitLogPosition | null> {
  const path = join(tableDir, FILE);
  await rm(`${path}.tmp`, { force: true });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let record: { version?: unknown; segmentId?: unknown; offset?: unknown; crc32c?: unknown };
  try {
    record = JSON.parse(text);
  } catch {
    throw new CorruptionError(path, 0, 'truncation record is not valid JSON');
  }
  const { version, segmentId, offset } = record;
  if (version !== VERSION || typeof segmentId !== 'number' || typeof offset !== 'number') {
    throw new CorruptionError(path, 0, 'truncation record has unknown version or fields');
  }
  const position = { segmentId, offset };
  if (record.crc32c !== checksum(position))
    throw new CorruptionError(path, 0, 'truncation record checksum mismatch');
  return position;
}
