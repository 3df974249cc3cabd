/**
 * The CQL corpus: every file in test/testdata/cql/*.cql is a script of cases run in order against one
 * node's query processor (real storage engine in a temp dir), in the spirit of pebble's testdata.
 *
 *   statement | query | error      the CQL follows, then `----`, then what it must give:
 *                                  `ok` (statement), a cqlsh-like table (query),
 *                                  `<ErrorName>: <message>` (error)
 *   flush                          flushes every memtable (later reads come from SSTables)
 *   restart                        closes the node without flushing and opens it again (replay);
 *                                  the clock moves one second
 *   advance <seconds>              moves the clock (TTL expiry, gc_grace)
 *
 * Lines starting with `#` are comments. Set SIBYL_REWRITE=1 to rewrite the expected outputs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCqlError } from '../../cli/shell/error-text.js';
import { renderResult } from '../../cli/shell/formatter.js';
import { ManualClock } from '../../common/clock.js';
import type { Session } from '../../cql/query-processor.js';
import { QueryProcessor } from '../../cql/query-processor.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import { tempDir } from '../storage/helpers.js';

const CORPUS_DIR = join(import.meta.dirname, '..', 'testdata', 'cql');

interface Case {
  readonly directive: string;
  readonly input: string;
  readonly expected: string;
  readonly line: number;
}

function parseCorpus(text: string): Case[] {
  const cases: Case[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const start = i + 1;
    const directive = line.trim();
    i++;
    if (!['statement', 'query', 'error'].includes(directive)) {
      cases.push({ directive, input: '', expected: '', line: start });
      continue;
    }
    const input: string[] = [];
    while (i < lines.length && lines[i] !== '----') input.push(lines[i++]!);
    i++;
    const expected: string[] = [];
    while (i < lines.length && !isDirective(lines[i]!)) expected.push(lines[i++]!);
    while (expected.length > 0 && expected[expected.length - 1]!.trim() === '') expected.pop();
    cases.push({ directive, input: input.join('\n'), expected: expected.join('\n'), line: start });
  }
  return cases;
}

function isDirective(line: string): boolean {
  return /^(statement|query|error|flush|restart|advance \d+)\s*$/.test(line) || line.startsWith('#');
}

function describeError(error: unknown): string {
  const described = describeCqlError(error);
  if (described === null) throw error;
  return described;
}

class Node {
  private constructor(
    readonly engine: StorageEngine,
    readonly processor: QueryProcessor,
  ) {}

  static async open(dir: string, clock: ManualClock): Promise<Node> {
    const engine = await StorageEngine.open({ dataDir: dir, clock, options: { flushInWorkerThread: false } });
    const processor = await QueryProcessor.open(engine, {
      clock,
      random: (n) => randomBytes(n),
      randomUuid: () => randomUUID(),
    });
    return new Node(engine, processor);
  }
}

async function runCase(c: Case, node: Node, session: Session): Promise<string> {
  try {
    const result = await node.processor.execute(c.input, session);
    return c.directive === 'query' ? renderResult(result) || 'ok' : 'ok';
  } catch (error) {
    return describeError(error);
  }
}

const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.cql'));

describe('CQL corpus', () => {
  for (const file of files) {
    it(file, async () => {
      const path = join(CORPUS_DIR, file);
      const text = readFileSync(path, 'utf8');
      const { dir, cleanup } = await tempDir('sibyl-corpus-');
      const clock = new ManualClock();
      let node = await Node.open(dir, clock);
      const session: Session = {};
      let rewritten = text;
      try {
        for (const c of parseCorpus(text)) {
          if (c.directive === 'flush') await node.engine.flush();
          else if (c.directive === 'restart') {
            await node.engine.close({ flush: false });
            clock.advance(1000); // a restart takes time: later writes get later timestamps
            node = await Node.open(dir, clock);
          } else if (c.directive.startsWith('advance ')) clock.advance(Number(c.directive.slice(8)) * 1000);
          else {
            const actual = await runCase(c, node, session);
            if (process.env.SIBYL_REWRITE)
              rewritten = rewritten.replace(`${c.input}\n----\n${c.expected}`, `${c.input}\n----\n${actual}`);
            else expect(actual, `${file}:${c.line}: ${c.input}`).toBe(c.expected);
          }
        }
      } finally {
        await node.engine.close();
        await cleanup();
      }
      if (process.env.SIBYL_REWRITE) writeFileSync(path, rewritten);
    });
  }
});
