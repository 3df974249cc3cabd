/**
 * The cassandra-stress command line → settings (cli/stress/stress-arguments.ts): every form
 * `sibyl stress` documents, cassandra-stress's defaults, and a clear error naming each bad argument.
 */
import { describe, expect, it } from 'vitest';
import { parseCount, parseDistribution } from '../../cli/stress/distribution.js';
import { parseStressArguments, splitParameters } from '../../cli/stress/stress-arguments.js';
import { StressArgumentError } from '../../cli/stress/stress-error.js';

const parse = (command: string, line: string) =>
  parseStressArguments(command, line.split(' ').filter(Boolean));

function parseError(command: string, args: string[]): StressArgumentError {
  try {
    parseStressArguments(command, args);
  } catch (error) {
    expect(error).toBeInstanceOf(StressArgumentError);
    return error as StressArgumentError;
  }
  throw new Error(`expected '${command} ${args.join(' ')}' to be refused`);
}

describe('sibyl stress arguments: accepted forms', () => {
  it('write with n, cl, threads, nodes, port, schema and population', () => {
    const settings = parseStressArguments('write', [
      'n=200000',
      'cl=QUORUM',
      '-rate',
      'threads=128',
      '-node',
      '127.0.0.1,127.0.0.2',
      '-port',
      'native=9142',
      '-schema',
      'replication(factor=3)',
      '-pop',
      'seq=1..500000',
    ]);
    expect(settings).toMatchObject({
      command: 'write',
      operationCount: 200_000,
      durationMs: undefined,
      consistency: 'QUORUM',
      threads: 128,
      nodes: ['127.0.0.1', '127.0.0.2'],
      nativePort: 9142,
      keyspace: 'keyspace1',
      replication: { class: 'SimpleStrategy', replication_factor: '3' },
      population: { kind: 'sequence', min: 1, max: 500_000, wrap: true },
      ratio: { write: 1, read: 0 },
      warmup: true,
    });
  });

  it("defaults are cassandra-stress's: LOCAL_ONE, SimpleStrategy RF 1, 5 columns of 34 bytes, seq=1..n", () => {
    const settings = parse('write', 'n=1000');
    expect(settings).toMatchObject({
      consistency: 'LOCAL_ONE',
      threads: 50,
      nodes: ['127.0.0.1'],
      dataCenter: 'datacenter1',
      nativePort: 9042,
      keyspace: 'keyspace1',
      replication: { class: 'SimpleStrategy', replication_factor: '1' },
      population: { kind: 'sequence', min: 1, max: 1000, wrap: true },
      columnCount: 5,
      columnSizeBytes: 34,
      logIntervalMs: 1000,
      connectionsPerHost: undefined,
    });
  });

  it('read defaults to a gaussian population over 1..n, as cassandra-stress', () => {
    const settings = parse('read', 'n=200000 cl=quorum -rate threads=128');
    expect(settings.consistency).toBe('QUORUM');
    expect(settings.ratio).toEqual({ write: 0, read: 1 });
    expect(settings.population).toEqual({
      kind: 'distribution',
      distribution: { kind: 'gaussian', min: 1, max: 200_000, mean: 100_000.5, stdev: 199_999 / 2 / 3 },
    });
  });

  it('mixed takes ratio(...) as one quoted argument, with or without spaces', () => {
    const settings = parseStressArguments('mixed', ['ratio(write=1, read=3)', 'n=1k', 'cl=ONE']);
    expect(settings.ratio).toEqual({ write: 1, read: 3 });
    expect(settings.operationCount).toBe(1000);
    expect(settings.clustering).toMatchObject({ kind: 'gaussian', min: 1, max: 10 });
    expect(parse('mixed', 'n=10').ratio).toEqual({ write: 1, read: 1 });
  });

  it('duration= in seconds, minutes and hours; the population then defaults to 1..1M', () => {
    expect(parse('write', 'duration=30s').durationMs).toBe(30_000);
    expect(parse('write', 'duration=5m').durationMs).toBe(300_000);
    expect(parse('write', 'duration=1h').durationMs).toBe(3_600_000);
    const settings = parse('write', 'duration=30s');
    expect(settings.operationCount).toBeUndefined();
    expect(settings.population).toMatchObject({ kind: 'sequence', min: 1, max: 1_000_000 });
  });

  it('counts take k, m and b suffixes', () => {
    expect(parse('write', 'n=200k').operationCount).toBe(200_000);
    expect(parse('write', 'n=2M').operationCount).toBe(2_000_000);
    expect(parseCount('1b')).toBe(1_000_000_000);
    expect(parseCount('12x')).toBeUndefined();
  });

  it('a quoted argument may hold several parameters; option names are case-insensitive', () => {
    const settings = parseStressArguments('write', [
      'n=10 no-warmup',
      '-schema',
      'replication(strategy=NetworkTopologyStrategy, dc1=3, dc2=2) keyspace=ks_stress',
      '-NODE',
      '10.0.0.1 datacenter=dc1',
    ]);
    expect(settings.warmup).toBe(false);
    expect(settings.keyspace).toBe('ks_stress');
    expect(settings.replication).toEqual({ class: 'NetworkTopologyStrategy', dc1: '3', dc2: '2' });
    expect(settings.nodes).toEqual(['10.0.0.1']);
    expect(settings.dataCenter).toBe('dc1');
    expect(splitParameters(' a=1  ratio(write=1, read=2) ')).toEqual(['a=1', 'ratio(write=1,read=2)']);
  });

  it('populations: seq with no-wrap, uniform, gaussian with stdvrng or mean and stdev, fixed', () => {
    expect(parse('read', 'n=5 -pop seq=1..10 no-wrap').population).toEqual({
      kind: 'sequence',
      min: 1,
      max: 10,
      wrap: false,
    });
    expect(parse('read', 'n=5 -pop dist=UNIFORM(1..1k)').population).toEqual({
      kind: 'distribution',
      distribution: { kind: 'uniform', min: 1, max: 1000 },
    });
    expect(parseDistribution('gauss(1..101,5)', 'x')).toEqual({
      kind: 'gaussian',
      min: 1,
      max: 101,
      mean: 51,
      // cassandra-stress: the edges are stdvrng deviations from the mean, (101 - 1) / 2 / 5
      stdev: 10,
    });
    expect(parseDistribution('NORMAL(1..100,40,7)', 'x')).toEqual({
      kind: 'gaussian',
      min: 1,
      max: 100,
      mean: 40,
      stdev: 7,
    });
    expect(parseDistribution('fixed(7)', 'x')).toEqual({ kind: 'fixed', value: 7 });
  });

  it('-col, -mode, -log and -errors ignore', () => {
    const settings = parse(
      'write',
      'n=5 -col n=FIXED(3) size=FIXED(100) -mode native cql3 prepared connectionsPerHost=2 -log interval=5 -errors ignore',
    );
    expect(settings).toMatchObject({
      columnCount: 3,
      columnSizeBytes: 100,
      connectionsPerHost: 2,
      logIntervalMs: 5000,
    });
  });
});

describe('sibyl stress arguments: refused, naming the argument', () => {
  const cases: [string, string[], RegExp][] = [
    ['write', [], /give the number of operations \(n=200000\) or a duration/],
    ['write', ['n=10', 'duration=10s'], /not both \('n=10', 'duration=10s'\)/],
    ['write', ['n=abc'], /Invalid value 'n=abc' for write/],
    ['write', ['n=0'], /Invalid value 'n=0'/],
    ['write', ['n=10000p'], /Invalid value 'n=10000p'/],
    ['write', ['duration=10'], /Invalid value 'duration=10' for write: expected a duration/],
    ['write', ['n=10', 'cl=foo'], /Invalid consistency level 'foo'/],
    ['write', ['n=10', 'cl=SERIAL'], /Invalid consistency level 'SERIAL'/],
    ['read', ['n=10', 'cl=ANY'], /ANY ConsistencyLevel is only supported for writes/],
    ['write', ['n=10', 'cl=ONE', 'cl=QUORUM'], /'cl=QUORUM' \(write\) is given more than once/],
    ['write', ['n=10', 'no-warmup=foo'], /Invalid parameter 'no-warmup=foo' for write/],
    ['write', ['n=10k', 'err<0.2'], /'err<0.2' \(write\) is not supported/],
    ['write', ['n=10', 'ratio(write=1)'], /'ratio\(write=1\)' \(write\) is not supported/],
    [
      'write',
      ['n=10', 'bogus'],
      /Invalid parameter 'bogus' for write; expected n=, duration=, cl=, no-warmup/,
    ],
    ['mixed', ['n=10', 'ratio(write=1,delete=2)'], /Invalid parameter 'delete=2' for mixed ratio/],
    ['mixed', ['n=10', 'ratio(write=x)'], /Invalid weight 'write=x'/],
    ['mixed', ['n=10', 'ratio(write=0,read=0)'], /at least one of write= and read= must be positive/],
    ['counter_write', ['n=10'], /Unknown command 'counter_write'/],
    [
      'write',
      ['n=10', '-rate', 'threads=0'],
      /Invalid value 'threads=0' for -rate: expected an integer from 1/,
    ],
    ['write', ['n=10', '-rate', 'threads=abc'], /Invalid value 'threads=abc' for -rate/],
    ['write', ['n=10', '-rate', 'threads>=10'], /'threads>=10' \(-rate\) is not supported/],
    ['write', ['n=10', '-rate', 'fixed=10/s'], /'fixed=10\/s' \(-rate\) is not supported/],
    ['write', ['n=10', '-node', '127.0.0.1,192.168.0.1,'], /Invalid node '' in -node/],
    ['write', ['n=10', '-node', '127.0.0.1:9042'], /Invalid node '127.0.0.1:9042'.*-port native=/],
    ['write', ['n=10', '-port', 'native=70000'], /Invalid value 'native=70000' for -port/],
    ['write', ['n=10', '-port', 'jmx=7199'], /'jmx=7199' \(-port\) is not supported/],
    ['read', ['n=10', '-schema', 'replication(factor=abc)'], /Invalid replication factor 'abc'/],
    ['read', ['n=10', '-schema', 'replication(factor==123)'], /Invalid entry 'factor==123'/],
    ['read', ['n=10', '-schema', 'replication(factor=1,=)'], /Invalid entry '='/],
    ['read', ['n=10', '-schema', 'replication(dc1=3)'], /SimpleStrategy takes factor= only, not dc1/],
    ['read', ['n=10', '-schema', 'keyspace=bad-name'], /Invalid keyspace name 'bad-name'/],
    [
      'read',
      ['n=10', '-schema', 'compaction(strategy=LCS)'],
      /'compaction\(strategy=LCS\)' \(-schema\) is not supported/,
    ],
    ['read', ['n=10', '-pop', 'seq=10..1'], /Invalid range '10..1' for -pop seq=: min is greater than max/],
    ['read', ['n=10', '-pop', 'seq=1-10'], /Invalid range '1-10' for -pop seq=/],
    ['read', ['n=10', '-pop', 'dist=zipf(1..10)'], /Invalid distribution 'zipf\(1..10\)' for -pop dist=/],
    ['read', ['n=10', '-pop', 'dist=UNIFORM(1..10)', 'no-wrap'], /no-wrap applies to seq= only/],
    ['read', ['n=10', '-pop', 'seq=1..10', 'dist=UNIFORM(1..10)'], /exactly one of seq=min..max and dist=/],
    ['read', ['n=10', '-col', 'size=UNIFORM(1..10)'], /sibyl stress supports FIXED\(value\) only/],
    ['read', ['n=10', '-col', 'n=FIXED(0)'], /Invalid value 'n=FIXED\(0\)' for -col n=/],
    ['read', ['n=10', '-mode', 'thrift'], /'thrift' \(-mode\) is not supported/],
    ['read', ['n=10', '-log', 'interval=0'], /Invalid value 'interval=0' for -log/],
    ['read', ['n=10', '-errors', 'retries=3'], /'retries=3' \(-errors\) is not supported/],
    ['read', ['n=10', '-graph', 'file=x.html'], /Unknown option '-graph'; sibyl stress knows -rate/],
    ['read', ['n=10', '-rate', 'threads=2', '-rate', 'threads=3'], /Option '-rate' is given more than once/],
  ];

  it.each(cases)('%s %j', (command, args, message) => {
    expect(parseError(command, args).message).toMatch(message);
  });
});
