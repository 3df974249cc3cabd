/**
 * Runs the data-driven DDL cases of test/testdata/cql/schema/*.txt: each statement against one
 * node, in order, must give exactly the event, Void, or the error (class, protocol code, message).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaFixture } from './helpers.js';

const DIR = join(import.meta.dirname, '../../testdata/cql/schema');

interface Case {
  readonly line: number;
  readonly statement: string;
  readonly expected: string;
  readonly keyspace: string | undefined;
}

function parseCases(text: string): Case[] {
  const cases: Case[] = [];
  let keyspace: string | undefined;
  let pending: { line: number; statement: string } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line.startsWith('@use ')) keyspace = line.slice(5).trim();
    else if (line.startsWith('> ')) pending = { line: index + 1, statement: line.slice(2) };
    else if (line.startsWith('= ') && pending) {
      cases.push({ ...pending, expected: line.slice(2), keyspace });
      pending = undefined;
    }
  });
  return cases;
}

async function outcome(f: SchemaFixture, c: Case): Promise<string> {
  try {
    const event = await f.ddl(c.statement, c.keyspace);
    if (event === null) return 'void';
    return [event.change, event.target, event.keyspace, event.name].filter((x) => x !== undefined).join(' ');
  } catch (error) {
    const e = error as Error & { protocolCode?: number };
    const code = e.protocolCode === undefined ? '?' : `0x${e.protocolCode.toString(16).padStart(4, '0')}`;
    return `${e.name} ${code}: ${e.message}`;
  }
}

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.txt'))) {
  describe(`DDL cases ${file}`, () => {
    let f: SchemaFixture;
    beforeEach(async () => {
      f = await SchemaFixture.create();
    });
    afterEach(async () => {
      await f.close();
    });

    it('every statement gives its expected result, and the schema survives a restart', async () => {
      const results: string[] = [];
      const expected: string[] = [];
      for (const c of parseCases(readFileSync(join(DIR, file), 'utf8'))) {
        results.push(`${file}:${c.line} ${await outcome(f, c)}`);
        expected.push(`${file}:${c.line} ${c.expected}`);
      }
      expect(results).toEqual(expected);
      const version = f.manager.view.version;
      const before = [...f.manager.view.keyspaces()].map((k) => k.name).sort();
      await f.restart();
      expect(f.manager.view.version).toBe(version);
      expect([...f.manager.view.keyspaces()].map((k) => k.name).sort()).toEqual(before);
    });
  });
}
