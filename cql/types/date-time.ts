import { MarshalError } from './marshal-error.js';

/**
 * Calendar values of CQL: `date` (LocalDate), `time` (LocalTime) and the text forms of `timestamp`.
 * All calendar arithmetic is proleptic Gregorian in UTC, as Cassandra's java.time code does.
 */

const MS_PER_DAY = 86_400_000;
export const NANOS_PER_DAY = 86_400_000_000_000n;
const MIN_DAYS = -0x80000000;
const MAX_DAYS = 0x7fffffff;

/** Days since 1970-01-01 of a civil date (any integer year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Java ISO year: 4 digits at least, `+` above 9999, `-` below 0. */
function formatYear(year: number): string {
  if (year < 0) return `-${String(-year).padStart(4, '0')}`;
  return year > 9999 ? `+${year}` : String(year).padStart(4, '0');
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A CQL `date`: days since the epoch, from -2^31 to 2^31-1 (serialized unsigned with the epoch at 2^31). */
export class LocalDate {
  constructor(readonly days: number) {
    if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) {
      throw new MarshalError(`date out of range: ${days} days since the epoch`);
    }
  }

  static of(year: number, month: number, day: number): LocalDate {
    return new LocalDate(daysFromCivil(year, month, day));
  }

  /** Parses `YYYY-MM-DD` strictly (ISO local date: real month lengths, leap years). */
  static parse(text: string): LocalDate {
    const match = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/.exec(text);
    const year = Number(match?.[1]);
    const month = Number(match?.[2]);
    const day = Number(match?.[3]);
    if (!match || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      throw new MarshalError(`Unable to coerce '${text}' to a formatted date (long)`);
    }
    const days = daysFromCivil(year, month, day);
    if (days < MIN_DAYS) {
      throw new MarshalError(`Input date ${text} is less than min supported date -5877641-06-23`);
    }
    if (days > MAX_DAYS) {
      throw new MarshalError(`Input date ${text} is greater than max supported date 5881580-07-11`);
    }
    return new LocalDate(days);
  }

  toString(): string {
    const { year, month, day } = civilFromDays(this.days);
    return `${formatYear(year)}-${pad2(month)}-${pad2(day)}`;
  }

  equals(other: LocalDate): boolean {
    return this.days === other.days;
  }
}

/** A CQL `time`: nanoseconds since midnight, 0 to 86399999999999. */
export class LocalTime {
  constructor(readonly nanoseconds: bigint) {
    if (nanoseconds < 0n || nanoseconds >= NANOS_PER_DAY) {
      throw new MarshalError(`time out of range: ${nanoseconds} nanoseconds since midnight`);
    }
  }

  static of(hour: number, minute: number, second: number, nanosecond = 0): LocalTime {
    const seconds = BigInt(hour * 3600 + minute * 60 + second);
    return new LocalTime(seconds * 1_000_000_000n + BigInt(nanosecond));
  }

  /** Cassandra's time syntax: `hh:mm:ss[.fffffffff]`, or a raw count of nanoseconds. */
  static parse(text: string): LocalTime {
    if (/^-?\d+$/.test(text)) {
      const nanos = BigInt(text);
      if (nanos < 0n || nanos >= NANOS_PER_DAY) {
        throw new MarshalError(`Unable to make long (for time) from: '${text}'`);
      }
      return new LocalTime(nanos);
    }
    const match = /^(\d+):(\d+):(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
    const [hour, minute, second] = [match?.[1], match?.[2], match?.[3]].map(Number) as [
      number,
      number,
      number,
    ];
    if (!match || hour >= 24 || minute >= 60 || second >= 60) {
      throw new MarshalError(`(TimeType) Unable to coerce '${text}' to a formatted time (long)`);
    }
    return LocalTime.of(hour, minute, second, Number((match[4] ?? '').padEnd(9, '0')));
  }

  /** Cassandra's form: all nine fraction digits (`03:04:05.123000000`). */
  toString(): string {
    const total = this.nanoseconds;
    const fraction = String(total % 1_000_000_000n).padStart(9, '0');
    const seconds = Number(total / 1_000_000_000n);
    return `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${fraction}`;
  }

  equals(other: LocalTime): boolean {
    return this.nanoseconds === other.nanoseconds;
  }
}

// --- timestamp text ---------------------------------------------------------------------------

const TIMESTAMP_PATTERN =
  /^(\d{1,9})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d{0,9}))?)?(.*)$/;

/**
 * Milliseconds since the epoch of a timestamp literal, in the formats Cassandra accepts:
 * an integer count of milliseconds, or `yyyy-mm-dd[( |T)hh:mm[:ss[.fff]]][zone]` where the zone is
 * `Z`, `+hh`, `+hhmm`, `+hh:mm` (optionally after a space) or ` UTC` / ` GMT` (optionally with an
 * offset). Text without a zone is read as UTC. `now` needs `nowMs`.
 */
export function parseTimestamp(text: string, nowMs?: number): number {
  if (text.toLowerCase() === 'now') {
    if (nowMs === undefined) throw new MarshalError(`Unable to parse a date/time from '${text}' (no clock)`);
    return nowMs;
  }
  if (/^-?\d+$/.test(text)) {
    const ms = BigInt(text);
    if (ms < -(2n ** 63n) || ms >= 2n ** 63n || !Number.isSafeInteger(Number(ms))) {
      throw new MarshalError(`Unable to make long (for date) from: '${text}'`);
    }
    return Number(ms);
  }
  const ms = parseDateTime(text);
  if (ms === undefined) throw new MarshalError(`Unable to parse a date/time from '${text}'`);
  return ms;
}

function parseDateTime(text: string): number | undefined {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const hour = Number(match[4] ?? 0);
  const minute = Number(match[5] ?? 0);
  const second = Number(match[6] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = parseZone(match[8] ?? '');
  if (offsetMinutes === undefined) return undefined;
  // The fraction is a fraction of a second, kept to millisecond precision (truncated).
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const days = daysFromCivil(year, month, day);
  return days * MS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

/** The zone suffix as an offset in minutes east of UTC; '' (no zone) is UTC. */
function parseZone(zone: string): number | undefined {
  if (zone === '') return 0;
  const spaced = zone.startsWith(' ');
  const body = spaced ? zone.slice(1) : zone;
  const named = /^(?:UTC|GMT|UT)(?:([+-]\d{1,2})(?::?(\d{2}))?)?$/i.exec(body);
  if (spaced && named) return signedOffset(named[1], named[2]);
  if (body === 'Z') return 0;
  const offset = /^([+-]\d{2})(?::?(\d{2}))?$/.exec(body);
  // Cassandra's patterns are ` X` and `X` (+hh, +hhmm) and `XXX` (+hh:mm, never after a space).
  if (!offset || (spaced && body.includes(':'))) return undefined;
  return signedOffset(offset[1], offset[2]);
}

function signedOffset(hours: string | undefined, minutes: string | undefined): number | undefined {
  if (hours === undefined) return 0;
  const h = Number(hours);
  const m = Number(minutes ?? 0);
  if (Math.abs(h) > 18 || m > 59) return undefined;
  return h < 0 || hours.startsWith('-') ? h * 60 - m : h * 60 + m;
}

/** `yyyy-mm-dd hh:mm:ss.ffffff+0000`, the form cqlsh prints (UTC, microsecond digits). */
export function formatTimestampCqlsh(ms: number): string {
  const { date, time, millis } = splitMs(ms);
  return `${date} ${time}.${String(millis).padStart(3, '0')}000+0000`;
}

/** `yyyy-mm-ddThh:mm:ss.fffZ`, the form Cassandra writes timestamp literals in (UTC). */
export function formatTimestampIso(ms: number): string {
  const { date, time, millis } = splitMs(ms);
  return `${date}T${time}.${String(millis).padStart(3, '0')}Z`;
}

function splitMs(ms: number): { date: string; time: string; millis: number } {
  const days = Math.floor(ms / MS_PER_DAY);
  const inDay = ms - days * MS_PER_DAY;
  const seconds = Math.floor(inDay / 1000);
  const { year, month, day } = civilFromDays(days);
  return {
    date: `${formatYear(year)}-${pad2(month)}-${pad2(day)}`,
    time: `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`,
    millis: inDay % 1000,
  };
}
