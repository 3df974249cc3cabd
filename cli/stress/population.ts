/**
 * Pure: where each operation's key comes from (cassandra-stress `-pop`). A sequence `seq=A..B`
 * hands out A, A+1, …, B in order and wraps (or ends, with `no-wrap`); a distribution draws each seed
 * independently. Seeds become keys in stress-schema.ts, so a read with the same population as a
 * write finds its rows.
 */
import { type Distribution, type RandomSource, sampler } from './distribution.js';

export type Population =
  | { readonly kind: 'sequence'; readonly min: number; readonly max: number; readonly wrap: boolean }
  | { readonly kind: 'distribution'; readonly distribution: Distribution };

export interface SeedSource {
  /** The next seed, or undefined when a `no-wrap` sequence is exhausted. */
  next(): number | undefined;
}

export function seedSource(population: Population, random: RandomSource): SeedSource {
  if (population.kind === 'distribution') {
    const draw = sampler(population.distribution, random);
    return { next: draw };
  }
  const { min, max, wrap } = population;
  const size = max - min + 1;
  let issued = 0;
  return {
    next() {
      if (!wrap && issued >= size) return undefined;
      return min + (issued++ % size);
    },
  };
}

export function describePopulation(population: Population, describe: (d: Distribution) => string): string {
  if (population.kind === 'distribution') return `dist=${describe(population.distribution)}`;
  return `seq=${population.min}..${population.max}${population.wrap ? '' : ' no-wrap'}`;
}
