#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'cli', 'main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// Signals sent to this launcher reach the CLI (`sibyl node start` drains on SIGTERM and exits 0).
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, as the CLI did (our forwarding handler must not catch it).
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
