/**
 * The shell's backend on a node embedded in this process: statements go straight to the
 * QueryProcessor over the local storage engine (`sibyl cql`), DESCRIBE reads the live schema.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock } from '../../common/clock.js';
import type { QueryResult, Session } from '../../cql/query-processor.js';
import { QueryProcessor } from '../../cql/query-processor.js';
import type { KeyspaceMetadata } from '../../cql/schema/index.js';
import { StorageEngine } from '../../storage/storage-engine.js';
import type { ShellBackend, ShellExecuteOptions, ShellResult, ShellServerInfo } from './backend.js';

/** What an embedded node reports (Cassandra's names and the versions Sibyl speaks). */
const EMBEDDED_INFO = {
  clusterName: 'Sibyl Embedded',
  releaseVersion: '4.1.0',
  cqlVersion: '3.4.6',
  protocolVersion: 4,
  partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
  snitch: 'org.apache.cassandra.locator.SimpleSnitch',
} as const;

export class EmbeddedBackend implements ShellBackend {
  private readonly session: Session = {};

  constructor(
    private readonly processor: QueryProcessor,
    private readonly description: string,
    /** Closed with the backend when the backend opened it. */
    private readonly engine?: StorageEngine,
  ) {}

  /** Opens the storage engine in `dataDir` and a query processor over it. */
  static async open(dataDir: string): Promise<EmbeddedBackend> {
    const engine = await StorageEngine.open({ dataDir });
    try {
      const processor = await QueryProcessor.open(engine, {
        clock: systemClock,
        random: (n) => randomBytes(n),
        randomUuid: () => randomUUID(),
      });
      return new EmbeddedBackend(processor, `embedded node (${dataDir})`, engine);
    } catch (error) {
      await engine.close();
      throw error;
    }
  }

  async execute(cql: string, options: ShellExecuteOptions): Promise<ShellResult> {
    const result = await this.processor.execute(cql, this.session, [], {
      consistency: options.consistency,
      serialConsistency: options.serialConsistency,
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.pagingState === undefined ? {} : { pagingState: options.pagingState }),
    });
    return shellResultOf(result);
  }

  async describeSchema(): Promise<readonly KeyspaceMetadata[]> {
    return [...this.processor.schema.view.keyspaces()];
  }

  async serverInfo(): Promise<ShellServerInfo> {
    return { ...EMBEDDED_INFO, host: this.description, port: null };
  }

  async close(): Promise<void> {
    await this.engine?.close();
  }
}

export function shellResultOf(result: QueryResult): ShellResult {
  switch (result.kind) {
    case 'rows': {
      const { columns, rows, pagingState, warnings } = result.result;
      return { kind: 'rows', columns, rows, warnings, ...(pagingState ? { pagingState } : {}) };
    }
    case 'void':
      return { kind: 'void', columns: [], rows: [], warnings: result.warnings };
    case 'set_keyspace':
      return { kind: 'set_keyspace', columns: [], rows: [], warnings: [], keyspace: result.keyspace };
    case 'schema_change':
      return { kind: 'schema_change', columns: [], rows: [], warnings: [] };
  }
}
