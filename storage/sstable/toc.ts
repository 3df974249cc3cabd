/**
 * The TOC component (docs/formats/sstable.md "TOC"): the last file written, so its presence marks an
 * SSTable complete. It records every other component's size, checked at open.
 */
import { crc32c } from '@node-rs/crc32';
import { CorruptionError } from '../../common/errors.js';
import { BINARY_COMPONENTS, type Component, componentSuffix } from './file-names.js';
import { FORMAT_VERSION } from './format.js';

export type ComponentSizes = Record<(typeof BINARY_COMPONENTS)[number], number>;

const VERSION_LINE = `Sibyl-SSTable-Format ${FORMAT_VERSION}\n`;

export function serializeToc(sizes: ComponentSizes): Buffer {
  let text = VERSION_LINE;
  for (const component of BINARY_COMPONENTS) text += `${componentSuffix[component]} ${sizes[component]}\n`;
  const body = Buffer.from(text, 'utf8');
  const checksum = crc32c(body).toString(16).padStart(8, '0');
  return Buffer.concat([body, Buffer.from(`CRC32C ${checksum}\n`, 'utf8')]);
}

export function parseToc(file: Buffer, path: string): ComponentSizes {
  const text = file.toString('utf8');
  const checksumAt = text.lastIndexOf('CRC32C ');
  const checksumLine = checksumAt < 0 ? '' : text.slice(checksumAt);
  const body = file.subarray(0, Buffer.byteLength(text.slice(0, Math.max(checksumAt, 0))));
  const expected = crc32c(body).toString(16).padStart(8, '0');
  if (checksumLine !== `CRC32C ${expected}\n`)
    throw new CorruptionError(path, Math.max(checksumAt, 0), 'TOC checksum mismatch');
  const lines = body.toString('utf8').split('\n');
  if (`${lines[0]}\n` !== VERSION_LINE)
    throw new CorruptionError(path, 0, `unsupported TOC version line "${lines[0]}"`);
  const sizes: Partial<Record<Component, number>> = {};
  BINARY_COMPONENTS.forEach((component, index) => {
    const [suffix, size] = (lines[index + 1] ?? '').split(' ');
    if (suffix !== componentSuffix[component] || size === undefined || !/^[0-9]+$/.test(size)) {
      throw new CorruptionError(path, 0, `TOC line ${index + 2} should name ${componentSuffix[component]}`);
    }
    sizes[component] = Number(size);
  });
  return sizes as ComponentSizes;
}
