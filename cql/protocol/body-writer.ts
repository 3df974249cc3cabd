/**
 * Writes the body notations of spec section 3 into a growable buffer. Doubling growth keeps the
 * total copying linear in the body size. A value that cannot be represented (a [string] over 65535
 * bytes, a count over a [short]) is a caller bug and fails an assertion.
 *
 * A writer can also hold a run of whole frames (a connection's output batch): `beginFrame` leaves
 * room for a header, `endFrame` fills it in, and `take` hands out every frame finished since the
 * last `take` as one view. Taken bytes are never written or copied again (the socket may still be
 * sending them), so one buffer serves many batches without a copy per frame.
 */
import { assert } from '../../common/errors.js';
import type { ConsistencyName } from '../errors.js';
import { inetToBytes, uuidToBytes } from '../types/index.js';
import { writeUnsignedVInt, zigZagEncode } from '../types/vint.js';
import { consistencyCode, HEADER_LENGTH } from './constants.js';
import { type FrameHeader, writeFrameHeaderFields } from './frame.js';
import { type InetSocketAddress, NOT_SET, type ProtocolValue } from './values.js';

const MAX_SHORT = 0xffff;
/** A batch buffer grown past this (one huge frame) is not kept for the next batches. */
const RETAINED_CAPACITY_BYTES = 1 << 20;
const NO_FRAME = -1;

export class BodyWriter {
  private buffer: Buffer;
  private view: DataView;
  private length = 0;
  /** Start of the bytes not handed out by `take` yet. */
  private taken = 0;
  /** Where the frame begun by `beginFrame` starts, or NO_FRAME. */
  private frameStart = NO_FRAME;

  constructor(private readonly initialCapacity = 256) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialCapacity, 16));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /**
   * Makes room for `extra` bytes. The bytes already taken stay where they are (the new buffer
   * holds only what follows them); doubling growth keeps the copying linear.
   */
  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    const live = this.length - this.taken;
    // A buffer with taken bytes was full of frames already sent: start over at the initial size.
    let capacity = this.taken === 0 ? this.buffer.length * 2 : this.initialCapacity;
    while (capacity < live + extra) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, this.taken, this.length);
    if (this.frameStart !== NO_FRAME) this.frameStart -= this.taken;
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    this.length = live;
    this.taken = 0;
  }

  /** Everything written and not taken (a view of the internal buffer). */
  finish(): Buffer {
    return this.buffer.subarray(this.taken, this.length);
  }

  /** Hands out what was written since the last `take`; later writes go after it. */
  take(): Buffer {
    assert(this.frameStart === NO_FRAME, 'no frame is half written when a batch is taken');
    const out = this.buffer.subarray(this.taken, this.length);
    this.taken = this.length;
    if (this.buffer.length > RETAINED_CAPACITY_BYTES) {
      // The views handed out keep the big buffer alive only as long as they are in use.
      this.buffer = Buffer.allocUnsafe(this.initialCapacity);
      this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      this.length = 0;
      this.taken = 0;
    }
    return out;
  }

  /** Starts a frame: room for its header, which `endFrame` writes once the body's length is known. */
  beginFrame(): void {
    assert(this.frameStart === NO_FRAME, 'frames are written one at a time');
    this.ensure(HEADER_LENGTH);
    this.frameStart = this.length;
    this.length += HEADER_LENGTH;
  }

  /** The body of the frame in progress (a view, valid until the next write). */
  frameBody(): Buffer {
    assert(this.frameStart !== NO_FRAME, 'a frame is in progress');
    return this.buffer.subarray(this.frameStart + HEADER_LENGTH, this.length);
  }

  /** Replaces the body of the frame in progress (by its compressed form). */
  replaceFrameBody(body: Uint8Array): void {
    assert(this.frameStart !== NO_FRAME, 'a frame is in progress');
    this.length = this.frameStart + HEADER_LENGTH;
    this.raw(body);
  }

  /** Writes the header of the frame in progress; its body is everything written since `beginFrame`. */
  endFrame(header: Omit<FrameHeader, 'bodyLength'>): void {
    assert(this.frameStart !== NO_FRAME, 'a frame is in progress');
    assert(header.version >= 3, 'frames are written in v3+ headers');
    const bodyLength = this.length - this.frameStart - HEADER_LENGTH;
    writeFrameHeaderFields(this.buffer, this.frameStart, header, bodyLength);
    this.frameStart = NO_FRAME;
  }

  /** Drops the frame in progress (its encoding failed): the batch keeps only whole frames. */
  abandonFrame(): void {
    if (this.frameStart === NO_FRAME) return;
    this.length = this.frameStart;
    this.frameStart = NO_FRAME;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  byte(value: number): this {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xff)) outOfRange('[byte]', value);
    this.ensure(1);
    this.buffer[this.length++] = value;
    return this;
  }

  short(value: number): this {
    if (!(Number.isInteger(value) && value >= 0 && value <= MAX_SHORT)) outOfRange('[short]', value);
    this.ensure(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
    return this;
  }

  int(value: number): this {
    if (!(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31)) outOfRange('[int]', value);
    this.ensure(4);
    this.view.setInt32(this.length, value);
    this.length += 4;
    return this;
  }

  long(value: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, value));
    this.length += 8;
    return this;
  }

  string(value: string): this {
    const size = Buffer.byteLength(value, 'utf8');
    if (size > MAX_SHORT) outOfRange('[string] length', size);
    this.short(size);
    this.ensure(size);
    this.buffer.write(value, this.length, size, 'utf8');
    this.length += size;
    return this;
  }

  longString(value: string): this {
    const size = Buffer.byteLength(value, 'utf8');
    this.int(size);
    this.ensure(size);
    this.buffer.write(value, this.length, size, 'utf8');
    this.length += size;
    return this;
  }

  uuid(value: string): this {
    return this.raw(uuidToBytes(value));
  }

  stringList(values: readonly string[]): this {
    this.short(values.length);
    for (const value of values) this.string(value);
    return this;
  }

  bytes(value: Uint8Array | null): this {
    if (value === null) return this.int(-1);
    return this.int(value.length).raw(value);
  }

  value(value: ProtocolValue): this {
    if (value === NOT_SET) return this.int(-2);
    return this.bytes(value);
  }

  shortBytes(value: Uint8Array): this {
    return this.short(value.length).raw(value);
  }

  unsignedVInt(value: bigint): this {
    const out: number[] = [];
    writeUnsignedVInt(value, out);
    return this.raw(Uint8Array.from(out));
  }

  vint(value: bigint): this {
    return this.unsignedVInt(zigZagEncode(value));
  }

  inetAddress(address: string): this {
    const bytes = inetToBytes(address);
    return this.byte(bytes.length).raw(bytes);
  }

  inet(value: InetSocketAddress): this {
    return this.inetAddress(value.address).int(value.port);
  }

  consistency(value: ConsistencyName): this {
    return this.short(consistencyCode(value));
  }

  stringMap(map: ReadonlyMap<string, string>): this {
    this.short(map.size);
    for (const [key, value] of map) this.string(key).string(value);
    return this;
  }

  stringMultimap(map: ReadonlyMap<string, readonly string[]>): this {
    this.short(map.size);
    for (const [key, values] of map) this.string(key).stringList(values);
    return this;
  }

  bytesMap(map: ReadonlyMap<string, Uint8Array | null>): this {
    this.short(map.size);
    for (const [key, value] of map) this.string(key).bytes(value);
    return this;
  }
}

/**
 * A value the notation cannot hold is a caller bug. The message is built only then: a template
 * string per call would cost an allocation for every number written.
 */
function outOfRange(notation: string, value: number): never {
  assert(false, `${notation} out of range: ${value}`);
}
