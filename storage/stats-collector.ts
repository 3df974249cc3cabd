/**
 * Gathers an SSTable's statistics (timestamps, deletion times, tombstones, clustering bounds,
 * columns) from the partitions written into it, as Cassandra's MetadataCollector does.
 */
import type { Clustering, ClusteringComparator, Partition, Row } from './model.js';
import { NO_DELETION_TIME } from './model.js';
import type { PartitionSummary } from './partition-codec.js';
import type { SSTableStats } from './sstable/sstable.js';

/** The SSTable statistics a collector can know; the commit log position is the flush's to add. */
export type CollectedStats = Omit<SSTableStats, 'commitLogPosition'>;

export class StatsCollector {
  private minTimestamp = Number.MAX_SAFE_INTEGER;
  private maxTimestamp = Number.MIN_SAFE_INTEGER;
  private minLocalDeletionTime = NO_DELETION_TIME;
  private tombstoneCount = 0;
  private minClustering: Clustering | null = null;
  private maxClustering: Clustering | null = null;
  private readonly columns = new Set<string>();

  constructor(private readonly compare: ClusteringComparator) {}

  /** The smallest timestamp seen so far. */
  get minimumTimestamp(): number {
    return this.minTimestamp;
  }

  private timestamp(ts: number): void {
    if (ts < this.minTimestamp) this.minTimestamp = ts;
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
  }

  private deletionTime(localDeletionTime: number): void {
    if (localDeletionTime < this.minLocalDeletionTime) this.minLocalDeletionTime = localDeletionTime;
  }

  add(p: Partition): void {
    if (p.deletion) {
      this.tombstoneCount++;
      this.timestamp(p.deletion.markedForDeleteAt);
      this.deletionTime(p.deletion.localDeletionTime);
    }
    for (const rt of p.rangeTombstones) {
      this.tombstoneCount++;
      this.timestamp(rt.deletion.markedForDeleteAt);
      this.deletionTime(rt.deletion.localDeletionTime);
    }
    if (p.staticRow) this.addRow(p.staticRow);
    for (const row of p.rows) this.addRow(row);
    const rowCount = p.rows.length;
    if (rowCount > 0) this.clusterings(p.rows[0]!.clustering, p.rows[rowCount - 1]!.clustering);
  }

  /**
   * Adds an encoded partition by its summary (partition-codec's `summarizePartition`): the same
   * statistics `add` gathers from the decoded partition.
   */
  addSummary(s: PartitionSummary): void {
    // Each bound on its own: a partition without timestamps leaves both at their starting values.
    if (s.minTimestamp < this.minTimestamp) this.minTimestamp = s.minTimestamp;
    if (s.maxTimestamp > this.maxTimestamp) this.maxTimestamp = s.maxTimestamp;
    this.deletionTime(s.minLocalDeletionTime);
    this.tombstoneCount += s.tombstoneCount;
    for (const column of s.columns) this.columns.add(column);
    this.clusterings(s.firstClustering, s.lastClustering);
  }

  private clusterings(first: Clustering | null, last: Clustering | null): void {
    if (first !== null && (this.minClustering === null || this.compare(first, this.minClustering) < 0)) {
      this.minClustering = first;
    }
    if (last !== null && (this.maxClustering === null || this.compare(last, this.maxClustering) > 0)) {
      this.maxClustering = last;
    }
  }

  private addRow(row: Row): void {
    if (row.liveness) {
      this.timestamp(row.liveness.timestamp);
      if (row.liveness.ttl > 0) this.deletionTime(row.liveness.localExpirationTime);
    }
    if (row.deletion) {
      this.tombstoneCount++;
      this.timestamp(row.deletion.markedForDeleteAt);
      this.deletionTime(row.deletion.localDeletionTime);
    }
    for (const cd of row.columnDeletions) {
      this.tombstoneCount++;
      this.columns.add(cd.column);
      this.timestamp(cd.deletion.markedForDeleteAt);
      this.deletionTime(cd.deletion.localDeletionTime);
    }
    for (const cell of row.cells) {
      this.columns.add(cell.column);
      this.timestamp(cell.timestamp);
      if (cell.value === null) this.tombstoneCount++;
      if (cell.localDeletionTime !== NO_DELETION_TIME) this.deletionTime(cell.localDeletionTime);
    }
  }

  result(): CollectedStats {
    const copy = (c: Clustering | null) => (c === null ? null : c.map((v) => Uint8Array.from(v)));
    return {
      minTimestamp: this.minTimestamp,
      maxTimestamp: this.maxTimestamp,
      minLocalDeletionTime: this.minLocalDeletionTime,
      tombstoneCount: this.tombstoneCount,
      minClustering: copy(this.minClustering),
      maxClustering: copy(this.maxClustering),
      columns: [...this.columns].sort(),
    };
  }
}
