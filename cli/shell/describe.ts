/**
 * DESCRIBE: the schema model back into CQL that recreates it, in the shape Cassandra 4's
 * server-side DESCRIBE gives cqlsh (KeyspaceMetadata / TableMetadata / UserType `toCqlString`):
 * `CREATE KEYSPACE … WITH replication = {…}  AND durable_writes = …;` (two spaces, as Cassandra),
 * tables with one column a line, `PRIMARY KEY`, `WITH CLUSTERING ORDER BY` and every table option
 * in alphabetical order. Lists (KEYSPACES, TABLES, TYPES) are laid out in columns as cqlsh's
 * `columnize` does. Pure: model in, lines out.
 */
import type { KeyspaceMetadata, TableMetadata } from '../../cql/schema/index.js';
import { javaDouble } from '../../cql/schema/java-format.js';
import type { CqlType, UdtType } from '../../cql/types/index.js';
import { cqlTypeName, isMultiCell, maybeQuoteIdentifier } from '../../cql/types/index.js';
import type { ShellServerInfo } from './backend.js';
import type { DescribeTarget } from './shell-commands.js';

/** A DESCRIBE that names something missing; printed as an error, as cqlsh prints the server's. */
export class DescribeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DescribeError';
  }
}

const SYSTEM_KEYSPACE_NAMES = new Set([
  'system',
  'system_schema',
  'system_auth',
  'system_distributed',
  'system_traces',
  'system_views',
  'system_virtual_schema',
]);

export function isSystemKeyspace(name: string): boolean {
  return SYSTEM_KEYSPACE_NAMES.has(name);
}

const q = maybeQuoteIdentifier;
const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

function mapText(record: Readonly<Record<string, string>>): string {
  return `{${Object.entries(record)
    .map(([k, v]) => `${quoted(k)}: ${quoted(v)}`)
    .join(', ')}}`;
}

export function createKeyspaceCql(keyspace: KeyspaceMetadata): string {
  return (
    `CREATE KEYSPACE ${q(keyspace.name)} WITH replication = ${mapText(keyspace.replication)}` +
    `  AND durable_writes = ${keyspace.durableWrites};`
  );
}

export function createTypeCql(type: UdtType): string {
  const fields = type.fields.map((f) => `    ${q(f.name)} ${cqlTypeName(f.type)}`);
  return `CREATE TYPE ${q(type.keyspace)}.${q(type.name)} (\n${fields.join(',\n')}\n);`;
}

/** Statics then regulars, each simple before multi-cell and by name, as Cassandra orders them. */
function otherColumns(table: TableMetadata) {
  const order = (a: { name: string; type: CqlType }, b: { name: string; type: CqlType }) =>
    Number(isMultiCell(a.type)) - Number(isMultiCell(b.type)) ||
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
  return [...[...table.statics].sort(order), ...[...table.regulars].sort(order)];
}

export function createTableCql(table: TableMetadata): string {
  const singleKey = table.partitionKey.length === 1 && table.clustering.length === 0;
  const columns = [...table.partitionKey, ...table.clustering, ...otherColumns(table)];
  const lines = columns.map((c) => {
    const suffix =
      c.kind === 'static' ? ' static' : singleKey && c.kind === 'partition_key' ? ' PRIMARY KEY' : '';
    return `    ${q(c.name)} ${cqlTypeName(c.type)}${suffix}`;
  });
  if (!singleKey) lines.push(`    ${primaryKey(table)}`);
  const options = tableOptions(table);
  if (table.clustering.length > 0) {
    const order = table.clustering.map(
      (c) => `${q(c.name)} ${c.clusteringOrder === 'desc' ? 'DESC' : 'ASC'}`,
    );
    options.unshift(`CLUSTERING ORDER BY (${order.join(', ')})`);
  }
  const name = `${q(table.keyspace)}.${q(table.name)}`;
  return `CREATE TABLE ${name} (\n${lines.join(',\n')}\n) WITH ${options.join('\n    AND ')};`;
}

function primaryKey(table: TableMetadata): string {
  const partition = table.partitionKey.map((c) => q(c.name));
  const key = partition.length > 1 ? `(${partition.join(', ')})` : partition[0]!;
  return `PRIMARY KEY (${[key, ...table.clustering.map((c) => q(c.name))].join(', ')})`;
}

/** TableParams.appendCqlTo of Cassandra 4.0 (4.1's `memtable` is left out: Sibyl has no such option). */
function tableOptions(table: TableMetadata): string[] {
  const p = table.params;
  return [
    `additional_write_policy = ${quoted(p.additionalWritePolicy)}`,
    `bloom_filter_fp_chance = ${javaDouble(p.bloomFilterFpChance)}`,
    `caching = ${mapText(p.caching)}`,
    `cdc = ${p.cdc === true}`,
    `comment = ${quoted(p.comment)}`,
    `compaction = ${mapText(p.compaction)}`,
    `compression = ${mapText(p.compression)}`,
    `crc_check_chance = ${javaDouble(p.crcCheckChance)}`,
    `default_time_to_live = ${p.defaultTimeToLive}`,
    `extensions = ${mapText(p.extensions)}`,
    `gc_grace_seconds = ${p.gcGraceSeconds}`,
    `max_index_interval = ${p.maxIndexInterval}`,
    `memtable_flush_period_in_ms = ${p.memtableFlushPeriodInMs}`,
    `min_index_interval = ${p.minIndexInterval}`,
    `read_repair = ${quoted(p.readRepair)}`,
    `speculative_retry = ${quoted(p.speculativeRetry)}`,
  ];
}

/** Types a type uses come before it, so the statements run in order. */
function typesInDependencyOrder(keyspace: KeyspaceMetadata): UdtType[] {
  const done = new Set<string>();
  const out: UdtType[] = [];
  const visit = (type: UdtType) => {
    if (done.has(type.name)) return;
    done.add(type.name);
    for (const field of type.fields)
      for (const used of udtsIn(field.type)) {
        const dependency = keyspace.types.get(used);
        if (dependency) visit(dependency);
      }
    out.push(type);
  };
  for (const name of [...keyspace.types.keys()].sort()) visit(keyspace.types.get(name)!);
  return out;
}

function udtsIn(type: CqlType): string[] {
  switch (type.kind) {
    case 'native':
      return [];
    case 'list':
    case 'set':
      return udtsIn(type.element);
    case 'map':
      return [...udtsIn(type.key), ...udtsIn(type.value)];
    case 'tuple':
      return type.elements.flatMap(udtsIn);
    case 'udt':
      return [type.name];
  }
}

export function keyspaceStatements(keyspace: KeyspaceMetadata): string[] {
  const tables = [...keyspace.tables.keys()].sort().map((t) => createTableCql(keyspace.tables.get(t)!));
  return [createKeyspaceCql(keyspace), ...typesInDependencyOrder(keyspace).map(createTypeCql), ...tables];
}

/** Python's cmd.columnize: the fewest rows whose columns (two spaces apart) fit in 80 cells. */
export function columnize(names: readonly string[], displayWidth = 80): string[] {
  if (names.length === 0) return ['<empty>'];
  if (names.length === 1) return [names[0]!];
  let layout = { rows: names.length, widths: [Math.max(...names.map((n) => n.length))] };
  for (let rows = 1; rows < names.length; rows++) {
    const columns = Math.ceil(names.length / rows);
    const widths = Array.from({ length: columns }, (_, c) =>
      Math.max(0, ...names.slice(c * rows, (c + 1) * rows).map((n) => n.length)),
    );
    if (widths.reduce((a, b) => a + b + 2, -2) <= displayWidth) {
      layout = { rows, widths };
      break;
    }
  }
  const lines: string[] = [];
  for (let r = 0; r < layout.rows; r++) {
    const texts = layout.widths.map((_, c) => names[r + c * layout.rows] ?? '');
    while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
    lines.push(texts.map((t, c) => t.padEnd(layout.widths[c]!)).join('  '));
  }
  return lines;
}

export interface DescribeContext {
  readonly keyspaces: readonly KeyspaceMetadata[];
  readonly currentKeyspace: string | undefined;
  readonly server: ShellServerInfo;
}

/** The lines DESCRIBE prints (cqlsh's describe_element / describe_list / describe_cluster). */
export function describe(target: DescribeTarget, context: DescribeContext): string[] {
  const byName = new Map(context.keyspaces.map((k) => [k.name, k]));
  const keyspaceNamed = (name: string | undefined) => {
    const resolved = name ?? context.currentKeyspace;
    if (resolved === undefined) throw new DescribeError('No keyspace specified and no current keyspace');
    const keyspace = byName.get(resolved);
    if (!keyspace) throw new DescribeError(`Keyspace '${resolved}' not found`);
    return keyspace;
  };
  const elements = (statements: string[]) => statements.flatMap((s) => ['', s]);
  switch (target.what) {
    case 'keyspaces':
      return ['', ...columnize([...byName.keys()].sort()), ''];
    case 'tables':
    case 'types':
      return describeList(target.what, context);
    case 'cluster':
      return describeCluster(context.server);
    case 'schema':
      return elements(
        [...byName.values()]
          .filter((k) => target.full || !isSystemKeyspace(k.name))
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .flatMap(keyspaceStatements),
      );
    case 'keyspace':
      return elements(keyspaceStatements(keyspaceNamed(target.keyspace)));
    case 'table':
    case 'type':
    case 'object':
      return elements([namedElement(target, keyspaceNamed(target.keyspace), byName)]);
  }
}

function namedElement(
  target: Extract<DescribeTarget, { name: string }>,
  keyspace: KeyspaceMetadata,
  byName: ReadonlyMap<string, KeyspaceMetadata>,
): string {
  if (target.what === 'type') {
    const type = keyspace.types.get(target.name);
    if (!type) throw new DescribeError(`User defined type '${target.name}' not found in '${keyspace.name}'`);
    return createTypeCql(type);
  }
  if (target.what === 'object' && target.keyspace === undefined && byName.has(target.name)) {
    return keyspaceStatements(byName.get(target.name)!).join('\n\n');
  }
  const table = keyspace.tables.get(target.name);
  if (table) return createTableCql(table);
  if (target.what === 'table') {
    throw new DescribeError(`Table '${target.name}' not found in keyspace '${keyspace.name}'`);
  }
  throw new DescribeError(`'${target.name}' not found in keyspace '${keyspace.name}'`);
}

function describeList(what: 'tables' | 'types', context: DescribeContext): string[] {
  const keyspaces = context.keyspaces
    .filter((k) => context.currentKeyspace === undefined || k.name === context.currentKeyspace)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const lines: string[] = [];
  for (const keyspace of keyspaces) {
    const names = [...(what === 'tables' ? keyspace.tables.keys() : keyspace.types.keys())].sort();
    if (names.length === 0) continue;
    lines.push('');
    if (context.currentKeyspace === undefined) {
      lines.push(`Keyspace ${keyspace.name}`, `---------${'-'.repeat(keyspace.name.length)}`);
    }
    lines.push(...columnize(names));
  }
  return lines.length === 0 ? lines : [...lines, ''];
}

function describeCluster(server: ShellServerInfo): string[] {
  return [
    '',
    `Cluster: ${server.clusterName}`,
    `Partitioner: ${server.partitioner}`,
    `Snitch: ${server.snitch}`,
    '',
  ];
}
