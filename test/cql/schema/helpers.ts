import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../common/clock.js';
import { parseStatement } from '../../../cql/parser/index.js';
import type { SchemaChangeResult } from '../../../cql/schema/index.js';
import { SchemaManager } from '../../../cql/schema/index.js';
import { StorageEngine } from '../../../storage/storage-engine.js';

/** A node's schema over a real storage engine in a temp dir; `restart` reopens it without flushing. */
export class SchemaFixture {
  engine!: StorageEngine;
  manager!: SchemaManager;
  readonly clock = new ManualClock();
  private constructor(readonly dir: string) {}

  static async create(): Promise<SchemaFixture> {
    const fixture = new SchemaFixture(await mkdtemp(join(tmpdir(), 'sibyl-schema-')));
    await fixture.open();
    return fixture;
  }

  private async open(): Promise<void> {
    this.engine = await StorageEngine.open({
      dataDir: this.dir,
      options: { flushInWorkerThread: false },
      clock: this.clock,
    });
    this.manager = await SchemaManager.open(this.engine, { randomUuid: randomUUID, clock: this.clock });
  }

  /** Parses and runs one DDL statement. */
  async ddl(text: string, keyspace?: string): Promise<SchemaChangeResult> {
    const { statement } = parseStatement(text);
    if (!SchemaManager.isDdl(statement)) throw new Error(`not DDL: ${text}`);
    this.clock.advance(1);
    return this.manager.execute(statement, keyspace === undefined ? {} : { keyspace });
  }

  /** Closes storage without flushing (a crash after every acknowledged write), then reopens. */
  async restart(): Promise<void> {
    await this.engine.close({ flush: false });
    await this.open();
  }

  async close(): Promise<void> {
    await this.engine.close({ flush: false });
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
