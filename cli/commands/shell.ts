/**
 * `sibyl shell [HOST [PORT]]`: the cqlsh look-alike (cli/shell) connected to a node over the
 * native protocol. Defaults as cqlsh: 127.0.0.1 9042, or $SIBYL_HOST / $SIBYL_PORT.
 */
import type { Command } from 'commander';
import { NetworkBackend } from '../shell/network-backend.js';
import { runShell, type ShellCliOptions, withShellOptions } from '../shell/run-shell.js';

interface ShellCommandOptions extends ShellCliOptions {
  username?: string;
  password?: string;
  dc: string;
}

export function registerShell(program: Command): void {
  withShellOptions(
    program
      .command('shell')
      .description('the CQL shell (cqlsh look-alike) connected to a node')
      .argument('[host]', 'node to connect to', process.env.SIBYL_HOST ?? '127.0.0.1')
      .argument('[port]', 'native protocol port', process.env.SIBYL_PORT ?? '9042')
      .option('-u, --username <user>', 'authenticate as this user')
      .option('-p, --password <password>', 'authenticate with this password')
      .option('--dc <name>', 'data center of the host', 'datacenter1'),
  ).action(async (host: string, portText: string, opts: ShellCommandOptions) => {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      process.stderr.write(`'${portText}' is not a valid port number.\n`);
      process.exitCode = 1;
      return;
    }
    let backend: NetworkBackend;
    try {
      backend = await NetworkBackend.connect({
        host,
        port,
        dataCenter: opts.dc,
        ...(opts.keyspace === undefined ? {} : { keyspace: opts.keyspace }),
        ...(opts.username === undefined ? {} : { username: opts.username }),
        ...(opts.password === undefined ? {} : { password: opts.password }),
      });
    } catch (error) {
      // cqlsh: "Connection error: …" and exit status 1.
      process.stderr.write(`Connection error: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    await runShell(backend, opts);
  });
}
