/**
 * Every file-system call of the hints store goes through this module (the seam for a
 * fault-injecting file system, STYLE.md §3): the commit log's calls, plus positional reads, sizes
 * and renames, which only replay needs.
 */
import * as fs from 'node:fs';
import * as fsPromises from 'node:fs/promises';

export {
  closeFile,
  fsyncDirectory,
  fsyncFile,
  listDirectory,
  makeDirectory,
  openFile,
  removeFile,
  writeAllAt,
} from '../commitlog/fs-calls.js';

/** Reads up to `length` bytes at `position` into `target` at `offset`; resolves with the count read. */
export function readAt(
  fd: number,
  target: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, target, offset, length, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    );
  });
}

/** Fills `target[offset, offset + length)` from `position`; resolves with the bytes read (less at EOF). */
export async function readFullyAt(
  fd: number,
  target: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  let total = 0;
  while (total < length) {
    const read = await readAt(fd, target, offset + total, length - total, position + total);
    if (read === 0) break;
    total += read;
  }
  return total;
}

export function fileSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size)));
  });
}

export const { rename: renameFile, stat: statFile } = fsPromises;
