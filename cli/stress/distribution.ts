/**
 * Pure: cassandra-stress's number syntax (`200k`, `1m`, `2b`) and distributions (`UNIFORM(1..N)`,
 * `GAUSSIAN(1..N[,stdvrng])`, `GAUSSIAN(1..N,mean,stdev)`, `FIXED(v)`, aliases gauss/normal/norm),
 * and samplers over an injected random source. No clock, no global randomness.
 */
import { StressArgumentError } from './stress-error.js';

export type Distribution =
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | {
      readonly kind: 'gaussian';
      readonly min: number;
      readonly max: number;
      readonly mean: number;
      readonly stdev: number;
    }
  | { readonly kind: 'fixed'; readonly value: number };

/** A random source returning doubles in [0, 1). */
export type RandomSource = () => number;

const MULTIPLIERS: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, b: 1e9 };

/** `200000`, `200k`, `1M`, `2b` (cassandra-stress: thousand, million, billion) → a safe integer, or undefined. */
export function parseCount(text: string): number | undefined {
  const match = /^(\d+)([kmb]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) * (MULTIPLIERS[match[2]!.toLowerCase()] ?? 1);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** `min..max` (either end with a k/m/b suffix); `min` ≥ 1 is not required, `min` ≤ `max` is. */
export function parseRange(text: string, what: string): { min: number; max: number } {
  const parts = text.split(/\.\.+/);
  const min = parts.length === 2 ? parseCount(parts[0]!) : undefined;
  const max = parts.length === 2 ? parseCount(parts[1]!) : undefined;
  if (min === undefined || max === undefined)
    throw new StressArgumentError(
      `Invalid range '${text}' for ${what}: expected min..max, such as 1..1000000`,
    );
  if (min > max)
    throw new StressArgumentError(`Invalid range '${text}' for ${what}: min is greater than max`);
  return { min, max };
}

const GAUSSIAN_NAMES = new Set(['gaussian', 'gauss', 'normal', 'norm']);

/** One of the distributions above; `what` names the option in error messages (`-pop dist=`). */
export function parseDistribution(text: string, what: string): Distribution {
  const match = /^(\w+)\((.*)\)$/.exec(text.trim());
  if (!match)
    throw new StressArgumentError(
      `Invalid distribution '${text}' for ${what}: expected UNIFORM(min..max), GAUSSIAN(min..max), ` +
        'GAUSSIAN(min..max,stdvrng), GAUSSIAN(min..max,mean,stdev) or FIXED(value)',
    );
  const name = match[1]!.toLowerCase();
  const params = match[2]!.split(',').map((p) => p.trim());
  if (name === 'uniform' && params.length === 1) return { kind: 'uniform', ...parseRange(params[0]!, what) };
  if (name === 'fixed' && params.length === 1) {
    const value = parseCount(params[0]!);
    if (value !== undefined) return { kind: 'fixed', value };
  }
  if (GAUSSIAN_NAMES.has(name) && params.length >= 1 && params.length <= 3) return gaussian(params, what);
  throw new StressArgumentError(
    `Invalid distribution '${text}' for ${what}: unknown name or wrong parameters ` +
      '(UNIFORM, GAUSSIAN/GAUSS/NORMAL/NORM and FIXED are supported)',
  );
}

function gaussian(params: readonly string[], what: string): Distribution {
  const { min, max } = parseRange(params[0]!, what);
  if (params.length === 3) {
    const mean = Number(params[1]);
    const stdev = Number(params[2]);
    if (!Number.isFinite(mean) || !Number.isFinite(stdev) || stdev <= 0)
      throw new StressArgumentError(
        `Invalid mean/stdev '${params[1]},${params[2]}' for ${what}: expected numbers, stdev positive`,
      );
    return { kind: 'gaussian', min, max, mean, stdev };
  }
  // As cassandra-stress: mean in the middle, the edges `stdvrng` (default 3) deviations away.
  const deviationsToEdge = params.length === 2 ? Number(params[1]) : 3;
  if (!Number.isFinite(deviationsToEdge) || deviationsToEdge <= 0)
    throw new StressArgumentError(`Invalid stdvrng '${params[1]}' for ${what}: expected a positive number`);
  return { kind: 'gaussian', min, max, mean: (min + max) / 2, stdev: (max - min) / 2 / deviationsToEdge };
}

/** Draws integers from the distribution (gaussian values rounded and clamped into [min, max]). */
export function sampler(distribution: Distribution, random: RandomSource): () => number {
  switch (distribution.kind) {
    case 'fixed':
      return () => distribution.value;
    case 'uniform': {
      const { min, max } = distribution;
      return () => min + Math.floor(random() * (max - min + 1));
    }
    case 'gaussian': {
      const { min, max, mean, stdev } = distribution;
      return () => {
        // Box–Muller; 1 - random() keeps the logarithm's argument in (0, 1].
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        return Math.min(max, Math.max(min, Math.round(mean + normal * stdev)));
      };
    }
  }
}

/** mulberry32: a small seeded generator, so a run's choices replay for a seed. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The distribution in cassandra-stress's notation, for the settings printed at the start of a run. */
export function describeDistribution(distribution: Distribution): string {
  switch (distribution.kind) {
    case 'fixed':
      return `FIXED(${distribution.value})`;
    case 'uniform':
      return `UNIFORM(${distribution.min}..${distribution.max})`;
    case 'gaussian':
      return `GAUSSIAN(${distribution.min}..${distribution.max},${distribution.mean},${distribution.stdev})`;
  }
}
