/**
 * `sibyl tool` output about one node, laid out as nodetool's Info, TableStats and Version, plus the
 * fault filter rules (Sibyl's own). Pure functions from the admin endpoint's JSON to text.
 */
import type {
  FaultsResponse,
  InfoResponse,
  TableStatsResponse,
  VersionResponse,
} from '../../node/admin/admin-types.js';
import { alignedColumns } from '../cluster/status-table.js';
import { decimalText, fileSizeText } from './number-format.js';

const MiB = 1024 * 1024;

/** `nodetool info` (`%-23s: %s` lines); `showTokens` lists every token (-T). */
export function renderInfo(info: InfoResponse, showTokens = false): string {
  const mb = (bytes: number) => decimalText(bytes / MiB, 2, 2);
  const rows: [string, string][] = [
    ['ID', info.hostId],
    ['Gossip active', String(info.gossipActive)],
    ['Native Transport active', String(info.nativeTransportActive)],
    ['Load', fileSizeText(info.loadBytes)],
    ['Generation No', String(info.generation)],
    ['Uptime (seconds)', String(info.uptimeSeconds)],
    ['Heap Memory (MB)', `${mb(info.heapUsedBytes)} / ${mb(info.heapMaxBytes)}`],
    ['Off Heap Memory (MB)', mb(info.offHeapBytes)],
    ['Data Center', info.dataCenter],
    ['Rack', info.rack],
  ];
  if (showTokens) for (const token of info.tokens) rows.push(['Token', token]);
  else rows.push(['Token', `(invoke with -T/--tokens to see all ${info.tokens.length} tokens)`]);
  return rows.map(([name, value]) => `${name.padEnd(23)}: ${value}\n`).join('');
}

/** `nodetool tablestats`: sizes in bytes, or as `1.23 MiB` with `humanReadable` (-H). */
export function renderTableStats(stats: TableStatsResponse, humanReadable = false): string {
  const size = (bytes: number) => (humanReadable ? fileSizeText(bytes) : String(bytes));
  const lines = [`Total number of tables: ${stats.totalTables}`, '----------------'];
  for (const keyspace of stats.keyspaces) {
    lines.push(`Keyspace : ${keyspace.name}`);
    for (const table of keyspace.tables) {
      lines.push(
        `\t\tTable: ${table.name}`,
        `\t\tSSTable count: ${table.sstableCount}`,
        `\t\tSpace used (live): ${size(table.spaceUsedLiveBytes)}`,
        `\t\tSpace used (total): ${size(table.spaceUsedTotalBytes)}`,
        `\t\tNumber of partitions (estimate): ${table.partitionsEstimate}`,
        `\t\tMemtable data size: ${size(table.memtableDataBytes)}`,
        '',
      );
    }
    lines.push('----------------');
  }
  return `${lines.join('\n')}\n`;
}

/** `nodetool version`. */
export function renderVersion(version: VersionResponse): string {
  return `ReleaseVersion: ${version.releaseVersion}\n`;
}

/** The fault filter rules, one per line in rule order (the first that matches a message decides). */
export function renderFaults(faults: FaultsResponse): string {
  if (faults.rules.length === 0) return 'No fault rules.\n';
  const rows = [['ID', 'Action', 'Verbs', 'Peers', 'Direction', 'Delay (ms)', 'Probability']];
  for (const { id, rule } of faults.rules) {
    rows.push([
      String(id),
      rule.action,
      rule.verbs?.join(',') ?? 'all',
      rule.peers?.join(',') ?? 'all',
      rule.direction ?? 'both',
      rule.action === 'delay' ? String(rule.delayMs ?? 0) : '-',
      String(rule.probability ?? 1),
    ]);
  }
  return `${alignedColumns(rows)}\n`;
}
