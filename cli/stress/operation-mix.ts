/**
 * Pure: which kind of operation comes next in a `mixed` run. As cassandra-stress, a kind is drawn by
 * the `ratio(...)` weights and then repeated for a run whose length comes from `clustering=`.
 */
import { type Distribution, type RandomSource, sampler } from './distribution.js';
import type { OperationKind } from './stress-arguments.js';

export function operationMix(
  ratio: Readonly<Record<OperationKind, number>>,
  clustering: Distribution,
  random: RandomSource,
): () => OperationKind {
  if (ratio.read <= 0) return () => 'write';
  if (ratio.write <= 0) return () => 'read';
  const writeShare = ratio.write / (ratio.write + ratio.read);
  const runLength = sampler(clustering, random);
  let current: OperationKind = 'write';
  let remaining = 0;
  return () => {
    if (remaining <= 0) {
      current = random() < writeShare ? 'write' : 'read';
      // A run has at least one operation, whatever the distribution says.
      remaining = Math.max(1, runLength());
    }
    remaining--;
    return current;
  };
}

/** The kinds a run performs, in cassandra-stress's order of names. */
export function kindsOf(ratio: Readonly<Record<OperationKind, number>>): OperationKind[] {
  return (['read', 'write'] as const).filter((kind) => ratio[kind] > 0);
}
