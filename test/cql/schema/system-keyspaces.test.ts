/** The system keyspaces are defined as Cassandra 4 has them and cannot be changed by users. */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TableMetadata } from '../../../cql/schema/index.js';
import { SYSTEM_KEYSPACES } from '../../../cql/schema/index.js';
import { cqlTypeName } from '../../../cql/types/index.js';
import { SchemaFixture } from './helpers.js';

/** `name type` per column, in select order, with the primary key as Cassandra prints it. */
function describeTable(table: TableMetadata): string {
  const columns = [...table.columns.values()].map((c) => `${c.name} ${cqlTypeName(c.type)}`);
  const pk = table.partitionKey.map((c) => c.name).join(', ');
  const ck = table.clustering.map((c) => c.name);
  return `${columns.join(', ')}, PRIMARY KEY ((${pk})${ck.length > 0 ? `, ${ck.join(', ')}` : ''})`;
}

describe('system keyspaces', () => {
  let f: SchemaFixture;
  beforeEach(async () => {
    f = await SchemaFixture.create();
  });
  afterEach(async () => {
    await f.close();
  });

  it('system.local, peers and peers_v2 have Cassandra 4.1 columns', () => {
    const system = f.manager.view.keyspace('system')!;
    expect(system.replication).toEqual({ class: 'org.apache.cassandra.locator.LocalStrategy' });
    expect(describeTable(system.tables.get('local')!)).toBe(
      'key text, bootstrapped text, broadcast_address inet, broadcast_port int, cluster_name text, cql_version text, data_center text, gossip_generation int, host_id uuid, listen_address inet, listen_port int, native_protocol_version text, partitioner text, rack text, release_version text, rpc_address inet, rpc_port int, schema_version uuid, tokens set<text>, truncated_at map<uuid, blob>, PRIMARY KEY ((key))',
    );
    expect(describeTable(system.tables.get('peers')!)).toBe(
      'peer inet, data_center text, host_id uuid, preferred_ip inet, rack text, release_version text, rpc_address inet, schema_version uuid, tokens set<text>, PRIMARY KEY ((peer))',
    );
    expect(describeTable(system.tables.get('peers_v2')!)).toBe(
      'peer inet, peer_port int, data_center text, host_id uuid, native_address inet, native_port int, preferred_ip inet, preferred_port int, rack text, release_version text, schema_version uuid, tokens set<text>, PRIMARY KEY ((peer), peer_port)',
    );
  });

  it('system_schema has the schema tables of Cassandra 4', () => {
    const schema = f.manager.view.keyspace('system_schema')!;
    expect([...schema.tables.keys()].sort()).toEqual([
      'aggregates',
      'columns',
      'dropped_columns',
      'functions',
      'indexes',
      'keyspaces',
      'tables',
      'triggers',
      'types',
      'views',
    ]);
    expect(describeTable(schema.tables.get('keyspaces')!)).toBe(
      'keyspace_name text, durable_writes boolean, replication frozen<map<text, text>>, PRIMARY KEY ((keyspace_name))',
    );
    expect(describeTable(schema.tables.get('columns')!)).toBe(
      'keyspace_name text, table_name text, column_name text, clustering_order text, column_name_bytes blob, kind text, position int, type text, PRIMARY KEY ((keyspace_name), table_name, column_name)',
    );
    expect(describeTable(schema.tables.get('types')!)).toBe(
      'keyspace_name text, type_name text, field_names frozen<list<text>>, field_types frozen<list<text>>, PRIMARY KEY ((keyspace_name), type_name)',
    );
    expect(describeTable(schema.tables.get('tables')!)).toContain('flags frozen<set<text>>');
    expect(describeTable(schema.tables.get('tables')!)).toContain('id uuid');
  });

  it('system tables have fixed ids and storage in the engine', () => {
    for (const keyspace of SYSTEM_KEYSPACES) {
      for (const table of keyspace.tables.values()) expect(f.engine.hasTable(table.id)).toBe(true);
    }
    // TableId.forSystemTable("system", "local") in Cassandra.
    expect(f.manager.view.keyspace('system')!.tables.get('local')!.id).toBe(
      '7ad54392-bcdd-35a6-8417-4e047860b377',
    );
  });

  it('NetworkTopologyStrategy expands replication_factor to the known data centers and refuses unknown ones', async () => {
    await f.engine.close({ flush: false });
    const { StorageEngine } = await import('../../../storage/storage-engine.js');
    const { SchemaManager } = await import('../../../cql/schema/index.js');
    f.engine = await StorageEngine.open({
      dataDir: f.dir,
      options: { flushInWorkerThread: false },
      clock: f.clock,
    });
    f.manager = await SchemaManager.open(f.engine, {
      randomUuid: randomUUID,
      clock: f.clock,
      datacenters: ['dc1', 'dc2'],
    });
    await f.ddl(
      "CREATE KEYSPACE a WITH replication = {'class': 'NetworkTopologyStrategy', 'replication_factor': 3, 'dc2': 1}",
    );
    expect(f.manager.view.keyspace('a')!.replication).toEqual({
      class: 'org.apache.cassandra.locator.NetworkTopologyStrategy',
      dc1: '3',
      dc2: '1',
    });
    await f.ddl("CREATE KEYSPACE b WITH replication = {'class': 'NetworkTopologyStrategy'}");
    expect(f.manager.view.keyspace('b')!.replication).toMatchObject({ dc1: '1', dc2: '1' });
    await expect(
      f.ddl("CREATE KEYSPACE c WITH replication = {'class': 'NetworkTopologyStrategy', 'dc9': 1}"),
    ).rejects.toMatchObject({
      protocolCode: 0x2300,
      message: 'Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace c',
    });
  });

  it('table options are stored with Cassandra names and canonical values', async () => {
    await f.ddl("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}");
    await f.ddl(
      "CREATE TABLE ks.t (k int PRIMARY KEY, v int) WITH compaction = {'class': 'LeveledCompactionStrategy'} AND compression = {'class': 'ZstdCompressor', 'chunk_length_in_kb': 64} AND caching = {'keys': 'none', 'rows_per_partition': 10} AND speculative_retry = '95PERCENTILE' AND read_repair = 'none' AND bloom_filter_fp_chance = 0.1 AND cdc = true",
    );
    await f.restart();
    const params = f.manager.schema.table('ks', 't')!.params;
    expect(params.compaction).toEqual({
      class: 'org.apache.cassandra.db.compaction.LeveledCompactionStrategy',
      max_threshold: '32',
      min_threshold: '4',
    });
    expect(params.compression).toEqual({
      chunk_length_in_kb: '64',
      class: 'org.apache.cassandra.io.compress.ZstdCompressor',
    });
    expect(params.caching).toEqual({ keys: 'NONE', rows_per_partition: '10' });
    expect(params.speculativeRetry).toBe('95p');
    expect(params.readRepair).toBe('NONE');
    expect(params.bloomFilterFpChance).toBe(0.1);
    expect(params.cdc).toBe(true);
  });
});
