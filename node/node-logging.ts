/**
 * A node's log: JSON lines in DATA_DIR/logs/system.log (what operators and tools grep), plus a
 * readable copy on stdout when it is a terminal (pino-pretty, loaded only if installed). The node
 * makes it the process's root logger while it runs, so every component's `logger(name)` writes there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DestinationStream, type Logger, pino, type StreamEntry } from 'pino';
import { rootLogger, setRootLogger } from '../common/logger.js';

export interface NodeLog {
  readonly logger: Logger;
  /** Flushes the file and gives the root logger back to whoever had it before. */
  close(): void;
}

export interface NodeLogOptions {
  readonly dataDir: string;
  readonly level: string;
  readonly toFile: boolean;
  readonly toStdout: boolean;
}

export async function openNodeLog(options: NodeLogOptions): Promise<NodeLog> {
  const previous = rootLogger();
  const streams: StreamEntry[] = [];
  let file: (DestinationStream & { flushSync(): void; end(): void }) | undefined;
  if (options.toFile) {
    const dir = join(options.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    file = pino.destination({ dest: join(dir, 'system.log'), sync: false, mkdir: true });
    streams.push({ stream: file, level: options.level as pino.Level });
  }
  if (options.toStdout) streams.push({ stream: await stdoutStream(), level: options.level as pino.Level });
  const logger =
    streams.length === 0
      ? pino({ level: 'silent' })
      : pino({ level: options.level, base: { pid: process.pid } }, pino.multistream(streams));
  setRootLogger(logger);
  return {
    logger,
    close() {
      if (rootLogger() === logger) setRootLogger(previous);
      file?.flushSync();
      file?.end();
    },
  };
}

/** pino-pretty on a terminal when available; plain JSON lines otherwise. */
async function stdoutStream(): Promise<DestinationStream> {
  if (process.stdout.isTTY) {
    try {
      const pretty = (await import('pino-pretty')).default;
      return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
    } catch {
      // pino-pretty is a development dependency; without it stdout gets the JSON lines.
    }
  }
  return pino.destination({ dest: 1, sync: true });
}
