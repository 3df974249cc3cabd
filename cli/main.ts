import { Command } from 'commander';

const program = new Command();
program
  .name('sibyl')
  .description('Sibyl: a leaderless, Cassandra-style wide-column database')
  .version('0.1.0');

await program.parseAsync(process.argv);
