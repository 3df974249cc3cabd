/**
 * The shell's backend over the native protocol, through Sibyl's driver (`sibyl shell HOST PORT`).
 * The driver hands rows back as JS values; they are serialized again so the shell formats one
 * representation whichever backend it runs on. DESCRIBE reads `system_schema` as cqlsh's driver
 * does, SHOW VERSION reads `system.local`.
 */

import type { KeyspaceMetadata } from '../../cql/schema/index.js';
import type { CqlType } from '../../cql/types/index.js';
import { CqlTypes, deserialize, serialize } from '../../cql/types/index.js';
import type { Client, ResultSet } from '../../driver/index.js';
import { Client as DriverClient } from '../../driver/index.js';
import type {
  ShellBackend,
  ShellColumn,
  ShellExecuteOptions,
  ShellResult,
  ShellServerInfo,
} from './backend.js';
import { readSchema } from './schema-reader.js';

export interface NetworkBackendOptions {
  readonly host: string;
  readonly port: number;
  /** The data center of the host (the driver insists it matches system.local). */
  readonly dataCenter: string;
  readonly keyspace?: string;
  readonly username?: string;
  readonly password?: string;
}

const USE = /^\s*use\s/i;

export class NetworkBackend implements ShellBackend {
  private constructor(
    private readonly client: Client,
    private readonly options: NetworkBackendOptions,
  ) {}

  static async connect(options: NetworkBackendOptions): Promise<NetworkBackend> {
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const client = new DriverClient({
      contactPoints: [`${host}:${options.port}`],
      localDataCenter: options.dataCenter,
      ...(options.keyspace === undefined ? {} : { keyspace: options.keyspace }),
      ...(options.username === undefined
        ? {}
        : { credentials: { username: options.username, password: options.password ?? '' } }),
    });
    try {
      await client.connect();
    } catch (error) {
      await client.shutdown();
      throw error;
    }
    return new NetworkBackend(client, options);
  }

  async execute(cql: string, options: ShellExecuteOptions): Promise<ShellResult> {
    const result = await this.client.execute(cql, undefined, {
      consistency: options.consistency,
      serialConsistency: options.serialConsistency,
      // The driver always pages; "everything at once" is the largest page it takes.
      fetchSize: options.pageSize ?? 2 ** 31 - 1,
      ...(options.pagingState === undefined ? {} : { pageState: options.pagingState }),
    });
    return this.shellResult(cql, result);
  }

  private shellResult(cql: string, result: ResultSet): ShellResult {
    const warnings = result.info.warnings;
    if (USE.test(cql) && this.client.keyspace !== undefined) {
      return { kind: 'set_keyspace', columns: [], rows: [], warnings, keyspace: this.client.keyspace };
    }
    if (result.columns.length === 0) return { kind: 'void', columns: [], rows: [], warnings };
    // A custom type (a Java class the shell does not know) is shown as its bytes.
    const columns: ShellColumn[] = result.columns.map((c) => ({
      name: c.name,
      type: c.type.kind === 'custom' ? CqlTypes.blob : c.type,
      keyspace: c.keyspace,
      table: c.table,
    }));
    const rows = result.rows.map((row) =>
      columns.map((c) => {
        const value = row[c.name];
        return value === null || value === undefined ? null : serialize(c.type, value);
      }),
    );
    return {
      kind: 'rows',
      columns,
      rows,
      warnings,
      ...(result.rawPageState ? { pagingState: result.rawPageState } : {}),
    };
  }

  describeSchema(): Promise<readonly KeyspaceMetadata[]> {
    return readSchema((cql, options) => this.execute(cql, options));
  }

  async serverInfo(): Promise<ShellServerInfo> {
    const local = await this.execute(
      "SELECT cluster_name, release_version, cql_version, partitioner FROM system.local WHERE key = 'local'",
      { consistency: 'ONE', serialConsistency: 'SERIAL' },
    );
    const row = local.rows[0] ?? [];
    const text = (i: number, fallback: string) => {
      const bytes = row[i];
      const type: CqlType | undefined = local.columns[i]?.type;
      return bytes && type ? String(deserialize(type, bytes)) : fallback;
    };
    return {
      clusterName: text(0, 'Unknown Cluster'),
      releaseVersion: text(1, 'unknown'),
      cqlVersion: text(2, 'unknown'),
      protocolVersion: 4,
      partitioner: text(3, 'org.apache.cassandra.dht.Murmur3Partitioner'),
      // system.local has no snitch column; the node does not say which it runs.
      snitch: 'unknown',
      host: this.options.host,
      port: this.options.port,
    };
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
