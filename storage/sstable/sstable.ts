/** The SSTable layer's public surface (see README.md and docs/formats/sstable.md). */
export { BloomFilter } from './bloom-filter.js';
export { ChunkCache } from './chunk-cache.js';
export type { Component, SSTableDescriptor } from './file-names.js';
export { componentFileName, componentPath, parseFileName } from './file-names.js';
export { FORMAT_VERSION } from './format.js';
export { listSSTables, nextGeneration, removeIncompleteSSTables } from './sstable-directory.js';
export type { KeyBound } from './sstable-reader.js';
export { openSSTable, SSTableReader } from './sstable-reader.js';
export type { SSTableWriterOptions } from './sstable-writer.js';
export { SSTableWriter } from './sstable-writer.js';
export type { CommitLogPositionStats, SSTableStats } from './statistics.js';
