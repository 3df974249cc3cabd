import { Command } from 'commander';
import { registerCluster } from './commands/cluster.js';
import { registerCql } from './commands/cql.js';
import { registerNode } from './commands/node.js';
import { registerShell } from './commands/shell.js';
import { registerSSTableTools } from './commands/sstable-tools.js';
import { registerStress } from './commands/stress.js';
import { registerTool } from './commands/tool.js';

// A closed pipe (`sibyl sstable dump … | head`) ends output quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command();
program
  .name('sibyl')
  .description('Sibyl: a leaderless, Cassandra-style wide-column database')
  .version('0.1.0');
registerCluster(program);
registerCql(program);
registerNode(program);
registerShell(program);
registerStress(program);
registerSSTableTools(program);
registerTool(program);

await program.parseAsync(process.argv);
