/**
 * `sibyl cql`: a CQL prompt on a node embedded in this process (data in --data-dir). Statements end
 * at `;` and may span lines; `-e` runs statements and exits; `-f` runs a file. The network shell
 * (`sibyl shell`) comes with the native protocol server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { systemClock } from '../../common/clock.js';
import type { Session } from '../../cql/query-processor.js';
import { QueryProcessor } from '../../cql/query-processor.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { describeCqlError, renderResult } from '../render-result.js';

/** Splits text into statements at `;` outside quotes and comments. */
export function splitStatements(text: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let start = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '-' && text[i + 1] === '-') i = skipLine(text, i);
    else if (ch === '/' && text[i + 1] === '/') i = skipLine(text, i);
    else if (ch === ';') {
      const statement = text.slice(start, i).trim();
      if (statement) statements.push(statement);
      start = i + 1;
    }
  }
  return { statements, rest: text.slice(start) };
}

function skipLine(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end === -1 ? text.length : end;
}

async function run(processor: QueryProcessor, session: Session, statement: string): Promise<boolean> {
  try {
    const output = renderResult(await processor.execute(statement, session));
    if (output) console.log(`\n${output}\n`);
    return true;
  } catch (error) {
    const described = describeCqlError(error);
    if (described === null) throw error;
    console.error(described);
    return false;
  }
}

async function prompt(processor: QueryProcessor, session: Session): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let buffer = '';
  console.log('Connected to an embedded Sibyl node. Statements end with ";". EXIT to leave.');
  rl.setPrompt(`sibyl${session.keyspace ? `:${session.keyspace}` : ''}> `);
  rl.prompt();
  for await (const line of rl) {
    if (buffer === '' && /^\s*(exit|quit)\s*;?\s*$/i.test(line)) break;
    buffer += `${line}\n`;
    const { statements, rest } = splitStatements(buffer);
    buffer = rest.trim() === '' ? '' : rest;
    for (const s of statements) await run(processor, session, s);
    rl.setPrompt(buffer ? '   ... ' : `sibyl${session.keyspace ? `:${session.keyspace}` : ''}> `);
    rl.prompt();
  }
  rl.close();
}

export function registerCql(program: Command): void {
  program
    .command('cql')
    .description('a CQL prompt on a node embedded in this process')
    .option('--data-dir <dir>', 'data directory', './sibyl-data')
    .option('-k, --keyspace <keyspace>', 'keyspace to USE first')
    .option('-e, --execute <statements>', 'run these statements and exit')
    .option('-f, --file <file>', 'run the statements in this file and exit')
    .action(async (opts: { dataDir: string; keyspace?: string; execute?: string; file?: string }) => {
      const engine = await StorageEngine.open({ dataDir: opts.dataDir });
      const processor = await QueryProcessor.open(engine, {
        clock: systemClock,
        random: (n) => randomBytes(n),
        randomUuid: () => randomUUID(),
      });
      const session: Session = {};
      try {
        if (opts.keyspace) await run(processor, session, `USE "${opts.keyspace}"`);
        const script = opts.execute ?? (opts.file ? await readFile(opts.file, 'utf8') : null);
        if (script === null) return await prompt(processor, session);
        const { statements, rest } = splitStatements(`${script};`);
        for (const s of [...statements, rest.trim()].filter(Boolean)) {
          if (!(await run(processor, session, s))) process.exitCode = 2;
        }
      } finally {
        await engine.close();
      }
    });
}
