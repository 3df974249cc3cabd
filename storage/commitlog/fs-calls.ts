/**
 * Every file-system call of the commit log goes through this module: the one seam where a
 * fault-injecting file system can be put in (STYLE.md §3). The writer's calls are promises over the
 * callback API (lighter than FileHandle on the hot path), with positional writes only.
 */
import * as fs from 'node:fs';
import * as fsPromises from 'node:fs/promises';

export function openFile(path: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(path, flags, 0o644, (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.close(fd, (error) => (error ? reject(error) : resolve()));
  });
}

export function fsyncFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fsync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

function writevAt(fd: number, buffers: readonly Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, buffers, position, (error, written) => (error ? reject(error) : resolve(written)));
  });
}

/** Writes every byte of `buffers` at `position`, resuming after short writes. */
export async function writeAllAt(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  while (remaining > 0) {
    const written = await writevAt(fd, buffers, position);
    if (written <= 0) throw new Error(`writev wrote ${written} bytes at offset ${position}`);
    remaining -= written;
    position += written;
    if (remaining > 0) buffers = dropPrefix(buffers, written);
  }
}

/**
 * The same, synchronously. A write into the page cache takes microseconds; doing it on the event
 * loop saves the thread-pool round trip that otherwise leaves every waiting append idle.
 */
export function writeAllAtSync(fd: number, buffers: Buffer[], position: number): void {
  let remaining = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  while (remaining > 0) {
    const written = fs.writevSync(fd, buffers, position);
    if (written <= 0) throw new Error(`writev wrote ${written} bytes at offset ${position}`);
    remaining -= written;
    position += written;
    if (remaining > 0) buffers = dropPrefix(buffers, written);
  }
}

function dropPrefix(buffers: Buffer[], bytes: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (bytes >= buffer.length) {
      bytes -= buffer.length;
    } else {
      rest.push(bytes > 0 ? buffer.subarray(bytes) : buffer);
      bytes = 0;
    }
  }
  return rest;
}

/** Makes a created or deleted name in `dir` durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const fd = await openFile(dir, 'r');
  try {
    await fsyncFile(fd);
  } finally {
    await closeFile(fd);
  }
}

/** Cuts `path` to `length` bytes and makes that durable. */
export async function truncateDurably(path: string, length: number): Promise<void> {
  await fsPromises.truncate(path, length);
  const fd = await openFile(path, 'r+');
  try {
    await fsyncFile(fd);
  } finally {
    await closeFile(fd);
  }
}

export const {
  mkdir: makeDirectory,
  readdir: listDirectory,
  readFile: readWholeFile,
  unlink: removeFile,
} = fsPromises;
