import { hexOf } from './bytes.js';
import type { CqlType } from './cql-type.js';
import type { CqlValue } from './cql-value.js';
import { formatTimestampCqlsh, formatTimestampIso, type LocalDate, type LocalTime } from './date-time.js';
import type { CqlDecimal } from './decimal.js';
import type { CqlDuration } from './duration.js';
import { maybeQuoteIdentifier } from './identifier.js';

/**
 * Values (as `deserialize` returns them) back to text: `formatCqlLiteral` writes a CQL constant
 * that parses back to the same value; `formatCqlsh` writes what cqlsh shows in a result table.
 */

type Style = 'literal' | 'cqlsh';

export function formatCqlLiteral(type: CqlType, value: CqlValue): string {
  return formatValue(type, value, 'literal', true);
}

export function formatCqlsh(type: CqlType, value: CqlValue): string {
  return formatValue(type, value, 'cqlsh', false);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function formatValue(type: CqlType, value: CqlValue, style: Style, nested: boolean): string {
  if (value === null) return 'null';
  switch (type.kind) {
    case 'native':
      return formatNative(type.name, value, style, nested);
    case 'list':
      return `[${(value as CqlValue[]).map((v) => formatValue(type.element, v, style, true)).join(', ')}]`;
    case 'set':
      return `{${(value as CqlValue[]).map((v) => formatValue(type.element, v, style, true)).join(', ')}}`;
    case 'map': {
      const entries = [...(value as Map<CqlValue, CqlValue>).entries()].map(
        ([k, v]) => `${formatValue(type.key, k, style, true)}: ${formatValue(type.value, v, style, true)}`,
      );
      return `{${entries.join(', ')}}`;
    }
    case 'tuple':
      return `(${type.elements.map((t, i) => formatValue(t, (value as CqlValue[])[i] ?? null, style, true)).join(', ')})`;
    case 'udt': {
      const record = value as Record<string, CqlValue>;
      const fields = type.fields.map(
        (f) => `${maybeQuoteIdentifier(f.name)}: ${formatValue(f.type, record[f.name] ?? null, style, true)}`,
      );
      return `{${fields.join(', ')}}`;
    }
  }
}

function formatNative(name: string, value: CqlValue, style: Style, nested: boolean): string {
  const literal = style === 'literal';
  switch (name) {
    case 'ascii':
    case 'text':
      return literal || nested ? quote(value as string) : (value as string);
    case 'boolean':
      return literal ? String(value) : value ? 'True' : 'False';
    case 'float':
      return literal ? formatFloat32(value as number) : formatCqlshFloat(value as number, 5);
    case 'double':
      return literal ? formatDouble(value as number) : formatCqlshFloat(value as number, 12);
    case 'decimal':
      return (value as CqlDecimal).toString();
    case 'timestamp': {
      const ms = (value as Date).getTime();
      return literal ? quote(formatTimestampIso(ms)) : formatTimestampCqlsh(ms);
    }
    case 'date':
    case 'time':
    case 'inet': {
      const text = name === 'inet' ? (value as string) : (value as LocalDate | LocalTime).toString();
      return literal ? quote(text) : text;
    }
    case 'duration': {
      const text = (value as CqlDuration).toString();
      return text === '' ? '0s' : text;
    }
    case 'blob':
      return `0x${hexOf(value as Uint8Array)}`;
    default:
      // int, smallint, tinyint, bigint, counter, varint, uuid, timeuuid
      return String(value);
  }
}

function formatSpecial(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return undefined;
}

function formatDouble(value: number): string {
  return formatSpecial(value) ?? String(value);
}

/** The shortest decimal text that reads back as the same 32-bit float. */
function formatFloat32(value: number): string {
  const special = formatSpecial(value);
  if (special !== undefined) return special;
  for (let precision = 1; precision <= 9; precision++) {
    const text = String(Number(value.toPrecision(precision)));
    if (Math.fround(Number(text)) === value) return text;
  }
  return String(value);
}

/**
 * cqlsh's float display: `%.Ng` where N is float_precision (5 for float, 12 for double) widened by
 * the digits before the decimal point when the number is printed without exponent.
 */
function formatCqlshFloat(value: number, precision: number): string {
  const special = formatSpecial(value);
  if (special !== undefined) return special;
  const exponent = Math.abs(value) > Number.EPSILON ? Math.trunc(Math.log10(Math.abs(value))) : -Infinity;
  const digits = exponent >= -4 && exponent < precision ? precision + exponent + 1 : precision;
  return formatG(value, digits);
}

/** C's `%.{precision}g`. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const p = Math.max(precision, 1);
  const [mantissa, exponentText] = value.toExponential(p - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < p) {
    return stripZeros(value.toFixed(Math.max(p - 1 - exponent, 0)));
  }
  const sign = exponent < 0 ? '-' : '+';
  return `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
