/**
 * `sibyl sstable verify DIR` (like nodetool verify / sstableverify) and
 * `sibyl sstable dump FILE` (like sstabledump): offline tools over SSTable files.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { CorruptionError } from '../../common/errors.js';
import { contextTotal, decodeContext, formatCounterId } from '../../storage/counter-context.js';
import { counterDelta } from '../../storage/counters.js';
import type { Cell } from '../../storage/model.js';
import { decodePartition } from '../../storage/partition-codec.js';
import { ChunkCache, listSSTables, openSSTable, parseFileName } from '../../storage/sstable/sstable.js';

const toolCache = () => new ChunkCache(16 * 1024 * 1024);

/** Every directory under `root` (itself included) that holds SSTables. */
async function sstableDirectories(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    if ((await listSSTables(dir)).length > 0) found.push(dir);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
    }
  };
  await walk(root);
  return found;
}

async function verify(root: string): Promise<void> {
  const cache = toolCache();
  let checked = 0;
  let corrupt = 0;
  for (const dir of await sstableDirectories(root)) {
    for (const generation of await listSSTables(dir)) {
      try {
        const reader = await openSSTable({ dir, generation }, cache);
        await reader.verify();
        await reader.close();
        checked++;
      } catch (error) {
        if (!(error instanceof CorruptionError)) throw error;
        corrupt++;
        console.error(`CORRUPT ${error.message}`);
      }
    }
  }
  console.log(`${checked} SSTables verified, ${corrupt} corrupt`);
  if (corrupt > 0) process.exitCode = 1;
}

/** A counter cell as sstabledump shows one: its shards (counter id, clock, count) and their total. */
function counterCell(cell: Cell): unknown {
  const { value, counter, ...rest } = cell;
  if (counter === 'delta') return { ...rest, counter, delta: counterDelta(cell) };
  const shards = decodeContext(value!).map((s) => ({
    counterId: formatCounterId(s.counterId),
    clock: s.clock,
    count: s.count,
  }));
  return { ...rest, counter, shards, total: contextTotal(value!) };
}

function isCounterCell(value: object): value is Cell {
  return 'counter' in value && 'column' in value && (value as Cell).value instanceof Uint8Array;
}

function printable(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && isCounterCell(value))
    return printable(counterCell(value));
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(printable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)]));
  }
  return value;
}

async function dump(file: string): Promise<void> {
  const parsed = parseFileName(basename(file));
  if (!parsed || !(await stat(file)).isFile()) throw new Error(`${file} is not an SSTable component file`);
  const reader = await openSSTable({ dir: dirname(file), generation: parsed.generation }, toolCache());
  try {
    for await (const { partition } of reader.scan()) {
      console.log(JSON.stringify(printable(decodePartition(partition, reader.dataFile))));
    }
  } finally {
    await reader.close();
  }
}

export function registerSSTableTools(program: Command): void {
  const sstable = program.command('sstable').description('offline tools over SSTable files');
  sstable
    .command('verify')
    .argument('<dir>', 'a data directory (searched recursively) or a table directory')
    .description('check every checksum of every SSTable')
    .action(verify);
  sstable
    .command('dump')
    .argument('<file>', 'any component file of the SSTable (e.g. nb-1-big-Data.db)')
    .description('print each partition as a JSON line (counter cells with their shards and total)')
    .action(dump);
}
