/**
 * The one owner of SSTable file names (docs/formats/sstable.md "Components and file names"):
 * `nb-<generation>-big-<Component>`, with a `tmp-` prefix while being written.
 */
import { join } from 'node:path';
import { assert } from '../../common/errors.js';

/** Each component's file name suffix; the binary ones in TOC order, the TOC last. */
export const componentSuffix = {
  Data: 'Data.db',
  Index: 'Index.db',
  Summary: 'Summary.db',
  Filter: 'Filter.db',
  Statistics: 'Statistics.db',
  TOC: 'TOC.txt',
} as const;
export type Component = keyof typeof componentSuffix;
export const BINARY_COMPONENTS = ['Data', 'Index', 'Summary', 'Filter', 'Statistics'] as const;

export interface SSTableDescriptor {
  readonly dir: string;
  readonly generation: number;
}

const TEMPORARY_PREFIX = 'tmp-';
const NAME_PATTERN =
  /^(tmp-)?nb-([1-9][0-9]*)-big-(Data\.db|Index\.db|Summary\.db|Filter\.db|Statistics\.db|TOC\.txt)$/;

export function componentFileName(generation: number, component: Component, temporary = false): string {
  assert(Number.isSafeInteger(generation) && generation > 0, `bad generation ${generation}`);
  return `${temporary ? TEMPORARY_PREFIX : ''}nb-${generation}-big-${componentSuffix[component]}`;
}

export function componentPath(desc: SSTableDescriptor, component: Component, temporary = false): string {
  return join(desc.dir, componentFileName(desc.generation, component, temporary));
}

export interface ParsedFileName {
  readonly generation: number;
  readonly component: Component;
  readonly temporary: boolean;
}

/** Parses an SSTable file name; null for anything else. */
export function parseFileName(name: string): ParsedFileName | null {
  const match = NAME_PATTERN.exec(name);
  if (match === null) return null;
  const generation = Number(match[2]);
  if (!Number.isSafeInteger(generation)) return null;
  const suffix = match[3];
  const component = (Object.keys(componentSuffix) as Component[]).find((c) => componentSuffix[c] === suffix);
  assert(component !== undefined, 'pattern and suffix table disagree');
  return { generation, component, temporary: match[1] !== undefined };
}
