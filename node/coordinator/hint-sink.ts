/**
 * Where the coordinator leaves a write a replica did not take: one replica known down when the
 * write starts, or one that has not acknowledged when the write timeout fires. The hints service
 * (node/hints/, storage/hints/) implements it — it decides whether the hint is kept (hinted handoff
 * enabled, max_hint_window) and replays it when the replica is back. The coordinator only calls
 * `store`, synchronously, and never waits on it.
 */
import type { HostId } from '../../ring/endpoint.js';
import type { Mutation } from '../../storage/model.js';

export interface HintSink {
  store(target: HostId, mutation: Mutation): void;
}

/** The default until a hints service is given: hints are dropped (ANY still counts them). */
export const noHints: HintSink = {
  store: () => {},
};
