/** A place in the commit log: the offset just after a record in a segment (docs/formats/commitlog.md). */
export interface CommitLogPosition {
  readonly segmentId: number;
  readonly offset: number;
}

/** Orders positions by segment id, then offset. */
export function comparePositions(a: CommitLogPosition, b: CommitLogPosition): number {
  if (a.segmentId !== b.segmentId) return a.segmentId < b.segmentId ? -1 : 1;
  return a.offset - b.offset;
}
