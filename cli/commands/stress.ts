/**
 * `sibyl stress write|read|mixed …`: cassandra-stress's syntax against a running node or cluster
 * (cli/stress/, docs/stress.md). `sibyl stress engine`: the storage engine alone, no node.
 * Operating errors are one line on stderr (`error: …`) and exit status 1.
 */
import type { Command } from 'commander';
import { runEngineStress } from '../stress/engine-stress.js';
import { parseStressArguments, STRESS_COMMANDS, STRESS_USAGE } from '../stress/stress-arguments.js';
import { StressError } from '../stress/stress-error.js';
import { runStress } from '../stress/stress-runner.js';

const DESCRIPTIONS: Readonly<Record<(typeof STRESS_COMMANDS)[number], string>> = {
  write: 'write rows of keyspace1.standard1 through the driver, as cassandra-stress write',
  read: 'read rows of keyspace1.standard1 (a missing row counts as an error), as cassandra-stress read',
  mixed: 'writes and reads in a ratio, as cassandra-stress mixed "ratio(write=1,read=3)"',
};

export function registerStress(program: Command): void {
  const stress = program
    .command('stress')
    .description(
      'load a node or cluster with cassandra-stress syntax (write, read, mixed), or the storage engine (engine)',
    )
    .addHelpText('after', STRESS_USAGE);
  for (const command of STRESS_COMMANDS) registerCassandraStyle(stress, command);
  registerEngine(stress);
}

function registerCassandraStyle(stress: Command, command: (typeof STRESS_COMMANDS)[number]): void {
  stress
    .command(command)
    .description(DESCRIPTIONS[command])
    .argument('[parameters...]', 'cassandra-stress parameters and options (see below)')
    // The parameters are cassandra-stress's (`-rate threads=8`), not commander options.
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .addHelpText('after', STRESS_USAGE)
    .action(async (parameters: string[], _options: unknown, self: Command) => {
      if (parameters.some((p) => p === '--help' || p === '-h' || p === 'help')) {
        self.outputHelp();
        return;
      }
      await guarded(async () => {
        const settings = parseStressArguments(command, parameters);
        const stop = new AbortController();
        const onInterrupt = () => stop.abort();
        // Ctrl-C stops issuing operations; the summary of what ran is still printed.
        process.once('SIGINT', onInterrupt);
        try {
          await runStress(
            settings,
            { line: (text) => console.log(text), error: (text) => console.error(text) },
            stop.signal,
          );
        } finally {
          process.off('SIGINT', onInterrupt);
        }
      });
    });
}

function registerEngine(stress: Command): void {
  stress
    .command('engine')
    .description('write, flush, compact and read back rows through the storage engine alone (no node)')
    .option('--rows <n>', 'rows to write', '200000')
    .option('--value-size <bytes>', 'bytes per value', '100')
    .option('--data-dir <dir>', 'data directory', './sibyl-stress')
    .action(async (opts: { rows: string; valueSize: string; dataDir: string }) => {
      await guarded(async () => {
        const complete = await runEngineStress({
          rows: positiveInteger(opts.rows, '--rows'),
          valueSizeBytes: positiveInteger(opts.valueSize, '--value-size'),
          dataDir: opts.dataDir,
        });
        if (!complete) process.exitCode = 1;
      });
    });
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new StressError('INVALID_ARGUMENT', `${flag} must be a positive integer, not '${text}'`);
  return value;
}

async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof StressError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  }
}
