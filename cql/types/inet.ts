import { isIP } from 'node:net';
import { MarshalError } from './marshal-error.js';

/**
 * `inet` values: 4 bytes for IPv4, 16 for IPv6. Text is printed as Python's inet_ntop does (what
 * cqlsh shows): dotted quads, and RFC 5952 compressed IPv6 (`::1`, `::ffff:1.2.3.4`).
 */

export function inetToBytes(text: string): Uint8Array {
  const family = isIP(text);
  if (family === 4) return Uint8Array.from(text.split('.').map(Number));
  if (family === 6) return ipv6ToBytes(text);
  throw new MarshalError(`Unable to make inet address from '${text}'`);
}

function ipv6ToBytes(text: string): Uint8Array {
  let source = text;
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (v4) {
    const quad = v4[1]!.split('.').map(Number);
    const groups = [(quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!].map((g) => g.toString(16));
    source = `${source.slice(0, -v4[1]!.length)}${groups.join(':')}`;
  }
  const [head, rest] = source.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const front = parse(head);
  const back = rest === undefined ? [] : parse(rest);
  const fill = rest === undefined ? [] : new Array(8 - front.length - back.length).fill(0);
  const groups = rest === undefined ? [...front, ...back] : [...front, ...fill, ...back];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

export function inetFromBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) {
    throw new MarshalError(`Expected 4 or 16 byte inetaddress; got ${Buffer.from(bytes).toString('hex')}`);
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  return compressIpv6(groups);
}

/** RFC 5952: the longest run (2 groups or more, first if tied) of zero groups becomes `::`. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
