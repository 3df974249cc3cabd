/**
 * How protocol values look in JS: a [bytes] / [value] is a byte view, `null` (length -1) or, for
 * [value] only, `NOT_SET` (length -2: "leave the column as it is", spec 3).
 */

export const NOT_SET: unique symbol = Symbol('sibyl.protocol.notSet');
export type NotSet = typeof NOT_SET;

/** A bound value of QUERY / EXECUTE / BATCH. */
export type ProtocolValue = Uint8Array | null | NotSet;

/** An [inet]: an IP address (text, as `inet` prints it) and a port. */
export interface InetSocketAddress {
  readonly address: string;
  readonly port: number;
}
