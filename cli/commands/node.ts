/**
 * `sibyl node start`: runs one node in this process until SIGTERM or SIGINT, which drain it
 * (in-flight requests answered, memtables flushed) and exit 0. Flags override the YAML file.
 */
import type { Command } from 'commander';
import type { NodeConfig, SibylNode } from '../../node/index.js';
import { loadConfigFile, startNode } from '../../node/index.js';

interface StartOptions {
  dataDir?: string;
  listenAddress?: string;
  nativePort?: string;
  storagePort?: string;
  adminPort?: string;
  seeds?: string;
  dc?: string;
  rack?: string;
  config?: string;
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: not a port: ${value}`);
  return n;
}

async function configOf(opts: StartOptions): Promise<NodeConfig> {
  const file = opts.config ? await loadConfigFile(opts.config) : {};
  const dataDir = opts.dataDir ?? file.dataDir;
  if (!dataDir) throw new Error('--data-dir is required (or data_file_directories in --config)');
  const flags: Partial<NodeConfig> = {
    ...(opts.listenAddress ? { listenAddress: opts.listenAddress } : {}),
    ...(opts.nativePort !== undefined ? { nativePort: port(opts.nativePort, '--native-port')! } : {}),
    ...(opts.storagePort !== undefined ? { storagePort: port(opts.storagePort, '--storage-port')! } : {}),
    ...(opts.adminPort !== undefined ? { adminPort: port(opts.adminPort, '--admin-port')! } : {}),
    ...(opts.seeds ? { seeds: opts.seeds.split(',').map((s) => s.trim()) } : {}),
    ...(opts.dc ? { dc: opts.dc } : {}),
    ...(opts.rack ? { rack: opts.rack } : {}),
  };
  return { ...file, ...flags, dataDir, logToStdout: process.stdout.isTTY === true };
}

/** Drains on the first SIGTERM/SIGINT; later ones (a terminal's Ctrl-C reaches every process) wait for it. */
function stopOnSignals(node: SibylNode): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: draining`);
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('drain failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export function registerNode(program: Command): void {
  const node = program.command('node').description('run a Sibyl node');
  node
    .command('start')
    .description('start a node serving CQL native protocol v4; SIGTERM or SIGINT drains it and exits')
    .option('--data-dir <dir>', 'data directory (commit log, SSTables, logs/system.log)')
    .option('--listen-address <ip>', 'address of this node; the native server listens on it')
    .option('--native-port <port>', 'CQL native protocol port (default 9042)')
    .option('--storage-port <port>', 'internode (gossip and messaging) port (default 7000)')
    .option('--admin-port <port>', 'admin endpoint (HTTP, sibyl tool) port (default 7199)')
    .option('--seeds <ips>', 'comma-separated seed addresses to gossip with at start')
    .option('--dc <name>', 'data center (default datacenter1)')
    .option('--rack <name>', 'rack (default rack1)')
    .option('--config <file>', 'YAML configuration with cassandra.yaml property names')
    .action(async (opts: StartOptions) => {
      let running: SibylNode;
      try {
        running = await startNode(await configOf(opts));
      } catch (error) {
        // A configuration or start-up error is reported as one line, as Cassandra does.
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        console.error(`Exception (${name}) encountered during startup: ${message}`);
        process.exitCode = 1;
        return;
      }
      stopOnSignals(running);
      console.log(
        `Sibyl node listening for CQL clients on ${running.address}:${running.port} ` +
          `(cluster '${running.config.clusterName}', ${running.config.dc}/${running.config.rack}, ` +
          `data in ${running.config.dataDir}, log in ${running.config.dataDir}/logs/system.log)`,
      );
    });
}
