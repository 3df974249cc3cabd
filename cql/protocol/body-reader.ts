/**
 * Reads the body notations of spec section 3 from one frame body. Every read is bounds-checked:
 * truncated or malformed input throws `ProtocolError`, never a RangeError, and nothing is read past
 * the body. Byte results are views into the body (no copy): copy them to keep them beyond the frame.
 */

import type { ConsistencyName } from '../errors.js';
import { inetFromBytes, uuidFromBytes } from '../types/index.js';
import { readUnsignedVInt, zigZagDecode } from '../types/vint.js';
import { CONSISTENCY_NAMES } from './constants.js';
import { ProtocolError } from './protocol-error.js';
import { type InetSocketAddress, NOT_SET, type ProtocolValue } from './values.js';

export class BodyReader {
  private offset = 0;
  /** Made on first use: most bodies (a prepared EXECUTE, a Void or one-row RESULT) need neither. */
  private viewOfBody: DataView | undefined;
  private bufferOfBody: Buffer | undefined;

  constructor(private readonly body: Uint8Array) {}

  private get view(): DataView {
    const body = this.body;
    this.viewOfBody ??= new DataView(body.buffer, body.byteOffset, body.byteLength);
    return this.viewOfBody;
  }

  private get buffer(): Buffer {
    const body = this.body;
    this.bufferOfBody ??= Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return this.bufferOfBody;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.body.length - this.offset;
  }

  /** Bytes not read yet (a view); spec 1 lets a newer peer append fields readers ignore. */
  rest(): Uint8Array {
    return this.take(this.remaining);
  }

  private need(count: number, what: string): void {
    if (count > this.remaining) {
      throw new ProtocolError(
        `Not enough bytes to read ${what}: need ${count} at offset ${this.offset}, body has ${this.body.length}`,
      );
    }
  }

  /** A plain Uint8Array view whatever the body is (a Buffer from a socket, usually). */
  private take(count: number): Uint8Array {
    const start = this.offset;
    this.offset += count;
    return new Uint8Array(this.body.buffer, this.body.byteOffset + start, count);
  }

  /**
   * Guards an element count read from the wire before anything is allocated for it: each element
   * takes at least `minBytesEach` bytes, so a count larger than the rest of the body is malformed.
   */
  checkCount(count: number, minBytesEach: number, what: string): void {
    if (count < 0 || count * Math.max(minBytesEach, 1) > this.remaining) {
      throw new ProtocolError(`Invalid ${what} count ${count}: only ${this.remaining} bytes remain`);
    }
  }

  byte(): number {
    this.need(1, 'a [byte]');
    return this.body[this.offset++]!;
  }

  /** [short]: unsigned 16 bits. */
  short(): number {
    this.need(2, 'a [short]');
    const body = this.body;
    const at = this.offset;
    this.offset += 2;
    return (body[at]! << 8) | body[at + 1]!;
  }

  int(): number {
    this.need(4, 'an [int]');
    const body = this.body;
    const at = this.offset;
    this.offset += 4;
    return (body[at]! << 24) | (body[at + 1]! << 16) | (body[at + 2]! << 8) | body[at + 3]!;
  }

  long(): bigint {
    this.need(8, 'a [long]');
    const value = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return value;
  }

  string(): string {
    const length = this.short();
    this.need(length, 'a [string]');
    const start = this.offset;
    this.offset += length;
    return this.buffer.toString('utf8', start, this.offset);
  }

  longString(): string {
    const length = this.int();
    if (length < 0) throw new ProtocolError(`Invalid [long string] length ${length}`);
    this.need(length, 'a [long string]');
    const start = this.offset;
    this.offset += length;
    return this.buffer.toString('utf8', start, this.offset);
  }

  /** [uuid] as its text form. */
  uuid(): string {
    this.need(16, 'a [uuid]');
    return uuidFromBytes(this.take(16));
  }

  stringList(): string[] {
    const count = this.short();
    this.checkCount(count, 2, '[string list]');
    const list: string[] = [];
    for (let i = 0; i < count; i++) list.push(this.string());
    return list;
  }

  /** [bytes]: any negative length is null. */
  bytes(): Uint8Array | null {
    const length = this.int();
    if (length < 0) return null;
    this.need(length, '[bytes]');
    return this.take(length);
  }

  /** [value]: -1 is null, -2 is not set, anything below is an error (spec 3). */
  value(): ProtocolValue {
    const length = this.int();
    if (length === -1) return null;
    if (length === -2) return NOT_SET;
    if (length < -2) throw new ProtocolError(`Invalid [value] length ${length}`);
    this.need(length, 'a [value]');
    return this.take(length);
  }

  shortBytes(): Uint8Array {
    const length = this.short();
    this.need(length, '[short bytes]');
    return this.take(length);
  }

  unsignedVInt(): bigint {
    const read = readUnsignedVInt(this.body, this.offset);
    if (read === undefined) throw new ProtocolError(`Truncated [unsigned vint] at offset ${this.offset}`);
    this.offset = read.next;
    return read.value;
  }

  vint(): bigint {
    return zigZagDecode(this.unsignedVInt());
  }

  /** [inetaddr]: a [byte] size (4 or 16) and the address bytes. */
  inetAddress(): string {
    const size = this.byte();
    if (size !== 4 && size !== 16) throw new ProtocolError(`Invalid [inetaddr] size ${size}`);
    this.need(size, 'an [inetaddr]');
    return inetFromBytes(this.take(size));
  }

  /** [inet]: an [inetaddr] followed by an [int] port. */
  inet(): InetSocketAddress {
    const address = this.inetAddress();
    return { address, port: this.int() };
  }

  consistency(): ConsistencyName {
    const code = this.short();
    const name = CONSISTENCY_NAMES[code];
    if (name === undefined) throw new ProtocolError(`Unknown code ${code} for a consistency level`);
    return name;
  }

  /** Maps are `Map`s, not objects: keys come from the wire (`__proto__` is just a key). */
  stringMap(): Map<string, string> {
    const count = this.short();
    this.checkCount(count, 4, '[string map]');
    const map = new Map<string, string>();
    for (let i = 0; i < count; i++) map.set(this.string(), this.string());
    return map;
  }

  stringMultimap(): Map<string, string[]> {
    const count = this.short();
    this.checkCount(count, 4, '[string multimap]');
    const map = new Map<string, string[]>();
    for (let i = 0; i < count; i++) map.set(this.string(), this.stringList());
    return map;
  }

  bytesMap(): Map<string, Uint8Array | null> {
    const count = this.short();
    this.checkCount(count, 6, '[bytes map]');
    const map = new Map<string, Uint8Array | null>();
    for (let i = 0; i < count; i++) map.set(this.string(), this.bytes());
    return map;
  }
}
