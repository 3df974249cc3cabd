import { MarshalError } from './marshal-error.js';

/**
 * A CQL `decimal`: unscaled × 10^-scale, as Java's BigDecimal (which is what Cassandra stores).
 * `1.50` and `1.5` are different values with equal numeric order, as in Cassandra.
 */
export class CqlDecimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {
    if (!Number.isInteger(scale) || scale < -0x80000000 || scale > 0x7fffffff) {
      throw new MarshalError(`decimal scale must be a 32-bit integer (got ${scale})`);
    }
  }

  /** Parses Java BigDecimal syntax: `-12.50`, `1e-3`, `.5`, `+3E+2`. */
  static parse(text: string): CqlDecimal {
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    const whole = match?.[2] ?? '';
    const fraction = match?.[3] ?? '';
    if (!match || whole.length + fraction.length === 0) {
      throw new MarshalError(`unable to make BigDecimal from '${text}'`);
    }
    const exponent = match[4] === undefined ? 0 : Number(match[4]);
    const scale = fraction.length - exponent;
    const digits = BigInt(whole + fraction);
    if (!Number.isSafeInteger(exponent) || scale < -0x80000000 || scale > 0x7fffffff) {
      throw new MarshalError(`unable to make BigDecimal from '${text}'`);
    }
    return new CqlDecimal(match[1] === '-' ? -digits : digits, scale);
  }

  static fromNumber(value: number): CqlDecimal {
    if (!Number.isFinite(value)) throw new MarshalError(`unable to make BigDecimal from '${value}'`);
    // The shortest decimal string that reads back as `value` (Java's BigDecimal.valueOf(double)).
    return CqlDecimal.parse(String(value));
  }

  /** Java's BigDecimal.toString: plain unless the scale is negative or the exponent is below -6. */
  toString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    const sign = negative ? '-' : '';
    const adjusted = digits.length - 1 - this.scale;
    if (this.scale >= 0 && adjusted >= -6) {
      if (this.scale === 0) return sign + digits;
      const padded = digits.padStart(this.scale + 1, '0');
      const point = padded.length - this.scale;
      return `${sign}${padded.slice(0, point)}.${padded.slice(point)}`;
    }
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }

  /** Java's BigDecimal.toPlainString: never scientific. */
  toPlainString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    const sign = negative ? '-' : '';
    if (this.scale <= 0) return sign + digits + (this.unscaled === 0n ? '' : '0'.repeat(-this.scale));
    const padded = digits.padStart(this.scale + 1, '0');
    const point = padded.length - this.scale;
    return `${sign}${padded.slice(0, point)}.${padded.slice(point)}`;
  }

  equals(other: CqlDecimal): boolean {
    return this.unscaled === other.unscaled && this.scale === other.scale;
  }

  /** Numeric order (BigDecimal.compareTo): 1.5 and 1.50 compare equal. */
  compareTo(other: CqlDecimal): number {
    return compareDecimals(this.unscaled, this.scale, other.unscaled, other.scale);
  }
}

/** Numeric comparison of u1×10^-s1 and u2×10^-s2 without building 10^(2^31)-sized numbers. */
export function compareDecimals(u1: bigint, s1: number, u2: bigint, s2: number): number {
  const sign1 = u1 === 0n ? 0 : u1 < 0n ? -1 : 1;
  const sign2 = u2 === 0n ? 0 : u2 < 0n ? -1 : 1;
  if (sign1 !== sign2 || sign1 === 0) return sign1 - sign2;
  // Same sign, both non-zero: compare magnitudes by their decimal exponent first.
  const digits1 = (sign1 < 0 ? -u1 : u1).toString().length;
  const digits2 = (sign2 < 0 ? -u2 : u2).toString().length;
  const exponent1 = digits1 - s1;
  const exponent2 = digits2 - s2;
  if (exponent1 !== exponent2) return exponent1 > exponent2 ? sign1 : -sign1;
  // Equal exponents: the scales differ by at most the digit counts, so scaling up is cheap.
  const scale = Math.max(s1, s2);
  const a = u1 * 10n ** BigInt(scale - s1);
  const b = u2 * 10n ** BigInt(scale - s2);
  return a === b ? 0 : a < b ? -1 : 1;
}
