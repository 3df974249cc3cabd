/**
 * `sibyl cql`: the shell (cli/shell) on a node embedded in this process, data in --data-dir.
 * Same prompt, commands and output as `sibyl shell`, without a server to connect to.
 */
import type { Command } from 'commander';
import { EmbeddedBackend } from '../shell/embedded-backend.js';
import { runShell, type ShellCliOptions, withShellOptions } from '../shell/run-shell.js';

export function registerCql(program: Command): void {
  withShellOptions(
    program
      .command('cql')
      .description('the CQL shell on a node embedded in this process')
      .option('--data-dir <dir>', 'data directory', './sibyl-data'),
  ).action(async (opts: ShellCliOptions & { dataDir: string }) => {
    const backend = await EmbeddedBackend.open(opts.dataDir);
    await runShell(backend, opts);
  });
}
