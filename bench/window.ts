import hdr from 'hdr-histogram-js';

export interface WindowResult {
  readonly opsPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
}

/**
 * Drives `count` operations with `inFlight` always outstanding (a sliding window), recording each
 * operation's latency, and returns throughput and latency percentiles.
 */
export async function slidingWindow(
  count: number,
  inFlight: number,
  op: (i: number) => Promise<unknown>,
): Promise<WindowResult> {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await op(i);
      histogram.recordValue(Number((process.hrtime.bigint() - t0) / 1000n) || 1);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    opsPerSecond: Math.round(count / seconds),
    p50Micros: histogram.getValueAtPercentile(50),
    p99Micros: histogram.getValueAtPercentile(99),
  };
}
