import { type Logger, pino } from 'pino';

/**
 * One root logger per process; each component takes a child named after it
 * (`logger('commitlog')`). The destination and level are set once by whoever starts the process.
 */
let root: Logger = pino({ level: process.env.SIBYL_LOG_LEVEL ?? 'warn' });

export function setRootLogger(next: Logger): void {
  root = next;
}

export function rootLogger(): Logger {
  return root;
}

export function logger(component: string): Logger {
  return root.child({ component });
}

export type { Logger };
