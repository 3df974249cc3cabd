/**
 * Lines for the REPL and for `---MORE---`: readline over the input, with a prompt only in
 * interactive mode (cqlsh prints none when it reads a pipe), and the history kept in
 * `~/.sibyl_history` (HOME from the environment), one statement a line, appended as it runs.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

const HISTORY_SIZE = 1000;

export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME ?? homedir(), '.sibyl_history');
}

function loadHistory(file: string): string[] {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    return lines.slice(-HISTORY_SIZE).reverse(); // readline wants the newest first
  } catch {
    return []; // no history yet
  }
}

export interface LineInputOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Print prompts (interactive mode, real or forced with --tty). */
  readonly prompts: boolean;
  /** Where the history lives; none for batch mode. */
  readonly historyFile?: string;
}

export class LineInput {
  private readonly rl: Interface;
  private readonly queued: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private closed = false;

  constructor(private readonly options: LineInputOptions) {
    const terminal = Boolean((options.input as { isTTY?: boolean }).isTTY) && options.prompts;
    this.rl = createInterface({
      input: options.input,
      output: options.output,
      terminal,
      history: options.historyFile ? loadHistory(options.historyFile) : [],
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
    });
    this.rl.on('line', (line) => this.deliver(line));
    this.rl.on('close', () => {
      this.closed = true;
      this.deliver(null);
    });
    // Ctrl-C on a terminal drops the statement being typed, as cqlsh does.
    this.rl.on('SIGINT', () => this.deliver(''));
  }

  private deliver(line: string | null): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(line);
    } else if (line !== null) this.queued.push(line);
  }

  /** The next line, or null at the end of the input. */
  read(prompt: string): Promise<string | null> {
    if (this.options.prompts) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    }
    const line = this.queued.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Records a completed statement (its lines joined) in the history file. */
  remember(statement: string): void {
    if (!this.options.historyFile) return;
    const line = statement.replace(/\s*\n\s*/g, ' ').trim();
    if (line === '') return;
    try {
      appendFileSync(this.options.historyFile, `${line}\n`, { mode: 0o600 });
    } catch {
      // History is a convenience: an unwritable home must not stop the shell.
    }
  }

  close(): void {
    this.rl.close();
  }
}
