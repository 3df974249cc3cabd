/**
 * Runs a cassandra-stress workload against a node or cluster through Sibyl's driver: connect
 * (token-aware), create the keyspace and `standard1` if missing, prepare, warm up, then keep
 * `threads` operations in flight until n= operations are done or duration= has passed, printing a
 * progress line per interval and the summary. Errors of single operations (Unavailable, timeouts,
 * reads that find no row) are counted and the run goes on; not reaching any node, or failing to
 * create the schema, ends it with a `StressError`.
 */
import { NoHostAvailableError, OperationTimedOutError, ResponseError } from '../../driver/index.js';
import { describeDistribution, seededRandom } from './distribution.js';
import { kindsOf, operationMix } from './operation-mix.js';
import { describePopulation, type SeedSource, seedSource } from './population.js';
import type { OperationKind, StressSettings } from './stress-arguments.js';
import { StressError } from './stress-error.js';
import {
  type KindReport,
  progressHeader,
  progressLine,
  StressMetrics,
  summaryLines,
} from './stress-metrics.js';
import {
  connect,
  createSchema,
  describeError,
  type Operations,
  prepareOperations,
  type StressOutput,
} from './stress-setup.js';

export type { StressOutput } from './stress-setup.js';

export interface StressResult {
  /** One report per kind of operation (WRITE, READ). */
  readonly kinds: readonly KindReport[];
  readonly total: KindReport;
  /** The measured run, warm-up excluded. */
  readonly elapsedMs: number;
  /** Errors by type (`Unavailable`, `WriteTimeout`, `NotValidated`, …). */
  readonly errorsByType: ReadonlyMap<string, number>;
}

/** Warm-up as cassandra-stress: a quarter of n (at most 50k) per node, at most 100 in flight. */
const WARMUP_MAX_ITERATIONS = 50_000;
const WARMUP_MAX_THREADS = 100;
/** Distinct error types printed as they first happen; the rest are only counted. */
const MAX_PRINTED_ERROR_TYPES = 20;

export async function runStress(
  settings: StressSettings,
  output: StressOutput,
  signal?: AbortSignal,
): Promise<StressResult> {
  const client = await connect(settings, output);
  try {
    await createSchema(client, settings, output);
    const operations = await prepareOperations(client, settings);
    if (settings.warmup) await warmUp(operations, settings, output, signal);
    return await measure(operations, settings, output, signal);
  } finally {
    await client.shutdown();
  }
}

async function warmUp(
  operations: Operations,
  settings: StressSettings,
  output: StressOutput,
  signal: AbortSignal | undefined,
): Promise<void> {
  const perNode =
    settings.operationCount === undefined
      ? WARMUP_MAX_ITERATIONS
      : Math.min(WARMUP_MAX_ITERATIONS, Math.floor(settings.operationCount * 0.25));
  const iterations = perNode * settings.nodes.length;
  if (iterations <= 0) return;
  for (const kind of kindsOf(settings.ratio)) {
    output.line(`Warming up ${kind.toUpperCase()} with ${iterations} iterations...`);
    await drive(operations, {
      threads: Math.min(WARMUP_MAX_THREADS, settings.threads),
      count: iterations,
      deadlineMs: undefined,
      seeds: seedSource(settings.population, seededRandom(2)),
      nextKind: () => kind,
      record: () => {},
      ...(signal !== undefined && { signal }),
    });
  }
}

interface DrivePlan {
  readonly threads: number;
  readonly count: number | undefined;
  /** `performance.now()` after which no operation starts. */
  readonly deadlineMs: number | undefined;
  readonly seeds: SeedSource;
  readonly nextKind: () => OperationKind;
  readonly record: (kind: OperationKind, latencyMicros: number, error: unknown) => void;
  readonly signal?: AbortSignal;
}

/** `threads` loops, each starting its next operation when the last one ends: `threads` in flight. */
async function drive(operations: Operations, plan: DrivePlan): Promise<void> {
  let issued = 0;
  const mayStart = () =>
    !plan.signal?.aborted &&
    (plan.count === undefined || issued < plan.count) &&
    (plan.deadlineMs === undefined || performance.now() < plan.deadlineMs);
  const loop = async () => {
    while (mayStart()) {
      const seed = plan.seeds.next();
      if (seed === undefined) return;
      issued++;
      const kind = plan.nextKind();
      const started = performance.now();
      try {
        await operations[kind](seed);
        plan.record(kind, (performance.now() - started) * 1000, undefined);
      } catch (error) {
        plan.record(kind, (performance.now() - started) * 1000, error);
        // A failure can come back without any IO (every host down): let timers and sockets run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  await Promise.all(Array.from({ length: plan.threads }, loop));
}

async function measure(
  operations: Operations,
  settings: StressSettings,
  output: StressOutput,
  signal: AbortSignal | undefined,
): Promise<StressResult> {
  const kinds = kindsOf(settings.ratio);
  const metrics = new StressMetrics(kinds);
  const errors = new ErrorTally(output);
  output.line(runningLine(settings, kinds));
  output.line(progressHeader());
  const started = performance.now();
  let intervalStarted = started;
  const printInterval = () => {
    const now = performance.now();
    const { rows, totalOperations } = metrics.interval();
    const seconds = Math.max(0.001, (now - intervalStarted) / 1000);
    for (const row of rows) output.line(progressLine(row, totalOperations, seconds, (now - started) / 1000));
    intervalStarted = now;
  };
  const timer = setInterval(printInterval, settings.logIntervalMs);
  try {
    await drive(operations, {
      threads: settings.threads,
      count: settings.operationCount,
      deadlineMs: settings.durationMs === undefined ? undefined : started + settings.durationMs,
      seeds: seedSource(settings.population, seededRandom(1)),
      nextKind: operationMix(settings.ratio, settings.clustering, seededRandom(3)),
      record: (kind, micros, error) => {
        metrics.record(kind, micros, error === undefined);
        if (error !== undefined) errors.add(kind, error);
      },
      ...(signal !== undefined && { signal }),
    });
  } finally {
    clearInterval(timer);
  }
  const elapsedMs = performance.now() - started;
  if (performance.now() - intervalStarted >= 1) printInterval();
  const { kinds: reports, total } = metrics.totals();
  output.line('');
  for (const line of summaryLines(reports, total, elapsedMs)) output.line(line);
  for (const line of errors.summary()) output.line(line);
  output.line('');
  output.line('END');
  return { kinds: reports, total, elapsedMs, errorsByType: errors.byType };
}

function runningLine(settings: StressSettings, kinds: readonly OperationKind[]): string {
  const names =
    kinds.length === 1 ? kinds[0]!.toUpperCase() : `[${kinds.map((k) => k.toUpperCase()).join(', ')}]`;
  const extent =
    settings.operationCount !== undefined
      ? `for ${settings.operationCount} iteration`
      : `for ${settings.durationMs! / 1000} seconds`;
  const population = describePopulation(settings.population, describeDistribution);
  return (
    `Running ${names} with ${settings.threads} threads ${extent} ` +
    `(cl=${settings.consistency}, -pop ${population}, ${settings.columnCount} columns of ${settings.columnSizeBytes} bytes)`
  );
}

/** Counts errors by type; prints the first of each type as it happens. */
class ErrorTally {
  readonly byType = new Map<string, number>();

  constructor(private readonly output: StressOutput) {}

  add(kind: OperationKind, error: unknown): void {
    const type = errorType(error);
    const key = `${kind.toUpperCase()} ${type}`;
    const seen = this.byType.get(key) ?? 0;
    this.byType.set(key, seen + 1);
    if (seen === 0 && this.byType.size <= MAX_PRINTED_ERROR_TYPES)
      this.output.error(
        `${kind.toUpperCase()} error (${type}): ${describeError(error)} (further ones only counted)`,
      );
  }

  summary(): string[] {
    return [...this.byType].map(
      ([key, count]) => `${'Errors'.padEnd(26)}: ${String(count).padStart(8)} ${key}`,
    );
  }
}

/** The error's type by class and server code, never by message (STYLE.md §7). */
function errorType(error: unknown): string {
  if (error instanceof StressError && error.code === 'NOT_VALIDATED') return 'NotValidated';
  if (error instanceof ResponseError) return error.name;
  if (error instanceof OperationTimedOutError) return 'OperationTimedOut';
  if (error instanceof NoHostAvailableError) return 'NoHostAvailable';
  if (error instanceof Error) return error.name;
  return 'Error';
}
