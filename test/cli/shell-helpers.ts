/** A Shell on an embedded backend in a temp dir, with its output collected as text. */
import { PassThrough } from 'node:stream';
import { EmbeddedBackend } from '../../cli/shell/embedded-backend.js';
import { Shell, type ShellOptions } from '../../cli/shell/shell.js';
import { tempDir } from '../storage/helpers.js';

export interface TestShell {
  readonly shell: Shell;
  readonly backend: EmbeddedBackend;
  readonly dir: string;
  /** Where the shell writes its output (for a LineInput's prompts). */
  readonly stdout: PassThrough;
  /** Everything written to stdout / stderr since the last call, then forgotten. */
  takeOut(): string;
  takeErr(): string;
  /** Runs a script (as `-e`) and returns what it printed. */
  run(script: string): Promise<{ out: string; err: string }>;
  close(): Promise<void>;
}

function collector(): { stream: PassThrough; take: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return {
    stream,
    take: () => {
      const taken = text;
      text = '';
      return taken;
    },
  };
}

export async function openTestShell(options: Partial<ShellOptions> = {}): Promise<TestShell> {
  const { dir, cleanup } = await tempDir('sibyl-shell-');
  const backend = await EmbeddedBackend.open(dir);
  const out = collector();
  const err = collector();
  const shell = new Shell({
    backend,
    tty: false,
    color: false,
    stdout: out.stream,
    stderr: err.stream,
    ...options,
  });
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return {
    shell,
    backend,
    dir,
    stdout: out.stream,
    takeOut: out.take,
    takeErr: err.take,
    async run(script) {
      // As -e: a missing final ';' is added.
      await shell.runScript(script.trimEnd().endsWith(';') ? script : `${script};`, '<stdin>');
      await flush();
      return { out: out.take(), err: err.take() };
    },
    async close() {
      shell.close();
      await backend.close();
      await cleanup();
    },
  };
}

export const SIMPLE_KEYSPACE =
  "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};";
