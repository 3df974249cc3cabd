/**
 * Writes the body notations of spec section 3 into a growable buffer. Doubling growth keeps the
 * total copying linear in the body size. A value that cannot be represented (a [string] over 65535
 * bytes, a count over a [short]) is a caller bug and fails an assertion.
 */
import { assert } from '../../common/errors.js';
import type { ConsistencyName } from '../errors.js';
import { inetToBytes, uuidToBytes } from '../types/index.js';
import { writeUnsignedVInt, zigZagEncode } from '../types/vint.js';
import { consistencyCode } from './constants.js';
import { type InetSocketAddress, NOT_SET, type ProtocolValue } from './values.js';

const MAX_SHORT = 0xffff;

export class BodyWriter {
  private buffer: Buffer;
  private view: DataView;
  private length = 0;

  /** `reserve` leaves room at the front (for a frame header) so finishing needs no copy. */
  constructor(
    initialCapacity = 256,
    private readonly reserve = 0,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialCapacity, reserve + 16));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.length = reserve;
  }

  /** Bytes written after the reserved prefix. */
  get bodyLength(): number {
    return this.length - this.reserve;
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  /** Everything written, reserved prefix included (a view of the internal buffer). */
  finishWithReserve(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** The body written, without the reserved prefix. */
  finish(): Buffer {
    return this.buffer.subarray(this.reserve, this.length);
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  byte(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xff, `[byte] out of range: ${value}`);
    this.ensure(1);
    this.buffer[this.length++] = value;
    return this;
  }

  short(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= MAX_SHORT, `[short] out of range: ${value}`);
    this.ensure(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
    return this;
  }

  int(value: number): this {
    assert(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31, `[int] out of range: ${value}`);
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
    assert(size <= MAX_SHORT, `[string] too long: ${size} bytes`);
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
