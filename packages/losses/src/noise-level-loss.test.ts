import { describe, expect, it } from 'vitest';
import { lossByNoiseLevel, NoiseLevelTracker } from './noise-level-loss';

describe('loss by noise level', () => {
  it('averages per-sample losses in t-deciles; t = 1 falls in the last bin; empty bins are NaN', () => {
    const bins = lossByNoiseLevel([1, 3, 10, 7], [0.01, 0.09, 0.55, 1]);
    expect(bins.map((b) => b.count)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(bins[0]).toEqual({ lower: 0, upper: 0.1, count: 2, meanLoss: 2 });
    expect(bins[5].meanLoss).toBe(10);
    expect(bins[9].meanLoss).toBe(7);
    expect(bins[1].meanLoss).toBeNaN();
  });

  it('accumulates across batches and resets', () => {
    const tracker = new NoiseLevelTracker(4);
    tracker.add([1], [0.1]).add([3], [0.2]);
    expect(tracker.summary()[0]).toEqual({ lower: 0, upper: 0.25, count: 2, meanLoss: 2 });
    tracker.reset();
    expect(tracker.summary()[0].count).toBe(0);
  });

  it('rejects mismatched lengths, times outside [0, 1] and bad bin counts', () => {
    expect(() => lossByNoiseLevel([1, 2], [0.5])).toThrow(/^perSampleLoss.length: got 2; expected 1/);
    expect(() => lossByNoiseLevel([1], [Number.NaN])).toThrow(/^t\[0\]: got NaN/);
    expect(() => new NoiseLevelTracker(0)).toThrow(/^bins: got 0; expected an integer >= 1/);
  });
});
