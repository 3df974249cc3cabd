import { describe, expect, it } from 'vitest';
import {
  ArrivalWindow,
  FailureDetector,
  failureDetectorOptions,
  PHI_FACTOR,
} from '../../../node/gossip/failure-detector.js';
import { address } from './gossip-fixtures.js';

const T0 = 1_700_000_000_000;
const peer = address(2);

/** Reports a heartbeat every `everyMs` from T0, `count` times; returns the time of the last one. */
function heartbeats(detector: FailureDetector, count: number, everyMs = 1000): number {
  for (let index = 0; index < count; index++) detector.report(peer, T0 + index * everyMs);
  return T0 + (count - 1) * everyMs;
}

describe('ArrivalWindow arithmetic (Cassandra defaults)', () => {
  it('has Cassandra defaults: 1000 samples, 2 s initial and maximum interval, threshold 8, 5 s pause', () => {
    expect(failureDetectorOptions()).toEqual({
      sampleSize: 1000,
      initialIntervalMs: 2000,
      maxIntervalMs: 2000,
      phiConvictThreshold: 8,
      refusedThresholdRatio: 0.5,
      maxLocalPauseMs: 5000,
    });
    expect(PHI_FACTOR).toBeCloseTo(Math.LOG10E, 15);
  });

  it('FirstArrivalSeedsTheWindowWithTheInitialInterval: phi after 2 s is log10(e)', () => {
    const window = new ArrivalWindow(failureDetectorOptions());
    window.add(T0);
    expect(window.mean()).toBe(2000);
    expect(window.phi(T0)).toBe(0);
    expect(window.phi(T0 + 1000)).toBeCloseTo(0.2171472409516, 12);
    expect(window.phi(T0 + 2000)).toBeCloseTo(Math.LOG10E, 12);
  });

  it('SteadyHeartbeatsAverageWithTheInitialInterval: 11 beats 1 s apart, phi 5 s after the last', () => {
    const detector = new FailureDetector();
    const last = heartbeats(detector, 11);
    expect(detector.window(peer)!.mean()).toBeCloseTo(12000 / 11, 9);
    // 0.4343 × 5000 / 1090.909
    expect(detector.phi(peer, last + 5000)).toBeCloseTo(1.9905163754, 9);
  });

  it('IntervalsAboveTheMaximumAreNotRecorded: a 5 s gap moves the last arrival only', () => {
    const window = new ArrivalWindow(failureDetectorOptions());
    window.add(T0);
    window.add(T0 + 5000);
    expect(window.size()).toBe(1);
    expect(window.mean()).toBe(2000);
    expect(window.phi(T0 + 7000)).toBeCloseTo(PHI_FACTOR, 12);
    window.add(T0 + 7000);
    expect(window.size()).toBe(2);
  });

  it('WindowKeepsTheLastSampleSizeIntervals: the initial interval ages out', () => {
    const window = new ArrivalWindow(failureDetectorOptions());
    for (let index = 0; index <= 1000; index++) window.add(T0 + index * 500);
    expect(window.size()).toBe(1000);
    expect(window.mean()).toBe(500);
    expect(window.phi(T0 + 1000 * 500 + 500)).toBeCloseTo(PHI_FACTOR, 12);
  });

  it('a smaller window follows a change of pace', () => {
    const window = new ArrivalWindow(failureDetectorOptions({ sampleSize: 3 }));
    for (const at of [0, 1000, 2000, 2100, 2200, 2300]) window.add(T0 + at);
    expect(window.mean()).toBeCloseTo(100, 9);
  });
});

describe('conviction', () => {
  it('ConvictedBetween18And19SecondsAfterTheLastOf100Heartbeats: 8 × ln 10 × mean', () => {
    const detector = new FailureDetector();
    const last = heartbeats(detector, 101);
    const mean = 102000 / 101;
    const crossingMs = 8 * Math.LN10 * mean;
    expect(crossingMs).toBeCloseTo(18603.06, 1);
    for (let second = 1; second <= 18; second++) {
      expect(detector.interpret([peer], last + second * 1000), `at +${second} s`).toEqual([]);
    }
    expect(detector.interpret([peer], last + 19_000)).toEqual([peer]);
  });

  it('NeverConvictsHeartbeatsEverySecond, interpreted every second for an hour', () => {
    const detector = new FailureDetector();
    for (let second = 0; second < 3600; second++) {
      detector.report(peer, T0 + second * 1000);
      expect(detector.interpret([peer], T0 + second * 1000 + 999)).toEqual([]);
    }
    expect(detector.phi(peer, T0 + 3600 * 1000)).toBeLessThan(1);
  });

  it('LateButSteadyHeartbeatsAreNotConvicted: 1.9 s gaps keep phi under 1', () => {
    const detector = new FailureDetector();
    const last = heartbeats(detector, 50, 1900);
    expect(detector.phi(peer, last + 1900)).toBeLessThan(1);
  });

  it('honours phi_convict_threshold', () => {
    const detector = new FailureDetector(failureDetectorOptions({ phiConvictThreshold: 4 }));
    const last = heartbeats(detector, 101);
    // 4 × ln 10 × 1009.9 = 9302 ms
    expect(detector.interpret([peer], last + 9000)).toEqual([]);
    expect(detector.interpret([peer], last + 10_000)).toEqual([peer]);
  });

  it('an endpoint that refused a connection is convicted at half the threshold (~9.3 s, not ~18.6 s)', () => {
    const detector = new FailureDetector();
    const last = heartbeats(detector, 101);
    detector.refused(peer);
    // 0.5 × 8 × ln 10 × 1009.9 = 9302 ms
    expect(detector.interpret([peer], last + 9000)).toEqual([]);
    expect(detector.interpret([peer], last + 10_000)).toEqual([peer]);
  });

  it('an arrival after a refused connection restores the full threshold', () => {
    const detector = new FailureDetector();
    const last = heartbeats(detector, 101);
    detector.refused(peer);
    detector.report(peer, last + 1000);
    // Checked every second, as the gossiper does: silent until 8 × ln 10 × mean after the arrival.
    for (let second = 2; second <= 19; second++) {
      expect(detector.interpret([peer], last + second * 1000), `at +${second} s`).toEqual([]);
    }
    expect(detector.interpret([peer], last + 20_000)).toEqual([peer]);
  });

  it('LocalPauseConvictsNobody: after a gap of more than 5 s between checks, none for 5 s', () => {
    const detector = new FailureDetector();
    const last = heartbeats(detector, 101);
    expect(detector.interpret([peer], last + 1000)).toEqual([]);
    expect(detector.interpret([peer], last + 30_000), 'the 29 s gap was ours').toEqual([]);
    expect(detector.interpret([peer], last + 31_000)).toEqual([]);
    expect(detector.interpret([peer], last + 34_000)).toEqual([]);
    expect(detector.interpret([peer], last + 35_000)).toEqual([peer]);
  });

  it('an endpoint never reported is never convicted; remove forgets the intervals', () => {
    const detector = new FailureDetector();
    expect(detector.interpret([address(9)], T0)).toEqual([]);
    heartbeats(detector, 10);
    detector.remove(peer);
    expect(detector.phi(peer, T0 + 60_000)).toBeUndefined();
  });
});
