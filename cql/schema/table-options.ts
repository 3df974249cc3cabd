/**
 * Table options (WITH ... of CREATE / ALTER TABLE) into `TableParams`, as Cassandra's
 * TableAttributes, CompactionParams, CompressionParams, CachingParams and SpeculativeRetryPolicy
 * read and validate them, with their messages. Pure.
 */
import { ConfigurationError } from '../errors.js';
import type { Property } from '../parser/index.js';
import { isUuidString } from '../types/uuid.js';
import { javaDouble } from './java-format.js';
import type { TableParams } from './metadata.js';
import { Properties } from './properties.js';
import { sortedRecord } from './replication.js';

export const TABLE_OPTION_NAMES: ReadonlySet<string> = new Set([
  'additional_write_policy',
  'bloom_filter_fp_chance',
  'caching',
  'cdc',
  'comment',
  'compaction',
  'compression',
  'crc_check_chance',
  'default_time_to_live',
  'extensions',
  'gc_grace_seconds',
  'id',
  'max_index_interval',
  'memtable_flush_period_in_ms',
  'min_index_interval',
  'read_repair',
  'speculative_retry',
]);

/** Attributes.MAX_TTL: 20 years. */
export const MAX_TTL_SECONDS = 630_720_000;
/** BloomCalculations.minSupportedBloomFilterFpChance(). */
const MIN_BLOOM_FILTER_FP_CHANCE = 6.71e-5;

const COMPACTION_PACKAGE = 'org.apache.cassandra.db.compaction.';
const COMPACTION_CLASSES = new Set(
  [
    'SizeTieredCompactionStrategy',
    'LeveledCompactionStrategy',
    'TimeWindowCompactionStrategy',
    'UnifiedCompactionStrategy',
  ].map((c) => COMPACTION_PACKAGE + c),
);
const COMPRESSION_PACKAGE = 'org.apache.cassandra.io.compress.';
const COMPRESSION_CLASSES = new Set(
  ['LZ4Compressor', 'SnappyCompressor', 'DeflateCompressor', 'ZstdCompressor', 'NoopCompressor'].map(
    (c) => COMPRESSION_PACKAGE + c,
  ),
);

export interface ParsedTableOptions {
  readonly params: TableParams;
  /** The `id` option of CREATE TABLE, when given. */
  readonly id?: string;
}

/** Applies the properties to `base` (the defaults for CREATE, the current params for ALTER). */
export function tableOptions(properties: readonly Property[], base: TableParams): ParsedTableOptions {
  const p = new Properties(properties);
  p.validate(TABLE_OPTION_NAMES);
  const params = buildParams(p, base);
  validateParams(params);
  const id = p.getString('id');
  if (id !== undefined && !isUuidString(id)) throw new ConfigurationError('Invalid table id');
  return id === undefined ? { params } : { params, id: id.toLowerCase() };
}

function buildParams(p: Properties, base: TableParams): TableParams {
  const caching = p.getMap('caching');
  const compaction = p.getMap('compaction');
  const compression = p.getMap('compression');
  const extensions = p.getMap('extensions');
  const speculativeRetry = p.getString('speculative_retry');
  const additionalWritePolicy = p.getString('additional_write_policy');
  const readRepair = p.getString('read_repair');
  return {
    ...base,
    comment: p.getString('comment') ?? base.comment,
    defaultTimeToLive: p.getInt('default_time_to_live') ?? base.defaultTimeToLive,
    gcGraceSeconds: p.getInt('gc_grace_seconds') ?? base.gcGraceSeconds,
    bloomFilterFpChance: p.getDouble('bloom_filter_fp_chance') ?? base.bloomFilterFpChance,
    crcCheckChance: p.getDouble('crc_check_chance') ?? base.crcCheckChance,
    memtableFlushPeriodInMs: p.getInt('memtable_flush_period_in_ms') ?? base.memtableFlushPeriodInMs,
    minIndexInterval: p.getInt('min_index_interval') ?? base.minIndexInterval,
    maxIndexInterval: p.getInt('max_index_interval') ?? base.maxIndexInterval,
    cdc: p.getBoolean('cdc') ?? base.cdc ?? false,
    caching: caching ? cachingParams(caching) : base.caching,
    compaction: compaction ? compactionParams(compaction) : base.compaction,
    compression: compression ? compressionParams(compression) : base.compression,
    extensions: extensions ? sortedRecord(Object.fromEntries(extensions)) : base.extensions,
    speculativeRetry:
      speculativeRetry === undefined
        ? base.speculativeRetry
        : retryPolicy(speculativeRetry, 'speculative_retry'),
    additionalWritePolicy:
      additionalWritePolicy === undefined
        ? base.additionalWritePolicy
        : retryPolicy(additionalWritePolicy, 'additional_write_policy'),
    readRepair: readRepair === undefined ? base.readRepair : readRepairStrategy(readRepair),
  };
}

/** TableParams.validate. */
function validateParams(params: TableParams): void {
  const fail = (message: string) => {
    throw new ConfigurationError(message);
  };
  const { bloomFilterFpChance: bloom, crcCheckChance: crc } = params;
  if (bloom <= MIN_BLOOM_FILTER_FP_CHANCE || bloom > 1) {
    fail(
      `bloom_filter_fp_chance must be larger than ${javaDouble(MIN_BLOOM_FILTER_FP_CHANCE)} and less than or equal to 1.0 (got ${javaDouble(bloom)})`,
    );
  }
  if (crc < 0 || crc > 1) {
    fail(
      `crc_check_chance must be larger than or equal to 0 and smaller than or equal to 1.0 (got ${javaDouble(crc)})`,
    );
  }
  const ttl = params.defaultTimeToLive;
  if (ttl < 0) fail(`default_time_to_live must be greater than or equal to 0 (got ${ttl})`);
  if (ttl > MAX_TTL_SECONDS)
    fail(`default_time_to_live must be less than or equal to ${MAX_TTL_SECONDS} (got ${ttl})`);
  if (params.gcGraceSeconds < 0)
    fail(`gc_grace_seconds must be greater than or equal to 0 (got ${params.gcGraceSeconds})`);
  if (params.minIndexInterval < 1)
    fail(`min_index_interval must be greater than or equal to 1 (got ${params.minIndexInterval})`);
  if (params.maxIndexInterval < params.minIndexInterval) {
    fail(
      `max_index_interval must be greater than or equal to min_index_interval (${params.minIndexInterval}) (got ${params.maxIndexInterval})`,
    );
  }
  if (params.memtableFlushPeriodInMs < 0) {
    fail(
      `memtable_flush_period_in_ms must be greater than or equal to 0 (got ${params.memtableFlushPeriodInMs})`,
    );
  }
}

/** CompactionParams.fromMap: `class` required; min/max_threshold defaults added as Cassandra does. */
function compactionParams(options: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  const given = options.get('class');
  if (given === undefined)
    throw new ConfigurationError("Missing sub-option 'class' for the 'compaction' option.");
  const className = given.includes('.') ? given : COMPACTION_PACKAGE + given;
  if (!COMPACTION_CLASSES.has(className)) {
    throw new ConfigurationError(`Unable to find compaction strategy class '${className}'`);
  }
  const result: Record<string, string> = { min_threshold: '4', max_threshold: '32' };
  for (const [key, value] of options) result[key] = value;
  for (const key of ['min_threshold', 'max_threshold']) {
    if (!/^\d+$/.test(result[key]!)) {
      throw new ConfigurationError(`Invalid value ${result[key]} for '${key}' (must be an integer)`);
    }
  }
  result.class = className;
  return sortedRecord(result);
}

/** CompressionParams.fromMap: `enabled: false` turns it off; otherwise `class` is required. */
function compressionParams(options: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  if (options.get('enabled')?.toLowerCase() === 'false') return { enabled: 'false' };
  const given = options.get('class');
  if (given === undefined)
    throw new ConfigurationError("Missing sub-option 'class' for the 'compression' option.");
  const className = given.includes('.') ? given : COMPRESSION_PACKAGE + given;
  if (!COMPRESSION_CLASSES.has(className)) {
    throw new ConfigurationError(`Could not create Compression for type ${className}`);
  }
  const result: Record<string, string> = { chunk_length_in_kb: '16' };
  for (const [key, value] of options) if (key !== 'enabled') result[key] = value;
  const chunk = result.chunk_length_in_kb!;
  if (!/^\d+$/.test(chunk) || Number(chunk) <= 0 || (Number(chunk) & (Number(chunk) - 1)) !== 0) {
    throw new ConfigurationError(`chunk_length_in_kb must be a power of 2`);
  }
  result.class = className;
  return sortedRecord(result);
}

/** CachingParams.fromMap. */
function cachingParams(options: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  const unknown = [...options.keys()].filter((k) => k !== 'keys' && k !== 'rows_per_partition');
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Invalid caching sub-options ${JSON.stringify(Object.fromEntries(options))}: only 'keys' and 'rows_per_partition' are allowed`,
    );
  }
  const keys = (options.get('keys') ?? 'ALL').toUpperCase();
  if (keys !== 'ALL' && keys !== 'NONE') {
    throw new ConfigurationError(
      `Invalid value '${options.get('keys')}' for caching sub-option 'keys': only 'ALL' and 'NONE' are allowed`,
    );
  }
  const rows = (options.get('rows_per_partition') ?? 'NONE').toUpperCase();
  if (rows !== 'ALL' && rows !== 'NONE' && !/^\d+$/.test(rows)) {
    throw new ConfigurationError(
      `Invalid value '${options.get('rows_per_partition')}' for caching sub-option 'rows_per_partition': only 'ALL', 'NONE' or a positive integer are allowed`,
    );
  }
  return { keys, rows_per_partition: rows };
}

/** SpeculativeRetryPolicy.fromString, printed in its canonical form (`99p`, `50ms`, `ALWAYS`, ...). */
function retryPolicy(text: string, option: string): string {
  const upper = text.trim().toUpperCase();
  if (upper === 'ALWAYS' || upper === 'NEVER' || upper === 'NONE') return upper;
  const percentile = /^(\d+(\.\d+)?)(P|PERCENTILE)$/.exec(upper);
  if (percentile) {
    const value = Number(percentile[1]);
    if (value <= 0 || value > 100) {
      throw new ConfigurationError(
        `Invalid value ${text} for PERCENTILE option '${option}': must be between (0.0 and 100.0]`,
      );
    }
    return `${Number(value.toFixed(4))}p`;
  }
  const fixed = /^(\d+(\.\d+)?)MS$/.exec(upper);
  if (fixed) return `${Number(fixed[1])}ms`;
  throw new ConfigurationError(`Invalid value ${text} for option '${option}'`);
}

function readRepairStrategy(text: string): 'BLOCKING' | 'NONE' {
  const upper = text.toUpperCase();
  if (upper === 'BLOCKING' || upper === 'NONE') return upper;
  throw new ConfigurationError(`Invalid value ${text} for option 'read_repair'`);
}
