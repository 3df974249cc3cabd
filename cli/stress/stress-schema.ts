/**
 * Pure: cassandra-stress's `standard1` table and how a seed becomes a row. The key is the seed in
 * ten ASCII digits (cassandra-stress keys are 10 bytes too), so the same seed always names the same
 * partition; the values are deterministic slices of one seeded block of bytes, so a write allocates
 * nothing for them and a rewrite of a seed writes the same values.
 */
import { seededRandom } from './distribution.js';
import type { StressSettings } from './stress-arguments.js';

export const STRESS_TABLE = 'standard1';
const KEY_DIGITS = 10;
const VALUE_BLOCK_BYTES = 64 * 1024;

export function columnNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `"C${i}"`);
}

/** A CQL string literal (quotes doubled). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function createKeyspaceCql(settings: Pick<StressSettings, 'keyspace' | 'replication'>): string {
  const map = Object.entries(settings.replication)
    .map(([name, value]) => `${literal(name)}: ${literal(value)}`)
    .join(', ');
  return `CREATE KEYSPACE IF NOT EXISTS ${settings.keyspace} WITH replication = {${map}} AND durable_writes = true`;
}

export function createTableCql(settings: Pick<StressSettings, 'keyspace' | 'columnCount'>): string {
  const columns = columnNames(settings.columnCount).map((c) => `${c} blob`);
  return `CREATE TABLE IF NOT EXISTS ${settings.keyspace}.${STRESS_TABLE} (key blob PRIMARY KEY, ${columns.join(', ')})`;
}

/** As cassandra-stress: an UPDATE of every column; the values bind first, the key last. */
export function writeCql(settings: Pick<StressSettings, 'keyspace' | 'columnCount'>): string {
  const sets = columnNames(settings.columnCount).map((c) => `${c} = ?`);
  return `UPDATE ${settings.keyspace}.${STRESS_TABLE} SET ${sets.join(', ')} WHERE key = ?`;
}

export function readCql(settings: Pick<StressSettings, 'keyspace' | 'columnCount'>): string {
  const columns = columnNames(settings.columnCount).join(', ');
  return `SELECT ${columns} FROM ${settings.keyspace}.${STRESS_TABLE} WHERE key = ?`;
}

/** The partition key of a seed: its decimal digits, zero-padded to ten bytes of ASCII. */
export function keyOf(seed: number): Buffer {
  return Buffer.from(String(seed).padStart(KEY_DIGITS, '0'), 'latin1');
}

/** Column values of a seed: views into one block of seeded random bytes, no copy per write. */
export class ValueSource {
  private readonly block: Buffer;

  constructor(
    private readonly columnCount: number,
    private readonly sizeBytes: number,
    seed = 0x5eed,
  ) {
    const random = seededRandom(seed);
    this.block = Buffer.alloc(Math.max(VALUE_BLOCK_BYTES, sizeBytes * 2));
    for (let i = 0; i < this.block.length; i++) this.block[i] = Math.floor(random() * 256);
  }

  /** The bound values of a write: the columns of `seed`, then its key. */
  writeValues(seed: number, key: Buffer): Buffer[] {
    const values: Buffer[] = [];
    const span = this.block.length - this.sizeBytes;
    for (let column = 0; column < this.columnCount; column++) {
      // Different columns and seeds start at different offsets; the same seed, the same bytes.
      const offset = (seed * 31 + column * 7919) % span;
      values.push(this.block.subarray(offset, offset + this.sizeBytes));
    }
    values.push(key);
    return values;
  }
}
