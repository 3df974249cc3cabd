import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import {
  crc32cOfUint32,
  decodeSegmentHeader,
  encodeRecord,
  encodeSegmentHeader,
  parseSegmentFileName,
  segmentFileName,
} from '../../../storage/commitlog/format.js';

const hex = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

describe('commit log format (docs/formats/commitlog.md)', () => {
  it('encodes the worked example byte for byte', () => {
    const buffer = Buffer.alloc(64);
    const headerEnd = encodeSegmentHeader(buffer, 0, 1_700_000_000_000);
    const end = encodeRecord(buffer, headerEnd, Buffer.from('t1'), Uint8Array.from([1, 2, 3]));
    expect(hex(buffer.subarray(0, headerEnd))).toBe(
      '53 42 43 4c 00 01 00 00 00 00 01 8b cf e5 68 00 bc 17 4a 1e',
    );
    expect(hex(buffer.subarray(headerEnd, end))).toBe(
      '00 00 00 07 9c ad 2f 2c ba ca 4d cf 00 02 74 31 01 02 03',
    );
    expect(end).toBe(39);
    expect(decodeSegmentHeader(buffer)).toEqual({ segmentId: 1_700_000_000_000, version: 1 });
  });

  it('computes the length checksum in JS exactly as crc32c does', () => {
    const bytes = Buffer.alloc(4);
    for (const value of [0, 1, 7, 255, 256, 65_535, 0x01020304, 0x7fffffff, 0xffffffff, 123_456_789]) {
      bytes.writeUInt32BE(value);
      expect(crc32cOfUint32(value)).toBe(crc32c(bytes));
    }
  });

  it('names segment files with version and id, and ignores other names', () => {
    expect(segmentFileName(42)).toBe('CommitLog-1-42.log');
    expect(parseSegmentFileName('CommitLog-1-42.log')).toEqual({ version: 1, segmentId: 42 });
    expect(parseSegmentFileName('CommitLog-1-42.log.tmp')).toBeNull();
    expect(parseSegmentFileName('notes.txt')).toBeNull();
  });
});
