/**
 * A node as an operating-system process: spawned detached in its own process group (so a terminal's
 * Ctrl-C or the end of `sibyl cluster start` never reaches it), found again from its pid file, and
 * stopped by signals to that group. The group matters: `bin/sibyl.js` is a launcher whose child runs
 * the node, and killing only the launcher would leave the node running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { NodePaths } from './cluster-store.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sibylLauncher = join(repositoryRoot, 'bin', 'sibyl.js');

export interface SpawnedNode {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Set once the process exits (while this process still watches it). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** Starts `sibyl node start --config nodeK/sibyl.yaml`, output appended to logs/stdout.log. */
export async function spawnNode(paths: NodePaths, adminPort: number): Promise<SpawnedNode> {
  const out = openSync(paths.stdoutLog, 'a');
  let child: ChildProcess;
  try {
    writeSync(out, `\n--- sibyl cluster start at ${new Date().toISOString()} ---\n`);
    child = spawn(
      process.execPath,
      [sibylLauncher, 'node', 'start', '--config', paths.configFile, '--admin-port', String(adminPort)],
      // The launcher resolves `--import tsx` from its working directory: the repository's.
      { cwd: repositoryRoot, detached: true, stdio: ['ignore', out, out], env: process.env },
    );
  } finally {
    closeSync(out); // the child holds its own copy of the descriptor
  }
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw error;
  }
  const spawned: SpawnedNode = { pid, child, exit: undefined };
  child.once('exit', (code, signal) => {
    spawned.exit = { code, signal };
  });
  child.unref();
  await writeFile(paths.pidFile, `${pid}\n`);
  return spawned;
}

/** The pid of the node's process group while it runs, else undefined (a stale pid file is ignored). */
export async function runningPid(paths: NodePaths): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(paths.pidFile, 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 1) return undefined;
  return (await groupAlive(pid, paths.configFile)) ? pid : undefined;
}

/**
 * Whether process group `pgid` has a live member. Where /proc exists (Linux) zombies do not count —
 * an orphaned node killed with SIGKILL stays a zombie when the init process does not reap it, as in
 * some containers — and a member must mention `marker` (its config file), so a pid reused by an
 * unrelated process after a reboot is not taken for the node.
 */
export async function groupAlive(pgid: number, marker: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return signalReaches(-pgid);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const member = await liveGroupMember(entry, pgid);
    if (member && (await commandLine(entry)).includes(marker)) return true;
  }
  return false;
}

async function liveGroupMember(pid: string, pgid: number): Promise<boolean> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // exited while we looked
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X';
}

async function commandLine(pid: string): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function signalReaches(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to the whole group; false when no process of it is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * SIGTERM goes to the launcher, which forwards it to the node: the node drains (requests answered,
 * memtables flushed) and both exit. If the launcher is gone, the signal goes to the whole group.
 */
export function requestDrain(pgid: number): void {
  try {
    process.kill(pgid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    signalGroup(pgid, 'SIGTERM');
  }
}

/** Polls until the group has no live member; false if it still has one at the deadline. */
export async function waitForExit(pgid: number, marker: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await groupAlive(pgid, marker)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

export async function removePidFile(paths: NodePaths): Promise<void> {
  await rm(paths.pidFile, { force: true });
}

/** The last lines of a log, to put into an error message. */
export async function tailOf(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}
