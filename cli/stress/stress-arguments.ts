/**
 * Pure: cassandra-stress's command line → `StressSettings`, or a `StressArgumentError` naming the bad
 * argument. The syntax is cassandra-stress's: the command's own parameters first (`n=200000
 * cl=QUORUM`), then option groups, each a dash-name followed by its parameters (`-rate threads=128`,
 * `-node 127.0.0.1,127.0.0.2`, `-schema "replication(factor=3)"`). A quoted argument may hold several
 * parameters separated by spaces; spaces inside parentheses are dropped (`ratio(write=1, read=3)`).
 * Parameters of cassandra-stress that sibyl stress does not implement are refused by name, never
 * ignored.
 */
import { CONSISTENCY_NAMES } from '../../cql/protocol/index.js';
import type { Consistency } from '../../driver/index.js';
import { type Distribution, parseCount, parseDistribution, parseRange } from './distribution.js';
import type { Population } from './population.js';
import { StressArgumentError } from './stress-error.js';

export const STRESS_COMMANDS = ['write', 'read', 'mixed'] as const;
export type StressCommand = (typeof STRESS_COMMANDS)[number];
export type OperationKind = 'write' | 'read';

export interface StressSettings {
  readonly command: StressCommand;
  /** `n=`: operations to run (warm-up excluded); exactly one of this and `durationMs` is set. */
  readonly operationCount: number | undefined;
  /** `duration=`: how long to issue operations. */
  readonly durationMs: number | undefined;
  readonly consistency: Consistency;
  /** Warm-up before the measured run (off with `no-warmup`). */
  readonly warmup: boolean;
  /** Weights of the operation kinds: `ratio(write=1,read=3)` for mixed, all writes for write. */
  readonly ratio: Readonly<Record<OperationKind, number>>;
  /** mixed `clustering=`: how many operations of one kind run back to back. */
  readonly clustering: Distribution;
  /** `-rate threads=N`: operations in flight. */
  readonly threads: number;
  /** `-node`: contact points (addresses, without port). */
  readonly nodes: readonly string[];
  /** `-node datacenter=`: the driver's local data center. */
  readonly dataCenter: string;
  /** `-port native=`. */
  readonly nativePort: number;
  /** `-mode connectionsPerHost=`; undefined keeps the driver's default. */
  readonly connectionsPerHost: number | undefined;
  /** `-schema keyspace=`. */
  readonly keyspace: string;
  /** `-schema replication(...)`: the keyspace's replication map (class first). */
  readonly replication: Readonly<Record<string, string>>;
  /** `-pop`: where keys come from. */
  readonly population: Population;
  /** `-col n=FIXED(k)`: columns C0 … C(k-1). */
  readonly columnCount: number;
  /** `-col size=FIXED(b)`: bytes per column value. */
  readonly columnSizeBytes: number;
  /** `-log interval=`: how often a progress line is printed. */
  readonly logIntervalMs: number;
}

/** Bounds of the numeric arguments (STYLE.md §6: limits in one place, refused with a clear error). */
export const stressLimits = {
  maxThreads: 10_000,
  maxColumns: 100,
  maxColumnSizeBytes: 1024 * 1024,
  defaultThreads: 50,
  defaultColumnCount: 5,
  defaultColumnSizeBytes: 34,
  /** cassandra-stress's population size when n= is not given. */
  defaultPopulationSize: 1_000_000,
} as const;

const OPTION_GROUPS = [
  '-rate',
  '-node',
  '-port',
  '-schema',
  '-pop',
  '-col',
  '-mode',
  '-log',
  '-errors',
] as const;
type OptionGroup = (typeof OPTION_GROUPS)[number];

/** One parameter: `key=value`, `key<value`, `key(inner)` or a bare word. */
interface Parameter {
  readonly text: string;
  /** Lower-cased name with its operator: `n=`, `err<`, `ratio(`, `no-warmup`. */
  readonly signature: string;
  readonly value: string;
}

export function parseStressArguments(command: string, args: readonly string[]): StressSettings {
  if (!(STRESS_COMMANDS as readonly string[]).includes(command))
    throw new StressArgumentError(
      `Unknown command '${command}'; sibyl stress runs ${STRESS_COMMANDS.join(', ')} (and engine)`,
    );
  const stressCommand = command as StressCommand;
  const groups = groupArguments(args);
  const commandPart = parseCommandParameters(stressCommand, groups.command);
  const node = parseNode(groups.options.get('-node'));
  checkErrors(groups.options.get('-errors'));
  return {
    command: stressCommand,
    ...commandPart,
    threads: parseRate(groups.options.get('-rate')),
    ...node,
    nativePort: parsePort(groups.options.get('-port')),
    connectionsPerHost: parseMode(groups.options.get('-mode')),
    ...parseSchema(groups.options.get('-schema')),
    population: parsePopulation(groups.options.get('-pop'), stressCommand, commandPart.operationCount),
    ...parseColumns(groups.options.get('-col')),
    logIntervalMs: parseLog(groups.options.get('-log')),
  };
}

/** Splits an argument into parameters at spaces outside parentheses; spaces inside are dropped. */
export function splitParameters(arg: string): string[] {
  const parameters: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of arg) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (/\s/.test(ch)) {
      if (depth === 0 && current !== '') parameters.push(current);
      if (depth === 0) current = '';
      continue;
    }
    current += ch;
  }
  if (current !== '') parameters.push(current);
  return parameters;
}

function groupArguments(args: readonly string[]): {
  command: string[];
  options: Map<OptionGroup, string[]>;
} {
  const command: string[] = [];
  const options = new Map<OptionGroup, string[]>();
  let current = command;
  for (const parameter of args.flatMap(splitParameters)) {
    if (!/^-[A-Za-z]/.test(parameter)) {
      current.push(parameter);
      continue;
    }
    const name = parameter.toLowerCase() as OptionGroup;
    if (!OPTION_GROUPS.includes(name))
      throw new StressArgumentError(
        `Unknown option '${parameter}'; sibyl stress knows ${OPTION_GROUPS.join(', ')}`,
      );
    if (options.has(name)) throw new StressArgumentError(`Option '${parameter}' is given more than once`);
    current = [];
    options.set(name, current);
  }
  return { command, options };
}

function parameterOf(text: string): Parameter {
  const call = /^([A-Za-z][\w-]*)\((.*)\)$/s.exec(text);
  if (call) return { text, signature: `${call[1]!.toLowerCase()}(`, value: call[2]! };
  const pair = /^([A-Za-z][\w-]*)(>=|<=|=|<|>)(.*)$/s.exec(text);
  if (pair) return { text, signature: `${pair[1]!.toLowerCase()}${pair[2]}`, value: pair[3]! };
  return { text, signature: text.toLowerCase(), value: '' };
}

/**
 * The parameters of one group by signature. `known` lists what sibyl stress implements,
 * `unsupported` what cassandra-stress has and sibyl stress refuses; `positional` accepts other
 * parameters (the host list of -node) under the signature ''.
 */
function collect(
  texts: readonly string[],
  where: string,
  known: readonly string[],
  unsupported: readonly string[] = [],
  positional = false,
): Map<string, Parameter> {
  const found = new Map<string, Parameter>();
  for (const text of texts) {
    const parameter = parameterOf(text);
    let signature = parameter.signature;
    if (unsupported.includes(signature))
      throw new StressArgumentError(`'${text}' (${where}) is not supported by sibyl stress`);
    if (!known.includes(signature)) {
      if (!positional || /[=<>(]/.test(text))
        throw new StressArgumentError(
          `Invalid parameter '${text}' for ${where}; expected ${known.map(shown).join(', ')}`,
        );
      signature = '';
    }
    if (found.has(signature)) throw new StressArgumentError(`'${text}' (${where}) is given more than once`);
    found.set(signature, parameter);
  }
  return found;
}

const shown = (signature: string): string => (signature.endsWith('(') ? `${signature}...)` : signature);

function parseCommandParameters(command: StressCommand, texts: readonly string[]) {
  const mixed = command === 'mixed';
  const known = ['n=', 'duration=', 'cl=', 'no-warmup', ...(mixed ? ['ratio(', 'clustering='] : [])];
  const unsupported = ['err<', 'n>', 'n<', 'truncate=', ...(mixed ? [] : ['ratio(', 'clustering='])];
  const found = collect(texts, command, known, unsupported);
  const count = found.get('n=');
  const duration = found.get('duration=');
  if (count && duration)
    throw new StressArgumentError(
      `${command}: give n= or duration=, not both ('${count.text}', '${duration.text}')`,
    );
  if (!count && !duration)
    throw new StressArgumentError(
      `${command}: give the number of operations (n=200000) or a duration (duration=30s); ` +
        'err< convergence is not supported',
    );
  return {
    operationCount: count ? positiveCount(count, command) : undefined,
    durationMs: duration ? durationMs(duration, command) : undefined,
    consistency: consistency(found.get('cl='), command),
    warmup: !found.has('no-warmup'),
    ratio: mixed
      ? ratio(found.get('ratio('))
      : { write: command === 'write' ? 1 : 0, read: command === 'read' ? 1 : 0 },
    clustering: parseDistribution(
      found.get('clustering=')?.value ?? 'GAUSSIAN(1..10)',
      `${command} clustering=`,
    ),
  };
}

function positiveCount(parameter: Parameter, where: string): number {
  const value = parseCount(parameter.value);
  if (value === undefined || value < 1)
    throw new StressArgumentError(
      `Invalid value '${parameter.text}' for ${where}: expected a positive count such as 200000, 200k or 1m`,
    );
  return value;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

function durationMs(parameter: Parameter, where: string): number {
  const match = /^(\d+)([smh])$/i.exec(parameter.value);
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]!.toLowerCase()]! : 0;
  if (!match || ms < 1000 || !Number.isSafeInteger(ms))
    throw new StressArgumentError(
      `Invalid value '${parameter.text}' for ${where}: expected a duration such as 30s, 5m or 1h`,
    );
  return ms;
}

/** The levels a read or write can use; SERIAL ones are for conditional updates, ANY for writes only. */
function consistency(parameter: Parameter | undefined, command: StressCommand): Consistency {
  if (!parameter) return 'LOCAL_ONE';
  const name = parameter.value.toUpperCase() as Consistency;
  if (!CONSISTENCY_NAMES.includes(name) || name === 'SERIAL' || name === 'LOCAL_SERIAL')
    throw new StressArgumentError(
      `Invalid consistency level '${parameter.value}' for ${command} cl=; expected one of ` +
        CONSISTENCY_NAMES.filter((n) => !n.endsWith('SERIAL')).join(', '),
    );
  if (name === 'ANY' && command !== 'write')
    throw new StressArgumentError(`${command} cl=ANY: ANY ConsistencyLevel is only supported for writes`);
  return name;
}

function ratio(parameter: Parameter | undefined): Record<OperationKind, number> {
  if (!parameter) return { write: 1, read: 1 };
  const weights = { write: 0, read: 0 };
  const inner = collect(parameter.value.split(',').filter(Boolean), `mixed ${parameter.text}`, [
    'write=',
    'read=',
  ]);
  for (const [signature, entry] of inner) {
    const weight = Number(entry.value);
    if (!Number.isFinite(weight) || weight < 0 || entry.value.trim() === '')
      throw new StressArgumentError(
        `Invalid weight '${entry.text}' in mixed ${parameter.text}: expected a non-negative number`,
      );
    weights[signature === 'write=' ? 'write' : 'read'] = weight;
  }
  if (weights.write + weights.read <= 0)
    throw new StressArgumentError(
      `mixed ${parameter.text}: at least one of write= and read= must be positive`,
    );
  return weights;
}

function parseRate(texts: readonly string[] | undefined): number {
  const found = collect(
    texts ?? [],
    '-rate',
    ['threads='],
    ['threads>=', 'threads<=', 'auto', 'throttle=', 'fixed='],
  );
  const threads = found.get('threads=');
  if (!threads) return stressLimits.defaultThreads;
  return bounded(threads, '-rate', 1, stressLimits.maxThreads);
}

function bounded(parameter: Parameter, where: string, min: number, max: number): number {
  const value = parseCount(parameter.value);
  if (value === undefined || value < min || value > max)
    throw new StressArgumentError(
      `Invalid value '${parameter.text}' for ${where}: expected an integer from ${min} to ${max}`,
    );
  return value;
}

function parseNode(texts: readonly string[] | undefined): { nodes: string[]; dataCenter: string } {
  const found = collect(texts ?? [], '-node', ['datacenter='], ['whitelist', 'file='], true);
  const list = found.get('');
  const nodes = list ? list.text.split(',') : ['127.0.0.1'];
  for (const node of nodes) {
    if (!/^[A-Za-z0-9._:-]+$/.test(node) || /^[^:]+:\d*$/.test(node))
      throw new StressArgumentError(
        `Invalid node '${node}' in -node ${list?.text}: expected addresses separated by commas ` +
          '(the port goes in -port native=)',
      );
  }
  const dataCenter = found.get('datacenter=')?.value ?? 'datacenter1';
  if (dataCenter === '') throw new StressArgumentError(`-node datacenter= needs a data center name`);
  return { nodes, dataCenter };
}

function parsePort(texts: readonly string[] | undefined): number {
  const found = collect(texts ?? [], '-port', ['native='], ['jmx=', 'thrift=']);
  const native = found.get('native=');
  return native ? bounded(native, '-port', 1, 65535) : 9042;
}

function parseMode(texts: readonly string[] | undefined): number | undefined {
  const found = collect(
    texts ?? [],
    '-mode',
    ['native', 'cql3', 'prepared', 'connectionsperhost='],
    [
      'unprepared',
      'simplenative',
      'thrift',
      'user=',
      'password=',
      'auth-provider=',
      'maxpending=',
      'protocolversion=',
      'compression=',
    ],
  );
  const connections = found.get('connectionsperhost=');
  return connections ? bounded(connections, '-mode', 1, 64) : undefined;
}

function parseSchema(texts: readonly string[] | undefined): {
  keyspace: string;
  replication: Record<string, string>;
} {
  const found = collect(
    texts ?? [],
    '-schema',
    ['replication(', 'keyspace='],
    ['compaction(', 'compression='],
  );
  const keyspace = found.get('keyspace=')?.value ?? 'keyspace1';
  if (!/^\w{1,48}$/.test(keyspace))
    throw new StressArgumentError(
      `Invalid keyspace name '${keyspace}' for -schema keyspace=: expected letters, digits and _ (at most 48)`,
    );
  return { keyspace, replication: replication(found.get('replication(')) };
}

/** `replication(factor=3)`, `replication(strategy=NetworkTopologyStrategy,dc1=3,dc2=2)`. */
function replication(parameter: Parameter | undefined): Record<string, string> {
  let strategy = 'SimpleStrategy';
  let factor = '1';
  const others: Record<string, string> = {};
  for (const entry of (parameter?.value ?? '').split(',').filter(Boolean)) {
    const match = /^([\w.-]+)=([\w.-]+)$/.exec(entry);
    if (!match)
      throw new StressArgumentError(
        `Invalid entry '${entry}' in -schema ${parameter!.text}: expected name=value, such as factor=3`,
      );
    const [, name, value] = match as unknown as [string, string, string];
    if (name === 'strategy') strategy = value;
    else if (name === 'factor' || name === 'replication_factor') factor = value;
    else others[name] = value;
  }
  if (!/^\d+$/.test(factor) || Number(factor) < 1)
    throw new StressArgumentError(
      `Invalid replication factor '${factor}' in -schema ${parameter?.text}: expected a positive integer`,
    );
  const simple = /^(org\.apache\.cassandra\.locator\.)?SimpleStrategy$/.test(strategy);
  if (simple && Object.keys(others).length > 0)
    throw new StressArgumentError(
      `-schema ${parameter?.text}: SimpleStrategy takes factor= only, not ${Object.keys(others).join(', ')}`,
    );
  return simple ? { class: strategy, replication_factor: factor } : { class: strategy, ...others };
}

function parsePopulation(
  texts: readonly string[] | undefined,
  command: StressCommand,
  operationCount: number | undefined,
): Population {
  const size = operationCount ?? stressLimits.defaultPopulationSize;
  if (texts === undefined)
    return command === 'write'
      ? { kind: 'sequence', min: 1, max: size, wrap: true }
      : { kind: 'distribution', distribution: parseDistribution(`GAUSSIAN(1..${size})`, '-pop dist=') };
  const found = collect(texts, '-pop', ['seq=', 'dist=', 'no-wrap'], ['read-lookback=', 'contents=']);
  const seq = found.get('seq=');
  const dist = found.get('dist=');
  if ((seq === undefined) === (dist === undefined))
    throw new StressArgumentError(`-pop needs exactly one of seq=min..max and dist=DIST(...)`);
  if (dist) {
    if (found.has('no-wrap')) throw new StressArgumentError(`-pop no-wrap applies to seq= only`);
    return { kind: 'distribution', distribution: parseDistribution(dist.value, '-pop dist=') };
  }
  return { kind: 'sequence', ...parseRange(seq!.value, '-pop seq='), wrap: !found.has('no-wrap') };
}

function parseColumns(texts: readonly string[] | undefined): {
  columnCount: number;
  columnSizeBytes: number;
} {
  const found = collect(
    texts ?? [],
    '-col',
    ['n=', 'size='],
    ['names=', 'comparator=', 'timestamp=', 'slice', 'super='],
  );
  return {
    columnCount: fixedValue(
      found.get('n='),
      '-col n=',
      stressLimits.defaultColumnCount,
      1,
      stressLimits.maxColumns,
    ),
    columnSizeBytes: fixedValue(
      found.get('size='),
      '-col size=',
      stressLimits.defaultColumnSizeBytes,
      0,
      stressLimits.maxColumnSizeBytes,
    ),
  };
}

/** `FIXED(k)` or a bare count: sibyl stress's columns all have the same count and size. */
function fixedValue(
  parameter: Parameter | undefined,
  where: string,
  fallback: number,
  min: number,
  max: number,
) {
  if (!parameter) return fallback;
  const bare = parseCount(parameter.value);
  const value = bare ?? fixedOf(parameter.value, where);
  if (value < min || value > max)
    throw new StressArgumentError(
      `Invalid value '${parameter.text}' for ${where}: expected ${min} to ${max}`,
    );
  return value;
}

function fixedOf(text: string, where: string): number {
  const distribution = parseDistribution(text, where);
  if (distribution.kind !== 'fixed')
    throw new StressArgumentError(`'${text}' for ${where}: sibyl stress supports FIXED(value) only`);
  return distribution.value;
}

function parseLog(texts: readonly string[] | undefined): number {
  const found = collect(
    texts ?? [],
    '-log',
    ['interval='],
    ['file=', 'hdrfile=', 'level=', 'no-summary', 'no-settings'],
  );
  const interval = found.get('interval=');
  if (!interval) return 1000;
  const match = /^(\d+)(s?)$/.exec(interval.value);
  const seconds = match ? Number(match[1]) : 0;
  if (seconds < 1 || seconds > 3600)
    throw new StressArgumentError(
      `Invalid value '${interval.text}' for -log: expected seconds from 1 to 3600, such as interval=1 or 10s`,
    );
  return seconds * 1000;
}

/** `-errors ignore` is what sibyl stress always does: errors are counted and the run goes on. */
function checkErrors(texts: readonly string[] | undefined): void {
  collect(texts ?? [], '-errors', ['ignore'], ['retries=', 'skip-read-validation']);
}

/** The text `sibyl stress write|read|mixed --help` prints. */
export const STRESS_USAGE = `
cassandra-stress syntax, against a running node or cluster through Sibyl's driver (token-aware):

  sibyl stress write n=200000 cl=QUORUM -rate threads=128 -node 127.0.0.1,127.0.0.2
  sibyl stress read n=200000 cl=QUORUM -rate threads=128
  sibyl stress mixed "ratio(write=1,read=3)" duration=30s cl=ONE -rate threads=64

Command parameters:
  n=N                  operations to run (200000, 200k, 1m), or
  duration=T           run for T (30s, 5m, 1h)
  cl=LEVEL             consistency level (default LOCAL_ONE)
  no-warmup            skip the warm-up (25% of n, at most 50k, per node)
  ratio(write=W,read=R)  mixed only: weights of writes and reads (default read=1,write=1)
  clustering=DIST      mixed only: runs of the same kind (default GAUSSIAN(1..10))
Options:
  -rate threads=N      operations in flight (default 50)
  -node A,B[,..] [datacenter=NAME]   contact points (default 127.0.0.1, datacenter1)
  -port native=P       native protocol port (default 9042)
  -schema "replication(factor=3)" [keyspace=NAME]
                       keyspace and replication when created (default keyspace1, SimpleStrategy 1);
                       replication(strategy=NetworkTopologyStrategy,dc1=3) for several data centers
  -pop seq=A..B [no-wrap] | dist=UNIFORM(A..B) | dist=GAUSSIAN(A..B[,stdvrng])
                       key population (default: write seq=1..n, read and mixed GAUSSIAN(1..n))
  -col n=FIXED(5) size=FIXED(34)     columns per row and bytes per value
  -mode native cql3 prepared [connectionsPerHost=N]
  -log interval=N      seconds between progress lines (default 1)
  -errors ignore       (always: errors are counted and the run goes on)

The table is <keyspace>.standard1 (key blob PRIMARY KEY, "C0" … "C4" blob), created if missing.
Reads that find no row count as errors. The storage engine alone: sibyl stress engine --help.
`;
