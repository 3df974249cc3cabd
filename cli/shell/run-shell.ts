/**
 * What `sibyl shell` and `sibyl cql` share once they have a backend: the options cqlsh has
 * (-k, -e, -f, --tty, --color/--no-color), the choice between batch and interactive mode, and the
 * exit status (2 when a statement failed in batch mode, as cqlsh).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ShellBackend } from './backend.js';
import { historyFile, LineInput } from './line-input.js';
import { Shell } from './shell.js';

export interface ShellCliOptions {
  keyspace?: string;
  execute?: string;
  file?: string;
  tty?: boolean;
  color?: boolean;
  username?: string;
}

/** Adds the options both commands take. */
export function withShellOptions(command: Command): Command {
  return command
    .option('-k, --keyspace <keyspace>', 'authenticate to the given keyspace (USE it first)')
    .option('-e, --execute <statements>', 'execute the statements and quit')
    .option('-f, --file <file>', 'execute the statements of the file and quit')
    .option('-t, --tty', 'force interactive mode (prompt), even when the input is not a terminal')
    .option('-C, --color', 'always use colour output')
    .option('--no-color', 'never use colour output');
}

function useColor(options: ShellCliOptions): boolean {
  // Commander leaves `color` undefined unless -C/--color or --no-color was given.
  if (options.color !== undefined) return options.color;
  if (options.file !== undefined) return false;
  const term = process.env.TERM ?? '';
  return Boolean(process.stdout.isTTY) && term !== '' && term !== 'dumb';
}

/** Runs the shell on `backend` and closes it; sets process.exitCode. */
export async function runShell(backend: ShellBackend, options: ShellCliOptions): Promise<void> {
  const batch = options.execute !== undefined || options.file !== undefined;
  const tty = !batch && (options.tty === true || Boolean(process.stdin.isTTY));
  const shell = new Shell({
    backend,
    tty,
    color: useColor(options),
    stdout: process.stdout,
    stderr: process.stderr,
    ...(options.username ? { username: options.username } : {}),
  });
  try {
    if (options.keyspace !== undefined) {
      await shell.execute(`USE "${options.keyspace.replaceAll('"', '""')}"`);
      if (shell.hadError) {
        process.exitCode = 2;
        return;
      }
    }
    if (batch) await runBatch(shell, options);
    else await runInteractive(shell, tty);
    if (!tty && shell.hadError) process.exitCode = 2;
  } finally {
    shell.close();
    await backend.close();
  }
}

async function runBatch(shell: Shell, options: ShellCliOptions): Promise<void> {
  if (options.execute !== undefined) {
    const text = options.execute.trimEnd().endsWith(';') ? options.execute : `${options.execute};`;
    await shell.runScript(text, '<stdin>');
    return;
  }
  let text: string;
  try {
    text = await readFile(options.file!, 'utf8');
  } catch (error) {
    process.stderr.write(`Can't open '${options.file}': ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  await shell.runScript(text.replace(/^\uFEFF/, ''), options.file!);
}

async function runInteractive(shell: Shell, tty: boolean): Promise<void> {
  if (tty) await shell.banner();
  const input = new LineInput({
    input: process.stdin,
    output: process.stdout,
    prompts: tty,
    ...(tty ? { historyFile: historyFile() } : {}),
  });
  try {
    await shell.run(input);
  } finally {
    input.close();
  }
}
