/**
 * Column values in and out of storage cells. A non-frozen collection or UDT is one cell per element
 * (Cassandra's complex column): list elements under timeuuid paths, set elements as paths with
 * empty values, map keys as paths, UDT fields under their 2-byte index. Storage orders cells by
 * unsigned path bytes; reads re-order them by the element comparator to rebuild the value.
 */
import type { Cell, Row } from '../../storage/model.js';
import { isLiveCell } from '../../storage/model.js';
import type { ColumnMetadata } from '../schema/metadata.js';
import type { CqlType } from '../types/index.js';
import { CqlTypes, comparatorFor, isMultiCell } from '../types/index.js';
import { collectionBytes, componentsBytes, mapBytes } from './collection-bytes.js';

/** A row's cells grouped by column, each group in storage order. */
export function cellsByColumn(row: Row | null): Map<string, Cell[]> {
  const out = new Map<string, Cell[]>();
  if (!row) return out;
  for (const cell of row.cells) {
    const list = out.get(cell.column);
    if (list) list.push(cell);
    else out.set(cell.column, [cell]);
  }
  return out;
}

/**
 * Where `column`'s cells start in a row's cells, or -1 when it has none. Row cells are sorted by
 * (column, path) (storage's Row invariant), so a binary search finds the first one.
 */
export function columnStart(cells: readonly Cell[], column: string): number {
  let low = 0;
  let high = cells.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (cells[mid]!.column < column) low = mid + 1;
    else high = mid;
  }
  return low < cells.length && cells[low]!.column === column ? low : -1;
}

/** A row's cells of one column in storage order, or undefined when it has none. */
export function columnCells(row: Row | null, column: string): Cell[] | undefined {
  if (!row) return undefined;
  const cells = row.cells;
  const start = columnStart(cells, column);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < cells.length && cells[end]!.column === column) end++;
  return cells.slice(start, end);
}

/** The order of a complex column's cells: by element / key / list position comparator. */
export function pathComparator(type: CqlType): (a: Cell, b: Cell) => number {
  const base =
    type.kind === 'list'
      ? comparatorFor(CqlTypes.timeuuid)
      : type.kind === 'set'
        ? comparatorFor(type.element)
        : type.kind === 'map'
          ? comparatorFor(type.key)
          : (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b);
  return (a, b) => base(a.path!, b.path!);
}

/** Live element cells of a complex column, in the collection's order. */
export function liveElementCells(
  cells: readonly Cell[] | undefined,
  type: CqlType,
  nowSeconds: number,
): Cell[] {
  if (!cells) return [];
  return cells.filter((c) => c.path !== null && isLiveCell(c, nowSeconds)).sort(pathComparator(type));
}

/** The serialized value of a column in a row (null when absent), as the client sees it. */
export function columnValue(
  column: ColumnMetadata,
  cells: readonly Cell[] | undefined,
  nowSeconds: number,
): Uint8Array | null {
  if (!cells || cells.length === 0) return null;
  const type = column.type;
  if (!isMultiCell(type)) {
    const cell = cells.find((c) => c.path === null);
    return cell && isLiveCell(cell, nowSeconds) ? cell.value : null;
  }
  const live = liveElementCells(cells, type, nowSeconds);
  if (live.length === 0) return null;
  switch (type.kind) {
    case 'list':
      return collectionBytes(live.map((c) => c.value!));
    case 'set':
      return collectionBytes(live.map((c) => c.path!));
    case 'map':
      return mapBytes(live.map((c) => [c.path!, c.value!] as const));
    case 'udt': {
      const fields: (Uint8Array | null)[] = type.fields.map(() => null);
      for (const c of live) {
        const index = fieldIndexOf(c.path!);
        if (index < fields.length) fields[index] = c.value;
      }
      return componentsBytes(fields);
    }
    default:
      throw new Error('assertion failed: multi-cell type expected');
  }
}

export function fieldPath(index: number): Uint8Array {
  return Uint8Array.of((index >> 8) & 0xff, index & 0xff);
}

export function fieldIndexOf(path: Uint8Array): number {
  return (path[0]! << 8) | path[1]!;
}

/** The cell that carries a simple column's value, or for a complex column its newest live cell. */
export function timestampCell(cells: readonly Cell[] | undefined, nowSeconds: number): Cell | null {
  if (!cells) return null;
  let best: Cell | null = null;
  for (const c of cells) {
    if (!isLiveCell(c, nowSeconds)) continue;
    if (!best || c.timestamp > best.timestamp) best = c;
  }
  return best;
}
