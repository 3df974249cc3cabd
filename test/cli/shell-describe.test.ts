/**
 * DESCRIBE gives CQL that recreates the schema: the output of one node, run on a fresh node, gives
 * that node the same schema (the same DESCRIBE output, the same columns and options). The schema
 * read back through system_schema (the network backend's path) describes identically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describe as describeTarget } from '../../cli/shell/describe.js';
import { readSchema } from '../../cli/shell/schema-reader.js';
import { openTestShell, type TestShell } from './shell-helpers.js';

const SCHEMA = `
CREATE KEYSPACE shop WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1} AND durable_writes = false;
CREATE KEYSPACE "Quoted" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2};
CREATE TYPE shop.zeta (line text, "Zip" int);
CREATE TYPE shop.alpha (home frozen<zeta>, tags set<text>);
CREATE TABLE shop.orders (
  region text, day date, at timestamp, id uuid,
  owner text static, total decimal, items map<text, int>, address frozen<alpha>, pair frozen<tuple<int, text>>,
  "CamelCase" list<bigint>,
  PRIMARY KEY ((region, day), at, id)
) WITH CLUSTERING ORDER BY (at DESC, id ASC)
  AND comment = 'it''s orders' AND default_time_to_live = 3600 AND gc_grace_seconds = 3600
  AND compaction = {'class': 'LeveledCompactionStrategy'} AND caching = {'keys': 'NONE', 'rows_per_partition': '10'}
  AND speculative_retry = '50ms' AND bloom_filter_fp_chance = 0.1;
CREATE TABLE shop.counts (k text PRIMARY KEY, n counter);
CREATE TABLE "Quoted"."Table" ("Key" int PRIMARY KEY, v blob);
`;

let source: TestShell;
let copy: TestShell;

beforeAll(async () => {
  [source, copy] = await Promise.all([openTestShell(), openTestShell()]);
  const created = await source.run(SCHEMA);
  expect(created.err).toBe('');
});

afterAll(async () => {
  await Promise.all([source?.close(), copy?.close()]);
});

describe('DESCRIBE', () => {
  it('prints the schema as CQL that recreates it on a fresh node', async () => {
    const described = await source.run('DESCRIBE SCHEMA');
    expect(described.err).toBe('');
    expect(described.out).toContain(
      "CREATE KEYSPACE shop WITH replication = {'class': 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'datacenter1': '1'}  AND durable_writes = false;",
    );
    expect(described.out).toContain(
      '    PRIMARY KEY ((region, day), at, id)\n) WITH CLUSTERING ORDER BY (at DESC, id ASC)\n',
    );
    expect(described.out).toContain('    owner text static,');
    expect(described.out.indexOf('CREATE TYPE shop.zeta')).toBeLessThan(
      described.out.indexOf('CREATE TYPE shop.alpha'),
    );

    const replayed = await copy.run(described.out);
    expect(replayed.err).toBe('');
    const again = await copy.run('DESCRIBE SCHEMA');
    expect(again.out).toBe(described.out);

    const [before, after] = await Promise.all([
      source.backend.describeSchema(),
      copy.backend.describeSchema(),
    ]);
    const table = (keyspaces: typeof before) =>
      keyspaces.find((k) => k.name === 'shop')!.tables.get('orders')!;
    expect(table(after).params).toEqual(table(before).params);
    expect([...table(after).columns.values()]).toEqual([...table(before).columns.values()]);
  });

  it('describes the same schema when it is read through system_schema (the network path)', async () => {
    const server = await source.backend.serverInfo();
    const direct = await source.backend.describeSchema();
    const read = await readSchema((cql, options) => source.backend.execute(cql, options));
    const target = { what: 'schema', full: false } as const;
    expect(describeTarget(target, { keyspaces: read, currentKeyspace: undefined, server })).toEqual(
      describeTarget(target, { keyspaces: direct, currentKeyspace: undefined, server }),
    );
  });

  it('lists keyspaces, tables and types, and names what is missing', async () => {
    expect((await source.run('DESCRIBE KEYSPACES')).out).toBe(
      '\nQuoted  shop  system  system_schema  system_virtual_schema\n\n',
    );
    expect((await source.run('USE shop; DESC TABLES; DESC TYPES')).out).toBe(
      '\ncounts  orders\n\n\nalpha  zeta\n\n',
    );
    expect((await source.run('DESCRIBE TYPE zeta')).out).toBe(
      '\nCREATE TYPE shop.zeta (\n    line text,\n    "Zip" int\n);\n',
    );
    expect((await source.run('DESCRIBE TABLE counts')).out).toMatch(
      /^\nCREATE TABLE shop\.counts \(\n {4}k text PRIMARY KEY,\n {4}n counter\n\) WITH additional_write_policy/,
    );
    expect((await source.run('DESCRIBE TABLE nothing')).err).toBe(
      "<stdin>:1:Table 'nothing' not found in keyspace 'shop'\n",
    );
    expect((await source.run('DESCRIBE KEYSPACE nowhere')).err).toBe(
      "<stdin>:1:Keyspace 'nowhere' not found\n",
    );
    expect((await source.run('DESCRIBE CLUSTER')).out).toContain(
      'Partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
    );
    source.shell.keyspace = undefined;
  });
});
