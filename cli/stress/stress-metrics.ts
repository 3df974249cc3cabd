/**
 * Counting and printing, as cassandra-stress does: per operation kind, an HDR histogram of latencies
 * (microseconds) for the current interval and one for the whole run, operation and error counts; the
 * progress line of each interval and the "Results:" summary. The formatting functions are pure.
 */
import hdr, { type Histogram } from 'hdr-histogram-js';
import type { OperationKind } from './stress-arguments.js';

/** Latencies in milliseconds. */
export interface LatencySummary {
  readonly meanMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/** One kind's counts over a span of time (an interval or the whole run). */
export interface KindReport {
  /** `WRITE`, `READ` or `total`, as cassandra-stress names the rows. */
  readonly name: string;
  /** Operations completed, failed ones included. */
  readonly operations: number;
  readonly errors: number;
  /** Operations that succeeded (a partition written, or a partition found). */
  readonly partitions: number;
  readonly latency: LatencySummary;
}

/** A histogram up to 10 minutes at 3 significant digits: any latency a request can have. */
function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

function summarize(histogram: Histogram): LatencySummary {
  const ms = (micros: number) => micros / 1000;
  if (histogram.totalCount === 0) return { meanMs: 0, medianMs: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
  return {
    meanMs: ms(histogram.mean),
    medianMs: ms(histogram.getValueAtPercentile(50)),
    p95Ms: ms(histogram.getValueAtPercentile(95)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    p999Ms: ms(histogram.getValueAtPercentile(99.9)),
    maxMs: ms(histogram.maxValue),
  };
}

class Span {
  readonly histogram = newHistogram();
  operations = 0;
  errors = 0;

  record(latencyMicros: number, ok: boolean): void {
    this.histogram.recordValue(Math.min(600_000_000, Math.max(1, Math.round(latencyMicros))));
    this.operations++;
    if (!ok) this.errors++;
  }

  report(name: string): KindReport {
    const partitions = this.operations - this.errors;
    return {
      name,
      operations: this.operations,
      errors: this.errors,
      partitions,
      latency: summarize(this.histogram),
    };
  }

  reset(): void {
    this.histogram.reset();
    this.operations = 0;
    this.errors = 0;
  }
}

/** Both spans of every kind; `interval()` reports and restarts the current interval. */
export class StressMetrics {
  private readonly kinds: ReadonlyMap<OperationKind, { interval: Span; total: Span }>;

  constructor(kinds: readonly OperationKind[]) {
    this.kinds = new Map(kinds.map((kind) => [kind, { interval: new Span(), total: new Span() }]));
  }

  record(kind: OperationKind, latencyMicros: number, ok: boolean): void {
    const spans = this.kinds.get(kind)!;
    spans.interval.record(latencyMicros, ok);
    spans.total.record(latencyMicros, ok);
  }

  /** The interval's report per kind and, with several kinds, their `total`; then a new interval. */
  interval(): { rows: KindReport[]; totalOperations: number } {
    const rows = this.reportAll((spans) => spans.interval);
    const totalOperations = [...this.kinds.values()].reduce((sum, s) => sum + s.total.operations, 0);
    for (const spans of this.kinds.values()) spans.interval.reset();
    return { rows, totalOperations };
  }

  /** The whole run: one report per kind, and `total` (the same as the single kind when alone). */
  totals(): { kinds: KindReport[]; total: KindReport } {
    const rows = this.reportAll((spans) => spans.total);
    return { kinds: rows.length === 1 ? rows : rows.slice(0, -1), total: { ...rows.at(-1)!, name: 'total' } };
  }

  private reportAll(pick: (spans: { interval: Span; total: Span }) => Span): KindReport[] {
    const rows = [...this.kinds].map(([kind, spans]) => pick(spans).report(kind.toUpperCase()));
    if (rows.length === 1) return rows;
    const combined = new Span();
    for (const spans of this.kinds.values()) {
      const span = pick(spans);
      combined.histogram.add(span.histogram);
      combined.operations += span.operations;
      combined.errors += span.errors;
    }
    rows.push(combined.report('total'));
    return rows;
  }
}

const COLUMNS = ['total ops', 'op/s', 'mean', 'med', '.95', '.99', '.999', 'max', 'time', 'errors'];

export function progressHeader(): string {
  return `${'type'.padEnd(6)}${COLUMNS.map((c) => `,${c.padStart(c === 'total ops' ? 11 : 9)}`).join('')}`;
}

/** One row of an interval: its own rate and latencies, the run's operation count and elapsed time. */
export function progressLine(
  row: KindReport,
  totalOperations: number,
  intervalSeconds: number,
  elapsedSeconds: number,
): string {
  const l = row.latency;
  const cells = [
    String(totalOperations).padStart(11),
    String(Math.round(row.operations / intervalSeconds)).padStart(9),
    ...[l.meanMs, l.medianMs, l.p95Ms, l.p99Ms, l.p999Ms, l.maxMs].map((v) => v.toFixed(1).padStart(9)),
    elapsedSeconds.toFixed(1).padStart(9),
    String(row.errors).padStart(9),
  ];
  return `${row.name.padEnd(6)}${cells.map((c) => `,${c}`).join('')}`;
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** `00:01:05` */
export function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** The "Results:" block of cassandra-stress: totals, then each kind in brackets. */
export function summaryLines(kinds: readonly KindReport[], total: KindReport, elapsedMs: number): string[] {
  const seconds = elapsedMs / 1000;
  const line = (label: string, value: (r: KindReport) => string, unit: string) =>
    `${label.padEnd(26)}: ${value(total).padStart(8)}${unit} [${kinds.map((k) => `${k.name}: ${value(k).trim()}${unit}`).join(', ')}]`;
  const ms = (pick: (l: LatencySummary) => number) => (r: KindReport) => pick(r.latency).toFixed(1);
  return [
    'Results:',
    line('Op rate', (r) => thousands(r.operations / seconds), ' op/s'),
    line('Partition rate', (r) => thousands(r.partitions / seconds), ' pk/s'),
    line('Row rate', (r) => thousands(r.partitions / seconds), ' row/s'),
    line(
      'Latency mean',
      ms((l) => l.meanMs),
      ' ms',
    ),
    line(
      'Latency median',
      ms((l) => l.medianMs),
      ' ms',
    ),
    line(
      'Latency 95th percentile',
      ms((l) => l.p95Ms),
      ' ms',
    ),
    line(
      'Latency 99th percentile',
      ms((l) => l.p99Ms),
      ' ms',
    ),
    line(
      'Latency 99.9th percentile',
      ms((l) => l.p999Ms),
      ' ms',
    ),
    line(
      'Latency max',
      ms((l) => l.maxMs),
      ' ms',
    ),
    line('Total partitions', (r) => thousands(r.partitions), ''),
    line('Total errors', (r) => thousands(r.errors), ''),
    `${'Total operation time'.padEnd(26)}: ${formatElapsed(elapsedMs)}`,
  ];
}
