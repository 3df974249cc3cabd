import { crc32c } from '@node-rs/crc32';
import { assert, CorruptionError } from '../../common/errors.js';
import {
  crc32cOfUint32,
  decodeSegmentHeader,
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  TABLE_ID_LENGTH_BYTES,
} from './format.js';

export interface ScannedRecord {
  readonly tableId: string;
  /** A view into the segment's bytes: copy it before keeping it. */
  readonly payload: Buffer;
  /** Offset after the record: its position within the segment. */
  readonly endOffset: number;
}

/** Where and why the readable part of the last segment ends early. */
export interface TornTail {
  readonly offset: number;
  readonly reason: string;
}

/**
 * Walks the records of one segment held in memory, applying the torn-tail rule of
 * docs/formats/commitlog.md ("Torn tail or corruption"): defects that a crash can leave at the end of
 * the last segment end the scan (`tornTail`); every other defect throws CorruptionError.
 */
export class SegmentScanner {
  tornTail: TornTail | null = null;
  private offset = SEGMENT_HEADER_BYTES;

  constructor(
    private readonly file: string,
    private readonly data: Buffer,
    private readonly segmentId: number,
    private readonly isLastSegment: boolean,
  ) {
    this.checkHeader();
  }

  /** The next valid record; null once the segment ends, cleanly or at a torn tail. */
  next(): ScannedRecord | null {
    const { data } = this;
    const start = this.offset;
    if (this.tornTail !== null || start === data.length) return null;
    assert(start < data.length, 'scanner went past the end of the segment');
    if (data.length - start < RECORD_HEADER_BYTES) {
      return this.defect(start, 'record header extends past end of file', true);
    }
    const length = data.readUInt32BE(start);
    const lengthChecksum = data.readUInt32BE(start + 4);
    if (crc32cOfUint32(length) !== lengthChecksum) {
      return this.defect(start, 'record length checksum mismatch', false);
    }
    if (length < TABLE_ID_LENGTH_BYTES)
      return this.defect(start, `impossible record length ${length}`, false);
    const bodyStart = start + RECORD_HEADER_BYTES;
    const end = bodyStart + length;
    if (end > data.length) {
      return this.defect(start, `record of ${length} bytes extends past end of file`, true);
    }
    if (crc32c(data.subarray(bodyStart, end), lengthChecksum) !== data.readUInt32BE(start + 8)) {
      return this.defect(start, 'record checksum mismatch', isZeroFrom(data, end));
    }
    const tableIdLength = data.readUInt16BE(bodyStart);
    const payloadStart = bodyStart + TABLE_ID_LENGTH_BYTES + tableIdLength;
    if (payloadStart > end)
      return this.defect(start, `table id of ${tableIdLength} bytes exceeds record`, false);
    this.offset = end;
    const tableId = data.toString('utf8', bodyStart + TABLE_ID_LENGTH_BYTES, payloadStart);
    return { tableId, payload: data.subarray(payloadStart, end), endOffset: end };
  }

  private checkHeader(): void {
    if (this.data.length < SEGMENT_HEADER_BYTES) {
      this.defect(0, 'segment header extends past end of file', true);
      return;
    }
    const header = decodeSegmentHeader(this.data);
    if ('problem' in header) {
      this.defect(0, `segment header: ${header.problem}`, false);
    } else if (header.segmentId !== this.segmentId) {
      this.defect(0, `segment header names segment ${header.segmentId}, file name ${this.segmentId}`, false);
    }
  }

  /**
   * A defect at `offset`: a torn tail if it is in the last segment and either has the shape a crash
   * leaves (`tornShape`) or only zero bytes follow; corruption otherwise.
   */
  private defect(offset: number, reason: string, tornShape: boolean): null {
    if (this.isLastSegment && (tornShape || isZeroFrom(this.data, offset))) {
      this.tornTail = { offset, reason };
      return null;
    }
    const where = this.isLastSegment ? '' : ' (not the last segment, so not a torn tail)';
    throw new CorruptionError(this.file, offset, `${reason}${where}`);
  }
}

/** Are all bytes from `offset` to the end zero (true when there are none)? */
export function isZeroFrom(data: Buffer, offset: number): boolean {
  for (let i = offset; i < data.length; i++) {
    if (data[i] !== 0) return false;
  }
  return true;
}
