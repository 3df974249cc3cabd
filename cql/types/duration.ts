import { MarshalError } from './marshal-error.js';

/**
 * A CQL `duration`: months, days and nanoseconds kept apart, because a month or a day has no fixed
 * length. All three have the same sign. Text forms are Cassandra's (its cql3.Duration).
 */

const NANOS_PER_MICRO = 1000n;
const NANOS_PER_MILLI = 1000n * NANOS_PER_MICRO;
const NANOS_PER_SECOND = 1000n * NANOS_PER_MILLI;
const NANOS_PER_MINUTE = 60n * NANOS_PER_SECOND;
const NANOS_PER_HOUR = 60n * NANOS_PER_MINUTE;
const INT32_MAX = 0x7fffffffn;
const INT64_MAX = 0x7fffffffffffffffn;

// Units in the order they must appear (Cassandra rejects `1m1h`), with what one unit adds.
const UNITS = [
  { name: 'years', symbols: ['y'], field: 'months', per: 12n },
  { name: 'months', symbols: ['mo'], field: 'months', per: 1n },
  { name: 'weeks', symbols: ['w'], field: 'days', per: 7n },
  { name: 'days', symbols: ['d'], field: 'days', per: 1n },
  { name: 'hours', symbols: ['h'], field: 'nanoseconds', per: NANOS_PER_HOUR },
  { name: 'minutes', symbols: ['m'], field: 'nanoseconds', per: NANOS_PER_MINUTE },
  { name: 'seconds', symbols: ['s'], field: 'nanoseconds', per: NANOS_PER_SECOND },
  { name: 'milliseconds', symbols: ['ms'], field: 'nanoseconds', per: NANOS_PER_MILLI },
  { name: 'microseconds', symbols: ['us', 'µs'], field: 'nanoseconds', per: NANOS_PER_MICRO },
  { name: 'nanoseconds', symbols: ['ns'], field: 'nanoseconds', per: 1n },
] as const;

type Unit = (typeof UNITS)[number];

export class CqlDuration {
  readonly months: number;
  readonly days: number;

  constructor(
    months: number,
    days: number,
    readonly nanoseconds: bigint,
  ) {
    // -0 and 0 are one duration.
    this.months = months + 0;
    this.days = days + 0;
    const int32 = (n: number) => Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
    if (!int32(months) || !int32(days) || nanoseconds > INT64_MAX || nanoseconds < -INT64_MAX - 1n) {
      throw new MarshalError(`duration out of range (${months}, ${days}, ${nanoseconds})`);
    }
    const allNonNegative = months >= 0 && days >= 0 && nanoseconds >= 0n;
    const allNonPositive = months <= 0 && days <= 0 && nanoseconds <= 0n;
    if (!allNonNegative && !allNonPositive) {
      throw new MarshalError(
        `The duration months, days and nanoseconds must be all of the same sign (${months}, ${days}, ${nanoseconds})`,
      );
    }
  }

  /**
   * Cassandra's duration syntax: `1y2mo3w4d5h6m7s8ms9us10ns` (units in that order, any case, `µs`
   * for `us`), ISO 8601 `P1Y2M3DT4H5M6S` / `P2W` / `P0001-02-03T04:05:06`; a leading `-` negates.
   */
  static parse(input: string): CqlDuration {
    const negative = input.startsWith('-');
    const source = negative ? input.slice(1) : input;
    const builder = new DurationBuilder(negative);
    if (source.startsWith('P')) {
      if (source.endsWith('W')) parseIsoWeeks(source, builder);
      else if (source.includes('-')) parseIsoAlternative(source, builder);
      else parseIso(source, builder);
    } else {
      parseStandard(source, builder);
    }
    return builder.build();
  }

  /** Cassandra's text form: `1y2mo`, `-3d4h`, `1h30m`, `500ms`; a zero duration prints as ''. */
  toString(): string {
    const negative = this.months < 0 || this.days < 0 || this.nanoseconds < 0n;
    let out = negative ? '-' : '';
    const months = BigInt(Math.abs(this.months));
    out += part(months / 12n, 'y') + part(months % 12n, 'mo') + part(BigInt(Math.abs(this.days)), 'd');
    let rest = this.nanoseconds < 0n ? -this.nanoseconds : this.nanoseconds;
    for (const [per, symbol] of [
      [NANOS_PER_HOUR, 'h'],
      [NANOS_PER_MINUTE, 'm'],
      [NANOS_PER_SECOND, 's'],
      [NANOS_PER_MILLI, 'ms'],
      [NANOS_PER_MICRO, 'us'],
      [1n, 'ns'],
    ] as const) {
      out += part(rest / per, symbol);
      rest %= per;
    }
    return out;
  }

  equals(other: CqlDuration): boolean {
    return this.months === other.months && this.days === other.days && this.nanoseconds === other.nanoseconds;
  }
}

function part(count: bigint, symbol: string): string {
  return count === 0n ? '' : `${count}${symbol}`;
}

function unableToConvert(source: string): MarshalError {
  return new MarshalError(`Unable to convert '${source}' to a duration`);
}

function parseStandard(source: string, builder: DurationBuilder): void {
  // `m` comes last so that `mo` and `ms` win over it.
  const token = /(\d+)(y|mo|w|d|h|s|ms|us|µs|ns|m)/iy;
  let position = 0;
  if (source.length === 0) throw unableToConvert(source);
  while (position < source.length) {
    token.lastIndex = position;
    const match = token.exec(source);
    if (!match) throw unableToConvert(source);
    const symbol = match[2]!.toLowerCase();
    builder.add(UNITS.find((u) => (u.symbols as readonly string[]).includes(symbol))!, BigInt(match[1]!));
    position = token.lastIndex;
  }
}

function parseIso(source: string, builder: DurationBuilder): void {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(source);
  if (!match) throw unableToConvert(source);
  const order = ['years', 'months', 'days', null, 'hours', 'minutes', 'seconds'];
  order.forEach((name, i) => {
    const group = match[i + 1];
    if (name !== null && group !== undefined) builder.add(unitNamed(name), BigInt(group));
  });
}

function parseIsoWeeks(source: string, builder: DurationBuilder): void {
  const match = /^P(\d+)W$/.exec(source);
  if (!match) throw unableToConvert(source);
  builder.add(unitNamed('weeks'), BigInt(match[1]!));
}

function parseIsoAlternative(source: string, builder: DurationBuilder): void {
  const match = /^P(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(source);
  if (!match) throw unableToConvert(source);
  ['years', 'months', 'days', 'hours', 'minutes', 'seconds'].forEach((name, i) => {
    builder.add(unitNamed(name), BigInt(match[i + 1]!));
  });
}

function unitNamed(name: string): Unit {
  return UNITS.find((u) => u.name === name)!;
}

class DurationBuilder {
  private months = 0n;
  private days = 0n;
  private nanoseconds = 0n;
  private lastUnit = -1;

  constructor(private readonly negative: boolean) {}

  add(unit: Unit, count: bigint): void {
    const index = UNITS.indexOf(unit);
    if (index === this.lastUnit) {
      throw new MarshalError(`Invalid duration. The ${unit.name} are specified multiple times`);
    }
    if (index < this.lastUnit) {
      throw new MarshalError(
        `Invalid duration. The ${UNITS[this.lastUnit]!.name} should be after ${unit.name}`,
      );
    }
    this.lastUnit = index;
    const current = this[unit.field];
    const limit = ((unit.field === 'nanoseconds' ? INT64_MAX : INT32_MAX) - current) / unit.per;
    if (count > limit) {
      throw new MarshalError(
        `Invalid duration. The total number of ${unit.field} must be less or equal to ${INT32_MAX}`,
      );
    }
    this[unit.field] = current + count * unit.per;
  }

  build(): CqlDuration {
    const sign = this.negative ? -1n : 1n;
    return new CqlDuration(Number(sign * this.months), Number(sign * this.days), sign * this.nanoseconds);
  }
}
