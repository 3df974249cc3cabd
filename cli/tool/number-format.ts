/**
 * Numbers as nodetool prints them: sizes through Cassandra's `FileUtils.stringifyFileSize`
 * (`DecimalFormat("#.##")`: at most two decimals, none shown when zero, half-even rounding, then
 * " bytes", " KiB", " MiB", " GiB" or " TiB") and ownership through `DecimalFormat("##0.0%")`.
 * (`cluster/status-table.ts`'s `sizeText` is the cluster manager's own, shorter format.)
 */

const UNITS: readonly [number, string][] = [
  [1024 ** 4, 'TiB'],
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

/** `1.23 MiB`, `70.71 KiB`, `512 bytes`. */
export function fileSizeText(bytes: number): string {
  for (const [size, unit] of UNITS) if (bytes >= size) return `${decimalText(bytes / size, 2, 0)} ${unit}`;
  return `${decimalText(bytes, 2, 0)} bytes`;
}

/** A fraction as a percentage with `decimals` decimals: 0.334 → `33.4%` (1) or `33.40%` (2). */
export function percentText(fraction: number, decimals: number): string {
  return `${decimalText(fraction * 100, decimals, decimals)}%`;
}

/**
 * Java's DecimalFormat on `value`: half-even rounding to `maxDecimals`, trailing zeros dropped down
 * to `minDecimals`, at least one integer digit.
 */
export function decimalText(value: number, maxDecimals: number, minDecimals: number): string {
  const scale = 10 ** maxDecimals;
  const scaled = Math.abs(value) * scale;
  const floor = Math.floor(scaled);
  const rest = scaled - floor;
  const units = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  const digits = String(units).padStart(maxDecimals + 1, '0');
  const integer = digits.slice(0, digits.length - maxDecimals);
  let fraction = digits.slice(digits.length - maxDecimals);
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const sign = value < 0 && units > 0 ? '-' : '';
  return fraction === '' ? `${sign}${integer}` : `${sign}${integer}.${fraction}`;
}
