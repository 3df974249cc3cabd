/**
 * `sibyl cluster status` as text: one aligned row per node, without borders, as nodetool prints, so
 * that `grep node2` and `awk '{print $5}'` work on it.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Table from 'cli-table3';

/** UP: the process runs and answers STARTUP with READY. UNRESPONSIVE: it runs but does not answer. */
export type NodeState = 'UP' | 'DOWN' | 'UNRESPONSIVE';

export interface NodeStatus {
  readonly name: string;
  readonly address: string;
  readonly dc: string;
  readonly rack: string;
  readonly state: NodeState;
  readonly pid: number | undefined;
  readonly dataBytes: number;
}

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export function statusTable(rows: readonly NodeStatus[]): string {
  const table = new Table({
    head: ['Node', 'Address', 'DC', 'Rack', 'State', 'PID', 'Data'],
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) {
    table.push([row.name, row.address, row.dc, row.rack, row.state, row.pid ?? '-', sizeText(row.dataBytes)]);
  }
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/**
 * Rows as columns two spaces apart without borders, the way nodetool prints its tables; `widths`
 * makes several tables line up (nodetool status shares widths across data centers). Trailing spaces
 * are trimmed.
 */
export function alignedColumns(rows: readonly (readonly string[])[], widths?: readonly number[]): string {
  const table = new Table({
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(widths === undefined ? {} : { colWidths: [...widths] }),
  });
  for (const row of rows) table.push([...row]);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The width of each column over several tables' rows (for `alignedColumns`). */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 1, cell.length);
  }
  return widths;
}

export function sizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A node's data on disk: commit log, SSTables and hints (its logs and config are not data). */
export async function dataBytes(nodeDir: string): Promise<number> {
  let total = 0;
  for (const part of ['commitlog', 'data', 'hints']) total += await treeBytes(join(nodeDir, part));
  return total;
}

async function treeBytes(path: string): Promise<number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0; // absent until the node first writes there
  }
  let total = 0;
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await treeBytes(child);
    else if (entry.isFile())
      total += await stat(child).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
