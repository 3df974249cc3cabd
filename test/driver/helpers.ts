/** A node in this process on a free port of 127.0.0.1, in a fresh temporary data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedNode, startNode } from '../../driver/embedded.js';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sibyl-driver-'));
}

export async function startTestNode(dataDir: string, nativePort = 0): Promise<EmbeddedNode> {
  return startNode({ dataDir, listenAddress: '127.0.0.1', nativePort, logToFile: false, logLevel: 'warn' });
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
